"""« Clôturer l'attribution » on a Book (xlwings remote engine): the sheets `Relance` and
`Données essentielles` agree with the command line's `relance.xlsx` and `decp.json`, input
sheets untouched, a refusal one French message."""

from __future__ import annotations

import json

import pytest
from cloture_support import SHORT, offres_book
from dce_support import example_workbook
from excel_support import find, run_book, sheet_cells

import allot_xl.excel as excel
from allot_xl import api
from allot_xl.core.contract import INPUT_SHEETS, fold
from allot_xl.core.problems import AllotError


def _rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(
        v is not None for v in r)]


def test_the_button_writes_relance_and_the_decp_preview(tmp_path) -> None:
    src, lots = offres_book(tmp_path, "exemple")
    done = api.cloture(src, tmp_path / "out")
    outputs, wb = run_book(excel.entry.close_award, src)
    assert [s.name for s in outputs.sheets] == ["Relance", "Données essentielles"]
    relance = _rows(find(wb.wb, "Relance"))
    psp = [x["N° lot"] for x in lots if x["Dispositif"] == "PSP"]
    assert sorted(r[0] for r in relance) == sorted([*psp, *SHORT])
    records = json.loads((tmp_path / "out" / "decp.json").read_text(encoding="utf-8"))
    decp = _rows(find(wb.wb, "Données essentielles"))
    assert [(r[0], r[7]) for r in decp] == [(m["id"], m["montant"])
                                           for m in records["marches"]["marche"]]
    source = __import__("openpyxl").load_workbook(src)
    for name in INPUT_SHEETS:  # input sheets untouched
        if any(fold(s) == fold(name) for s in source.sheetnames):
            assert sheet_cells(find(wb.wb, name)) == sheet_cells(find(source, name))
    (alert,) = wb.alerts
    assert "Relance" in alert[0] and "allot-xl cloture" in alert[0]
    assert all(p in alert[0] for p in done.partial)


def test_a_refusal_names_what_is_missing(tmp_path) -> None:
    src = example_workbook(tmp_path / "sans.xlsx")
    with pytest.raises(AllotError, match="Offres"):
        run_book(excel.entry.close_award, src)
