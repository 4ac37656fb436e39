"""Step 5 on the map: a group over `Volume max` is cut into parts whose zones neighbour each
other when a sweep across the map gives as few parts; otherwise the balanced packing
stands."""

from __future__ import annotations

from pathlib import Path

from workbooks import make_workbook, need, oracle, regenerate, rule, sheet_rows

A1 = Path(__file__).resolve().parents[1] / "data" / "A1_petit.xlsx"


def _chain(n: int) -> list[dict]:
    """Zones Z0–Z1–…, one territoire (so they merge whatever their hops)."""
    return [{"Zone": f"Z{i}", "Territoire": "T", "Département": "01",
             "Voisines": f"Z{i + 1}" if i < n - 1 else None} for i in range(n)]


def test_parts_follow_the_map(tmp_path: Path) -> None:
    """Z0 – Z1 – Z2, needs of 1 200, 1 200 and 700 h, at most 2 000 h a lot: packing by size
    alone puts Z2 with Z0, which do not touch; the parts are Z0, and Z1 + Z2."""
    needs = [need("a", "AOF", "Z0", hours=1200), need("b", "AOF", "Z1", hours=1200),
             need("c", "AOF", "Z2", hours=700)]
    rules = [rule("AOF", maille="Territoire", vmin=100, vmax=2000, regroupement="territoire")]
    path = make_workbook(tmp_path, needs, zones=_chain(3), rules=rules)
    out = regenerate(path)
    assert oracle(path, out) == []
    parts = sorted(r["Zone(s)"] for r in sheet_rows(out, "Lots"))
    assert parts == ["Z0", "Z1 + Z2"]


def test_acceptance_a1_aof_parts_touch(tmp_path: Path) -> None:
    """On A1, the AOF group Clermont-Ferrand + Issoire + Saint-Flour is cut in two: Saint-Flour
    (which touches Issoire, not Clermont) goes with Issoire."""
    out = regenerate(A1, tmp_path / "a1.out.xlsx")
    parts = {r["Zone(s)"] for r in sheet_rows(out, "Lots")
             if "Partie=" in str(r["Clé"]) and r["Dispositif"] == "AOF"}
    assert parts == {"Clermont-Ferrand", "Clermont-Ferrand + Issoire + Saint-Flour"}
