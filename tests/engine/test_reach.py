"""Contract v3, step 4: merges stay within reach. On random zone graphs and needs, no lot joins
geographic units farther apart than `Sauts max` hops of `Voisines` (unless they are zones of
one territoire), volumes are conserved, and a group left under the minimum stays alone only
when no partner within reach exists. Distances are recomputed here, independently of the
engine (`grouping.Reach`)."""

from __future__ import annotations

import math
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allot_xl.engine import allot
from workbooks import make_workbook, need, oracle, read, regenerate, rule, sheet_rows

NAMES = [f"Z{i}" for i in range(9)]
GEO = ("Zone", "Territoire", "Département", "Région")
EXPLORE = int(os.environ.get("ALLOT_EXAMPLES", "0"))
SETTINGS = settings(max_examples=EXPLORE or 40, derandomize=not EXPLORE, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def campaigns(draw) -> dict:
    """Up to 9 zones on a random graph (a path plus random chords, sometimes none at all),
    territoires inside two départements, one rule, `Sauts max` 0–3 and up to 16 needs."""
    n = draw(st.integers(2, len(NAMES)))
    with_voisines = draw(st.integers(0, 4)) > 0
    edges = set()
    if with_voisines:
        edges |= {(i, i + 1) for i in range(n - 1) if draw(st.integers(0, 5)) > 0}
        for i, j in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                                  max_size=3)):
            if i != j:
                edges.add((min(i, j), max(i, j)))
    zones = []
    for i, z in enumerate(NAMES[:n]):
        t = draw(st.integers(0, 3))
        # one side lists the edge (the relation is symmetric)
        listed = [NAMES[b] for a, b in sorted(edges) if a == i]
        zones.append({"Zone": z, "Territoire": f"T{t}", "Département": "01" if t < 2 else "02",
                      "Voisines": "; ".join(listed) or None})
    unite = draw(st.sampled_from(["heures", "places"]))
    maille = draw(st.sampled_from(["Zone", "Zone + Domaine", "Territoire + Domaine",
                                   "Département"]))
    modes = (["voisines", "territoire", "pôle"] if maille.startswith("Zone")
             else ["territoire"])
    r = rule("AOF", maille=maille, unite=unite, hpp=100,
             vmin=draw(st.sampled_from([1000, 3000] if unite == "heures" else [10, 30])),
             vmax=draw(st.sampled_from([None, 6000] if unite == "heures" else [None, 60])),
             regroupement=draw(st.sampled_from(modes)))
    needs = [need(f"B{i}", "AOF", draw(st.sampled_from(NAMES[:n])),
                  places=draw(st.integers(1, 25)), domaine=draw(st.sampled_from(["A", "B"])))
             for i in range(draw(st.integers(1, 16)))]
    hops = draw(st.integers(0, 3))
    return {"zones": zones, "rules": [r], "needs": needs, "hops": hops}


def _distances(zones: list[dict], kind: str) -> dict[str, dict[str, int]] | None:
    """Hops between units of `kind` (None without any Voisines)."""
    unit = {z["Zone"]: z[kind] for z in zones}
    if not any(z["Voisines"] for z in zones):
        return None
    adj: dict[str, set[str]] = defaultdict(set)
    for z in zones:
        adj[unit[z["Zone"]]]
        for w in (z["Voisines"] or "").split("; "):
            if w and unit[w] != unit[z["Zone"]]:
                adj[unit[z["Zone"]]].add(unit[w])
                adj[unit[w]].add(unit[z["Zone"]])
    out = {}
    for s in adj:
        d, queue = {s: 0}, [s]
        for x in queue:
            for y in adj[x]:
                if y not in d:
                    d[y] = d[x] + 1
                    queue.append(y)
        out[s] = d
    return out


def _within(zone_names: set[str], zones: list[dict], kind: str, hops: int) -> bool:
    by = {z["Zone"]: z for z in zones}
    units = {by[z][kind] for z in zone_names}
    if len(units) <= 1:
        return True
    if kind == "Zone" and len({by[z]["Territoire"] for z in zone_names}) == 1:
        return True
    dist = _distances(zones, kind)
    if dist is None:
        return kind != "Département" and len({by[z]["Département"] for z in zone_names}) == 1
    return all(dist.get(a, {}).get(b, math.inf) <= hops for a in units for b in units)


@SETTINGS
@given(campaigns())
def test_lots_stay_within_reach(c: dict) -> None:
    zones, (r,), hops = c["zones"], c["rules"], c["hops"]
    kind = next(k for k in GEO if k in r["Maille"])
    with tempfile.TemporaryDirectory() as tmp:
        path = make_workbook(Path(tmp), c["needs"], zones=zones, rules=c["rules"],
                             params=[("Campagne", "Portée"), ("Sauts max", hops)])
        inputs, report = read(path)
        assert inputs.params.sauts_max == hops
        result = allot(inputs, report)
        if hops == 2:  # the checker knows the default reach only from Paramètres
            assert oracle(path, regenerate(path)) == []
    lots, aff = result.lots, result.affectation
    needs = result.needs[~result.needs["excluded"]].set_index("id")
    zone_of = needs["zone"].to_dict()
    members: dict[str, set[str]] = defaultdict(set)
    for x in aff.itertuples():
        members[x.lot].add(zone_of[x.id])
    # no lot joins units beyond reach
    for lot, zs in members.items():
        assert _within(zs, zones, kind, hops), (lot, sorted(zs))
    # volumes conserved
    assert math.isclose(lots["hours"].sum(), needs["hours"].sum(), abs_tol=0.01)
    assert lots["places"].sum() == needs["places"].sum()
    # a lot left under the minimum has no partner within reach: every other lot of its key
    # is out of reach (or, for voisines/pôle, not a neighbour), or a territoire/département
    # that makes its own lots keeps them (territoire)
    by = {z["Zone"]: z for z in zones}
    other = ["Domaine"] if "Domaine" in r["Maille"] else []
    key = {lot: tuple(sorted(set(needs.loc[aff[aff["lot"] == lot]["id"], "domaine"])))
           if other else () for lot in members}
    neighbours = {z["Zone"]: set() for z in zones}
    for z in zones:
        for w in (z["Voisines"] or "").split("; "):
            if w:
                neighbours[z["Zone"]].add(w)
                neighbours[w].add(z["Zone"])
    for x in lots.itertuples():
        if not x.below_min or r["Regroupement"] == "aucun" or "Partie=" in x.cle:
            continue
        for y in lots.itertuples():
            if y.lot == x.lot or key[y.lot] != key[x.lot] or "Partie=" in y.cle:
                continue
            union = members[x.lot] | members[y.lot]
            if not _within(union, zones, kind, hops):
                continue
            if r["Regroupement"] in ("voisines", "pôle"):
                assert not any(neighbours[a] & members[y.lot] for a in members[x.lot]), (
                    x.lot, y.lot)
            else:
                terrs = {by[z]["Territoire"] for z in union}
                deps = {by[z]["Département"] for z in union}
                assert len(terrs) > 1 or len(deps) > 1, (x.lot, y.lot)


def test_a_far_partner_is_refused_and_named(tmp_path: Path) -> None:
    """A chain Z0–Z1–Z2–Z3 of four territoires: Z0's small group does not join Z3's, three
    hops away; its Statut says « aucun lot à portée » and names Z3 with its hops. With
    `Sauts max` 3, the two form one lot."""
    zones = [{"Zone": f"Z{i}", "Territoire": f"T{i}", "Département": "01",
              "Voisines": f"Z{i + 1}" if i < 3 else None} for i in range(4)]
    needs = [need("a", "AOF", "Z0", places=5), need("b", "AOF", "Z3", places=6)]
    rules = [rule("AOF", maille="Zone", unite="places", hpp=100, vmin=10,
                  regroupement="territoire")]
    path = make_workbook(tmp_path, needs, zones=zones, rules=rules)
    out = regenerate(path)
    assert oracle(path, out) == []
    statuts = {r["Zone(s)"]: r["Statut"] for r in sheet_rows(out, "Lots")}
    assert statuts["Z0"] == ("Sous le minimum (5 < 10 places ; aucun lot à portée : le plus "
                             "proche, Z3, à 3 sauts (Sauts max 2))")
    path = make_workbook(tmp_path, needs, zones=zones, rules=rules, name="trois.xlsx",
                         params=[("Campagne", "Portée"), ("Sauts max", 3)])
    assert [r["Zone(s)"] for r in sheet_rows(regenerate(path), "Lots")] == ["Z0 + Z3"]


def test_zones_of_one_territoire_are_within_reach_and_no_voisines_means_one_departement(
        tmp_path: Path) -> None:
    """Without any Voisines, reach is one département: Z0 (01) joins Z1 (01), never Z2 (02);
    zones of one territoire merge whatever their hops."""
    zones = [{"Zone": "Z0", "Territoire": "T0", "Département": "01"},
             {"Zone": "Z1", "Territoire": "T1", "Département": "01"},
             {"Zone": "Z2", "Territoire": "T2", "Département": "02"}]
    needs = [need("a", "AOF", "Z0", places=5), need("b", "AOF", "Z1", places=6),
             need("c", "AOF", "Z2", places=4)]
    rules = [rule("AOF", maille="Zone", unite="places", hpp=100, vmin=10,
                  regroupement="territoire")]
    out = regenerate(make_workbook(tmp_path, needs, zones=zones, rules=rules))
    rows = {r["Zone(s)"]: r["Statut"] for r in sheet_rows(out, "Lots")}
    assert set(rows) == {"Z0 + Z1", "Z2"}
    assert rows["Z2"].startswith("Sous le minimum (4 < 10 places ; aucun lot à portée : le "
                                 "plus proche, Z0, non relié par les voisines")
