"""Shares: a lot's places, hours and amounts among its holders; the awarded total among holders."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..core.contract import fold, sort_key

CASCADE, PRORATA, EQUAL, ROTATION = "cascade", "prorata", "parts égales", "rotation"
HOLDER_COLUMNS = ["titulaire", "nb_lots", "places", "hours", "montant", "part_total"]


@dataclass(frozen=True)
class Split:
    """One lot's split: a share per holder (rank order) and what no holder can take."""

    shares: tuple[Fraction, ...]  # of the lot, holders in rank order
    unassigned: Fraction  # share left over when every holder is at its capacity
    places: tuple[int, ...]
    unassigned_places: int


def nominal_shares(repartition: str, notes: Sequence[float]) -> list[Fraction]:
    """The rule's planned shares for holders in rank order (they add up to 1)."""
    n = len(notes)
    if n == 0:
        return []
    if repartition == CASCADE:
        return [Fraction(1)] + [Fraction(0)] * (n - 1)
    if repartition == PRORATA:
        weights = [Fraction(max(x, 0.0)) if _finite(x) else Fraction(0) for x in notes]
        total = sum(weights)
        if total > 0:
            return [w / total for w in weights]
    if repartition not in (CASCADE, PRORATA, EQUAL, ROTATION):
        raise ValueError(f"unknown repartition: {repartition!r}")
    return [Fraction(1, n)] * n


def capped_quantities(repartition: str, shares: Sequence[Fraction],
                      caps: Sequence[int | None], total: int) -> tuple[list[Fraction], Fraction]:
    """Places per holder (fractions) once capacities are applied, and the places left over.

    Cascade fills holders in rank order; the other rules give a capped holder its
    capacity and share the excess among the others in proportion to their shares
    (equally when those shares are all zero), until no capacity is exceeded."""
    n = len(shares)
    if total <= 0 or n == 0:
        return [s * total for s in shares], Fraction(total if n == 0 else 0)
    if repartition == CASCADE:
        left, out = Fraction(total), []
        for cap in caps:
            q = left if cap is None else min(left, Fraction(cap))
            out.append(q)
            left -= q
        return out, left
    fixed: dict[int, Fraction] = {}
    while True:
        free = [i for i in range(n) if i not in fixed]
        if not free:
            return [fixed[i] for i in range(n)], total - sum(fixed.values())
        rest = total - sum(fixed.values())
        weight = sum(shares[i] for i in free)
        q = {i: rest * shares[i] / weight if weight > 0 else rest / len(free) for i in free}
        over = [i for i in free if caps[i] is not None and q[i] > caps[i]]
        if not over:
            return [fixed.get(i, q.get(i, Fraction(0))) for i in range(n)], Fraction(0)
        for i in over:
            fixed[i] = Fraction(caps[i])


def largest_remainder(quantities: Sequence[Fraction], total: int,
                      caps: Sequence[int | None] = ()) -> list[int]:
    """Whole numbers adding up to `total`: floors, then one more for the largest remainders
    (earlier first on ties), never above a cap."""
    floors = [math.floor(q) for q in quantities]
    missing = total - sum(floors)
    order = sorted(range(len(quantities)), key=lambda i: (-(quantities[i] - floors[i]), i))
    caps = list(caps) + [None] * (len(quantities) - len(caps))
    for i in order:
        if missing <= 0:
            break
        if caps[i] is None or floors[i] + 1 <= caps[i]:
            floors[i] += 1
            missing -= 1
    return floors


def split_places(repartition: str, notes: Sequence[float], capacities: Sequence[float | None],
                 places: int) -> Split:
    """The split of a lot of `places` among holders in rank order."""
    caps = [None if c is None or not _finite(c) else max(0, math.floor(c)) for c in capacities]
    shares = nominal_shares(repartition, notes)
    if places <= 0:
        return Split(tuple(shares), Fraction(0), tuple(0 for _ in shares), 0)
    quantities, left = capped_quantities(repartition, shares, caps, places)
    whole = largest_remainder(list(quantities) + [left], places, caps + [None])
    return Split(tuple(q / places for q in quantities), left / places,
                 tuple(whole[:-1]), whole[-1])


def split_value(total: float, weights: Sequence[Fraction], decimals: int = 2) -> list[float]:
    """`total` shared in proportion to `weights` (adding up to 1), rounded to `decimals`;
    the rounding remainder goes on the largest weight so the parts add up to `total`."""
    if not weights:
        return []
    big = max(range(len(weights)), key=lambda i: (weights[i], -i))
    unit = 10 ** decimals
    scaled = total * unit
    if abs(scaled - round(scaled)) < 1e-6:
        units = round(scaled)
        parts = [_round_half_up(units, w) for w in weights]
        parts[big] += units - sum(parts)
        return [p / unit for p in parts]
    exact = Fraction(total) * unit
    parts_f = [_round_half_up(exact, w) / unit for w in weights]
    parts_f[big] = 0.0
    parts_f[big] = total - math.fsum(parts_f)
    return parts_f


def spread(split: Split, hours: float,
           montant: float) -> list[tuple[int, float, int, float, float]]:
    """(position, Part %, places, hours, amount) per holder, then what no holder can take."""
    weights = [*split.shares, split.unassigned]
    parts, hrs = split_value(100.0, weights), split_value(hours, weights)
    amounts, places = split_value(montant, weights), [*split.places, split.unassigned_places]
    return [(i + 1, parts[i], places[i], hrs[i], amounts[i]) for i in range(len(weights))
            if i < len(split.shares) or weights[i] > 0]


def split_values(totals: np.ndarray, weights: Sequence[Fraction],
                 decimals: int = 2) -> np.ndarray:
    """`split_value` of each of `totals` (shape (n,)) with the same `weights` (k of them),
    column-wise: an (n, k) array equal, value for value, to the rows `split_value` gives.
    Totals already on the `decimals` grid (amounts in cents, hours to the cent) are shared
    in integers at once; any other total goes through `split_value` itself."""
    totals = np.asarray(totals, dtype=float)
    k = len(weights)
    out = np.zeros((len(totals), k))
    if not k or not len(totals):
        return out
    unit = 10 ** decimals
    scaled = totals * unit
    units = np.round(scaled)
    limit = 2 ** 52 // (4 * _scale(weights))  # products stay exact in int64
    fast = (np.abs(scaled - units) < 1e-6) & (np.abs(units) < limit)
    for i in np.flatnonzero(~fast):
        out[i] = split_value(float(totals[i]), weights, decimals)
    idx = np.flatnonzero(fast)
    u = units[idx].astype(np.int64)
    big = max(range(k), key=lambda i: (weights[i], -i))
    parts = np.empty((len(idx), k), dtype=np.int64)
    for j, w in enumerate(weights):  # x·w rounded half up, in integers (_round_half_up)
        parts[:, j] = (2 * u * w.numerator + w.denominator) // (2 * w.denominator)
    parts[:, big] += u - parts.sum(axis=1)
    out[idx] = parts / unit
    return out


def _scale(weights: Sequence[Fraction]) -> int:
    """A bound on the integer growth of `split_values`' products (overflow guard)."""
    return max([abs(w.numerator) for w in weights] + [w.denominator for w in weights] + [1])


def holders_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per real holder: lots, places, hours, amount and share of the awarded total."""
    real = rows[~rows["placeholder"].astype(bool)]
    if real.empty:
        return pd.DataFrame(columns=HOLDER_COLUMNS)
    agg = real.assign(_k=real["titulaire"].map(fold)).groupby("_k", sort=False).agg(
        titulaire=("titulaire", "first"), nb_lots=("lot", "nunique"), places=("places", "sum"),
        hours=("hours", lambda s: round(math.fsum(s), 2)),
        montant=("montant", lambda s: round(math.fsum(s), 2)))
    agg["part_total"] = _percent_split(agg)
    agg["_s"] = agg["titulaire"].map(sort_key)
    agg = agg.sort_values(["montant", "_s"], ascending=[False, True], kind="stable")
    return agg.reset_index(drop=True)[HOLDER_COLUMNS].astype({"nb_lots": "int64",
                                                              "places": "int64"})


def hhi_by_dispositif(rows: pd.DataFrame) -> dict[str, float]:
    """Herfindahl-Hirschman index (0–10 000) of holders' shares of the awarded amount, per
    dispositif and in total (hours, then places, stand in when every amount is zero)."""
    real = rows[~rows["placeholder"].astype(bool)]
    real = real.assign(_k=real["titulaire"].map(fold))
    out: dict[str, float] = {}
    for code, group in real.groupby("dispositif", sort=False):
        value = _hhi(group)
        if value is not None:
            out[str(code)] = value
    total = _hhi(real)
    if total is not None:
        out["Total"] = total
    return out


def _hhi(group: pd.DataFrame) -> float | None:
    for col in ("montant", "hours", "places"):
        sums = group.groupby("_k")[col].sum()
        total = float(sums.sum())
        if total > 0:
            return round(float(((sums / total * 100) ** 2).sum()), 2)
    return None


def _percent_split(agg: pd.DataFrame) -> list[float]:
    for col in ("montant", "hours", "places"):
        total = math.fsum(agg[col])
        if total > 0:
            return split_value(100.0, [Fraction(float(v)) / Fraction(total) for v in agg[col]])
    return split_value(100.0, [Fraction(1, len(agg))] * len(agg))


def _round_half_up(x: int | Fraction, w: Fraction) -> int:
    """x·w rounded half up, in integers (Fraction arithmetic is slow on thousands of lots)."""
    x = Fraction(x)
    num, den = x.numerator * w.numerator, x.denominator * w.denominator
    return (2 * num + den) // (2 * den)


def _finite(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))
