"""The import rule of docs/architecture.md: a module imports only modules of its floor or
below, and the engine imports neither openpyxl, xlwings nor the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "allot_xl"

FLOORS = {
    "_version": 1, "french": 1, "law": 1, "model": 1, "problems": 1, "contract": 1,
    "shown": 1,
    "grid": 2, "headers": 2, "checks": 2, "engine": 2, "example_data": 2,
    "validation": 3, "needs": 3, "inputs": 3,
    "outputs": 4,
    "pipeline": 5, "fresh": 5, "scenario_sheet": 5, "scenarios_run": 5,
    "adapters": 6,
    "api": 7, "excel": 7, "cli": 7, "template": 7, "lite": 7,
}
FORBIDDEN_IN_ENGINE = ("openpyxl", "xlwings", "xlsxwriter", "python_calamine", "allot_xl.cli")


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    """Absolute names of the package modules and libraries `path` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = ["allot_xl", *path.relative_to(PACKAGE).parent.parts]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[:len(pkg) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                out += [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
            else:
                out.append(node.module or "")
    return out


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")
            if "server_project" not in p.parts and p != PACKAGE / "__init__.py"]


def test_every_module_has_a_floor() -> None:
    assert sorted({_room(p) for p in _modules()} - set(FLOORS)) == []


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


def test_the_engine_imports_no_excel_library() -> None:
    bad = [f"{p.relative_to(PACKAGE)} → {n}" for p in (PACKAGE / "engine").glob("*.py")
           for n in _imports(p) if n.startswith(FORBIDDEN_IN_ENGINE)]
    assert bad == []
