"""Purchase orders against each framework (issue 25), on the example regenerated with its
`Offres`: the 80 % warning, the order crossing the maximum (R2162-4), the cascade breach,
totals equal to the orders, a lot changed or gone since the orders were issued."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from orders_support import (
    Case,
    acceptance_case,
    example_with_orders,
    orders_of,
    regenerate,
    table,
    total_row,
    with_orders,
)

from allot_xl.core.contract import SUIVI
from allot_xl.engine.orders import Term, add_months


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example (PSP with two holders per lot) regenerated once with its Offres."""
    folder = tmp_path_factory.mktemp("commandes")
    src = example_with_orders(folder / "exemple.xlsx")
    return regenerate(src, folder / "exemple.lots.xlsx").output_path


@pytest.fixture(scope="module")
def case(base: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, Path, object]:
    """The acceptance orders written into the regenerated example, regenerated again."""
    folder = tmp_path_factory.mktemp("cas")
    c = acceptance_case(base)
    src = with_orders(base, c.rows, folder / "cas.xlsx")
    run = regenerate(src, folder / "cas.lots.xlsx")
    return c, run.output_path, run


def _alerts(path: Path) -> list[dict]:
    return table(path, SUIVI, "T_SuiviAlertes")


def test_the_example_follows_a_year_of_orders(base: Path) -> None:
    rows = orders_of(base)
    assert len(rows) > 200 and all(r["N° bon"].startswith("BC-2027-") for r in rows)
    alerts = _alerts(base)
    assert not [a for a in alerts if a["Gravité"] == "Erreur"]
    total = total_row(base, "T_SuiviDispositifs")
    assert total["Commandé (€ HT)"] == pytest.approx(sum(r["Montant (€ HT)"] for r in rows))


def test_threshold_maximum_and_cascade_alerts(case) -> None:
    c, out, run = case
    alerts = _alerts(out)
    near = [a for a in alerts if a["Message"].startswith(f"Lot {c.near} :")]
    assert [(a["Gravité"]) for a in near] == ["Avertissement"]
    assert "85\u00a0% de son montant maximum" in near[0]["Message"]
    assert "seuil d'alerte de 80\u00a0%" in near[0]["Message"]
    assert "T-NEAR-2" in near[0]["Message"]  # the order that crossed the threshold
    over = [a for a in alerts if a["Message"].startswith(f"Lot {c.over} :")]
    assert [a["Gravité"] for a in over] == ["Erreur"]
    assert f"le bon {c.crossing} du" in over[0]["Message"] and "R2162-4" in over[0]["Message"]
    assert "101\u00a0%" in over[0]["Message"] and over[0]["Feuille"] == "Commandes"
    casc = [a for a in alerts if a["Message"].startswith(f"Lot {c.cascade} (cascade)")]
    assert len(casc) == 1 and casc[0]["Gravité"] == "Avertissement"
    assert f"le bon {c.breach} va au rang 2" in casc[0]["Message"]
    assert "le rang 1" in casc[0]["Message"] and "n'avait pas refusé" in casc[0]["Message"]
    codes = {p.code for p in run.report.problems}
    assert {"commandes-seuil-alerte", "commandes-maximum-depasse",
            "commandes-cascade"} <= codes
    # the order crossing the maximum is followed (it counts), not left out
    from allot_xl.outputs.orders import rejected_orders
    assert rejected_orders(run.result) == 0
    # the same alerts in Contrôles, and the lots' state in the per-lot table
    lots = {r["N° lot"]: r for r in table(out, SUIVI, "T_SuiviLots")}
    assert lots[c.near]["Alerte"] == "seuil d'alerte atteint"
    assert lots[c.over]["Alerte"] == "maximum dépassé (CCP R2162-4)"
    assert lots[c.over]["Consommé (%)"] == pytest.approx(101, abs=0.01)
    assert lots[c.over]["Reste (€ HT)"] < 0
    holders = [r for r in table(out, SUIVI, "T_SuiviLotsTitulaires")
               if r["N° lot"] == c.cascade]
    assert [(r["Rang"], r["Bons hors cascade"]) for r in holders] == [(1, 0), (2, 1)]
    assert [r["Part prévue (%)"] for r in holders] == [100, 0]


def test_every_total_equals_the_sum_of_the_orders(case) -> None:
    c, out, run = case
    amounts = [r["Montant (€ HT)"] for r in c.rows]
    total = sum(amounts)
    assert total_row(out, "T_SuiviDispositifs")["Commandé (€ HT)"] == pytest.approx(total)
    assert total_row(out, "T_SuiviTotauxTitulaires")["Commandé (€ HT)"] == pytest.approx(total)
    assert total_row(out, "T_SuiviDispositifs")["Bons"] == len(c.rows)
    per_lot = table(out, SUIVI, "T_SuiviLots")
    assert sum(r["Commandé (€ HT)"] for r in per_lot) == pytest.approx(total)
    per_holder = table(out, SUIVI, "T_SuiviLotsTitulaires")
    assert sum(r["Commandé (€ HT)"] for r in per_holder) == pytest.approx(total)
    for disp in table(out, SUIVI, "T_SuiviDispositifs"):
        mine = [r["Montant (€ HT)"] for r in c.rows if r["N° lot"].startswith(
            disp["Dispositif"] + "-")]
        assert disp["Commandé (€ HT)"] == pytest.approx(sum(mine))
    places = sum(r["Places"] for r in c.rows)
    assert total_row(out, "T_SuiviDispositifs")["Places commandées"] == places
    # Synthèse's consumption block says the same
    synthese = table(out, "Synthèse", "T_Consommation")
    assert sum(r["Commandé (€ HT)"] for r in synthese) == pytest.approx(total)
    assert sum(r["Lots au-delà du maximum"] for r in synthese) >= 1


def test_orders_never_change_the_lots(base: Path, case) -> None:
    _, out, _ = case
    assert table(out, "Lots", "T_Lots") == table(base, "Lots", "T_Lots")
    assert table(out, "Multi-attribution", "T_Multi") == table(base, "Multi-attribution",
                                                               "T_Multi")


def test_a_regeneration_names_orders_of_a_lot_gone_or_changed(case, tmp_path: Path) -> None:
    c, out, _ = case
    wb = openpyxl.load_workbook(out)
    ws = wb["Lots"]
    head = [x.value for x in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == c.cascade:  # its key no longer exists: the lot is gone
            row[head.index("Clé")].value = "PSP | Département=99 | Domaine=Atlantide"
        if row[0].value == c.near:  # its maximum differs from the run's: the lot changed
            row[head.index("Montant maximum (€ HT)")].value = 1.0
    wb.save(changed := tmp_path / "change.xlsx")
    run = regenerate(changed, tmp_path / "change.lots.xlsx")
    gone = [p for p in run.report.problems if p.code == "commande-lot-disparu"]
    assert {p.value for p in gone} == {c.cascade} and len(gone) == 3
    assert all(p.severity == "Erreur" and p.sheet == "Commandes" for p in gone)
    assert "Département=99" in gone[0].message
    (mod,) = [p for p in run.report.problems if p.code == "commande-lot-modifie"]
    assert mod.value == c.near and "T-NEAR-1, T-NEAR-2" in mod.message
    assert mod.severity == "Avertissement"


def test_pace_minimum_and_silent_lots(case, tmp_path: Path) -> None:
    c, out, _ = case
    wb = openpyxl.load_workbook(out)
    ws = wb["Paramètres"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Minimum bons de commande (%)":
            row[1].value = 50
    wb.save(src := tmp_path / "minimum.xlsx")
    rows = [r for r in c.rows if r["N° lot"] != c.over]
    with_orders(src, rows, src)
    run = regenerate(src, tmp_path / "minimum.lots.xlsx")
    codes = [p.code for p in run.report.problems]
    assert "commandes-minimum-hors-rythme" in codes
    silent = [p for p in run.report.problems if p.code == "commandes-lot-sans-bon"]
    assert [p.value for p in silent] == [c.over] and silent[0].severity == "Info"


def test_term_arithmetic() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 1, 4), 48) == dt.date(2031, 1, 4)
    t = Term(dt.date(2027, 1, 1), dt.date(2028, 1, 1))
    assert t.share(dt.date(2027, 12, 31)) == 1.0 and t.share(dt.date(2026, 1, 1)) == 0.0
