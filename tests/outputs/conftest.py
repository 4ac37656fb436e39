"""Outputs written once for the tests of this folder: the example, the public A1 workbook,
a scenario run, a workbook with rejected rows, the real-data workbook (when present) and
the scenario comparisons of the example and the real data."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
A1 = ROOT / "tests" / "data" / "A1_petit.xlsx"
REAL = ROOT.parent / "shared" / "realdata" / "real_ain_isere.xlsx"
REJECTED_ROWS = (3, 10, 20, 40, 80)  # rows of Besoins given an unreadable « Places »


@pytest.fixture(scope="package")
def written(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """name -> (input copy, output) for the example and A1."""
    d = tmp_path_factory.mktemp("sorties")
    out = {}
    for name, src in (("exemple", EXAMPLE), ("A1", A1)):
        dst = d / f"{name}.xlsx"
        shutil.copy(src, dst)
        api.regenerate(dst, d / f"{name}.lots.xlsx")
        out[name] = (dst, d / f"{name}.lots.xlsx")
    return out


def with_rejected_rows(dst: Path) -> Path:
    """The example with an unreadable « Places » on the rows REJECTED_ROWS of Besoins."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Besoins"]
    col = [c.value for c in ws[1]].index("Places") + 1
    for r in REJECTED_ROWS:
        ws.cell(r, col).value = "abc"
    wb.save(dst)
    return dst


@pytest.fixture(scope="package")
def runs(written, tmp_path_factory) -> dict[str, Path]:
    """name -> output workbook: `exemple`, `proposé` (the example under the scenario
    Proposé), `rejets` (5 rows rejected), `réel` (when the real data is present), and the
    comparisons `exemple.scenarios`, `réel.scenarios`."""
    d = tmp_path_factory.mktemp("rendus")
    out = {"exemple": written["exemple"][1]}
    out["proposé"] = api.regenerate(written["exemple"][0], d / "propose.lots.xlsx",
                                    scenario="Proposé").output_path
    src = with_rejected_rows(d / "rejets.xlsx")
    out["rejets"] = api.regenerate(src, d / "rejets.lots.xlsx").output_path
    out["exemple.scenarios"] = api.scenarios(written["exemple"][0], d / "exemple.scenarios.xlsx")
    if REAL.exists():
        real = d / "reel.xlsx"
        shutil.copy(REAL, real)
        out["réel"] = api.regenerate(real, d / "reel.lots.xlsx").output_path
        out["réel.scenarios"] = api.scenarios(real, d / "reel.scenarios.xlsx")
    return out
