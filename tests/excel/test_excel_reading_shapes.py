"""The Book route reads the reading cases as the file route does: cells written without r=,
an Excel table's totals row, merged data cells (documented difference)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from excel_support import book_of

from allot_xl import pipeline
from allot_xl.adapters.book import read_book
from allot_xl.adapters.xlsx_read import read_grids

DATA = Path(__file__).resolve().parents[1] / "data"


def _problems(run: pipeline.Run) -> list[tuple]:
    return sorted((p.severity, p.sheet, p.row, p.column, p.code) for p in run.report.problems)


def _lots(run: pipeline.Run) -> dict[str, str]:
    a = run.result.affectation
    return dict(zip(a["id"].astype(str), a["lot"], strict=True))


def _both(path: Path) -> tuple[pipeline.Run, pipeline.Run]:
    book = book_of(path)
    try:
        by_book = pipeline.run(read_book(book), pipeline.Context(), outputs=False)
    finally:
        book.close()
    return pipeline.run(read_grids(path), pipeline.Context(), outputs=False), by_book


@pytest.mark.parametrize("name", ["05_no_r_attributes", "05b_control_with_r",
                                  "08_table_totals_row", "A1_petit"])
def test_book_route_reads_the_case_as_the_file_route(tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(DATA / f"{name}.xlsx", path)
    by_file, by_book = _both(path)
    assert _problems(by_book) == _problems(by_file)
    assert _lots(by_book) == _lots(by_file)
    if name.startswith("05"):
        assert ("Erreur", "Besoins", 4, "Heures", "nombre-invalide") in _problems(by_book)
    if name == "08_table_totals_row":
        assert ("Info", "Besoins", 60, "", "ligne-total") in _problems(by_book)


def test_book_route_reports_blank_cells_under_a_merge(tmp_path) -> None:
    """Office.js sends no merged ranges: the cells under a merge read blank, and each is
    an error of its row (never a need silently allotted elsewhere); see docs/decisions.md."""
    import openpyxl

    path = tmp_path / "fusion.xlsx"
    wb = openpyxl.load_workbook(DATA / "A1_petit.xlsx")
    ws = wb["Besoins"]
    col = next(c.column for c in ws[1] if c.value == "Dispositif")
    assert ws.cell(2, col).value == ws.cell(3, col).value
    ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    wb.save(path)
    by_file, by_book = _both(path)
    assert ("Info", "Besoins", 3, "Dispositif", "cellule-fusionnee") in _problems(by_file)
    errors = [p for p in _problems(by_book) if p[0] == "Erreur"]
    assert [p[1:4] for p in errors] == [("Besoins", 3, "Dispositif")]
    assert set(_lots(by_book)) == set(_lots(by_file)) - {str(ws.cell(3, 1).value)}
