"""Run the scripts of the generated main.py as xlwings Lite runs them: in a process where every
compiled module Pyodide does not ship is unimportable (python-calamine, xlwings' Rust reader
…), each on xlwings' real remote-engine Book, its actions replayed onto the .xlsx.

Usage: python lite_run.py JOBS.json — JOBS: {"main": path, "lock": pyodide-lock.json,
"jobs": [{"script": name, "src": xlsx, "out": xlsx}]}; prints a JSON report."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import runpy
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
# xlwings Lite is no server: drop what a test process inherits from xlwings Server
# (XLWINGS_ON_SERVER=true would turn xlwings' @script into the server's async wrapper)
for _name in [n for n in os.environ if n.startswith("XLWINGS_")]:
    del os.environ[_name]
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # before xlwings is imported


def _canon(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


class NativeBlocker(importlib.abc.MetaPathFinder):
    """Refuse python-calamine, and every extension module from a distribution that the
    Pyodide release does not build (xlwings Lite installs those from pure wheels, or not)."""

    def __init__(self, shipped: set[str]) -> None:
        self.shipped = shipped
        self.owners = metadata.packages_distributions()
        self.refused: list[str] = []

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top == "python_calamine":
            return self._refuse(fullname)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin:
            return None
        if spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) and (
                "site-packages" in spec.origin):
            owners = {_canon(d) for d in self.owners.get(top, [top])}
            if not owners & self.shipped:
                return self._refuse(fullname)
        return None  # let the normal finders load it

    def _refuse(self, fullname: str):
        self.refused.append(fullname)
        raise ModuleNotFoundError(f"No module named {fullname!r} (absent de Pyodide)",
                                  name=fullname)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    lock = json.loads(Path(spec["lock"]).read_text(encoding="utf-8"))
    blocker = NativeBlocker({_canon(n) for n in lock["packages"]})
    sys.meta_path.insert(0, blocker)
    sys.path.insert(0, str(HERE.parent / "excel"))  # the payload and replay helpers

    import openpyxl
    import xlwings as xw
    from excel_payload import payload_from_file
    from excel_replay import replay

    ns = runpy.run_path(spec["main"], run_name="main")
    results = []
    for job in spec["jobs"]:
        book = xw.Book(json=payload_from_file(Path(job["src"])))
        returned = ns[job["script"]](book)
        actions = book.json()["actions"]
        book.close()
        r = replay(openpyxl.load_workbook(job["src"]), actions)
        r.wb.save(job["out"])
        results.append({"returned": returned, "alerts": r.alerts, "saved": r.saved,
                        "active": r.wb.active.title, "kinds": sorted({a["func"] for a in actions})})
    from allot_xl.io.xlsx import read as xlsx_read

    print(json.dumps({
        "results": results, "refused": sorted(set(blocker.refused)),
        "reader": xlsx_read.pc.__name__,
        "loaded": sorted(m for m in sys.modules if m.split(".")[0] in
                         ("python_calamine", "scipy", "pandas", "xlsxwriter", "openpyxl")
                         and "." not in m),
    }))


if __name__ == "__main__":
    main()
