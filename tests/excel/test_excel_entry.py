"""The ribbon functions on a Book: what they write, and what the buyer is told."""

from __future__ import annotations

import openpyxl
import pytest
import xlwings as xw
from excel_replay import replay
from excel_support import EXAMPLE, book_of, find, run_book

import allot_xl.excel as excel
from allot_xl.core.contract import SYNTHESE
from allot_xl.core.french import compte
from allot_xl.core.problems import StaleOutputs, StructuralError


def test_check_needs_writes_nothing_and_lists_problems():
    book = book_of(EXAMPLE)
    report = excel.check_needs(book)
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    message, title, _, mode, _ = actions[0]["args"]
    assert title == "Allotissement" and mode == "info"
    assert message.startswith(f"0 erreur, {compte(report.count('Avertissement'), 'avertissement')}")
    assert "\n• Info (Besoins, ligne " in message  # the example has no warning, only infos
    assert "autres : « Générer les lots » les écrit toutes dans la feuille Contrôles" in message


def test_check_needs_on_errors_is_critical(tmp_path):
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["Besoins"]["G2"] = "abc"  # Places
    path = tmp_path / "erreur.xlsx"
    wb.save(path)
    book = book_of(path)
    assert excel.check_needs(book).has_errors
    message, _, _, mode, _ = book.json()["actions"][-1]["args"]
    assert mode == "critical" and message.startswith("1 erreur,")
    assert "Erreur (Besoins, ligne 2, colonne « Places »)" in message


def test_structural_problem_stops_before_any_write(tmp_path):
    wb = openpyxl.load_workbook(EXAMPLE)
    del wb["Zones"]
    path = tmp_path / "sans_zones.xlsx"
    wb.save(path)
    book = book_of(path)
    with pytest.raises(StructuralError, match="Zones"):
        excel.regenerate_lots(book)
    assert book.json()["actions"] == []


def test_prepare_for_email_on_fresh_outputs(regenerated):
    message, r = run_book(excel.prepare_for_email, regenerated)
    assert r.wb.active.title == SYNTHESE
    assert r.wb.active.sheet_view.selection[0].activeCell == "A1"
    assert r.saved
    assert r.alerts == [[message, "Allotissement", "ok", "info", ""]]
    assert message.startswith("Classeur prêt à envoyer")


def test_prepare_for_email_after_the_book_route(tmp_path):
    """Outputs written through the Book are fresh when read back through the Book."""
    _, r = run_book(excel.regenerate_lots, EXAMPLE)
    path = tmp_path / "exemple_rhone_alpes.xlsx"
    r.wb.save(path)
    message, _ = run_book(excel.prepare_for_email, path)
    assert message.startswith("Classeur prêt à envoyer")


def test_prepare_for_email_refuses_stale_outputs(regenerated, tmp_path):
    wb = openpyxl.load_workbook(regenerated)
    wb["Besoins"]["H3"] = 4600  # one need's hours changed after the last run
    path = tmp_path / "perime.xlsx"
    wb.save(path)
    book = book_of(path)
    with pytest.raises(StaleOutputs, match="ne sont plus à jour : les feuilles d'entrée ont "
                                           r"changé depuis la dernière génération du \d\d/"):
        excel.prepare_for_email(book)
    assert book.json()["actions"] == []


def test_prepare_for_email_refuses_without_outputs():
    with pytest.raises(StaleOutputs, match="résultats absente"):
        excel.prepare_for_email(book_of(EXAMPLE))


@pytest.fixture
def caller():
    """xlwings' own mock of `Book.caller()` (RunPython), on a remote-engine Book."""
    books = []

    def make(path):
        book = book_of(path)
        book.set_mock_caller()
        books.append(book)
        return book

    yield make
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller
    for b in books:
        b.close()


def test_main_regenerates_the_calling_workbook(caller):
    book = caller(EXAMPLE)
    excel.main()
    actions = book.json()["actions"]
    wb = replay(openpyxl.load_workbook(EXAMPLE), actions).wb
    journal = find(wb, "Journal")
    assert journal.cell(2, 9).value == "Excel (complément VBA)"
    assert actions[-1]["func"] == "alert" and "lots générés" in actions[-1]["args"][0]


def test_main_shows_problems_as_alerts_never_tracebacks(caller, tmp_path):
    wb = openpyxl.load_workbook(EXAMPLE)
    del wb["Règles"]
    path = tmp_path / "sans_regles.xlsx"
    wb.save(path)
    book = caller(path)
    excel.main()  # no exception: the buyer gets an alert
    (action,) = book.json()["actions"]
    message, title, _, mode, _ = action["args"]
    assert (action["func"], title, mode) == ("alert", "Allotissement", "critical")
    assert "Règles" in message and "Traceback" not in message


def test_run_dispatches_the_other_buttons(caller, regenerated):
    book = caller(regenerated)
    excel.run("prepare_for_email")
    assert book.json()["actions"][-1]["args"][0].startswith("Classeur prêt à envoyer")
