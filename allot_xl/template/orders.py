"""Bids and a year of purchase orders for the example campaign (issue 25): deterministic
data for `Offres` and `Commandes`, free of I/O; `template.build_template(orders=True)`
computes the lots and holders they name."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from ..inputs.dce import luhn_ok

# training organisations bidding in the example (fictitious names, regional flavour)
_BIDDERS = tuple(f"{kind} {place}" for place in (
    "Alpes", "Rhône", "Dauphiné", "Savoie", "Loire", "Ain", "Drôme-Ardèche", "Isère",
    "Beaujolais", "Léman", "Forez", "Vercors", "Bugey", "Chartreuse")
    for kind in ("Formation", "Compétences", "Institut", "Parcours"))
# where each bidder is based (the close-out's award notice names the holders' town)
_TOWNS = {"Alpes": ("Grenoble", "38000"), "Rhône": ("Lyon", "69003"),
          "Dauphiné": ("Valence", "26000"), "Savoie": ("Chambéry", "73000"),
          "Loire": ("Saint-Étienne", "42000"), "Ain": ("Bourg-en-Bresse", "01000"),
          "Drôme-Ardèche": ("Montélimar", "26200"), "Isère": ("Vienne", "38200"),
          "Beaujolais": ("Villefranche-sur-Saône", "69400"), "Léman": ("Thonon-les-Bains",
                                                                      "74200"),
          "Forez": ("Montbrison", "42600"), "Vercors": ("Villard-de-Lans", "38250"),
          "Bugey": ("Belley", "01300"), "Chartreuse": ("Voiron", "38500")}
_SIZES = ("micro", "petite", "moyenne", "grande")
ORDERS_START = (2027, 1, 4)  # `Date de notification` of the example's framework agreements
_ORDER_SEED = 2027


def offers(lots: list[dict[str, Any]], seed: int = _ORDER_SEED) -> list[dict[str, Any]]:
    """Rows of `Offres` for the example's lots (`N° lot`, `Dispositif`, `Attributaires`
    of each): two more bids than holders, from `_BIDDERS` (and numbered ones beyond 150
    lots), with a note out
    of 20 and an hourly price. Deterministic for a given list of lots and seed."""
    rng = random.Random(seed)
    # a larger campaign draws on more organisations (numbered: `Formation Alpes 2`), so
    # that `Lots max par titulaire` leaves every lot its holders
    pool = _BIDDERS + tuple(f"{b} {k}" for k in range(2, 2 + len(lots) // 150)
                            for b in _BIDDERS)
    out = []
    for lot in lots:
        k = int(lot["Attributaires"]) + 2
        for name in rng.sample(pool, k):
            out.append({"N° lot": lot["N° lot"], "Candidat": name,
                        "Note": round(rng.uniform(11, 19) * 2) / 2,
                        "Prix horaire (€)": round(rng.uniform(8.5, 14.5), 2),
                        **_identity(name, pool.index(name))})
    return out


def _identity(name: str, n: int) -> dict[str, str]:
    """A bidder's (fictitious) SIRET, size and town, fixed by its name: what the close-out
    needs of a holder (DECP `titulaires`, the award notice's winner)."""
    stem = f"{90000000 + n:09d}0001"
    siret = next(stem + d for d in "0123456789" if luhn_ok(stem + d))
    place = next((p for p in _TOWNS if f" {p}" in name), "Rhône")
    town, postcode = _TOWNS[place]
    return {"SIRET": siret, "Taille": _SIZES[n % len(_SIZES)], "Ville": town,
            "Code postal": postcode}


def orders(lots: list[dict[str, Any]], holders: list[dict[str, Any]],
           seed: int = _ORDER_SEED) -> list[dict[str, Any]]:
    """Rows of `Commandes`: a year of purchase orders from `ORDERS_START` for the lots
    (`N° lot`, `Répartition`, `Montant estimé (€ HT)`, `Heures par place`) and their
    holders (`Multi-attribution` rows: `N° lot`, `Titulaire`, `Rang`, `Part (%)`). Each lot
    orders 55–95 % of its annual estimate in two to six orders, spread over the year; the
    holder follows the split rule (cascade: rank 1, now and then rank 2 after a refusal).
    Deterministic for given lots, holders and seed."""
    rng = random.Random(seed)
    by_lot: dict[str, list[dict[str, Any]]] = {}
    for h in holders:
        by_lot.setdefault(h["N° lot"], []).append(h)
    start = dt.date(*ORDERS_START)
    out: list[dict[str, Any]] = []
    for lot in lots:
        mine = sorted(by_lot.get(lot["N° lot"], []), key=lambda h: h["Rang"])
        estimate = float(lot["Montant estimé (€ HT)"] or 0)
        if not mine or estimate <= 0:
            continue
        n = rng.randint(2, 6)
        total = estimate * rng.uniform(0.55, 0.95)
        days = sorted(rng.sample(range(5, 360), n))
        rate = estimate / max(float(lot["Heures"] or 1), 1.0)
        for i, day in enumerate(days):
            holder, refus = _holder(lot["Répartition"], mine, i, rng)
            amount = round(total / n * rng.uniform(0.8, 1.2), 2)
            hours = round(amount / rate) if rate > 0 else 0
            out.append({"Date": start + dt.timedelta(days=day), "N° lot": lot["N° lot"],
                        "Titulaire": holder["Titulaire"],
                        "Places": max(1, round(hours / float(lot["Heures par place"] or 1))),
                        "Heures": hours, "Montant (€ HT)": amount,
                        "Refus du titulaire précédent": "oui" if refus else "non"})
    out.sort(key=lambda r: (r["Date"], r["N° lot"]))
    for i, row in enumerate(out, start=1):
        row["N° bon"] = f"BC-2027-{i:04d}"
    return [{"N° bon": r.pop("N° bon"), **r} for r in out]


def _holder(rule: str, mine: list[dict[str, Any]], i: int,
            rng: random.Random) -> tuple[dict[str, Any], bool]:
    """The holder of a lot's i-th order under its split rule, and whether the better-ranked
    holder declined (cascade only)."""
    if rule == "cascade":
        if len(mine) > 1 and rng.random() < 0.15:
            return mine[1], True
        return mine[0], False
    if rule == "rotation":
        return mine[i % len(mine)], False
    weights = [float(h["Part (%)"] or 0) or 1.0 for h in mine]
    return rng.choices(mine, weights=weights)[0], False
