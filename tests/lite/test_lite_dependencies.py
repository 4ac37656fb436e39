"""The core install works in xlwings Lite: every requirement of the built wheel (and of those,
as Pyodide would resolve them) is a package the Pyodide release ships, or a pure-Python wheel.

The package lists are `pyodide-lock.json` of the `pyodide` npm package (`npm pack
pyodide@VERSION`), kept in `tests/lite/pyodide/` with their version: 0.27.5, the release
xlwings Lite's changelog names (add-in 1.0.0.0-12, April 2025), and 314.0.7, the current
stable one (xlwings Lite's dependency pinning needs Pyodide 314.0.0 or later)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = sorted((Path(__file__).parent / "pyodide").glob("pyodide-lock-*.json"))
# Pyodide's platform, for the environment markers of requirements (PEP 508)
EMSCRIPTEN = {"sys_platform": "emscripten", "platform_system": "Emscripten",
              "os_name": "posix", "platform_machine": "wasm32", "extra": ""}
# Installed by xlwings Lite itself from its py3-none-any wheel on PyPI (the add-in's own
# requirements.txt names it; xlwings' docs: "pure Python packages including xlwings"); the
# wheel of this machine is the platform build with the optional Rust reader.
LITE_PROVIDES = {"xlwings"}
NATIVE_ONLY = {"python-calamine"}  # the fast reader: in the `cli` extra, not in the core
# SciPy (Attribution = optimale under a binding `Lots max par titulaire`): Pyodide builds it,
# but it is out of the core so that xlwings Lite does not load it on every start; the
# command line and the server extras bring it, a Lite user adds it to requirements.txt
OPTIONAL_SOLVER = {"scipy"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                          "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    (path,) = out.glob("allot_xl-*.whl")
    return path


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(z.read(name).decode())


def _core(wheel: Path) -> list[Requirement]:
    reqs = [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]
    return [r for r in reqs if r.marker is None or r.marker.evaluate(EMSCRIPTEN)]


def _pure(name: str) -> bool:
    """The distribution installed here comes from a pure-Python wheel (py3-none-any)."""
    dist = metadata.distribution(name)
    text = dist.read_text("WHEEL") or ""
    return "Root-Is-Purelib: true" in text and all(
        line.split(":", 1)[1].strip().endswith("-none-any")
        for line in text.splitlines() if line.startswith("Tag:"))


def _closure(reqs: list[Requirement]) -> set[str]:
    """Every distribution Pyodide would install for `reqs` (markers evaluated for it)."""
    seen: set[str] = set()
    todo = list(reqs)
    while todo:
        r = todo.pop()
        name = canonicalize_name(r.name)
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(r.name) or []:
            dep = Requirement(text)
            if dep.marker is None or dep.marker.evaluate(EMSCRIPTEN):
                todo.append(dep)
    return seen


def test_the_wheel_is_pure_python_and_ships_the_lite_templates(wheel: Path) -> None:
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert {"allot_xl/lite/templates/main.py", "allot_xl/lite/templates/requirements.txt",
            "allot_xl/io/xlsx/pure.py"} <= names


def test_the_native_reader_is_an_extra_the_test_install_pulls_in(wheel: Path) -> None:
    meta = _metadata(wheel)
    core = {canonicalize_name(r.name) for r in _core(wheel)}
    assert not core & NATIVE_ONLY
    extras = [Requirement(r) for r in meta.get_all("Requires-Dist") or [] if "extra" in r]
    def extra(name: str) -> set[str]:
        return {canonicalize_name(r.name) for r in extras if r.marker.evaluate({"extra": name})}

    test = {str(r) for r in extras if r.marker.evaluate({"extra": "test"})}
    assert extra("cli") == NATIVE_ONLY | OPTIONAL_SOLVER
    assert extra("optimale") == OPTIONAL_SOLVER <= extra("server")
    assert not core & OPTIONAL_SOLVER
    assert any(t.startswith("allot_xl[cli]") or t.startswith("allot-xl[cli]") for t in test)


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.stem.removeprefix("pyodide-lock-"))
def test_every_core_dependency_installs_in_pyodide(wheel: Path, lock: Path) -> None:
    shipped = {canonicalize_name(n) for n in json.loads(lock.read_text())["packages"]}
    closure = _closure(_core(wheel))
    assert {"pandas", "numpy", "openpyxl", "xlwings", "filelock"} <= closure
    assert not closure & OPTIONAL_SOLVER  # not loaded on every start of xlwings Lite
    refused = sorted(n for n in closure
                     if n not in shipped and n not in LITE_PROVIDES and not _pure(n))
    assert refused == []
    # the packages with compiled code all come from Pyodide's own builds, SciPy too (a Lite
    # user who needs it adds the line `scipy` to requirements.txt)
    assert {"pandas", "numpy"} | OPTIONAL_SOLVER <= shipped


def test_the_fixtures_are_the_named_pyodide_releases() -> None:
    versions = {}
    for lock in LOCKS:
        info = json.loads(lock.read_text())["info"]
        versions[lock.stem.removeprefix("pyodide-lock-")] = info
    assert versions["0.27.5"]["version"] == "0.27.5"
    assert versions["0.27.5"]["python"].startswith("3.12")
    assert versions["314.0.7"]["python"].startswith("3.14")
