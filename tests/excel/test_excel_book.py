"""The Book adapter on the real remote engine: grids as the file reader's, text kept as text."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from excel_replay import excel_typed, replay
from excel_support import EXAMPLE, book_of, find, run_book, sheet_cells

from allot_xl.core.contract import CellError
from allot_xl.engine import allot
from allot_xl.inputs.grid import fingerprint
from allot_xl.inputs.read import read_inputs
from allot_xl.io.book import excel_would_convert, read_book, write_book
from allot_xl.io.xlsx.read import read_grids
from allot_xl.outputs.build import build_outputs
from allot_xl.outputs.model import Block, Column, Outputs, Sheet, Text


def _trimmed(values: list[list]) -> list[list]:
    rows = [list(r) for r in values]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _typed(values: list[list]) -> list[list]:
    return [[(type(v).__name__, v) for v in r] for r in _trimmed(values)]


def _same_grids(path) -> None:
    file_grids = read_grids(path)
    book = book_of(path)
    book_grids = read_book(book)
    assert list(book_grids) == list(file_grids)
    for name, g in file_grids.items():
        assert _typed(book_grids[name].values) == _typed(g.values), name
        assert book_grids[name].tables == g.tables, name
    assert fingerprint(list(book_grids.values())) == fingerprint(list(file_grids.values()))


def test_grids_match_the_file_reader_on_the_example(regenerated):
    _same_grids(EXAMPLE)
    _same_grids(regenerated)  # with Lots and Journal (dates) read back


def test_grids_match_on_dates_times_errors_and_booleans(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Besoins"
    ws.append(["ID besoin", "Dispositif", "Zone", "Places", "Commentaire"])
    ws.append(["B1", "PQ", "Belley", 12, dt.datetime(2025, 3, 4)])
    ws.append(["B2", "PQ", "Belley", 3.5, dt.datetime(2025, 3, 4, 10, 30)])
    ws.append(["B3", "PQ", "Belley", "#N/A", dt.time(8, 15)])
    ws.append([True, None, "", "12 000", "=texte"])
    ws["E2"].number_format = "dd/mm/yyyy"
    ws["E3"].number_format = "dd/mm/yyyy hh:mm"
    ws["E4"].number_format = "hh:mm"
    ws["E5"].data_type = "s"
    path = tmp_path / "types.xlsx"
    wb.save(path)
    _same_grids(path)
    grid = read_book(book_of(path))["Besoins"]
    assert grid.values[1][4] == dt.date(2025, 3, 4)
    assert grid.values[2][4] == dt.datetime(2025, 3, 4, 10, 30)
    assert grid.values[3][4] == dt.time(8, 15)
    assert grid.values[3][3] == CellError("#N/A")
    assert grid.values[1][3] == 12.0 and isinstance(grid.values[1][3], float)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+cmd", "-2+3", "@SUM(A1)", "01",
                                  "12 000", "3,5", "12 %", "1/2", "2024-01-31", "10:30",
                                  "VRAI", "1e5", "12-mars", "janv-24", "#N/A", "(5)", "2A", "10 pm",
                                  "'apostrophe"])
def test_text_excel_would_convert_is_protected(text):
    assert excel_would_convert(text)


@pytest.mark.parametrize("text", ["Belley", "Plaine de l'Ain", "Préparation aux concours",
                                  "AOF | Zone=Belley", "Conforme", "", "73 + 74 et Ain"])
def test_ordinary_text_is_written_as_is(text):
    assert not excel_would_convert(text)


def test_text_stays_text_whatever_it_looks_like():
    texts = ["=HYPERLINK(\"http://x\",\"clic\")", "+cmd|' /C calc'!A0", "@SUM(1,2)", "-x",
             "01", "2024-01-31", "VRAI", "12 %", "Belley", "'quote"]
    block = Block("T_Test", [Column("Texte"), Column("Valeur", "#,##0")],
                  [[t, 1] for t in texts] + [["Total", "=1+1"]])
    outputs = Outputs([Sheet("Lots", [block], [Text(3, 5, "=titre", bold=True)])])

    def write(book):
        write_book(book, outputs)

    _, r = run_book(write, EXAMPLE)
    ws = r.wb["Lots"]
    for i, t in enumerate(texts, start=2):
        assert (ws.cell(i, 1).value, ws.cell(i, 1).data_type) == (t, "s")
        assert ws.cell(i, 2).value == 1 and ws.cell(i, 2).number_format == "#,##0"
    last = len(texts) + 2
    assert (ws.cell(last, 2).value, ws.cell(last, 2).data_type) == ("=1+1", "s")
    assert (ws["E3"].value, ws["E3"].data_type) == ("=titre", "s")
    assert excel_typed("=1+1", "General") == "=1+1"  # the replay does type formulas


def test_output_sheets_are_deleted_and_added_again_inputs_untouched(regenerated):
    before = openpyxl.load_workbook(regenerated)
    book = book_of(regenerated)
    result = allot(*read_inputs(read_book(book), campaign="exemple_rhone_alpes"))
    write_book(book, build_outputs(result, source="Excel"))
    actions = book.json()["actions"]
    funcs = [a["func"] for a in actions]
    assert funcs[:6] == ["sheetDelete"] * 6
    assert funcs.count("addSheet") == 6
    wb = replay(openpyxl.load_workbook(regenerated), actions).wb
    assert wb.sheetnames == before.sheetnames  # no "Lots (2)": the same six, re-added
    for name in ("Besoins", "Zones", "Règles", "Paramètres"):
        a, b = find(before, name), find(wb, name)
        assert sheet_cells(a) == sheet_cells(b)
        assert [c.number_format for r in a.iter_rows() for c in r] == \
               [c.number_format for r in b.iter_rows() for c in r]
    assert len(find(wb, "Journal")["A"]) == 3  # header, the file run, this run


def test_every_write_is_a_whole_range():
    def regenerate(book):
        result = allot(*read_inputs(read_book(book), campaign="x"))
        outputs = build_outputs(result)
        write_book(book, outputs)
        return outputs

    book = book_of(EXAMPLE)
    outputs = regenerate(book)
    values = [a for a in book.json()["actions"] if a["func"] == "setValues"]
    cells = sum(a["row_count"] * a["column_count"] for a in values)
    # one write per sheet's texts, per block and per block's title, never per cell
    assert len(values) <= sum(1 + 2 * len(s.blocks) for s in outputs.sheets)
    assert cells > 5000
