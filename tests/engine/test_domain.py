"""The domain rules of the updated contract, each on a real workbook: per-group territoire
fallback, `pôle` merges, durations and rates per need (`Heures par place`, `Référentiel`),
divisible needs, thresholds by launch date, the framework's whole term, and the regime."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbooks import (
    allot,
    controles,
    lots,
    make_workbook,
    need,
    oracle,
    regenerate,
    rule,
    sheet_rows,
)

CASES = Path(__file__).resolve().parents[1] / "data" / "cases" / "domain"


def case(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """(input, output) of a regenerated copy of a case workbook; the checker passes on it."""
    src = tmp_path / name
    shutil.copy(CASES / name, src)
    out = regenerate(src)
    assert oracle(src, out) == []
    return src, out


def test_territoire_fallback_is_per_group(tmp_path) -> None:
    """6 and 7 places of one domain in two territoires of one département, minimum 12."""
    _, out = case(tmp_path, "territoire_no_departement_fallback.xlsx")
    industrie = [x for x in lots(out).values() if x["Domaine"] == "Industrie"]
    assert [(x["Places"], x["Statut"]) for x in industrie] == [(13, "Conforme")]


# --------------------------------------------------------------------------- pôle

# a hub (Bourg) and three small rural zones in a chain R1 - R2 - R3, each next to the hub
POLE_ZONES = [
    {"Zone": "Bourg", "Territoire": "T", "Département": "01", "Voisines": "R1; R2; R3",
     "Pôle": "oui"},
    {"Zone": "R1", "Territoire": "T", "Département": "01", "Voisines": "R2"},
    {"Zone": "R2", "Territoire": "T", "Département": "01", "Voisines": "R3"},
    {"Zone": "R3", "Territoire": "T", "Département": "01"},
]
POLE_NEEDS = [need("b", "PQ", "Bourg", places=40, domaine="Industrie"),
              need("r1", "PQ", "R1", places=4, domaine="Industrie"),
              need("r2", "PQ", "R2", places=5, domaine="Industrie"),
              need("r3", "PQ", "R3", places=6, domaine="Industrie")]


@pytest.mark.parametrize(("mode", "expected"), [
    ("voisines", [("Bourg", 40), ("R1 + R2 + R3", 15)]),  # a chain of small rural zones
    ("pôle", [("Bourg + R1 + R2 + R3", 55)]),
])
def test_pole_joins_small_rural_zones_to_their_hub(tmp_path, mode, expected) -> None:
    out = allot(tmp_path, POLE_NEEDS, zones=POLE_ZONES,
                rules=[rule("PQ", maille="Zone + Domaine", regroupement=mode, vmin=12,
                            plafonner="non")])
    got = sorted((x["Zone(s)"], x["Places"]) for x in lots(out).values())
    assert got == sorted(expected)


# --------------------------------------------------------------------------- durations, rates


def test_a_need_with_its_own_hours_per_place_is_priced_with_them(tmp_path) -> None:
    src, out = case(tmp_path, "duree_par_besoin.xlsx")
    aff = {r["ID besoin"]: r for r in sheet_rows(out, "Affectation")}
    assert (aff["A1-038"]["Places"], aff["A1-038"]["Heures"]) == (9, 630)  # 9 × 70 h
    assert (aff["A1-039"]["Places"], aff["A1-039"]["Heures"]) == (9, 630)
    lot = lots(out)[aff["A1-038"]["N° lot"]]
    assert lot["Heures"] == 1260 and lot["Heures par place"] == 70


def test_referentiel_overrides_the_rule_for_the_needs_it_matches(tmp_path) -> None:
    def referentiel(wb) -> None:
        ws = wb.create_sheet("Référentiel")
        ws.append(["Code ROME", "Métier", "Heures par place", "Taux horaire (€)"])
        ws.append(["N1101", "Cariste", 35, 15])

    needs = [need("c", "PQ", "Belley", places=10, domaine="Transport", rome="N1101",
                  metier="Cariste"),
             need("s", "PQ", "Vichy", places=10, domaine="Transport", metier="Soudeur")]
    out = allot(tmp_path, needs, rules=[rule("PQ", plafonner="non")], tweak=referentiel)
    by_zone = {x["Zone(s)"]: x for x in lots(out).values()}
    assert (by_zone["Belley"]["Heures"], by_zone["Belley"]["Montant estimé (€ HT)"]) == (
        350, 5250)  # 10 × 35 h at 15 €
    assert (by_zone["Vichy"]["Heures"], by_zone["Vichy"]["Montant estimé (€ HT)"]) == (
        4500, 42750)  # the rule: 450 h at 9.50 €


def test_a_need_own_duration_wins_over_the_referentiel(tmp_path) -> None:
    def referentiel(wb) -> None:
        ws = wb.create_sheet("Référentiel")
        ws.append(["Métier", "Heures par place"])
        ws.append(["Cariste", 35])

    needs = [{**need("c", "PQ", "Belley", places=10, domaine="Transport", metier="Cariste"),
              "Heures par place": 70}]
    out = allot(tmp_path, needs, rules=[rule("PQ", plafonner="non")], tweak=referentiel)
    assert [x["Heures"] for x in lots(out).values()] == [700]


# --------------------------------------------------------------------------- divisible needs


def test_a_divisible_need_is_shared_among_balanced_lots(tmp_path) -> None:
    _, out = case(tmp_path, "divisible_aof.xlsx")
    hours = [x["Heures"] for x in lots(out).values()]
    assert len(hours) == 3 and max(hours) <= 40_000 and sum(hours) == 90_000
    rows = [r for r in sheet_rows(out, "Affectation") if r["ID besoin"] == "B1"]
    assert len(rows) == 3 and {r["Motif"] for r in rows} == {"scindé"}
    assert sum(r["Heures"] for r in rows) == 90_000
    assert ("Besoins", 2, None, "besoin-scinde") in controles(out, "Info")


def test_an_indivisible_need_stays_whole_and_says_how_to_fix_it(tmp_path) -> None:
    _, out = case(tmp_path, "aof_hours_need_not_divisible.xlsx")
    (lot,) = lots(out).values()
    assert lot["Heures"] == 90_000 and lot["Statut"].startswith("Au-dessus du maximum")
    (msg,) = [r["Message"] for r in sheet_rows(out, "Contrôles")
              if r["Code"] == "lot-hors-bornes"]
    assert "Besoins divisibles" in msg


def test_divided_places_and_hours_add_up_exactly(tmp_path) -> None:
    out = allot(tmp_path, [need("g", "AOF", "Belley", places=101, hours=10_001.01)],
                rules=[rule("AOF", vmax=4000, **{"Besoins divisibles": "oui"})])
    rows = sheet_rows(out, "Affectation")
    assert len(rows) == 3
    assert sum(r["Places"] for r in rows) == 101
    assert round(sum(r["Heures"] for r in rows), 2) == 10_001.01


# --------------------------------------------------------------------------- law


def test_small_lot_is_judged_on_the_maximum(tmp_path) -> None:
    _, out = case(tmp_path, "petit_lot_on_estimate.xlsx")
    for x in lots(out).values():
        assert (x["Petit lot"] == "oui") == (x["Montant maximum (€ HT)"] < 80_000)


@pytest.mark.parametrize(("day", "mini"), [("31/03/2026", "non"), ("01/04/2026", "oui")])
def test_mini_lot_threshold_follows_the_launch_date(tmp_path, day, mini) -> None:
    # a 56 448 € maximum: a mini-lot under the 60 000 € threshold, not under 40 000 €
    out = allot(tmp_path, [need("a", "PQ", "Belley", places=7, domaine="Bâtiment")],
                rules=[rule("PQ", hpp=600, taux=11.2, plafonner="non")],
                params=[("Date de lancement", day)])
    (lot,) = lots(out).values()
    assert lot["Montant maximum (€ HT)"] == 56_448 and lot["Mini-lot"] == mini


def test_the_maximum_covers_the_whole_term(tmp_path) -> None:
    src, out = case(tmp_path, "terme_4_ans.xlsx")
    for x in lots(out).values():
        assert x["Montant maximum (€ HT)"] == pytest.approx(
            x["Montant estimé (€ HT)"] * 1.2 * 4, abs=0.02)
        assert x["CA exigible max (€ HT)"] == pytest.approx(
            x["Montant estimé (€ HT)"] * 1.2 * 1.5, abs=0.02)  # R2142-7: 1.5 × annual


def test_a_term_over_48_months_is_warned(tmp_path) -> None:
    out = allot(tmp_path, [need("a", "AOF", "Belley", hours=4000)],
                params=[("Durée de l'accord-cadre (mois)", 24), ("Reconductions", 2)])
    # on the row of `Reconductions` (Durée's when there is none), column `Valeur`
    assert ("Paramètres", 3, "Valeur", "duree-accord-cadre") in controles(out, "Avertissement")


def _big_small_lots(tmp_path: Path, regime: str) -> Path:
    """Three small lots (67 200 € each) and a large one: small lots weigh 28.6 %."""
    needs = [need(f"n{i}", "AOF", z, hours=h) for i, (z, h) in enumerate(
        [("Belley", 4000), ("Vichy", 4000), ("Moulins", 4000), ("Montluçon", 30_000)])]
    return allot(tmp_path, needs,
                 rules=[rule("AOF", **{"Régime": regime, "Regroupement": "aucun"})],
                 params=[("Date de lancement", "01/06/2026")])


def test_services_over_the_eu_threshold_get_the_formalised_procedure_message(tmp_path):
    out = _big_small_lots(tmp_path, "services")
    msgs = [r["Message"] for r in sheet_rows(out, "Contrôles")
            if r["Code"] == "petits-lots-plafond"]
    assert len(msgs) == 1 and "procédure formalisée" in msgs[0] and "216\u00a0000" in msgs[0]


def test_sss_mini_lots_over_their_cap_are_warned_without_a_procedure_advice(tmp_path):
    needs = [need(f"n{i}", "AOF", z, hours=h) for i, (z, h) in enumerate(
        [("Belley", 3000), ("Vichy", 3000), ("Montluçon", 20_000)])]  # 2 × 50 400 € maxima
    out = allot(tmp_path, needs, rules=[rule("AOF", **{"Regroupement": "aucun"})],
                params=[("Date de lancement", "01/06/2026")])
    (msg,) = [r["Message"] for r in sheet_rows(out, "Contrôles")
              if r["Code"] == "mini-lots-plafond"]
    assert "R2122-8" in msg and "60\u00a0000" in msg and "formalisée" not in msg


def test_sss_never_gets_a_formalised_procedure_advice(tmp_path):
    out = _big_small_lots(tmp_path, "SSS")
    texts = [str(v) for r in sheet_rows(out, "Contrôles") for v in r.values()]
    texts += [str(v) for x in lots(out).values() for v in x.values()]
    assert not any("formalisée" in t for t in texts)


def test_a_buyer_threshold_looser_than_the_law_is_refused(tmp_path) -> None:
    """Contract v3: never looser than the law (tests/engine/test_law.py has the rest)."""
    out = allot(tmp_path, [need("a", "AOF", "Belley", hours=4000)],
                params=[("Seuil mini-lots (€ HT)", 70_000), ("Date de lancement", "2026-05-01")])
    (lot,) = lots(out).values()
    assert lot["Mini-lot"] == "non"  # 67 200 € ≥ the legal 60 000 €; the buyer's 70 000 € refused
    (error,) = [r for r in sheet_rows(out, "Contrôles") if r["Code"] == "seuil-plus-souple"]
    assert "60\u00a0000" in error["Message"] and "R2122-8" in error["Message"]


def test_every_need_inputs_of_the_template_are_declared(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=4000)],
                         rules=[rule("AOF", **{"Code CPV": "80533000"})])
    assert [x["Code CPV"] for x in lots(regenerate(path)).values()] == ["80533000"]


# --------------------------------------------------------------------------- the example


def test_the_bundled_example_passes_its_own_checks(tmp_path) -> None:
    """Regenerated with its bundled rules, the example has no warning but the holder cap
    of PQ (issue 27: 3 holders a lot, 4 lots at most a holder), passes the checker, and its
    merged CREA lots join neighbouring territoires (never Annecy with Annonay)."""
    src = tmp_path / "exemple.xlsx"
    shutil.copy(Path(__file__).resolve().parents[2] / "workbooks" / "exemple_rhone_alpes.xlsx",
                src)
    out = regenerate(src)
    assert oracle(src, out) == []
    warned = controles(out, "Avertissement")
    assert [c for c in warned if c[3] != "titulaires-insuffisants"] == []
    assert controles(out, "Erreur") == []
    zones = {r["Zone"]: r for r in sheet_rows(src, "Zones")}
    voisines = {z: {v.strip() for v in str(r["Voisines"] or "").split(";")}
                for z, r in zones.items()}
    def touch(t: str, u: str) -> bool:  # two territoires share a border
        return any(zones[a]["Territoire"] == t and zones[b]["Territoire"] == u and
                   (b in voisines[a] or a in voisines[b]) for a in zones for b in zones)

    for lot in lots(out).values():
        if lot["Dispositif"] != "CREA" or " + " not in lot["Territoire"]:
            continue
        terrs = lot["Territoire"].split(" + ")
        assert all(any(touch(t, u) for u in terrs if u != t) for t in terrs), lot["N° lot"]


@pytest.mark.parametrize("workbook", ["example", "real"])
def test_no_message_advises_a_procedure_the_regime_does_not_require(tmp_path, workbook):
    """Every dispositif of the example and of the real-data workbook is `SSS`: no cell of
    `Lots` or `Contrôles` recommends the formalised procedure."""
    root = Path(__file__).resolve().parents[2]
    source = (root / "workbooks" / "exemple_rhone_alpes.xlsx" if workbook == "example"
              else root.parent / "shared" / "realdata" / "real_ain_isere.xlsx")
    if not source.exists():
        pytest.skip("classeur de données réelles absent (shared/realdata)")
    src = tmp_path / source.name
    shutil.copy(source, src)
    out = regenerate(src)
    cells = [str(v) for sheet in ("Lots", "Contrôles") for r in sheet_rows(out, sheet)
             for v in r.values()]
    assert not any("formalisée" in c for c in cells)
