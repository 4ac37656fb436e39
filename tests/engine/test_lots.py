"""The contract's steps 2–7 (homogenise, cap, group, merge, split, number, price) on small
hand-made workbooks, each regenerated for real and passed through the acceptance checker."""

from __future__ import annotations

import openpyxl
import pytest

from workbooks import (
    ZONES_DEFAULT,
    affectation,
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


def table(out, *cols: str) -> list[tuple]:
    """`Lots` rows as tuples of (N° lot, *cols), in sheet order."""
    return [(r["N° lot"], *(r[c] for c in cols)) for r in sheet_rows(out, "Lots")]


def motifs(out) -> dict[str, tuple]:
    """ID besoin -> (N° lot, Motif, Places, Heures rounded to the cent of an hour)."""
    return {str(r["ID besoin"]): (r["N° lot"], r["Motif"], r["Places"], round(r["Heures"], 2))
            for r in sheet_rows(out, "Affectation")}


# --------------------------------------------------------------------------- homogenise


def test_places_only_hours_only_and_both(tmp_path) -> None:
    out = allot(tmp_path, [need("p", "AOF", "Belley", places=10),
                           need("h", "AOF", "Plaine de l'Ain", hours=810),
                           need("x", "AOF", "Vichy", hours=800),
                           need("b", "AOF", "Moulins", places=10, hours=1000)])
    assert {k: v[2:] for k, v in motifs(out).items()} == {
        "p": (10, 800), "h": (11, 810), "x": (10, 800), "b": (10, 1000)}


@pytest.mark.parametrize(("hours", "tolerance", "warned"), [
    (1000, None, False),  # 100 h a place: 25 % off 80, not past the default 25 %
    (1100, None, True),   # 110 h: 37.5 %
    (600, None, False),   # 60 h: 25 %
    (590, None, True),
    (1100, 40, False),
])
def test_tolerance_warning(tmp_path, hours: int, tolerance, warned: bool) -> None:
    rules = [rule("AOF", tolerance=tolerance)]
    out = allot(tmp_path, [need("a", "AOF", "Belley", places=10, hours=hours)], rules=rules)
    assert motifs(out)["a"][2:] == (10, hours)  # both kept as given
    expected = [("Besoins", 2, "Heures", "tolerance-depassee")] if warned else []
    assert [c for c in controles(out, "Avertissement") if c[0] == "Besoins"] == expected


def test_capping_to_outlets(tmp_path) -> None:
    out = allot(tmp_path, [
        need("c", "PQ", "Belley", places=14, debouches=9, domaine="Hôtellerie-restauration"),
        need("h", "PQ", "Vichy", hours=4000, debouches=3, domaine="Industrie"),
        need("ok", "PQ", "Vichy", places=4, debouches=10, domaine="Industrie"),
        need("z", "PQ", "Moulins", places=5, debouches=0, domaine="Industrie"),
        need("n", "PQ", "Moulins", places=5, domaine="Industrie"),
    ])
    got = motifs(out)
    assert got["c"] == ("PQ-01", "plafonné", 9, 4050)
    assert got["h"][1:] == ("plafonné", 3, 1333.33)
    assert got["ok"][1:] == ("direct", 4, 1800)
    assert got["n"][1:] == ("direct", 5, 2250)
    assert "z" not in got  # 0 outlets: excluded, and warned
    assert ("Besoins", 5, "Débouchés", "debouches-nuls") in controles(out, "Avertissement")


def test_no_capping_unless_the_rule_says_so(tmp_path) -> None:
    out = allot(tmp_path, [need("c", "PQ", "Belley", places=14, debouches=0,
                                domaine="Industrie")], rules=[rule("PQ", plafonner="non")])
    assert motifs(out)["c"] == ("PQ-01", "direct", 14, 6300)


# --------------------------------------------------------------------------- group


def test_grouped_by_maille_with_zone_attributes(tmp_path) -> None:
    out = allot(tmp_path, [
        need(1, "PSP", "Belley", hours=900, domaine="Concours"),
        need(2, "PSP", "Belley", hours=900, domaine="Concours"),
        need(3, "PSP", "Belley", hours=900, domaine="Langues"),
        need(4, "CREA", "Belley", places=3), need(5, "CREA", "Plaine de l'Ain", places=4),
        need(6, "CREA", "Vichy", places=5),
    ])
    assert table(out, "Clé", "Nb besoins", "Heures") == [
        ("PSP-01", "PSP | Zone=Belley | Domaine=Concours", 2, 1800),
        ("PSP-02", "PSP | Zone=Belley | Domaine=Langues", 1, 900),
        ("CREA-01", "CREA | Territoire=Ain Sud", 2, 840),
        ("CREA-02", "CREA | Territoire=Allier Est", 1, 600),
    ]
    assert {m[1] for m in motifs(out).values()} == {"direct"}


# --------------------------------------------------------------------------- merge


def test_voisines_merges_only_with_a_neighbour(tmp_path) -> None:
    """Belley lists Plaine de l'Ain; Bourg-en-Bresse is listed by Plaine only; Montluçon has
    no neighbour."""
    out = allot(tmp_path, [
        need("b", "AOF", "Belley", hours=400), need("p", "AOF", "Plaine de l'Ain", hours=2000),
        need("g", "AOF", "Bourg-en-Bresse", hours=300), need("m", "AOF", "Montluçon", hours=100),
        need("v", "AOF", "Vichy", hours=5000),
    ], rules=[rule("AOF", vmin=1000)])
    assert table(out, "Clé", "Heures") == [
        ("AOF-01", "AOF | Zone=Belley + Bourg-en-Bresse + Plaine de l'Ain", 2700),
        ("AOF-02", "AOF | Zone=Montluçon", 100),
        ("AOF-03", "AOF | Zone=Vichy", 5000),
    ]
    assert lots(out)["AOF-02"]["Statut"].startswith("Sous le minimum")
    assert motifs(out)["b"][1] == "regroupé" and motifs(out)["v"][1] == "direct"


def test_voisines_relation_is_symmetric(tmp_path) -> None:
    """Bourg-en-Bresse lists no neighbour, but Plaine de l'Ain lists it."""
    out = allot(tmp_path, [need("g", "AOF", "Bourg-en-Bresse", hours=300),
                           need("p", "AOF", "Plaine de l'Ain", hours=2000)],
                rules=[rule("AOF", vmin=1000)])
    assert table(out, "Clé") == [("AOF-01", "AOF | Zone=Bourg-en-Bresse + Plaine de l'Ain")]


def test_voisines_takes_the_smallest_neighbour_with_the_same_other_components(tmp_path) -> None:
    zones = [{**z, "Voisines": "Belley; Bourg-en-Bresse"} if z["Zone"] == "Plaine de l'Ain"
             else z for z in ZONES_DEFAULT]
    out = allot(tmp_path, [
        need("p", "PSP", "Plaine de l'Ain", hours=500, domaine="Concours"),
        need("b", "PSP", "Belley", hours=3000, domaine="Concours"),
        need("g", "PSP", "Bourg-en-Bresse", hours=2500, domaine="Concours"),
        need("x", "PSP", "Belley", hours=2200, domaine="Langues"),  # smaller, other domaine
    ], zones=zones, rules=[rule("PSP", vmin=2000)])
    assert table(out, "Clé", "Heures") == [
        ("PSP-01", "PSP | Zone=Belley | Domaine=Concours", 3000),
        ("PSP-02", "PSP | Zone=Belley | Domaine=Langues", 2200),
        ("PSP-03", "PSP | Zone=Bourg-en-Bresse + Plaine de l'Ain | Domaine=Concours", 3000),
    ]


def test_voisines_repeats_while_a_merge_is_possible(tmp_path) -> None:
    out = allot(tmp_path, [need("b", "AOF", "Belley", hours=300),
                           need("p", "AOF", "Plaine de l'Ain", hours=300),
                           need("g", "AOF", "Bourg-en-Bresse", hours=300)],
                rules=[rule("AOF", vmin=800)])
    assert table(out, "Heures", "Statut", "Mini-lot") == [("AOF-01", 900, "Conforme", "oui")]


def test_territoire_merges_within_the_territoire_first(tmp_path) -> None:
    """Belley (4) joins Plaine de l'Ain (30, same territoire), not the smaller Bourg (12)."""
    out = allot(tmp_path, [need("b", "CREA", "Belley", places=4),
                           need("p", "CREA", "Plaine de l'Ain", places=30),
                           need("g", "CREA", "Bourg-en-Bresse", places=12)],
                rules=[rule("CREA", maille="Zone", vmin=10)])
    assert table(out, "Clé", "Places") == [
        ("CREA-01", "CREA | Zone=Belley + Plaine de l'Ain", 34),
        ("CREA-02", "CREA | Zone=Bourg-en-Bresse", 12),
    ]


def test_territoire_goes_to_the_departement_when_the_group_has_no_partner_there(tmp_path) -> None:
    """Bresse holds 3 places in all: Bourg joins a group of département 01, its neighbour
    Plaine de l'Ain rather than the smaller Belley (neighbours first at each level).
    Allier Est (Vichy, 3) has no partner within reach (Montluçon lists no neighbour): it
    stays alone and says so (contract v3), never joining a group of 01."""
    out = allot(tmp_path, [need("g", "CREA", "Bourg-en-Bresse", places=3),
                           need("b", "CREA", "Belley", places=12),
                           need("p", "CREA", "Plaine de l'Ain", places=30),
                           need("v", "CREA", "Vichy", places=3),
                           need("m", "CREA", "Montluçon", places=20)],
                rules=[rule("CREA", maille="Zone", vmin=10)])
    assert table(out, "Clé", "Places") == [
        ("CREA-01", "CREA | Zone=Belley", 12),
        ("CREA-02", "CREA | Zone=Bourg-en-Bresse + Plaine de l'Ain", 33),
        ("CREA-03", "CREA | Zone=Montluçon", 20),
        ("CREA-04", "CREA | Zone=Vichy", 3),
    ]
    assert lots(out)["CREA-04"]["Statut"] == (
        "Sous le minimum (3 < 10 places ; aucun lot à portée : le plus proche, Montluçon, non "
        "relié par les voisines (Sauts max 2))")


def test_territoire_never_leaps_across_the_region_when_the_whole_departement_is_small(
        tmp_path) -> None:
    """Contract v3: no région-wide fallback. Allier Est's 5 places stay together, under the
    minimum, rather than join Belley far away (contract v2 made Belley + Moulins + Vichy)."""
    out = allot(tmp_path, [need("v", "CREA", "Vichy", places=3),
                           need("m", "CREA", "Moulins", places=2),
                           need("b", "CREA", "Belley", places=12),
                           need("p", "CREA", "Plaine de l'Ain", places=30)],
                rules=[rule("CREA", maille="Zone", vmin=10)])
    assert table(out, "Clé", "Places") == [
        ("CREA-01", "CREA | Zone=Belley", 12),
        ("CREA-02", "CREA | Zone=Moulins + Vichy", 5),
        ("CREA-03", "CREA | Zone=Plaine de l'Ain", 30),
    ]
    assert "aucun lot à portée" in lots(out)["CREA-02"]["Statut"]


def test_territoire_never_crosses_regions(tmp_path) -> None:
    zones = [{**z, "Région": "Bourgogne"} if z["Département"] == "03" else z
             for z in ZONES_DEFAULT]
    out = allot(tmp_path, [need("v", "CREA", "Vichy", places=3),
                           need("b", "CREA", "Belley", places=12)],
                zones=zones, rules=[rule("CREA", maille="Zone", vmin=10)])
    assert table(out, "Clé", "Places") == [("CREA-01", "CREA | Zone=Belley", 12),
                                           ("CREA-02", "CREA | Zone=Vichy", 3)]
    assert lots(out)["CREA-02"]["Statut"].startswith("Sous le minimum")


def test_territoire_keeps_other_components_apart(tmp_path) -> None:
    """Belley/Industrie (5) has no Industrie partner in Ain Sud (Commerce is another key):
    per group, it looks in its département and joins Bresse/Industrie, never Commerce."""
    out = allot(tmp_path, [need(1, "PQ", "Belley", places=5, domaine="Industrie"),
                           need(2, "PQ", "Plaine de l'Ain", places=20, domaine="Commerce"),
                           need(3, "PQ", "Bourg-en-Bresse", places=20, domaine="Industrie")],
                rules=[rule("PQ", vmin=12)])
    assert table(out, "Clé", "Places") == [
        ("PQ-01", "PQ | Territoire=Ain Sud + Bresse | Domaine=Industrie", 25),
        ("PQ-02", "PQ | Territoire=Ain Sud | Domaine=Commerce", 20),
    ]


def test_territoire_small_territoire_joins_its_departement_same_domaine(tmp_path) -> None:
    out = allot(tmp_path, [need(1, "PQ", "Belley", places=5, domaine="Industrie"),
                           need(2, "PQ", "Plaine de l'Ain", places=5, domaine="Commerce"),
                           need(3, "PQ", "Bourg-en-Bresse", places=20, domaine="Industrie")],
                rules=[rule("PQ", vmin=12)])
    assert table(out, "Clé", "Places") == [  # in Clé order: ' + ' sorts before ' | '
        ("PQ-01", "PQ | Territoire=Ain Sud + Bresse | Domaine=Industrie", 25),
        ("PQ-02", "PQ | Territoire=Ain Sud | Domaine=Commerce", 5),
    ]


def test_aucun_only_flags(tmp_path) -> None:
    out = allot(tmp_path, [need("v", "CREA", "Vichy", places=3),
                           need("m", "CREA", "Moulins", places=2)],
                rules=[rule("CREA", maille="Zone", vmin=10, regroupement="aucun")])
    assert [(n, s.split(" ;")[0]) for n, s in table(out, "Statut")] == [
        ("CREA-01", "Sous le minimum (2 < 10 places"),
        ("CREA-02", "Sous le minimum (3 < 10 places")]
    assert [c[3] for c in controles(out, "Avertissement")].count("lot-hors-bornes") == 2


# --------------------------------------------------------------------------- split


def test_split_into_the_fewest_parts_needs_whole(tmp_path) -> None:
    needs = [need(f"n{i}", "PQ", "Belley" if i % 2 else "Plaine de l'Ain", places=p,
                  domaine="Industrie") for i, p in enumerate([20, 16, 12, 12, 12, 12, 12])]
    out = allot(tmp_path, needs, rules=[rule("PQ", vmin=12, vmax=80)])
    rows = table(out, "Clé", "Places", "Statut")
    assert [r[1] for r in rows] == [f"PQ | Territoire=Ain Sud | Domaine=Industrie | Partie={i}/2"
                                    for i in (1, 2)]
    assert sum(r[2] for r in rows) == 96 and all(r[2] <= 80 for r in rows)
    assert {r[3] for r in rows} == {"Conforme"}
    assert {m[1] for m in motifs(out).values()} == {"scindé"}


def test_split_parts_are_balanced(tmp_path) -> None:
    needs = [need(i, "AOF", "Belley", hours=1000) for i in range(10)]
    out = allot(tmp_path, needs, rules=[rule("AOF", vmax=4000)])
    assert sorted(h for _, h in table(out, "Heures")) == [3000, 3000, 4000]


def test_split_keeps_each_zone_together_where_possible(tmp_path) -> None:
    needs = [need("v1", "CREA", "Vichy", places=50), need("m1", "CREA", "Moulins", places=40),
             need("v2", "CREA", "Vichy", places=30), need("m2", "CREA", "Moulins", places=36)]
    out = allot(tmp_path, needs, rules=[rule("CREA", vmax=120)])
    assert table(out, "Zone(s)", "Places") == [("CREA-01", "Vichy", 80),
                                               ("CREA-02", "Moulins", 76)]


def test_a_lone_giant_need_is_a_lot_of_its_own_flagged(tmp_path) -> None:
    out = allot(tmp_path, [need("g", "AOF", "Belley", hours=50000),
                           need("s", "AOF", "Belley", hours=2000),
                           need("t", "AOF", "Belley", hours=3000)],
                rules=[rule("AOF", vmax=10000)])
    rows = table(out, "Heures", "Statut")
    # French numbers in every message and status (no unseparated thousands)
    assert rows[0][1:] == (50000, "Au-dessus du maximum (50\u00a0000 > 10\u00a0000 h ; "
                                  "besoin indivisible)")
    assert rows[1][1:] == (5000, "Conforme")
    assert len(rows) == 2
    assert ("Lots", None, "N° lot", "lot-hors-bornes") in controles(out, "Avertissement")


# --------------------------------------------------------------------------- number


def test_numbers_follow_the_cle_without_case_or_accents(tmp_path) -> None:
    domains = ["Hôtellerie", "Énergie", "Commerce", "agriculture", "Zinguerie", "électricité"]
    out = allot(tmp_path, [need(i, "PQ", "Belley", places=12, domaine=d)
                           for i, d in enumerate(domains)])
    assert [(n, c.rsplit("=", 1)[1]) for n, c in table(out, "Clé")] == [
        ("PQ-01", "agriculture"), ("PQ-02", "Commerce"), ("PQ-03", "électricité"),
        ("PQ-04", "Énergie"), ("PQ-05", "Hôtellerie"), ("PQ-06", "Zinguerie")]


def test_numbers_go_past_99(tmp_path) -> None:
    out = allot(tmp_path, [need(i, "PQ", "Belley", places=1, domaine=f"D{i:03d}")
                           for i in range(101)])
    numbers = [n for n, in table(out)]
    assert numbers[:2] == ["PQ-01", "PQ-02"] and numbers[98:] == ["PQ-99", "PQ-100", "PQ-101"]


def test_split_parts_in_numeric_order(tmp_path) -> None:
    out = allot(tmp_path, [need(i, "AOF", "Belley", hours=1000) for i in range(12)],
                rules=[rule("AOF", vmax=1000)])
    assert [(n, c.rsplit("=", 1)[1]) for n, c in table(out, "Clé")] == [
        (f"AOF-{i:02d}", f"{i}/12") for i in range(1, 13)]


def test_previous_numbers_are_kept_and_vanished_ones_never_reused(tmp_path) -> None:
    previous = [("PQ-01", "PQ | Territoire=Ain Sud | Domaine=Commerce"),
                ("PQ-02", "PQ | Territoire=Ain Sud | Domaine=Bâtiment"),
                ("PQ-07", "PQ | Territoire=Ain Sud | Domaine=Disparu"),
                ("AOF-03", "AOF | Zone=Belley")]
    out = allot(tmp_path, [
        need(1, "PQ", "Belley", places=12, domaine="Zinc"),
        need(2, "PQ", "Belley", places=12, domaine="Agriculture"),
        need(3, "PQ", "Belley", places=12, domaine="commerce"),
        need(4, "AOF", "Vichy", hours=800), need(5, "AOF", "Belley", hours=800),
    ], lots=previous)
    assert table(out, "Clé") == [
        ("AOF-03", "AOF | Zone=Belley"),
        ("AOF-04", "AOF | Zone=Vichy"),
        ("PQ-01", "PQ | Territoire=Ain Sud | Domaine=commerce"),  # Clé compared folded
        ("PQ-08", "PQ | Territoire=Ain Sud | Domaine=Agriculture"),
        ("PQ-09", "PQ | Territoire=Ain Sud | Domaine=Zinc"),
    ]


def test_regenerating_the_output_keeps_every_number(tmp_path) -> None:
    needs = [need(i, "PQ", z, places=30, domaine=d) for i, (z, d) in enumerate(
        [("Belley", "Industrie"), ("Vichy", "Commerce"), ("Moulins", "Énergie")])]
    out = allot(tmp_path, needs, rules=[rule("PQ", vmax=40)])
    first = table(out, "Clé")
    wb = openpyxl.load_workbook(out)
    wb["Besoins"].delete_rows(3)  # Vichy/Commerce vanishes
    wb["Besoins"].append([9, "PQ", "Montluçon", "Bâtiment", 20])
    wb.save(tmp_path / "edited.xlsx")
    again = regenerate(tmp_path / "edited.xlsx")
    assert oracle(tmp_path / "edited.xlsx", again) == []
    assert table(again, "Clé") == [first[0], first[2], ("PQ-04", "PQ | Territoire=Allier Ouest"
                                                                  " | Domaine=Bâtiment")]


def test_lot_impose_joins_that_lot_whatever_its_key(tmp_path) -> None:
    previous = [("PQ-01", "PQ | Territoire=Ain Sud | Domaine=Commerce")]
    out = allot(tmp_path, [need(1, "PQ", "Belley", places=12, domaine="Commerce"),
                           need(2, "PQ", "Vichy", places=15, domaine="Agriculture", lot="pq-01"),
                           need(3, "PQ", "Vichy", places=20, domaine="Agriculture")],
                lots=previous)
    assert motifs(out) == {"1": ("PQ-01", "direct", 12, 5400),
                           "2": ("PQ-01", "imposé", 15, 6750),
                           "3": ("PQ-02", "direct", 20, 9000)}
    assert table(out, "Places", "Nb besoins", "Statut")[0] == (
        "PQ-01", 27, 2, "1 besoin imposé")


# --------------------------------------------------------------------------- price


def test_amounts_and_small_lots(tmp_path) -> None:
    out = allot(tmp_path, [need("a", "AOF", "Belley", hours=5000),    # 70 000 €
                           need("b", "AOF", "Vichy", hours=5714.29),  # 80 000.06 €
                           need("c", "AOF", "Moulins", hours=1000)])  # 14 000 €: mini-lot
    assert table(out, "Montant estimé (€ HT)", "Montant maximum (€ HT)", "Petit lot",
                 "Statut") == [
        ("AOF-01", 70000, 84000, "non", "Conforme"),  # small on the maximum (R2121-8)
        ("AOF-02", 14000, 16800, "oui", "Conforme"),
        ("AOF-03", 80000.06, 96000.07, "non", "Conforme"),
    ]


def test_amounts_follow_parametres(tmp_path) -> None:
    params = [("Maximum bons de commande (%)", 150), ("Minimum bons de commande (%)", 10),
              ("Seuil petits lots (€ HT)", 50000)]
    out = allot(tmp_path, [need("a", "AOF", "Belley", hours=4000)], params=params)
    row = lots(out)["AOF-01"]
    assert (row["Montant estimé (€ HT)"], row["Montant maximum (€ HT)"],
            row["Montant minimum (€ HT)"], row["Petit lot"]) == (56000, 84000, 5600, "non")


def test_amount_is_hours_shown_times_rate(tmp_path) -> None:
    """Hours scaled by the cap are rounded once; the estimate is computed from them."""
    out = allot(tmp_path, [need("h", "PQ", "Vichy", hours=4000, debouches=3,
                                domaine="Industrie")])
    row = lots(out)["PQ-01"]
    assert row["Heures"] == 1333.33
    assert row["Montant estimé (€ HT)"] == pytest.approx(1333.33 * 9.5, abs=0.005)


def test_statut_flags_every_out_of_bounds_lot(tmp_path) -> None:
    out = allot(tmp_path, [need("s", "AOF", "Montluçon", hours=100),
                           need("g", "AOF", "Belley", hours=50000),
                           need("ok", "AOF", "Vichy", hours=5000)],
                rules=[rule("AOF", vmin=1000, vmax=10000)])
    status = dict(table(out, "Statut"))
    assert status["AOF-01"].startswith("Au-dessus du maximum")
    assert status["AOF-02"].startswith("Sous le minimum")
    assert status["AOF-03"] == "Conforme"
    affected = affectation(out)
    assert affected == {"g": "AOF-01", "s": "AOF-02", "ok": "AOF-03"}


def test_a_workbook_of_every_dispositif_passes_the_checker(tmp_path) -> None:
    path = make_workbook(tmp_path, [
        need(1, "AOF", "Belley", hours=16000), need(2, "AOF", "Plaine de l'Ain", hours=900),
        need(3, "PSP", "Plaine de l'Ain", places=17, hours=3000, domaine="Concours"),
        need(4, "PSP", "Belley", hours=900, domaine="Concours"),
        need(5, "CREA", "Vichy", places=80), need(6, "CREA", "Moulins", places=76),
        need(7, "PQ", "Belley", places=14, debouches=9, domaine="Hôtellerie-restauration"),
    ], rules=[rule("AOF", vmin=3000, vmax=30000), rule("PSP", vmin=2000, vmax=15000),
              rule("CREA", vmin=15, vmax=120), rule("PQ", vmin=12, vmax=80)])
    out = regenerate(path)
    assert oracle(path, out) == []
    assert table(out, "Clé", "Places", "Heures")[:2] == [
        ("AOF-01", "AOF | Zone=Belley + Plaine de l'Ain", 212, 16900),
        ("PSP-01", "PSP | Zone=Belley + Plaine de l'Ain | Domaine=Concours", 22, 3900)]
