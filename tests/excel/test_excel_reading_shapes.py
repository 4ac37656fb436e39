"""The Book route reads the reading cases as the file route does: cells written without r=,
an Excel table's totals row, merged data cells (documented difference)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from excel_support import book_of

from allot_xl.io.book import read_book
from allot_xl.io.xlsx.read import read_grids
from allot_xl.verbs import pipeline

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


# --------------------------------------------------------------------------- round 3 (issue 22)

CASES3 = DATA / "reading3"


def _case3(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(CASES3 / f"{name}.xlsx", path)
    path.chmod(0o644)
    return path


@pytest.mark.parametrize("name", ["03_float_noise_from_formulas",
                                  "05a_bom_zwsp_in_header_and_values",
                                  "07_header_repeated_mid_sheet",
                                  "14_formulas_returning_empty_text"])
def test_book_route_reads_the_round3_case_as_the_file_route(tmp_path, name: str) -> None:
    by_file, by_book = _both(_case3(tmp_path, name))
    assert _problems(by_book) == _problems(by_file)
    assert _lots(by_book) == _lots(by_file)
    assert not [p for p in _problems(by_book) if p[0] == "Erreur"]
    if name.startswith("05a"):
        assert ("Info", "Besoins", 1, "ID besoin", "caractere-invisible") in _problems(by_book)
    if name.startswith("07"):
        assert ("Info", "Besoins", 23, "", "en-tete-repete") in _problems(by_book)


@pytest.mark.parametrize(("name", "words"), [
    ("06a_duplicate_header_heures", "H « Heures » et M « Heures »"),
    ("08_hidden_original_visible_copy", "« Besoins (2) » en est une copie visible")])
def test_book_route_stops_on_the_same_ambiguity(tmp_path, name: str, words: str) -> None:
    from allot_xl.core.problems import StructuralError

    path = _case3(tmp_path, name)
    with pytest.raises(StructuralError) as by_file:
        pipeline.run(read_grids(path), pipeline.Context(), outputs=False)
    book = book_of(path)
    try:
        with pytest.raises(StructuralError) as by_book:
            pipeline.run(read_book(book), pipeline.Context(), outputs=False)
    finally:
        book.close()
    assert str(by_book.value) == str(by_file.value) and words in str(by_book.value)


def test_book_route_ids_turned_into_dates_are_written_in_the_short_date(tmp_path) -> None:
    """Office.js sends values without their formats: a date ID is written in Excel's
    French short date (`01/03/2025`), with the same Avertissement naming the cell; the file
    route writes the cell's own display (`01-mars`). See docs/decisions.md."""
    by_file, by_book = _both(_case3(tmp_path, "18_ids_auto_converted_to_dates"))
    assert _problems(by_book) == _problems(by_file)
    ids = list(by_book.result.affectation["id"].astype(str))
    assert {"01/03/2025", "02/12/2025", "03/04/2025"} <= set(ids)
    assert {"01-mars", "02-déc.", "03-avr."} <= set(by_file.result.affectation["id"])
    assert sorted(_lots(by_book).values()) == sorted(_lots(by_file).values())


def test_book_route_allots_hidden_rows_without_knowing_them(tmp_path) -> None:
    """Office.js sends no row visibility with the values: the Book route allots the needs
    of hidden rows like the file route, without its Avertissement (docs/decisions.md)."""
    by_file, by_book = _both(_case3(tmp_path, "16_hidden_and_grouped_rows"))
    assert ("Avertissement", "Besoins", 10, "", "lignes-masquees") in _problems(by_file)
    assert [p for p in _problems(by_file) if p[4] != "lignes-masquees"] == _problems(by_book)
    assert _lots(by_book) == _lots(by_file)


def test_book_route_says_a_hidden_input_sheet_and_a_visible_copy(tmp_path) -> None:
    import openpyxl

    path = tmp_path / "copie.xlsx"
    wb = openpyxl.load_workbook(DATA / "A1_petit.xlsx")
    wb.copy_worksheet(wb["Règles"]).title = "Règles (2)"
    wb["Zones"].sheet_state = "hidden"
    wb.save(path)
    by_file, by_book = _both(path)
    assert _problems(by_book) == _problems(by_file)
    assert ("Avertissement", "Zones", None, "", "feuille-masquee") in _problems(by_book)
    assert ("Avertissement", "Règles (2)", None, "", "copie-de-feuille") in _problems(by_book)
