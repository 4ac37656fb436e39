"""Multi-attribution: bid checks, ranking, both award rules, shares, and their invariants."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allot_xl.core.contract import fold
from allot_xl.core.model import Rule
from allot_xl.core.problems import Report
from allot_xl.engine.attribution import (
    CAPPED_OUT,
    DECREASING,
    NO_BID,
    OPTIMAL,
    UNASSIGNED,
    attribute,
)
from allot_xl.engine.selection import _milp_selection, decreasing_selection, optimal_selection
from allot_xl.engine.shares import largest_remainder, split_places, split_value

ACCEPTANCE = Path(__file__).resolve().parents[2].parent / "shared" / "acceptance"


def rule(code: str = "PQ", **kw) -> Rule:
    return Rule(code, code, ("Zone",), "places", 450.0, **kw)


def lots_frame(*specs: tuple) -> pd.DataFrame:
    """(lot, places[, montant_max[, hours, montant]]) per lot; dispositif from the prefix."""
    rows = []
    for spec in specs:
        lot, places = spec[0], spec[1]
        hours = spec[3] if len(spec) > 3 else places * 450.0
        montant = spec[4] if len(spec) > 4 else hours * 10.0
        rows.append({"lot": lot, "dispositif": lot.split("-")[0], "places": places,
                     "hours": hours, "montant": montant,
                     "montant_max": spec[2] if len(spec) > 2 else montant * 1.2})
    return pd.DataFrame(rows)


def offers_frame(*bids: tuple) -> pd.DataFrame:
    """(lot, candidat, note[, prix[, capacite[, rang]]]) per bid, Excel rows from 2."""
    rows = []
    for i, b in enumerate(bids):
        b = tuple(b) + (None,) * (6 - len(b))
        rows.append({"row": i + 2, "lot": b[0], "candidat": b[1], "note": float(b[2]),
                     "rang": np.nan if b[5] is None else float(b[5]),
                     "prix": np.nan if b[3] is None else float(b[3]),
                     "capacite": np.nan if b[4] is None else float(b[4])})
    return pd.DataFrame(rows, columns=["row", "lot", "candidat", "note", "rang", "prix",
                                       "capacite"])


def run(lots, rules, offers, mode=DECREASING, headers=None):
    report = Report()
    return attribute(lots, rules, offers, mode, report, headers=headers), report


def lot_rows(att, lot):
    return att.rows[att.rows["lot"] == lot].reset_index(drop=True)


def codes(report):
    return [(p.code, p.severity, p.row, p.column) for p in report.problems]


# --------------------------------------------------------------------------- no bids yet


@pytest.mark.parametrize("rep, parts, places", [
    ("cascade", [100.0, 0.0, 0.0], [10, 0, 0]),
    ("prorata", [33.34, 33.33, 33.33], [4, 3, 3]),
    ("parts égales", [33.34, 33.33, 33.33], [4, 3, 3]),
    ("rotation", [33.34, 33.33, 33.33], [4, 3, 3]),
])
def test_planned_structure_without_offers(rep, parts, places):
    att, report = run(lots_frame(("PQ-01", 10, None, 100.0, 100.0)),
                      {"PQ": rule(attributaires=3, repartition=rep)}, None)
    rows = lot_rows(att, "PQ-01")
    assert list(rows["titulaire"]) == ["À désigner 1", "À désigner 2", "À désigner 3"]
    assert list(rows["rang"]) == [1, 2, 3] and list(rows["ordre"]) == [1, 2, 3]
    assert list(rows["part"]) == parts and list(rows["places"]) == places
    assert list(rows["hours"]) == parts and list(rows["montant"]) == parts
    assert rows["placeholder"].all()
    assert att.holders.empty and att.hhi == {} and att.comparison is None
    assert report.problems == []


def test_empty_offers_sheet_shows_the_planned_structure_with_an_info():
    att, report = run(lots_frame(("PQ-01", 10)), {"PQ": rule(attributaires=2)},
                      offers_frame())
    assert list(att.rows["titulaire"]) == ["À désigner 1", "À désigner 2"]
    assert codes(report) == [("offres-vides", "Info", None, "")]


# --------------------------------------------------------------------------- shares


def test_cascade_gives_everything_to_rank_one():
    att, _ = run(lots_frame(("PQ-01", 12)), {"PQ": rule(attributaires=2)},
                 offers_frame(("PQ-01", "B", 70), ("PQ-01", "A", 90)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["titulaire"]) == ["A", "B"]
    assert list(rows["part"]) == [100.0, 0.0] and list(rows["places"]) == [12, 0]
    assert list(rows["hours"]) == [5400.0, 0.0]


def test_prorata_shares_follow_the_notes_with_largest_remainder():
    lots = lots_frame(("PQ-01", 10, None, 4500.0, 51750.0))
    att, _ = run(lots, {"PQ": rule(attributaires=2, repartition="prorata")},
                 offers_frame(("PQ-01", "A", 80), ("PQ-01", "B", 60)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["part"]) == [57.14, 42.86]
    assert list(rows["places"]) == [6, 4]
    assert list(rows["hours"]) == [2571.43, 1928.57]
    assert list(rows["montant"]) == [29571.43, 22178.57]


def test_rounding_remainder_goes_on_the_largest_share():
    att, _ = run(lots_frame(("PQ-01", 10, None, 100.0, 200.0)),
                 {"PQ": rule(attributaires=3, repartition="parts égales")},
                 offers_frame(("PQ-01", "A", 9), ("PQ-01", "B", 8), ("PQ-01", "C", 7)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["hours"]) == [33.34, 33.33, 33.33]
    assert list(rows["montant"]) == [66.66, 66.67, 66.67]  # 3 × 66.67 is one cent too many
    assert list(rows["places"]) == [4, 3, 3]


def test_capacity_caps_a_holder_and_the_excess_goes_to_the_others_in_proportion():
    att, report = run(lots_frame(("PQ-01", 30)),
                      {"PQ": rule(attributaires=3, repartition="prorata")},
                      offers_frame(("PQ-01", "A", 50, None, 5), ("PQ-01", "B", 30),
                                   ("PQ-01", "C", 20)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["places"]) == [5, 15, 10]
    assert list(rows["part"]) == [16.67, 50.0, 33.33]
    assert list(rows["capacite"])[0] == 5.0 and report.problems == []


def test_capacity_in_a_cascade_flows_to_the_next_rank():
    att, _ = run(lots_frame(("PQ-01", 20)), {"PQ": rule(attributaires=3)},
                 offers_frame(("PQ-01", "A", 90, None, 8), ("PQ-01", "B", 80),
                              ("PQ-01", "C", 70)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["places"]) == [8, 12, 0] and list(rows["part"]) == [40.0, 60.0, 0.0]


def test_capacities_too_small_leave_places_unassigned_with_a_warning():
    att, report = run(lots_frame(("PQ-01", 20)),
                      {"PQ": rule(attributaires=2, repartition="parts égales")},
                      offers_frame(("PQ-01", "A", 90, None, 5), ("PQ-01", "B", 80, None, 6)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["titulaire"]) == ["A", "B", UNASSIGNED]
    assert list(rows["places"]) == [5, 6, 9] and list(rows["part"]) == [25.0, 30.0, 45.0]
    assert list(rows["placeholder"]) == [False, False, True] and rows["rang"][2] is None
    assert codes(report) == [("capacite-insuffisante", "Avertissement", None,
                              "Capacité (places)")]
    assert "ne couvrent que 11 places sur 20 : 9 place(s) restent non attribuées" in \
        report.problems[0].message
    assert att.holders["places"].sum() == 11


def test_shares_module_largest_remainder_and_caps():
    assert largest_remainder([Fraction(10, 3)] * 3, 10) == [4, 3, 3]
    assert largest_remainder([Fraction(5, 2), Fraction(5, 2)], 5, [2, None]) == [2, 3]
    split = split_places("prorata", [1.0, 1.0, 2.0], [None, 1, None], 9)
    assert split.places == (3, 1, 5) and sum(split.shares) + split.unassigned == 1
    assert split_value(100.0, [Fraction(1, 3)] * 3) == [33.34, 33.33, 33.33]
    assert split_value(0.1, [Fraction(1, 2)] * 2) == [0.05, 0.05]


# --------------------------------------------------------------------------- ranking


def test_equal_notes_are_ranked_by_lower_price_then_name():
    att, _ = run(lots_frame(("PQ-01", 30)), {"PQ": rule(attributaires=4)},
                 offers_frame(("PQ-01", "Zeta", 67.7), ("PQ-01", "Organisme", 67.7, 12.4),
                              ("PQ-01", "Cantal", 67.7, 10.9), ("PQ-01", "alpha", 67.7)))
    rows = lot_rows(att, "PQ-01")
    assert list(rows["titulaire"]) == ["Cantal", "Organisme", "alpha", "Zeta"]
    assert list(rows["rang"]) == [1, 2, 3, 4]


def test_rang_overrides_the_notes():
    att, report = run(lots_frame(("PQ-01", 30)), {"PQ": rule(attributaires=2)},
                      offers_frame(("PQ-01", "A", 90, None, None, 2),
                                   ("PQ-01", "B", 60, None, None, 1)))
    assert list(lot_rows(att, "PQ-01")["titulaire"]) == ["B", "A"]
    assert report.problems == []


@pytest.mark.parametrize("ranks", [(1, 3), (2, 2), (1, 1.5)])
def test_rang_gap_or_duplicate_warns_and_ranks_by_note(ranks):
    att, report = run(lots_frame(("PQ-01", 30)), {"PQ": rule(attributaires=2)},
                      offers_frame(("PQ-01", "A", 60, None, None, ranks[0]),
                                   ("PQ-01", "B", 90, None, None, ranks[1])),
                      headers={"Rang": "Classement"})
    assert list(lot_rows(att, "PQ-01")["titulaire"]) == ["B", "A"]
    [p] = report.problems
    assert (p.code, p.severity, p.column) == ("rang-incoherent", "Avertissement", "Classement")
    assert p.row in (2, 3)
    assert p.message.startswith("Les rangs du lot « PQ-01 » (")
    assert p.message.endswith("numérotez-les 1, 2, 3… sans trou ni doublon. En attendant, "
                              "le lot est classé par Note.")


# --------------------------------------------------------------------------- Offres problems


def test_unknown_lot_is_an_error_and_lot_numbers_match_case_insensitively():
    att, report = run(lots_frame(("PQ-01", 10)), {"PQ": rule()},
                      offers_frame(("pq-01 ", "A", 80), ("PQ-99", "B", 90)),
                      headers={"N° lot": "Lot"})
    assert codes(report) == [("lot-inconnu", "Erreur", 3, "Lot")]
    assert report.problems[0].message == (
        "Le lot « PQ-99 » n'existe pas dans la feuille Lots : corrigez le N° lot ou "
        "régénérez les lots.")
    assert report.problems[0].value == "PQ-99"
    assert list(att.rows["titulaire"]) == ["A"] and list(att.rows["lot"]) == ["PQ-01"]


def test_duplicate_bidder_on_a_lot_keeps_the_first_row():
    att, report = run(lots_frame(("PQ-01", 10)), {"PQ": rule(attributaires=2)},
                      offers_frame(("PQ-01", "Institut Équipe  Formation", 50),
                                   ("PQ-01", "B", 60),
                                   ("PQ-01", "institut equipe formation", 99)))
    assert codes(report) == [("offre-en-double", "Erreur", 4, "Candidat")]
    assert report.problems[0].message == (
        "« institut equipe formation » a déjà une offre sur le lot « PQ-01 » (ligne 2) : "
        "supprimez l'une des deux lignes ; seule la première est retenue.")
    rows = lot_rows(att, "PQ-01")
    assert list(rows["titulaire"]) == ["B", "Institut Équipe Formation"]
    assert list(rows["note"]) == [60.0, 50.0]


def test_a_bidder_keeps_one_spelling_across_lots():
    att, _ = run(lots_frame(("PQ-01", 10), ("PQ-02", 10)), {"PQ": rule()},
                 offers_frame(("PQ-01", "Volcans Compétences", 80),
                              ("PQ-02", "VOLCANS competences", 80)))
    assert list(att.rows["titulaire"]) == ["Volcans Compétences"] * 2
    assert list(att.holders["nb_lots"]) == [2]


def test_lot_without_any_bid_gets_a_placeholder_row_and_a_warning():
    att, report = run(lots_frame(("PQ-01", 10), ("PQ-02", 8)), {"PQ": rule(attributaires=2)},
                      offers_frame(("PQ-01", "A", 80), ("PQ-01", "B", 70)))
    rows = lot_rows(att, "PQ-02")
    assert list(rows["titulaire"]) == [NO_BID] and rows["placeholder"].all()
    assert rows["rang"][0] is None and list(rows["places"]) == [8]
    assert list(rows["part"]) == [100.0]
    assert codes(report) == [("attributaires-insuffisants", "Avertissement", None, "N° lot")]
    assert report.problems[0].value == "PQ-02"
    assert report.problems[0].message.startswith("Le lot « PQ-02 » n'a reçu aucune offre")


def test_fewer_holders_than_attributaires_warns_and_lists_only_the_holders():
    att, report = run(lots_frame(("PQ-01", 10)), {"PQ": rule(attributaires=3)},
                      offers_frame(("PQ-01", "A", 80)))
    assert list(att.rows["titulaire"]) == ["A"] and list(att.rows["part"]) == [100.0]
    assert report.problems[0].message == (
        "Le lot « PQ-01 » n'a que 1 attributaire(s) pour 3 prévu(s) (seulement 1 offre(s) "
        "reçue(s)) : ajoutez des offres, relevez « Lots max par titulaire » ou réduisez "
        "« Attributaires » dans Règles.")


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        attribute(lots_frame(("PQ-01", 1)), {"PQ": rule()}, None, "au hasard", Report())


# --------------------------------------------------------------------------- the two rules


def test_importance_decroissante_serves_the_largest_lot_first():
    lots = lots_frame(("PQ-01", 10, 100_000.0), ("PQ-02", 10, 300_000.0))
    offers = offers_frame(("PQ-01", "X", 90), ("PQ-01", "Y", 50),
                          ("PQ-02", "X", 80), ("PQ-02", "Y", 70))
    att, _ = run(lots, {"PQ": rule(lots_max=1)}, offers, DECREASING)
    assert list(att.rows["titulaire"]) == ["Y", "X"]
    opt, _ = run(lots, {"PQ": rule(lots_max=1)}, offers, OPTIMAL)
    assert list(opt.rows["titulaire"]) == ["X", "Y"]
    comp = opt.comparison.set_index("regle")
    assert comp.loc[DECREASING, "note_totale"] == 130.0
    assert comp.loc[OPTIMAL, "note_totale"] == 160.0
    assert list(comp["retenue"]) == [False, True]


def test_optimale_fills_more_slots_and_the_comparison_shows_it():
    lots = lots_frame(("PQ-01", 10, 300_000.0), ("PQ-02", 10, 100_000.0))
    offers = offers_frame(("PQ-01", "X", 90), ("PQ-01", "Y", 80), ("PQ-02", "X", 70))
    att, report = run(lots, {"PQ": rule(lots_max=1)}, offers, DECREASING)
    assert list(att.rows["titulaire"]) == ["X", CAPPED_OUT]
    assert "ont atteint « Lots max par titulaire » (1)" in report.problems[0].message
    opt, report = run(lots, {"PQ": rule(lots_max=1)}, offers, OPTIMAL)
    assert list(opt.rows["titulaire"]) == ["Y", "X"] and report.problems == []
    comp = opt.comparison
    assert list(comp["places_pourvues"]) == [1, 2]
    assert list(comp["note_totale"]) == [90.0, 150.0]
    assert list(comp["titulaires_par_lot"]) == [0.5, 1.0]


def test_rules_apply_per_dispositif():
    lots = lots_frame(("PQ-01", 10), ("AOF-01", 10))
    offers = offers_frame(("PQ-01", "X", 90), ("AOF-01", "X", 90))
    att, _ = run(lots, {"PQ": rule(lots_max=1), "AOF": rule("AOF", lots_max=1)}, offers)
    assert list(att.rows["lot"]) == ["AOF-01", "PQ-01"]
    assert list(att.rows["titulaire"]) == ["X", "X"]
    assert list(att.comparison["dispositif"]) == ["PQ", "PQ", "AOF", "AOF"]


def test_holders_table_and_hhi():
    lots = lots_frame(("PQ-01", 30, None, 300.0, 300.0), ("PQ-02", 10, None, 100.0, 100.0))
    offers = offers_frame(("PQ-01", "A", 80), ("PQ-02", "B", 80))
    att, _ = run(lots, {"PQ": rule()}, offers)
    h = att.holders
    assert list(h.columns) == ["titulaire", "nb_lots", "places", "hours", "montant",
                               "part_total"]
    assert list(h["titulaire"]) == ["A", "B"] and list(h["part_total"]) == [75.0, 25.0]
    assert att.hhi == {"PQ": 6250.0, "Total": 6250.0}


def test_optimal_lp_matches_the_exact_milp_on_a_larger_instance():
    rng = np.random.default_rng(7)
    n_lots, n_bidders, per_lot = 40, 12, 6
    lot_idx = np.repeat(np.arange(n_lots), per_lot)
    bidder_idx = np.concatenate([rng.choice(n_bidders, per_lot, replace=False)
                                 for _ in range(n_lots)])
    notes = rng.integers(50, 60, len(lot_idx)) / 2.0
    ranks = np.tile(np.arange(1, per_lot + 1), n_lots).astype(float)
    got = optimal_selection(lot_idx, bidder_idx, notes, ranks, 3, 6)
    a = np.zeros((n_lots + n_bidders, len(lot_idx)))
    a[lot_idx, np.arange(len(lot_idx))] = 1
    a[n_lots + bidder_idx, np.arange(len(lot_idx))] = 1
    b = np.r_[np.full(n_lots, 3.0), np.full(n_bidders, 6.0)]
    want = _milp_selection(a, b, notes, ranks)
    assert got.sum() == want.sum() == 72
    assert notes[got].sum() == pytest.approx(notes[want].sum(), abs=1e-9)
    assert ranks[got].sum() == ranks[want].sum()


@pytest.mark.skipif(not (ACCEPTANCE / "A2_offres.xlsx").exists(), reason="no acceptance kit")
def test_acceptance_a2_optimum_tie_and_capacities():
    openpyxl = pytest.importorskip("openpyxl")
    expected = json.loads((ACCEPTANCE / "A2_offres.expected.json").read_text("utf-8"))
    lots = pd.DataFrame([{"lot": x["lot"], "dispositif": "PQ", "places": int(x["places"]),
                          "hours": x["hours"], "montant": x["montant_estime"],
                          "montant_max": x["montant_estime"] * 1.2} for x in expected["lots"]])
    sheet = openpyxl.load_workbook(ACCEPTANCE / "A2_offres.xlsx", read_only=True)["Offres"]
    offers = offers_frame(*[(r[0], r[1], r[2], r[3], r[4])
                            for r in list(sheet.iter_rows(values_only=True))[1:]])
    pq = {"PQ": rule(attributaires=3, repartition="prorata", lots_max=4)}
    att, _ = run(lots, pq, offers, OPTIMAL)
    real = att.rows[~att.rows["placeholder"]]
    assert len(real) == expected["optimum"]["slots"]
    assert real["note"].sum() == pytest.approx(expected["optimum"]["total_note"], abs=1e-6)
    tie = lot_rows(att, expected["tie"]["lot"]).set_index("titulaire")["rang"]
    assert tie[expected["tie"]["better"]] < tie[expected["tie"]["worse"]]
    for cap in expected["capacities"]:
        row = real[(real["lot"] == cap["lot"]) & (real["titulaire"] == cap["candidat"])]
        assert (row["places"] <= cap["capacite"]).all()


# --------------------------------------------------------------------------- properties

NOTES = st.sampled_from([50.0, 60.0, 60.5, 72.3, 80.0, 91.5])


@st.composite
def instances(draw):
    n_lots = draw(st.integers(1, 4))
    n_bidders = draw(st.integers(1, 4))
    lots = []
    for i in range(n_lots):
        places = draw(st.integers(0, 60))
        hours = draw(st.sampled_from([places * 450.0, places * 37.5, 1234.56, 0.0]))
        montant = draw(st.sampled_from([hours * 11.5, 9999.99, 0.0, 100.0 / 3]))
        lots.append((f"PQ-{i + 1:02d}", places, draw(st.sampled_from([1e5, 2e5, 3e5])),
                     hours, montant))
    bids = []
    for i in range(n_lots):
        for j in range(n_bidders):
            if draw(st.booleans()):
                bids.append((f"PQ-{i + 1:02d}", f"Organisme {j}", draw(NOTES),
                             draw(st.sampled_from([None, 10.0, 12.5])),
                             draw(st.sampled_from([None, None, 0, 3, 10]))))
    the_rule = rule(attributaires=draw(st.integers(1, 3)),
                    repartition=draw(st.sampled_from(["cascade", "prorata", "parts égales",
                                                      "rotation"])),
                    lots_max=draw(st.sampled_from([None, 1, 2, 3])))
    return lots_frame(*lots), offers_frame(*bids), the_rule


def brute_force(lot_idx, bidder_idx, notes, ranks, k, lots_max):
    """(slots, total Note ×10, lowest rank sum) over every subset of bids."""
    n = len(lot_idx)
    masks = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    ok = np.ones(len(masks), dtype=bool)
    for lot in set(lot_idx):
        ok &= masks[:, lot_idx == lot].sum(axis=1) <= k
    for who in set(bidder_idx):
        ok &= masks[:, bidder_idx == who].sum(axis=1) <= (lots_max or n)
    masks = masks[ok]
    masks = masks[masks.sum(axis=1) == masks.sum(axis=1).max()]
    tenths = masks @ np.round(np.asarray(notes) * 10).astype(int)
    masks = masks[tenths == tenths.max()]
    return int(masks[0].sum()), int(tenths.max()), int((masks @ ranks).min())


SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances(), st.sampled_from([DECREASING, OPTIMAL]))
def test_shares_volumes_and_caps_hold(instance, mode):
    lots, offers, the_rule = instance
    att, _ = run(lots, {"PQ": the_rule}, offers, mode)
    caps = {(r.lot, r.candidat): r.capacite for r in offers.itertuples()}
    for lot in lots.itertuples():
        rows = lot_rows(att, lot.lot)
        assert len(rows) >= 1
        assert sum(rows["part"]) == pytest.approx(100.0, abs=1e-9)
        assert sum(rows["places"]) == lot.places and (rows["places"] >= 0).all()
        assert math.fsum(rows["hours"]) == pytest.approx(lot.hours, abs=1e-6)
        assert math.fsum(rows["montant"]) == pytest.approx(lot.montant, abs=1e-6)
        real = rows[~rows["placeholder"]]
        assert len(real) <= the_rule.attributaires
        assert list(real["rang"]) == list(range(1, len(real) + 1))
        for r in real.itertuples():
            cap = caps[(lot.lot, r.titulaire)]
            assert math.isnan(cap) or r.places <= cap
    real = att.rows[~att.rows["placeholder"]]
    if the_rule.lots_max is not None:
        assert (real.groupby(real["titulaire"].map(fold))["lot"].nunique()
                <= the_rule.lots_max).all()
    if len(real):
        assert sum(att.holders["part_total"]) == pytest.approx(100.0, abs=1e-9)
        assert att.holders["places"].sum() == real["places"].sum()


@SETTINGS
@given(instances())
def test_optimale_is_never_worse_and_equals_the_brute_force_optimum(instance):
    lots, offers, the_rule = instance
    att, _ = run(lots, {"PQ": the_rule}, offers, OPTIMAL)
    if offers.empty:  # no bid yet: the planned structure, nothing to compare
        assert att.comparison is None
        return
    comp = att.comparison.set_index("regle")
    best = (comp.loc[OPTIMAL, "places_pourvues"], comp.loc[OPTIMAL, "note_totale"])
    greedy = (comp.loc[DECREASING, "places_pourvues"], comp.loc[DECREASING, "note_totale"])
    assert best >= greedy
    lot_idx = offers["lot"].map(lambda x: int(x[-2:])).to_numpy()
    bidder_idx = offers["candidat"].map(lambda x: int(x[-1])).to_numpy()
    slots, tenths, _ = brute_force(lot_idx, bidder_idx, offers["note"].to_numpy(),
                                   np.ones(len(offers), dtype=int), the_rule.attributaires,
                                   the_rule.lots_max)
    assert best[0] == slots and round(best[1] * 10) == tenths
    real = att.rows[~att.rows["placeholder"]]
    assert len(real) == slots and round(real["note"].sum() * 10) == tenths


@SETTINGS
@given(st.data())
def test_optimal_selection_equals_brute_force_including_the_rank_tie_break(data):
    n_lots, n_bidders = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    pairs = [(i, j) for i in range(n_lots) for j in range(n_bidders) if data.draw(st.booleans())]
    if not pairs:
        return
    lot_idx = np.array([i for i, _ in pairs])
    bidder_idx = np.array([j for _, j in pairs])
    notes = np.array([data.draw(st.sampled_from([60.0, 60.5, 61.0])) for _ in pairs])
    ranks = np.zeros(len(pairs), dtype=int)
    for lot in range(n_lots):
        idx = np.flatnonzero(lot_idx == lot)
        ranks[idx] = data.draw(st.permutations(range(1, len(idx) + 1)))
    k = data.draw(st.integers(1, 3))
    lots_max = data.draw(st.sampled_from([None, 1, 2, 3]))
    mask = optimal_selection(lot_idx, bidder_idx, notes, ranks, k, lots_max)
    got = (int(mask.sum()), int(round(notes[mask].sum() * 10)), int(ranks[mask].sum()))
    assert got == brute_force(lot_idx, bidder_idx, notes, ranks, k, lots_max)
    greedy = decreasing_selection(lot_idx, bidder_idx, ranks, np.arange(n_lots), k, lots_max)
    assert (greedy.sum(), notes[greedy].sum()) <= (mask.sum(), notes[mask].sum() + 1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["PQ", "AOF", "CREA"]),
                          st.integers(0, 5000),
                          st.one_of(st.integers(0, 10**7).map(lambda c: c / 100),
                                    st.floats(0, 1e6, allow_nan=False)),
                          st.one_of(st.integers(0, 10**11).map(lambda c: c / 100),
                                    st.floats(0, 1e9, allow_nan=False))),
                max_size=30),
       st.sampled_from(["cascade", "prorata", "parts égales", "rotation"]),
       st.integers(0, 6), st.integers(1, 4))
def test_planned_table_equals_the_rows_lot_by_lot(specs, repartition, k1, k2):
    """Without bids, the column-wise planned table holds exactly the rows `_planned_rows`
    gives lot by lot (places, Part %, hours and amounts to the cent, same dtypes)."""
    from allot_xl.engine.attribution import ROW_COLUMNS, Lot, _frame, _planned_rows, _planned_table
    rules = {"PQ": rule("PQ", attributaires=k1, repartition=repartition),
             "AOF": rule("AOF", attributaires=k2, repartition="parts égales"),
             "CREA": rule("CREA", attributaires=k2, repartition="cascade")}
    lots = [Lot(f"{code}-{i:02d}", code, places, hours, montant, montant * 1.2)
            for i, (code, places, hours, montant) in enumerate(specs, 1)]
    expected = _frame([r for x in lots for r in _planned_rows(x, rules[x.dispositif])],
                      ROW_COLUMNS)
    pd.testing.assert_frame_equal(_planned_table(lots, rules), expected, check_exact=True)
