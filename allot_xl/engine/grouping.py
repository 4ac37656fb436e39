"""Steps 3–5: group needs by the rule's `Maille`, merge groups under the minimum, split those over the maximum."""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field

import pandas as pd

from ..contract import sort_key
from ..model import Rule, Zone

GEO = ("Zone", "Territoire", "Département", "Région")
EPS = 1e-9


@dataclass
class Group:
    """Needs that will form one lot (or several parts of one, when split)."""

    comps: dict[str, set[str]]  # Maille component -> values (several once merged)
    needs: list[int]  # positions in the homogenised needs frame
    places: float
    hours: float
    zones: set[str]
    base_keys: int = 1  # how many step-3 groups it holds
    part: tuple[int, int] | None = None
    below_min_stuck: bool = False
    single_over_max: bool = False

    def volume(self, rule: Rule) -> float:
        return self.places if rule.unite == "places" else self.hours

    def cle(self, code: str, maille: tuple[str, ...]) -> str:
        parts = [code] + [f"{c}={' + '.join(sorted(self.comps[c], key=sort_key))}"
                          for c in maille]
        if self.part:
            parts.append(f"Partie={self.part[0]}/{self.part[1]}")
        return " | ".join(parts)


def component_values(needs: pd.DataFrame, zones: dict[str, Zone], region: str) -> pd.DataFrame:
    """The value of each Maille component for each need (zone attributes from `Zones`)."""
    z = needs["zone"]
    return pd.DataFrame({
        "Zone": z,
        "Territoire": z.map({n: x.territoire for n, x in zones.items()}),
        "Département": z.map({n: x.departement for n, x in zones.items()}),
        "Région": z.map({n: x.region or region for n, x in zones.items()}),
        "Domaine": needs["domaine"],
        "Métier": needs["metier"],
    }, index=needs.index)


def make_groups(needs: pd.DataFrame, comps: pd.DataFrame, rule: Rule) -> list[Group]:
    """Step 3: one group per distinct Maille key, in the order of their Clé."""
    groups: list[Group] = []
    keys = list(rule.maille)
    sub = comps[keys].copy()
    sub["_pos"] = range(len(sub))
    for key, idx in sub.groupby(keys, sort=False).groups.items():
        key = key if isinstance(key, tuple) else (key,)
        pos = [needs.index.get_loc(i) for i in idx]
        g = Group({c: {v} for c, v in zip(keys, key, strict=True)}, pos,
                  float(needs["places"].iloc[pos].sum()), float(needs["hours"].iloc[pos].sum()),
                  set(needs["zone"].iloc[pos]))
        groups.append(g)
    groups.sort(key=lambda g: sort_key(g.cle(rule.code, rule.maille)))
    return groups


# --------------------------------------------------------------------------- merging


@dataclass
class _Geo:
    zones: dict[str, Zone]
    region: str
    terr_total: dict[str, float] = field(default_factory=dict)
    dep_total: dict[str, float] = field(default_factory=dict)

    def units(self, g: Group, level: str) -> set[str]:
        if level == "Territoire":
            return {self.zones[z].territoire for z in g.zones}
        if level == "Département":
            return {self.zones[z].departement for z in g.zones}
        return {self.zones[z].region or self.region for z in g.zones}


def _signature(g: Group, rule: Rule, skip: tuple[str, ...]) -> tuple:
    return tuple(tuple(sorted(g.comps[c])) for c in rule.maille if c not in skip)


def _partners(g: Group, pool: list[Group], rule: Rule, geo: _Geo) -> list[Group]:
    """Groups `g` may merge with, from the nearest level of geography that offers any."""
    if rule.regroupement == "voisines":
        if "Zone" not in rule.maille:
            return []
        sig = _signature(g, rule, ("Zone",))
        near = set().union(*(geo.zones[z].voisines for z in g.zones)) - g.zones
        return [p for p in pool if p is not g and p.zones & near
                and _signature(p, rule, ("Zone",)) == sig]
    sig = _signature(g, rule, GEO)
    levels = ["Territoire"]
    terrs = geo.units(g, "Territoire")
    if any(geo.terr_total.get(t, 0.0) < rule.volume_min - EPS for t in terrs):
        levels.append("Département")
        deps = geo.units(g, "Département")
        if any(geo.dep_total.get(d, 0.0) < rule.volume_min - EPS for d in deps):
            levels.append("Région")
    same_sig = [p for p in pool if p is not g and _signature(p, rule, GEO) == sig]
    for level in levels:
        mine = geo.units(g, level)
        found = [p for p in same_sig if geo.units(p, level) & mine]
        if found:
            return found
    return []


def _merge(a: Group, b: Group) -> Group:
    return Group({c: a.comps[c] | b.comps[c] for c in a.comps}, a.needs + b.needs,
                 a.places + b.places, a.hours + b.hours, a.zones | b.zones,
                 a.base_keys + b.base_keys)


def merge_small(groups: list[Group], rule: Rule, needs: pd.DataFrame, comps: pd.DataFrame,
                zones: dict[str, Zone], region: str) -> list[Group]:
    """Step 4: merge groups under `Volume min` (smallest first) until no merge is possible."""
    vmin = rule.volume_min
    small = [g for g in groups if g.volume(rule) < vmin - EPS]
    if not small:
        return groups
    if rule.regroupement == "aucun":
        for g in small:
            g.below_min_stuck = True
        return groups
    vol = needs["places"] if rule.unite == "places" else needs["hours"]
    geo = _Geo(zones, region,
               vol.groupby(comps["Territoire"]).sum().to_dict(),
               vol.groupby(comps["Département"]).sum().to_dict())
    skip = ("Zone",) if rule.regroupement == "voisines" else GEO
    uid = itertools.count()
    alive: dict[int, Group] = {}
    buckets: dict[tuple, dict[int, Group]] = {}
    heap: list[tuple[float, str, int]] = []

    def add(g: Group) -> None:
        k = next(uid)
        alive[k] = buckets.setdefault(_signature(g, rule, skip), {})[k] = g
        if g.volume(rule) < vmin - EPS:
            heapq.heappush(heap, (g.volume(rule), sort_key(g.cle(rule.code, rule.maille)), k))

    for g in groups:
        add(g)
    while heap:
        _, _, k = heapq.heappop(heap)
        g = alive.get(k)
        if g is None:
            continue
        bucket = buckets[_signature(g, rule, skip)]
        cands = _partners(g, list(bucket.values()), rule, geo)
        if not cands:
            g.below_min_stuck = True
            continue
        p = min(cands, key=lambda x: (x.volume(rule), sort_key(x.cle(rule.code, rule.maille))))
        pk = next(i for i, x in bucket.items() if x is p)
        del alive[k], alive[pk], bucket[k], bucket[pk]
        add(_merge(g, p))
    return sorted(alive.values(), key=lambda g: sort_key(g.cle(rule.code, rule.maille)))


# --------------------------------------------------------------------------- splitting


def _pack(items: list[tuple[float, list[int], str]], n: int, vmax: float) -> list[list] | None:
    """Place item blocks (volume, needs, zone) into n bins of at most vmax, largest first,
    each into the least-loaded bin that holds it; None when they do not fit."""
    bins: list[list] = [[0.0, []] for _ in range(n)]
    for vol, pos, _ in sorted(items, key=lambda x: (-x[0], sort_key(x[2]))):
        fitting = [b for b in bins if b[0] + vol <= vmax + EPS]
        if not fitting:
            return None
        b = min(fitting, key=lambda b: b[0])
        b[0] += vol
        b[1].extend(pos)
    return bins


def split_large(g: Group, rule: Rule, needs: pd.DataFrame) -> list[Group]:
    """Step 5: split a group over `Volume max` into the fewest balanced parts, needs whole,
    each zone's needs together where possible. A need alone above the max is its own part."""
    vmax = rule.volume_max
    if vmax is None or g.volume(rule) <= vmax + EPS:
        return [g]
    vol = (needs["places"] if rule.unite == "places" else needs["hours"]).to_numpy()
    zone = needs["zone"].to_numpy()
    giants = [p for p in g.needs if vol[p] > vmax + EPS]
    rest = [p for p in g.needs if vol[p] <= vmax + EPS]
    by_zone: dict[str, list[int]] = {}
    for p in rest:
        by_zone.setdefault(zone[p], []).append(p)
    singles = [(float(vol[p]), [p], zone[p]) for p in rest]
    blocks = []
    for z, ps in by_zone.items():
        v = float(sum(vol[p] for p in ps))
        blocks += [(v, ps, z)] if v <= vmax + EPS else [s for s in singles if s[2] == z]
    total = sum(b[0] for b in blocks)
    bins: list[list] = []
    if rest:
        n = max(1, math.ceil(total / vmax - EPS))
        while True:
            bins = _pack(blocks, n, vmax) or _pack(singles, n, vmax) or []
            if bins:
                break
            n += 1
    parts_needs = [b[1] for b in bins if b[1]] + [[p] for p in giants]
    if len(parts_needs) == 1:
        g.single_over_max = bool(giants)
        return [g]
    order = {p: i for i, p in enumerate(g.needs)}
    parts_needs.sort(key=lambda ps: min(order[p] for p in ps))
    out = []
    for i, ps in enumerate(parts_needs, 1):
        ps = sorted(ps, key=lambda p: order[p])
        part = Group({c: set(v) for c, v in g.comps.items()}, ps,
                     float(needs["places"].iloc[ps].sum()), float(needs["hours"].iloc[ps].sum()),
                     set(zone[ps]), g.base_keys, (i, len(parts_needs)), g.below_min_stuck,
                     len(ps) == 1 and vol[ps[0]] > vmax + EPS)
        out.append(part)
    return out
