"""`Proposé`: the design the tool searches itself for one dispositif — every `Maille` the
needs carry, each `Regroupement`, places or hours, a grid of volume bounds around the
buyer's — each candidate through the engine's own steps (`scenarios.Search`), the chosen one
through `engine.allot` whole (`scenarios.run_scenario`).

Exhaustive enumeration of the listed candidates (a design's figures come from the
allotment itself, not from a formula a solver could take), in a fixed order:
deterministic."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from itertools import product

from ..core.model import Inputs, Regroupement, Rule, Unite
from .grouping import EPS, GEO
from .scenarios import (
    NON_GEO,
    PROPOSE,
    Figures,
    Scenario,
    Search,
    figures,
    objective_key,
    run_scenario,
)

MIN_FACTORS = (0.5, 1.0)  # of the buyer's `Volume min`
MAX_FACTORS = (1.0, 1.5)  # of the buyer's `Volume max`


def mailles(inputs: Inputs, rule: Rule) -> list[tuple[str, ...]]:
    """The `Maille` searched: the buyer's, then each geographic level (`Zone` to `Région`)
    with each combination of `Domaine` and `Métier` that every need of the dispositif
    carries and that keeps the buyer's own (a lot is never coarser in trade than
    `Règles`: a provider of industrial courses does not bid for care courses) — the buyer's
    combination first, then the finer ones."""
    needs = inputs.needs[inputs.needs["dispositif"] == rule.code]
    carried = tuple(c for c, col in zip(NON_GEO, ("domaine", "metier"), strict=True)
                    if len(needs) and bool((needs[col].astype(str) != "").all()))
    mine = tuple(c for c in carried if c in rule.maille)
    others = sorted((t for t in _subsets(carried) if set(mine) <= set(t)),
                    key=lambda t: (-len(t), [NON_GEO.index(c) for c in t]))
    combos = list(dict.fromkeys([mine, *others]))
    out = [rule.maille]
    for geo, more in product(GEO, combos):
        m = (geo, *more)
        if m not in out:
            out.append(m)
    return out


def _subsets(items: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every subset of `items`, each in `items`' order."""
    return [tuple(x for j, x in enumerate(items) if k >> j & 1) for k in range(2 ** len(items))]


def _bounds(rule: Rule, unit: str) -> list[tuple[float, float | None]]:
    """(min, max) pairs in `unit`: the buyer's bounds converted (first), then scaled."""
    k = 1.0 if unit == rule.unite else (
        rule.heures_par_place if unit == Unite.HEURES else 1 / rule.heures_par_place)
    vmin, vmax = rule.volume_min * k, None if rule.volume_max is None else rule.volume_max * k
    # whole places, hours to the ten; a positive bound never rounded down to nothing
    def rounded(x: float) -> float:
        if unit == Unite.PLACES:
            return max(1, round(x)) if x > 0 else 0
        return max(10, round(x, -1)) if x > 0 else 0

    out: list[tuple[float, float | None]] = []
    pairs = sorted(product(MIN_FACTORS, MAX_FACTORS if vmax is not None else (1.0,)),
                   key=lambda f: (f != (1.0, 1.0), f))
    for fmin, fmax in pairs:
        lo = float(rounded(vmin * fmin))
        hi = None if vmax is None else float(max(rounded(vmax * fmax), lo))
        if (lo, hi) not in out:
            out.append((lo, hi))
    return out


def candidates(inputs: Inputs, rule: Rule, largest: dict[str, float] | None = None
               ) -> Iterator[Rule]:
    """The designs searched, in a fixed order (the buyer's unit and bounds first).
    `voisines` and `pôle` need `Zone` in the `Maille`; `aucun` only flags, so it is left out.
    `largest` (the largest need in places and in hours): a design whose maximum a need
    exceeds is also tried with `Besoins divisibles` = oui, right after it."""
    units = [rule.unite] + [u for u in (Unite.PLACES, Unite.HEURES) if u != rule.unite]
    for maille in mailles(inputs, rule):
        groupings = ([Regroupement.VOISINES, Regroupement.TERRITOIRE, Regroupement.POLE]
                     if "Zone" in maille else [Regroupement.TERRITOIRE])
        for regroupement, unit in product(groupings, units):
            # the other unit: the buyer's bounds converted (places or hours?)
            for lo, hi in _bounds(rule, unit)[:None if unit == rule.unite else 1]:
                design = dataclasses.replace(rule, maille=maille, regroupement=str(regroupement),
                                             unite=str(unit), volume_min=lo, volume_max=hi)
                yield design
                if (not rule.divisible and hi and largest
                        and largest.get(str(unit), 0.0) > hi + EPS):
                    yield dataclasses.replace(design, divisible=True)


def _shortfall(f: Figures) -> tuple:
    """Nearest to meeting every cap and bound first (when none does)."""
    return (f.out_of_bounds, max(0.0, f.share - f.cap), -f.small_for_smes, f.lots)


def eligible(cand: Rule, f: Figures) -> bool:
    """Whether a design may be proposed: a `Département` or `Région` lot cut into parts
    would gather zones from across it (the parts are balanced by volume, not drawn on the
    map), which no buyer would publish; parts of a zone or of a territoire stay local. And
    one zone never lies in two lots of the same key, except as the parts of one need
    larger than the maximum (`Besoins divisibles`)."""
    return not (f.split_parts and {"Département", "Région"} & set(cand.maille)) \
        and not f.zones_split


def keeps_bounds(cand: Rule, rule: Rule) -> bool:
    """Whether design `cand` keeps the buyer's volume bounds (converted when it changes
    the unit)."""
    return (cand.volume_min, cand.volume_max) == _bounds(rule, cand.unite)[0]


def propose(inputs: Inputs, rule: Rule) -> tuple[Scenario, Figures]:
    """The proposed design of `rule`'s dispositif and its figures.

    Among the eligible candidates that meet every cap and bound: the most needs allotted,
    the fewest single needs above the maximum, the buyer's bounds kept before bounds the
    tool chose, then the buyer's objective (`Objectif` in `Paramètres`: the fewest
    contracts, the default, or the most lots a small organisation can take; the other
    criterion breaks ties), then the first in candidate order (the buyer's own design
    first). When none meets them all, the nearest, with `binding` saying which constraint
    binds and by how much."""
    best: tuple[tuple, Rule, Figures] | None = None
    nearest: tuple[tuple, Rule, Figures] | None = None
    n = 0
    search = Search(inputs, rule)
    objectif = inputs.params.objectif
    for cand in candidates(inputs, rule, search.largest()):
        n += 1
        f = search.figures(cand)
        if not eligible(cand, f):
            continue
        if f.feasible:
            key = (-f.needs, f.lone_over_max, not keeps_bounds(cand, rule),
                   *objective_key(f, objectif))
            if best is None or key < best[0]:
                best = (key, cand, f)
        elif best is None:
            key = (-f.needs, *_shortfall(f))
            if nearest is None or key < nearest[0]:
                nearest = (key, cand, f)
    if best is not None:
        return (Scenario(PROPOSE, rule.code, best[1], searched=n),
                figures(run_scenario(inputs, best[1]), rule.code))
    if nearest is None:  # no need to allot: the buyer's rule stands
        return (Scenario(PROPOSE, rule.code, rule, searched=n),
                figures(run_scenario(inputs, rule), rule.code))
    _, cand, _ = nearest
    f = figures(run_scenario(inputs, cand), rule.code)
    binding = (("bounds", float(f.out_of_bounds)) if f.out_of_bounds
               else ("share", round(f.share - f.cap, 2)))
    return Scenario(PROPOSE, rule.code, cand, searched=n, binding=binding), f
