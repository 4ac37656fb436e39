"""The floors of docs/architecture.md are the package's folders: a module imports only
modules of its floor or below, the root holds only the entry points, module-level imports
make no circle, each scenario concern sits under one file name in each floor, and the engine
imports neither openpyxl, xlwings nor the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "allot_xl"

# folder (or root module) -> floor; a module imports only its floor or below
FLOORS = {
    "_version": 1, "core": 1,  # the contract, the typed model, problems, law, French
    "engine": 2,  # pandas from typed inputs to typed results
    "inputs": 3,  # reading the input sheets into typed inputs
    "outputs": 4,  # the declarative description of the output sheets
    "verbs": 5,  # route-neutral verbs on grids: the pipeline, freshness, scenarios
    "io": 6,  # the xlwings Book and .xlsx files
    "api": 7, "cli": 7, "template": 7, "excel": 7, "lite": 7,  # the routes
}
ROOT_MODULES = {"__init__", "_version", "api", "cli"}
SCENARIO_FLOORS = ("inputs", "engine", "outputs", "verbs")
FORBIDDEN_IN_ENGINE = ("openpyxl", "xlwings", "xlsxwriter", "python_calamine", "allot_xl.cli")


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _module(path: Path) -> str:
    parts = ["allot_xl", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level: bool = False) -> list[str]:
    """Absolute names of the package modules and libraries `path` imports (only those
    imported when the module loads, with `top_level`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ["allot_xl", *path.relative_to(PACKAGE).parent.parts]
    nodes = tree.body if top_level else list(ast.walk(tree))
    out = []
    for node in nodes:
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[:len(pkg) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out += [f"{mod}.{a.name}" for a in node.names] + [mod]
            else:
                out.append(node.module or "")
    return out


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if "server_project" not in p.parts and p != PACKAGE / "__init__.py"
            and "templates" not in p.parts]


def test_every_module_lives_on_a_floor_and_the_root_holds_only_entry_points() -> None:
    assert sorted({_room(p) for p in _modules()} - set(FLOORS)) == []
    root = {p.stem for p in PACKAGE.glob("*.py")}
    assert root <= ROOT_MODULES and len(root) <= 6


def test_imports_point_down_only() -> None:
    upward = []
    for path in _modules():
        mine = FLOORS[_room(path)]
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "allot_xl" or len(parts) < 2:
                continue
            theirs = FLOORS.get(parts[1])
            if theirs is not None and theirs > mine:
                upward.append(f"{path.relative_to(PACKAGE)} → {name}")
    assert upward == []


def test_module_level_imports_make_no_circle() -> None:
    mods = {_module(p): p for p in _modules()}
    graph = {m: {n for n in _imports(p, top_level=True) if n in mods and n != m}
             for m, p in mods.items()}
    state: dict[str, int] = {}
    circles = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                circles.append(" → ".join(stack[stack.index(n):] + [n]))
            elif n not in state:
                visit(n, stack + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == []


def test_each_scenario_concern_has_one_file_name_per_floor() -> None:
    assert [f for f in SCENARIO_FLOORS if not (PACKAGE / f / "scenarios.py").exists()] == []
    assert not [p for p in PACKAGE.rglob("*scenario*.py") if p.name != "scenarios.py"]


def test_the_engine_imports_no_excel_library() -> None:
    bad = [f"{p.relative_to(PACKAGE)} → {n}" for p in (PACKAGE / "engine").glob("*.py")
           for n in _imports(p) if n.startswith(FORBIDDEN_IN_ENGINE)]
    assert bad == []
