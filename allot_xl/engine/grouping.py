"""Steps 3–5: group needs by `Maille`, merge groups under the minimum, split those over the max."""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.contract import sort_key
from ..core.model import EPS, Regroupement, Rule, Zone

GEO = ("Zone", "Territoire", "Département", "Région")


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
    # left under the minimum: the nearest candidate it could not join (its units, and the
    # hops the two would span together; inf when `Voisines` does not connect them)
    nearest: tuple[str, float] | None = None
    _cles: dict[tuple, str] = field(default_factory=dict, repr=False, compare=False)

    def copy(self) -> Group:
        """A copy whose flags and zones are its own (steps 4–6 set flags; `Lot imposé` adds
        zones). Components, needs and the `Clé` memo are shared: no step changes them in
        place (merging and splitting make new ones, `Lot imposé` rebinds `needs`)."""
        return Group(self.comps, self.needs, self.places, self.hours, set(self.zones),
                     self.base_keys, self.part, self.below_min_stuck, self.single_over_max,
                     self.nearest, self._cles)

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


def reach_kind(rule: Rule) -> str | None:
    """The geographic units a lot of `rule` joins when it merges: the finest geographic
    component of its `Maille` (`Zone`, `Territoire`, `Département`, `Région`), None
    without one."""
    return next((c for c in GEO if c in rule.maille), None)


@dataclass
class Reach:
    """Which geographic units one lot may join (contract v3, step 4): trainees travel to a
    lot's sites, so a merge never joins units farther apart than `hops`.

    Zones of one territoire are within reach of each other; otherwise every pair of the
    units a lot joins (zones, territoires or départements: `reach_kind`) lies within
    `hops` steps of the graph that `Voisines` draws (two units are adjacent when a zone of
    one lists a zone of the other, either way); when `Zones` has no `Voisines` at all,
    reach is one département. Distances are computed once per unit kind and kept."""

    zones: dict[str, Zone]
    region: str
    hops: int = 2
    _dist: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict, repr=False)
    _zone_hops: dict[frozenset[str], dict[str, int]] = field(default_factory=dict,
                                                            repr=False)

    @property
    def has_voisines(self) -> bool:
        if "_has" not in self.__dict__:
            self.__dict__["_has"] = any(z.voisines for z in self.zones.values())
        return self.__dict__["_has"]

    def unit(self, zone: str, kind: str) -> str:
        z = self.zones[zone]
        if kind == "Zone":
            return z.name
        if kind == "Territoire":
            return z.territoire
        if kind == "Département":
            return z.departement
        return z.region or self.region

    def units(self, zones: set[str] | frozenset[str], kind: str) -> set[str]:
        return {self.unit(z, kind) for z in zones}

    def distances(self, kind: str) -> dict[str, dict[str, int]]:
        """Hops between units of `kind` (breadth-first from each unit; absent: unconnected)."""
        if kind not in self._dist:
            adj: dict[str, set[str]] = {}
            for z in self.zones.values():
                a = self.unit(z.name, kind)
                adj.setdefault(a, set())
                for w in z.voisines:
                    if w in self.zones:
                        b = self.unit(w, kind)
                        if a != b:
                            adj[a].add(b)
                            adj.setdefault(b, set()).add(a)
            dist: dict[str, dict[str, int]] = {}
            for s0 in adj:
                d, queue = {s0: 0}, [s0]
                for x in queue:
                    for y in adj[x]:
                        if y not in d:
                            d[y] = d[x] + 1
                            queue.append(y)
                dist[s0] = d
            self._dist[kind] = dist
        return self._dist[kind]

    def spread(self, zones: set[str] | frozenset[str], kind: str | None) -> float:
        """The most hops between two units of `kind` that `zones` span (0 for one unit,
        inf when two of them are not connected by `Voisines`)."""
        if kind is None or kind == "Région":
            return 0.0
        units = sorted(self.units(zones, kind))
        if len(units) <= 1:
            return 0.0
        dist = self.distances(kind)
        worst = 0.0
        for i, a in enumerate(units):
            da = dist.get(a, {})
            for b in units[i + 1:]:
                worst = max(worst, da.get(b, math.inf))
        return worst

    def within(self, zones: set[str] | frozenset[str], kind: str | None) -> bool:
        """Whether one lot may join `zones` (its units of `kind`)."""
        if kind is None or kind == "Région":
            return True
        if len(self.units(zones, kind)) <= 1:
            return True
        if kind == "Zone" and len({self.zones[z].territoire for z in zones}) == 1:
            return True  # zones of one territoire (an employment area)
        if not self.has_voisines:
            return (kind != "Département"
                    and len({self.zones[z].departement for z in zones}) == 1)
        return self.spread(zones, kind) <= self.hops

    def zone_hops(self, start: frozenset[str]) -> dict[str, int]:
        """Neighbour hops from the zones `start` to every zone reachable (kept)."""
        if start not in self._zone_hops:
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
            self._zone_hops[start] = dist
        return self._zone_hops[start]

    def distance(self, g: Group, p: Group) -> float:
        """Fewest neighbour hops between a zone of `g` and a zone of `p` (inf: unconnected)."""
        dist = self.zone_hops(frozenset(g.zones))
        return min((dist.get(z, math.inf) for z in p.zones), default=math.inf)


def _signature(g: Group, rule: Rule, skip: tuple[str, ...]) -> tuple:
    return tuple(tuple(sorted(g.comps[c])) for c in rule.maille if c not in skip)


def _neighbours_mode(rule: Rule) -> bool:
    return rule.regroupement in (Regroupement.VOISINES, Regroupement.POLE)


def _partners(g: Group, same: list[Group], rule: Rule, reach: Reach,
              own: Callable[[Group, Group], bool]) -> tuple[list[Group], str]:
    """Among the candidates `same`, the groups `g` may merge with now — always within
    reach — from the nearest level of geography that offers any, and that level. `own`
    says whether a `territoire` merge may join the territoires and départements of both
    groups (`_self_sufficient`)."""
    kind = reach_kind(rule)
    if _neighbours_mode(rule):
        if "Zone" not in rule.maille:
            return [], ""
        near = set().union(*(reach.zones[z].voisines for z in g.zones)) - g.zones
        return [p for p in same if p.zones & near
                and reach.within(g.zones | p.zones, kind)], "Zone"
    # `territoire`: per group, the nearest level that offers a partner within reach
    # (territoire, then département, then the rest of the région), preferring at each level
    # partners whose zones neighbour it.
    near = set().union(*(reach.zones[z].voisines for z in g.zones)) - g.zones
    for level in ("Territoire", "Département", "Région"):
        mine = reach.units(g.zones, level)
        found = [p for p in same if reach.units(p.zones, level) & mine
                 and reach.within(g.zones | p.zones, kind) and own(g, p)]
        if found:
            return [p for p in found if p.zones & near] or found, level
    return [], ""


def _self_sufficient(groups: list[Group], rule: Rule, a: NeedArrays, reach: Reach
                     ) -> Callable[[Group, Group], bool]:
    """For `territoire`: whether two groups may form one lot across territoires or
    départements — only when the needs of their key in one of the territoires (resp.
    départements) they span stay under `Volume min` on their own. A territoire or a
    département whose needs of a key make a lot keeps its lots to itself."""
    totals: dict[tuple, float] = {}
    vol, zone = a.vol, a.zone
    for g in groups:
        sig = _signature(g, rule, GEO)
        for level in ("Territoire", "Département"):
            units = reach.units(g.zones, level)
            if len(units) == 1:
                k = (sig, level, next(iter(units)))
                totals[k] = totals.get(k, 0.0) + g.volume(rule)
                continue
            for q in g.needs:
                k = (sig, level, reach.unit(zone[q], level))
                totals[k] = totals.get(k, 0.0) + float(vol[q])
    vmin = rule.volume_min - EPS

    def ok(g: Group, p: Group) -> bool:
        sig = _signature(g, rule, GEO)
        zones = g.zones | p.zones
        for level in ("Territoire", "Département"):
            units = reach.units(zones, level)
            if len(units) > 1 and not any(totals.get((sig, level, u), 0.0) < vmin
                                          for u in units):
                return False
        return True

    return ok


def _preference(g: Group, p: Group, rule: Rule, reach: Reach, level: str) -> tuple:
    """Order of the partners of `g`: `pôle` takes a group of a hub zone first, then the
    largest, so that small zones join a hub instead of chaining; the other modes take the
    smallest — beyond the territoire, the nearest first in neighbour hops."""
    cle = sort_key(p.cle(rule.code, rule.maille))
    if rule.regroupement == Regroupement.POLE:
        hub = any(reach.zones[z].pole for z in p.zones)
        return (not hub, -p.volume(rule), cle)
    near = reach.distance(g, p) if level in ("Département", "Région") else 0
    return (near, p.volume(rule), cle)


def _merge(a: Group, b: Group) -> Group:
    return Group({c: a.comps[c] | b.comps[c] for c in a.comps}, a.needs + b.needs,
                 a.places + b.places, a.hours + b.hours, a.zones | b.zones,
                 a.base_keys + b.base_keys)


def _stuck(g: Group, nearest: tuple[str, float] | None = None) -> Group:
    """`g` flagged as left under the minimum (a copy: the groups given are not changed),
    with the nearest candidate it could not join (its units, and the hops that the two
    together would span) when there was one."""
    g = g.copy()
    g.below_min_stuck = True
    g.nearest = nearest
    return g


def _nearest(g: Group, same: list[Group], rule: Rule, reach: Reach) -> tuple[str, float]:
    """The candidate nearest to `g` (fewest hops spanned together, then of its territoire,
    then of its département, then smallest), named by
    its units of the Maille's finest geographic component that `g` does not hold."""
    kind = reach_kind(rule) or "Zone"

    mine = {level: reach.units(g.zones, level) for level in ("Territoire", "Département")}

    def key(p: Group) -> tuple:
        apart = tuple(not (reach.units(p.zones, level) & units) for level, units in mine.items())
        return (reach.spread(g.zones | p.zones, kind), *apart, p.volume(rule),
                sort_key(p.cle(rule.code, rule.maille)))

    hops, p = min(((key(p), p) for p in same), key=lambda x: x[0])
    units = sorted(reach.units(p.zones, kind) - reach.units(g.zones, kind), key=sort_key)
    return " + ".join(units or sorted(reach.units(p.zones, kind), key=sort_key)), hops[0]


def merge_small(groups: list[Group], rule: Rule, a: NeedArrays, reach: Reach) -> list[Group]:
    """Step 4: merge groups under `Volume min` (smallest first) with a partner within reach
    (`Reach`) until no merge is possible. A group left under the minimum records the nearest
    candidate it could not join. The groups given are left as they were (merged and flagged
    groups are new ones)."""
    vmin = rule.volume_min
    small = [g for g in groups if g.volume(rule) < vmin - EPS]
    if not small:
        return groups
    if rule.regroupement == "aucun":
        return [_stuck(g) if g.volume(rule) < vmin - EPS else g for g in groups]
    skip = ("Zone",) if _neighbours_mode(rule) else GEO
    own = (_self_sufficient(groups, rule, a, reach) if not _neighbours_mode(rule)
           else lambda g, p: True)
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
        same = [p for p in bucket.values() if p is not g]
        cands, level = _partners(g, same, rule, reach, own)
        if not cands:
            alive[k] = bucket[k] = _stuck(g, _nearest(g, same, rule, reach) if same else None)
            continue
        p = min(cands, key=lambda x: _preference(g, x, rule, reach, level))
        pk = next(i for i, x in bucket.items() if x is p)
        del alive[k], alive[pk], bucket[k], bucket[pk]
        add(_merge(g, p))
    return sorted(alive.values(), key=lambda g: sort_key(g.cle(rule.code, rule.maille)))
