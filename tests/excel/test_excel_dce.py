"""« Préparer le DCE » on a Book (xlwings remote engine), through the add-in server
(FastAPI TestClient) and the xlwings Lite verb: the sheets `RC lots` and `DQE` are the
file route's tables, input sheets untouched, a refusal one French message."""

from __future__ import annotations

import openpyxl
import pytest
from dce_support import example_workbook
from excel_support import find, run_book, sheet_cells

import allot_xl.excel as excel
from allot_xl import api, lite
from allot_xl.core.contract import INPUT_SHEETS, fold
from allot_xl.core.problems import AllotError


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dce-book")
    src = example_workbook(tmp / "exemple.xlsx")
    return src, api.dce(src, tmp / "dce"), tmp


def _table(ws, header_row: int) -> list[tuple]:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [r for r in rows if any(v is not None for v in r)]


def test_the_button_writes_rc_lots_and_dqe_as_the_command_line_does(workbook) -> None:
    src, done, tmp = workbook
    outputs, wb = run_book(excel.entry.prepare_dce, src)
    assert [s.name for s in outputs.sheets] == ["RC lots", "DQE"]
    rc = _table(find(wb.wb, "RC lots"), 3)
    files = [_table(openpyxl.load_workbook(tmp / "dce" / f"rc-{c}.xlsx").active, 3)
             for c in ("AOF", "PSP", "CREA", "PQ")]
    assert rc[0] == files[0][0]  # the same headers
    assert rc[1:] == [r for f in files for r in f[1:]]  # the same rows, Règles order
    dqe = _table(find(wb.wb, "DQE"), 3)
    assert len(dqe) - 1 == len(rc) - 1 and all(r[4] is None for r in dqe[1:])
    source = openpyxl.load_workbook(src)
    for name in INPUT_SHEETS:  # input sheets untouched
        if any(fold(s) == fold(name) for s in source.sheetnames):
            assert sheet_cells(find(wb.wb, name)) == sheet_cells(find(source, name))
    (alert,) = wb.alerts
    assert "RC lots" in alert[0] and "allot-xl dce" in alert[0]


def test_a_refusal_names_what_is_missing(tmp_path) -> None:
    src = example_workbook(tmp_path / "sans.xlsx", environmental=False)
    with pytest.raises(AllotError, match="L2152-7"):
        run_book(excel.entry.prepare_dce, src)


def test_the_lite_verb_says_the_refusal_in_french(tmp_path, capsys) -> None:
    from excel_support import book_of

    src = example_workbook(tmp_path / "sans.xlsx", environmental=False)
    book = book_of(src)
    assert lite.prepare_dce(book) == ""
    assert "L2152-7" in capsys.readouterr().out
    (alert,) = book.json()["actions"]
    assert alert["func"] == "alert" and alert["args"][3] == "critical"
