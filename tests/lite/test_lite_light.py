"""What xlwings Lite loads: the engine imports light (no SciPy until it solves, no Excel
library), and without python-calamine the file reader gives the very same grids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import python_calamine
from lite_support import ACCEPTANCE, EXAMPLE, REAL, ROOT

from allot_xl.io.xlsx import pure as xlsx_pure
from allot_xl.io.xlsx import read as xlsx_read

HEAVY = {"scipy", "openpyxl", "xlwings", "xlsxwriter", "python_calamine"}


def test_importing_the_engine_loads_no_scipy_nor_excel_library() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import allot_xl.engine"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert {"allot_xl", "pandas"} <= imported  # the parse did see the imports
    assert not imported & HEAVY


FILES = sorted((ROOT / "tests" / "data").rglob("*.xlsx")) + sorted(
    p for p in (EXAMPLE, ACCEPTANCE / "A1_petit.xlsx", ACCEPTANCE / "A2_offres.xlsx", REAL)
    if p.exists())


def _typed(grids) -> dict:
    return {k: ([[(type(v).__name__, v) for v in row] for row in g.values], g.tables)
            for k, g in grids.items()}


def _read(path: Path, reader) -> object:
    """read_grids with `reader` as its workbook reader (calamine, or the pure stand-in)."""
    saved = xlsx_read.pc
    xlsx_read.pc = reader
    try:
        return _typed(xlsx_read.read_grids(path))
    except Exception as e:  # a refused file must be refused alike
        return (type(e).__name__, str(e))
    finally:
        xlsx_read.pc = saved


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_pure_reader_reads_what_calamine_reads(path: Path) -> None:
    assert _read(path, xlsx_pure) == _read(path, python_calamine)


def test_the_pure_reader_types_cells_as_calamine(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Paramètres"
    for row in (["Paramètre", "Valeur"], ["Date de lancement", dt.date(2026, 4, 1)],
                ["Horodatage", dt.datetime(2026, 4, 1, 13, 30)], ["Heure", dt.time(8, 15)],
                ["Entier", 12], ["Décimal", 12.5], ["Booléen", True], ["Formule", "=1+1"],
                ["Erreur", "#N/A"], [None, None, None, "loin"]):
        ws.append(row)
    ws["B9"].data_type = "e"
    path = tmp_path / "types.xlsx"
    wb.save(path)
    pure, calamine = _read(path, xlsx_pure), _read(path, python_calamine)
    assert pure == calamine
    values = pure["Paramètres"][0]
    assert values[1][1] == ("date", dt.date(2026, 4, 1)) and values[4][1] == ("float", 12.0)
    assert values[7][1][0] == "NoCachedValue" and values[8][1][0] == "CellError"
