"""Steps 3–5: group needs by `Maille`, merge groups under the minimum, split those over the max."""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..contract import sort_key
from ..model import Regroupement, Rule, Zone

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
    _cles: dict[tuple, str] = field(default_factory=dict, repr=False, compare=False)

    def copy(self) -> Group:
        """A copy whose flags and zones are its own (steps 4–6 set flags; `Lot imposé` adds
        zones). Components, needs and the `Clé` memo are shared: no step changes them in
        place (merging and splitting make new ones, `Lot imposé` rebinds `needs`)."""
        return Group(self.comps, self.needs, self.places, self.hours, set(self.zones),
                     self.base_keys, self.part, self.below_min_stuck, self.single_over_max,
                     self._cles)

    def volume(self, rule: Rule) -> float:
        return self.places if rule.unite == "places" else self.hours

    def cle(self, code: str, maille: tuple[str, ...]) -> str:
        """The lot's `Clé` (kept once made: a group's components never change in place)."""
        key = (code, maille, self.part)
        if key not in self._cles:
            parts = [code] + [f"{c}={' + '.join(sorted(self.comps[c], key=sort_key))}"
                              for c in maille]
            if self.part:
                parts.append(f"Partie={self.part[0]}/{self.part[1]}")
            self._cles[key] = " | ".join(parts)
        return self._cles[key]


@dataclass
class NeedArrays:
    """The needs of one dispositif as plain arrays, indexed by position (fast to slice)."""

    places: np.ndarray
    hours: np.ndarray
    vol: np.ndarray  # in the rule's unit
    zone: np.ndarray
    comps: pd.DataFrame  # Maille component values, RangeIndex
    taux: np.ndarray  # € HT per trainee-hour, each need's own

    @classmethod
    def of(cls, needs: pd.DataFrame, rule: Rule, zones: dict[str, Zone], region: str,
           comps: pd.DataFrame | None = None) -> NeedArrays:
        """`needs` as arrays under `rule`'s unit; `comps`, when given, are the needs'
        component values already computed (`component_values` of the same frame)."""
        needs = needs.reset_index(drop=True)
        places = needs["places"].to_numpy(dtype=float)
        hours = needs["hours"].to_numpy(dtype=float)
        taux = (needs["taux"].to_numpy(dtype=float) if "taux" in needs
                else np.full(len(needs), rule.taux))
        return cls(places, hours, places if rule.unite == "places" else hours,
                   needs["zone"].to_numpy(dtype=object),
                   component_values(needs, zones, region) if comps is None else comps, taux)

    @property
    def one_rate(self) -> float | None:
        """The hourly rate (€ HT) when every need has the same one, else None (cached)."""
        if "_one_rate" not in self.__dict__:
            t = self.taux
            self.__dict__["_one_rate"] = (float(t[0]) if len(t) and (t == t[0]).all()
                                          else None)
        return self.__dict__["_one_rate"]

    def column(self, name: str) -> np.ndarray:
        """Values of one Maille component, as an array (cached)."""
        cache = self.__dict__.setdefault("_columns", {})
        if name not in cache:
            cache[name] = self.comps[name].to_numpy(dtype=object)
        return cache[name]

    def group(self, comps: dict[str, set[str]], pos: list[int], base_keys: int = 1) -> Group:
        return Group(comps, pos, float(self.places[pos].sum()), float(self.hours[pos].sum()),
                     set(self.zone[pos]), base_keys)


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


def make_groups(a: NeedArrays, n: int, rule: Rule) -> list[Group]:
    """Step 3: one group per distinct Maille key among the first `n` needs, in Clé order."""
    keys = list(rule.maille)
    groups: list[Group] = []
    if n == 0:
        return groups
    for key, pos in a.comps.iloc[:n].groupby(keys, sort=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        groups.append(a.group({c: {v} for c, v in zip(keys, key, strict=True)}, list(pos)))
    groups.sort(key=lambda g: sort_key(g.cle(rule.code, rule.maille)))
    return groups


# --------------------------------------------------------------------------- merging


@dataclass
class _Geo:
    zones: dict[str, Zone]
    region: str

    def hops(self, start: frozenset[str]) -> dict[str, int]:
        """Neighbour hops from the zones `start` to every zone reachable (cached)."""
        cache = self.__dict__.setdefault("_hops", {})
        if start not in cache:
            dist = dict.fromkeys(start, 0)
            frontier = list(start)
            while frontier:
                nxt = []
                for z in frontier:
                    for v in self.zones[z].voisines:
                        if v not in dist:
                            dist[v] = dist[z] + 1
                            nxt.append(v)
                frontier = nxt
            cache[start] = dist
        return cache[start]

    def distance(self, g: Group, p: Group) -> float:
        """Fewest neighbour hops between a zone of `g` and a zone of `p` (inf: unconnected)."""
        dist = self.hops(frozenset(g.zones))
        return min((dist.get(z, math.inf) for z in p.zones), default=math.inf)

    def units(self, g: Group, level: str) -> set[str]:
        if level == "Territoire":
            return {self.zones[z].territoire for z in g.zones}
        if level == "Département":
            return {self.zones[z].departement for z in g.zones}
        return {self.zones[z].region or self.region for z in g.zones}


def _signature(g: Group, rule: Rule, skip: tuple[str, ...]) -> tuple:
    return tuple(tuple(sorted(g.comps[c])) for c in rule.maille if c not in skip)


def _partners(g: Group, pool: list[Group], rule: Rule, geo: _Geo) -> tuple[list[Group], str]:
    """Groups `g` may merge with, from the nearest level of geography that offers any, and
    that level."""
    if rule.regroupement in (Regroupement.VOISINES, Regroupement.POLE):
        if "Zone" not in rule.maille:
            return [], ""
        sig = _signature(g, rule, ("Zone",))
        near = set().union(*(geo.zones[z].voisines for z in g.zones)) - g.zones
        return [p for p in pool if p is not g and p.zones & near
                and _signature(p, rule, ("Zone",)) == sig], "Zone"
    # `territoire`: per group, the nearest level that offers a partner (territoire, then
    # département, then région), preferring at each level partners whose zones neighbour it.
    sig = _signature(g, rule, GEO)
    same_sig = [p for p in pool if p is not g and _signature(p, rule, GEO) == sig]
    near = set().union(*(geo.zones[z].voisines for z in g.zones)) - g.zones
    for level in ("Territoire", "Département", "Région"):
        mine = geo.units(g, level)
        found = [p for p in same_sig if geo.units(p, level) & mine]
        if found:
            return [p for p in found if p.zones & near] or found, level
    return [], ""


def _preference(g: Group, p: Group, rule: Rule, geo: _Geo, level: str) -> tuple:
    """Order of the partners of `g`: `pôle` takes a group of a hub zone first, then the
    largest, so that small zones join a hub instead of chaining; the other modes take the
    smallest — beyond the département (`territoire` reaching the région), the nearest first
    in neighbour hops, so that a merge never leaps across the région past a closer partner."""
    cle = sort_key(p.cle(rule.code, rule.maille))
    if rule.regroupement == Regroupement.POLE:
        hub = any(geo.zones[z].pole for z in p.zones)
        return (not hub, -p.volume(rule), cle)
    near = geo.distance(g, p) if level in ("Département", "Région") else 0
    return (near, p.volume(rule), cle)


def _merge(a: Group, b: Group) -> Group:
    return Group({c: a.comps[c] | b.comps[c] for c in a.comps}, a.needs + b.needs,
                 a.places + b.places, a.hours + b.hours, a.zones | b.zones,
                 a.base_keys + b.base_keys)


def _stuck(g: Group) -> Group:
    """`g` flagged as left under the minimum (a copy: the groups given are not changed)."""
    g = g.copy()
    g.below_min_stuck = True
    return g


def merge_small(groups: list[Group], rule: Rule, a: NeedArrays, zones: dict[str, Zone],
                region: str) -> list[Group]:
    """Step 4: merge groups under `Volume min` (smallest first) until no merge is possible.
    The groups given are left as they were (merged and flagged groups are new ones)."""
    vmin = rule.volume_min
    small = [g for g in groups if g.volume(rule) < vmin - EPS]
    if not small:
        return groups
    if rule.regroupement == "aucun":
        return [_stuck(g) if g.volume(rule) < vmin - EPS else g for g in groups]
    geo = _Geo(zones, region)
    skip = ("Zone",) if rule.regroupement in (Regroupement.VOISINES, Regroupement.POLE) else GEO
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
        cands, level = _partners(g, list(bucket.values()), rule, geo)
        if not cands:
            alive[k] = bucket[k] = _stuck(g)
            continue
        p = min(cands, key=lambda x: _preference(g, x, rule, geo, level))
        pk = next(i for i, x in bucket.items() if x is p)
        del alive[k], alive[pk], bucket[k], bucket[pk]
        add(_merge(g, p))
    return sorted(alive.values(), key=lambda g: sort_key(g.cle(rule.code, rule.maille)))


# --------------------------------------------------------------------------- splitting


def _pack(items: list[tuple[float, list[int], str]], n: int, vmax: float) -> list[list] | None:
    """Place item blocks (volume, needs, zone), given largest first, into n bins of at most
    vmax, each into the least-loaded bin; None when one does not fit (then no bin holds it)."""
    heap = [(0.0, i) for i in range(n)]
    content: list[list[int]] = [[] for _ in range(n)]
    limit = vmax + EPS
    for vol, pos, _ in items:
        load, i = heap[0]
        if load + vol > limit:
            return None
        content[i].extend(pos)
        heapq.heapreplace(heap, (load + vol, i))
    return [[load, content[i]] for load, i in sorted(heap, key=lambda x: x[1])]


def split_large(g: Group, rule: Rule, a: NeedArrays) -> list[Group]:
    """Step 5: split a group over `Volume max` into the fewest balanced parts, needs whole,
    each zone's needs together where possible. A need alone above the max is its own part.
    `g` is left as it was (parts, and a flagged whole, are new groups)."""
    vmax = rule.volume_max
    if vmax is None or g.volume(rule) <= vmax + EPS:
        return [g]
    vol, zone = a.vol, a.zone
    limit = vmax + EPS
    needs = g.needs
    rest = [(p, v, z) for p, v, z in zip(needs, vol[needs].tolist(), zone[needs].tolist(),
                                         strict=True) if v <= limit]
    giants = [p for p in needs if vol[p] > limit]
    by_zone: dict[str, list[tuple[int, float, str]]] = {}
    for item in rest:
        by_zone.setdefault(item[2], []).append(item)
    blocks = []
    for z, items in by_zone.items():
        v = float(sum(x[1] for x in items))
        blocks += ([(v, [x[0] for x in items], z)] if v <= limit
                   else [(x[1], [x[0]], z) for x in items])
    total = sum(b[0] for b in blocks)
    bins: list[list] = []
    if rest:
        # largest first, zones in Clé order on ties (sorted once: the order does not depend
        # on the number of bins)
        zkey = {z: sort_key(z) for z in by_zone}

        def largest_first(items: list) -> list:
            return sorted(items, key=lambda x: (-x[0], zkey[x[2]]))

        blocks = largest_first(blocks)
        singles = largest_first([(x[1], [x[0]], x[2]) for x in rest])
        if singles == blocks:  # every zone already in single needs: one packing per n
            singles = []
        n = max(1, math.ceil(total / vmax - EPS))
        while True:
            bins = _pack(blocks, n, vmax) or (singles and _pack(singles, n, vmax)) or []
            if bins:
                break
            n += 1
    parts_needs = [b[1] for b in bins if b[1]] + [[p] for p in giants]
    if len(parts_needs) == 1:
        if giants:
            g = g.copy()
            g.single_over_max = True
        return [g]
    order = {p: i for i, p in enumerate(g.needs)}
    parts_needs.sort(key=lambda ps: min(order[p] for p in ps))
    out = []
    for i, ps in enumerate(parts_needs, 1):
        ps = sorted(ps, key=lambda p: order[p])
        part = a.group({c: set(v) for c, v in g.comps.items()}, ps, g.base_keys)
        part.part = (i, len(parts_needs))
        part.below_min_stuck = g.below_min_stuck
        part.single_over_max = len(ps) == 1 and vol[ps[0]] > vmax + EPS
        out.append(part)
    return out
