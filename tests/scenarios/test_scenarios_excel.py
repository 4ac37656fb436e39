"""Scenarios through the Book route (xlwings' remote engine): the same comparison and the
same applied lots as the file route."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "excel"))
from excel_support import run_book  # noqa: E402

import allot_xl.excel as excel  # noqa: E402
from allot_xl import api  # noqa: E402
from allot_xl.core.contract import COMPARAISON  # noqa: E402
from tests.scenarios.test_scenarios import REAL, VARIANTS, with_scenarios  # noqa: E402
from tests.workbooks import sheet_rows  # noqa: E402

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="real-data workbook absent")


def _rows(ws) -> list[tuple]:
    return [tuple(c.value for c in r) for r in ws.iter_rows()]


def test_compare_and_apply_on_a_book_as_on_the_file(tmp_path: Path) -> None:
    src = with_scenarios(REAL, tmp_path / "real.xlsx", VARIANTS)
    _, replayed = run_book(excel.entry.compare_scenarios, src)
    file_rows = sheet_rows(api.scenarios(src, tmp_path / "sc.xlsx"), COMPARAISON)
    book_ws = replayed.wb[COMPARAISON]
    head = [c.value for c in book_ws[1]]
    book_rows = [dict(zip(head, r, strict=False)) for r in _rows(book_ws)[1:len(file_rows) + 1]]
    assert [(r["Dispositif"], r["Scénario"], r["Lots"]) for r in book_rows] == [
        (r["Dispositif"], r["Scénario"], r["Lots"]) for r in file_rows]
    assert "Lots" not in replayed.wb.sheetnames  # only the comparison was written

    _, applied = run_book(excel.regenerate_lots, src, scenario="Proposé")
    file_run = api.regenerate(src, tmp_path / "applied.xlsx", scenario="Proposé")
    want = sheet_rows(file_run.output_path, "Lots")
    got = _rows(applied.wb["Lots"])
    assert [r[0] for r in got[1:]] == [r["N° lot"] for r in want]
