"""How one lot's places, hours and amounts are shared among its holders (exact fractions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

CASCADE, PRORATA, EQUAL, ROTATION = "cascade", "prorata", "parts égales", "rotation"


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
        parts = [_round_half_up(Fraction(units) * w) for w in weights]
        parts[big] += units - sum(parts)
        return [p / unit for p in parts]
    exact = Fraction(total)
    parts_f = [_round_half_up(exact * w * unit) / unit for w in weights]
    parts_f[big] = 0.0
    parts_f[big] = total - math.fsum(parts_f)
    return parts_f


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _finite(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))
