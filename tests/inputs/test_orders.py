"""Reading `Commandes` (issue 25): each bad row is an Erreur of its row naming its cell,
the other rows are followed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from orders_support import example_with_orders, orders_of, regenerate, table, with_orders

from allot_xl.core.contract import SUIVI


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lecture")
    return regenerate(example_with_orders(folder / "ex.xlsx"),
                      folder / "ex.lots.xlsx").output_path


def test_bad_rows_are_each_an_error_of_their_row(base: Path, tmp_path: Path) -> None:
    good = orders_of(base)
    first = good[0]
    lot, holder = first["N° lot"], first["Titulaire"]
    day = dt.datetime(2027, 5, 2)

    def bad(bon: str, **kw) -> dict:
        return {"N° bon": bon, "Date": day, "N° lot": lot, "Titulaire": holder,
                "Montant (€ HT)": 100.0, **kw}

    extra = [
        bad("X-LOT", **{"N° lot": "ZZZ-99"}),
        bad("X-TIT", Titulaire="Organisme inconnu"),
        bad("X-NEG", **{"Montant (€ HT)": -100}),
        bad("X-DATE", Date=dt.datetime(2030, 6, 15)),
        bad("X-TEXTE", Date="le 3 mars"),
        bad("X-VIDE", **{"Montant (€ HT)": None}),
        bad(good[1]["N° bon"]),  # a number already used
        bad("X-BON-OK", **{"Montant (€ HT)": "1 234,50"}),
    ]
    src = with_orders(base, good + extra, tmp_path / "mauvais.xlsx")
    run = regenerate(src, tmp_path / "mauvais.lots.xlsx")
    first_row = len(good) + 2
    got = [(p.row, p.column, p.code) for p in run.report.problems
           if p.sheet == "Commandes" and p.severity == "Erreur"]
    # reading's problems first (row order), then the engine's (lot, holder, term)
    assert got == [
        (first_row + 2, "Montant (€ HT)", "nombre-negatif"),
        (first_row + 4, "Date", "commande-date-invalide"),
        (first_row + 5, "Montant (€ HT)", "commande-incomplete"),
        (first_row + 6, "N° bon", "commande-en-double"),
        (first_row, "N° lot", "commande-lot-inconnu"),
        (first_row + 1, "Titulaire", "commande-non-titulaire"),
        (first_row + 3, "Date", "commande-hors-duree"),
    ]
    messages = {p.code: p.message for p in run.report.problems}
    assert "« ZZZ-99 »" in messages["commande-lot-inconnu"]
    assert holder in messages["commande-non-titulaire"]  # the lot's holders are named
    assert "15/06/2030" in messages["commande-hors-duree"]
    # the rest is followed: the good rows and the well-formed last one
    followed = run.result.orders.orders
    assert len(followed) == len(good) + 1 and "X-BON-OK" in set(followed["bon"])
    assert followed.loc[followed["bon"] == "X-BON-OK", "montant"].item() == 1234.5
    alerts = table(run.output_path, SUIVI, "T_SuiviAlertes")
    assert sum(a["Gravité"] == "Erreur" for a in alerts) == 7
    assert "7 lignes écartées" in run.outputs.summary_line


def test_a_missing_required_column_stops_the_run(base: Path, tmp_path: Path) -> None:
    import openpyxl

    from allot_xl import api
    from allot_xl.core.problems import StructuralError

    wb = openpyxl.load_workbook(base)
    wb["Commandes"]["G1"] = "Commentaire"  # no more `Montant (€ HT)`
    wb.save(src := tmp_path / "sans_montant.xlsx")
    with pytest.raises(StructuralError, match="« Montant \\(€ HT\\) »"):
        api.regenerate(src, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_unreadable_refusal_and_a_term_without_dates(base: Path, tmp_path: Path) -> None:
    import openpyxl

    rows = orders_of(base)
    rows[0]["Refus du titulaire précédent"] = "peut-être"
    src = with_orders(base, rows, tmp_path / "refus.xlsx")
    wb = openpyxl.load_workbook(src)
    for row in wb["Paramètres"].iter_rows(min_row=2):
        if row[0].value in ("Date de notification", "Date de lancement"):
            row[1].value = None  # no date at all: the term starts with the first order
    wb.save(src)
    run = regenerate(src, tmp_path / "refus.lots.xlsx")
    (refus,) = [p for p in run.report.problems if p.code == "commande-refus-illisible"]
    assert (refus.row, refus.severity) == (2, "Avertissement")
    (start,) = [p for p in run.report.problems if p.code == "commandes-debut-inconnu"]
    first = min(r["Date"] for r in rows).date()
    assert start.severity == "Info" and f"{first:%d/%m/%Y}" in start.message
    assert run.result.orders.term.start == first and len(run.result.orders.orders) == len(rows)
