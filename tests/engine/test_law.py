"""A buyer may be stricter than the law, never looser (contract v3, issue 27): a looser
threshold or share in `Paramètres` is an Erreur on its row and the legal value is used in
every output; a stricter one applies with an Info. And the design-time check of holder caps
(`Lots max par titulaire`): the fewest distinct holders the lots need."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core import law
from allot_xl.core.french import euros
from workbooks import (
    ZONES_DEFAULT,
    controles,
    lots,
    make_workbook,
    need,
    offer,
    regenerate,
    rule,
    sheet_rows,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "workbooks" / "exemple_rhone_alpes.xlsx"
LOOSER = {"Seuil mini-lots (€ HT)": 90_000, "Seuil de publicité européenne (€ HT)": 5_000_000,
          "Part max petits lots (%)": 35}


def example_with(tmp_path: Path, values: dict[str, Any], name: str = "variante.xlsx") -> Path:
    """The bundled example with `Paramètres` values replaced (launched 1 June 2026)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Paramètres"]
    values = {"Date de lancement": "01/06/2026", **values}
    for key, cell in ws.iter_rows(min_row=2, max_col=2):
        if key.value in values:
            cell.value = values[key.value]
    wb.save(tmp_path / name)
    return tmp_path / name


def param_rows(path: Path) -> dict[str, int]:
    """`Paramètres` label -> Excel row."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r[0].value: r[0].row for r in wb["Paramètres"].iter_rows(min_row=2, max_col=1)}
    finally:
        wb.close()


def table(path: Path, sheet: str, name: str) -> list[dict[str, Any]]:
    """Rows of the Excel table `name` of `sheet`, as dicts."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    cells = list(ws[ws.tables[name].ref])
    head = [c.value for c in cells[0]]
    return [dict(zip(head, (c.value for c in r), strict=True)) for r in cells[1:]]


def text_of(path: Path, sheet: str) -> str:
    """Every text of `sheet`, no-break spaces (French punctuation, `outputs.words
    .keep_together`) read as plain ones."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(str(v).replace("\xa0", " ")
                         for r in wb[sheet].iter_rows(values_only=True) for v in r
                         if isinstance(v, str))
    finally:
        wb.close()


# --------------------------------------------------------------------------- the table


def test_applied_is_stricter_or_the_law() -> None:
    day = dt.date(2026, 6, 1)
    legal = law.legal(law.MINI_LOTS, day)
    assert legal.value == 60_000 and legal.start == dt.date(2026, 4, 1)
    looser, stricter = law.Applied(legal, 90_000), law.Applied(legal, 30_000)
    assert looser.looser and not looser.overridden and looser.value == 60_000
    assert stricter.overridden and not stricter.looser and stricter.value == 30_000
    assert law.Applied(legal, 60_000).value == 60_000 and not law.Applied(legal).looser
    # before 1 April 2026 the legal value is 40 000 €: 50 000 € is looser then, stricter after
    assert law.Thresholds.on(dt.date(2026, 3, 31), mini_lots=50_000).mini_lots.looser
    assert law.Thresholds.on(day, mini_lots=50_000).mini_lots.overridden


def test_each_threshold_has_one_source_by_regime() -> None:
    t = law.Thresholds.on(dt.date(2026, 6, 1), publicite_sss=5_000_000, part_max_petits=35)
    assert t.publicity(sss=True).value == 750_000  # JOUE, social and specific services
    assert t.publicity(sss=False).value == 216_000  # EU formalised procedure, 2026–27
    assert t.publicity(sss=False).legal.source.startswith("Règlement délégué (UE) 2025/2152")
    assert t.controlled(sss=True) is t.mini_lots and t.controlled(sss=False) is t.petits_lots
    assert t.part_max_petits.value == 20 and t.part_max_petits.looser
    assert law.Thresholds.on(dt.date(2025, 6, 1)).procedure_formalisee.value == 221_000


# --------------------------------------------------------------------------- looser values


@pytest.fixture(scope="module")
def looser_run(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("plus_souple")
    src = example_with(tmp, LOOSER)
    return src, regenerate(src)


def test_a_looser_value_is_an_error_on_its_row_naming_the_law(looser_run) -> None:
    src, out = looser_run
    rows = param_rows(src)
    errors = [r for r in sheet_rows(out, "Contrôles") if r["Gravité"] == "Erreur"]
    assert sorted((r["Feuille"], r["Ligne"], r["Colonne"], r["Code"]) for r in errors) == sorted(
        ("Paramètres", rows[k], "Valeur", "seuil-plus-souple") for k in LOOSER)
    by_row = {r["Ligne"]: r for r in errors}
    for key, legal, article, since in (
            ("Seuil mini-lots (€ HT)", euros(60_000), "R2122-8", "depuis le 01/04/2026"),
            ("Seuil de publicité européenne (€ HT)", euros(750_000), "R2123-1 3°",
             "au 01/06/2026"),
            ("Part max petits lots (%)", "20\u00a0%", "R2122-8 et R2123-1 2°", "au 01/06/2026")):
        msg = by_row[rows[key]]["Message"]
        assert f"« {key} »" in msg and legal in msg and article in msg, msg
        assert f"en vigueur {since}" in msg and "jamais plus souple" in msg, msg
    assert by_row[rows["Seuil mini-lots (€ HT)"]]["Valeur"] == 90_000


def test_the_legal_value_is_used_in_every_output(looser_run) -> None:
    _, out = looser_run
    publicity = table(out, "Synthèse", "T_PubliciteUE")
    assert publicity and all(r["Seuil applicable (€ HT)"] == 750_000 for r in publicity)
    for r in publicity:  # every dispositif above 750 000 € (all of them here) gets the JOUE
        above = r["Montant maximum total (€ HT)"] >= 750_000
        assert r["Conséquence"] == ("avis au JOUE" if above else "sans avis au JOUE"), r
    assert any(r["Montant maximum total (€ HT)"] >= 750_000 for r in publicity)
    for x in lots(out).values():  # mini-lots counted at 60 000 €, not at the buyer's 90 000 €
        assert x["Mini-lot"] == ("oui" if x["Montant maximum (€ HT)"] < 60_000 else "non"), x
    small = table(out, "Synthèse", "T_PetitsLots")
    assert all(r["Plafond (%)"] == 20 for r in small)
    assert f"Mini-lots (< {euros(60_000)})" in small[0]
    text = text_of(out, "Synthèse")
    assert not any(x in text for x in ("90\u00a0000", "5\u00a0000\u00a0000", "35\u00a0%"))
    assert "plus souple que la loi, écartée" in text


def test_check_reports_the_same_errors_and_strict_fails(looser_run, tmp_path) -> None:
    src, out = looser_run
    report = api.check(src)
    assert sorted((p.sheet, p.row, p.column, p.code) for p in report.problems
                  if p.severity == "Erreur") == sorted(controles(out, "Erreur"))
    assert main(["check", str(src), "-q"]) == 1
    assert main(["regenerate", str(src), "-o", str(tmp_path / "a.xlsx"), "-q"]) == 0
    assert main(["regenerate", str(src), "-o", str(tmp_path / "b.xlsx"), "--strict", "-q"]) == 1


def test_small_lots_and_formalised_thresholds_above_the_law_are_refused(tmp_path) -> None:
    needs = [need("a", "AOF", "Belley", hours=6000), need("b", "AOF", "Moulins", hours=30_000)]
    out = regenerate(make_workbook(tmp_path, needs, rules=[rule("AOF", **{
        "Régime": "services", "Regroupement": "aucun"})], params=[
        ("Seuil petits lots (€ HT)", 100_000), ("Seuil de procédure formalisée (€ HT)", 300_000),
        ("Date de lancement", "01/06/2026")]))
    errors = {r["Ligne"]: r["Message"] for r in sheet_rows(out, "Contrôles")
              if r["Code"] == "seuil-plus-souple"}
    assert sorted(errors) == [2, 3]
    assert euros(80_000) in errors[2] and euros(216_000) in errors[3]
    assert "Règlement délégué (UE) 2025/2152" in errors[3]
    for x in lots(out).values():  # 84 000 € is not a small lot under the law's 80 000 €
        assert x["Petit lot"] == ("oui" if x["Montant maximum (€ HT)"] < 80_000 else "non")
    (row,) = table(out, "Synthèse", "T_PubliciteUE")
    assert row["Seuil applicable (€ HT)"] == 216_000 and row["Conséquence"] == (
        "procédure formalisée" if row["Montant maximum total (€ HT)"] >= 216_000
        else "procédure adaptée")


# --------------------------------------------------------------------------- stricter values


def test_a_stricter_value_applies_with_an_info(tmp_path) -> None:
    src = example_with(tmp_path, {"Seuil mini-lots (€ HT)": 30_000,
                                  "Part max petits lots (%)": 15})
    out = regenerate(src)
    assert controles(out, "Erreur") == []
    rows = param_rows(src)
    infos = {r["Ligne"]: r for r in sheet_rows(out, "Contrôles") if r["Code"] == "seuil-acheteur"}
    assert sorted(infos) == sorted([rows["Seuil mini-lots (€ HT)"],
                                    rows["Part max petits lots (%)"]])
    mini = infos[rows["Seuil mini-lots (€ HT)"]]
    assert mini["Gravité"] == "Info" and mini["Feuille"] == "Paramètres"
    assert euros(30_000) in mini["Message"] and euros(60_000) in mini["Message"]
    assert "R2122-8" in mini["Message"]
    assert "20\u00a0%" in infos[rows["Part max petits lots (%)"]]["Message"]
    for x in lots(out).values():
        assert x["Mini-lot"] == ("oui" if x["Montant maximum (€ HT)"] < 30_000 else "non")
    assert all(r["Plafond (%)"] == 15 for r in table(out, "Synthèse", "T_PetitsLots"))
    assert "(fixé par l'acheteur)" in text_of(out, "Synthèse")


# --------------------------------------------------------------------------- holder caps

DOMAINES = [f"Domaine {i}" for i in range(1, 10)]  # 6 zones × 9 domains: 54 groups


def pq_lots(tmp_path: Path, *, attributaires: int = 3, lots_max: int | None = 4,
            offers: list[dict[str, Any]] | None = None, name: str = "pq.xlsx") -> Path:
    """One PQ lot per zone and domain (Maille `Zone + Domaine`, no merge), holders capped."""
    needs = [need(f"{z['Zone'][:3]}-{d}", "PQ", z["Zone"], places=15, domaine=d)
             for z in ZONES_DEFAULT for d in DOMAINES]
    return make_workbook(tmp_path, needs, rules=[rule(
        "PQ", maille="Zone + Domaine", regroupement="aucun", plafonner="non",
        attributaires=attributaires, lots_max=lots_max)], offers=offers, name=name)


def test_a_holder_cap_that_needs_too_many_holders_is_warned(tmp_path) -> None:
    src = pq_lots(tmp_path)
    out = regenerate(src)
    n = len(lots(out))  # derived: 54 when each zone and domain is a lot
    needed = math.ceil(3 * n / 4)
    (w,) = [r for r in sheet_rows(out, "Contrôles") if r["Code"] == "titulaires-insuffisants"]
    assert (w["Gravité"], w["Feuille"], w["Ligne"], w["Colonne"], w["Valeur"]) == (
        "Avertissement", "Règles", 2, "Lots max par titulaire", 4)
    assert f"au moins {needed} titulaires distincts" in w["Message"]
    assert f"{3 * n} places d'attributaire" in w["Message"]
    assert f"PQ : au moins {needed} titulaires distincts" in text_of(out, "Synthèse")
    if n == 54:
        assert needed == 41


def test_the_holder_count_is_an_info_when_a_buyer_can_expect_it(tmp_path) -> None:
    """One holder a lot: each lot can have one of its own; only the count is stated."""
    out = regenerate(pq_lots(tmp_path, attributaires=1))
    n = len(lots(out))
    assert [r["Code"] for r in sheet_rows(out, "Contrôles")
            if r["Code"].startswith("titulaires-")] == ["titulaires-necessaires"]
    (info,) = [r for r in sheet_rows(out, "Contrôles") if r["Code"] == "titulaires-necessaires"]
    assert info["Gravité"] == "Info" and info["Ligne"] == 2
    assert f"au moins {math.ceil(n / 4)} titulaires distincts" in info["Message"]


def test_no_holder_check_without_a_cap_that_can_bind(tmp_path) -> None:
    for lots_max in (None, 100):
        out = regenerate(pq_lots(tmp_path, lots_max=lots_max, name=f"pq{lots_max}.xlsx"))
        assert not [r for r in sheet_rows(out, "Contrôles")
                    if str(r["Code"]).startswith("titulaires-")]


def test_with_bids_the_lots_left_short_of_holders_are_listed(tmp_path) -> None:
    """Issue 27: two regional providers bid everywhere plus one local per lot; capped at 4
    lots, most lots get fewer than their 3 holders. The warning lists them before award."""
    first = regenerate(pq_lots(tmp_path, name="plan.xlsx"))
    numbers = sorted(lots(first))
    bids = [offer(x, name, note) for x in numbers
            for name, note in (("Régional A", 18), ("Régional B", 17), (f"Local {x}", 15))]
    src = pq_lots(tmp_path, offers=bids, name="offres.xlsx")
    out = regenerate(src)
    held: dict[str, int] = {}
    for r in sheet_rows(out, "Multi-attribution"):
        if r["N° lot"] in numbers and r["Rang"] is not None:
            held[r["N° lot"]] = held.get(r["N° lot"], 0) + 1
    short = [x for x in numbers if held.get(x, 0) < 3]
    assert short  # the award leaves lots short: the check must say which
    (w,) = [r for r in sheet_rows(out, "Contrôles") if r["Code"] == "titulaires-insuffisants"]
    msg = w["Message"]
    assert f"au moins {math.ceil(3 * len(numbers) / 4)} titulaires distincts" in msg
    assert f"Les offres en comptent {len(numbers) + 2}" in msg
    assert f"{len(short)} lots sur {len(numbers)} auraient moins d'attributaires" in msg
    assert all(f"{x} ({held.get(x, 0)} sur 3)" in msg for x in short[:10])


def test_the_scenario_comparison_caps_shares_at_the_law(looser_run, tmp_path) -> None:
    src, _ = looser_run
    out = api.scenarios(src, tmp_path / "scenarios.xlsx")
    rows = sheet_rows(out, "Comparaison des scénarios")
    assert rows and all(r["Plafond (%)"] == 20 for r in rows)
