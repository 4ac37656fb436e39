"""Step 5: a group over `Volume max` split into the fewest balanced parts, each part's
zones neighbouring each other where the geography allows (trainees travel to a lot's
sites: a part never joins two far zones while a sweep across the group's map gives as few
parts)."""

from __future__ import annotations

import heapq
import math

from ..core.contract import sort_key
from ..core.model import EPS, Rule
from .grouping import Group, NeedArrays, Reach

Block = tuple[float, list[int], str]  # (volume, needs' positions, zone)


def _pack(items: list[Block], n: int, vmax: float) -> list[list] | None:
    """Place item blocks, given largest first, into n bins of at most vmax, each into the
    least-loaded bin; None when one does not fit (then no bin holds it)."""
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


def _connected(zones: set[str], reach: Reach) -> bool:
    """Whether `zones` form one piece of the map `Voisines` draws (by themselves)."""
    start = next(iter(zones))
    seen, stack = {start}, [start]
    while stack:
        for w in reach.zones[stack.pop()].voisines:
            if w in zones and w not in seen:
                seen.add(w)
                stack.append(w)
    return seen == zones


def _map_order(zones: set[str], reach: Reach) -> list[str]:
    """The group's zones in a sweep across its map: from a zone at one end (the farthest
    from the first zone in `Clé` order), by neighbour hops within the group, ties and
    unconnected zones in `Clé` order."""
    ordered = sorted(zones, key=sort_key)

    def hops(start: str) -> dict[str, int]:
        dist, queue = {start: 0}, [start]
        for z in queue:
            for w in reach.zones[z].voisines:
                if w in zones and w not in dist:
                    dist[w] = dist[z] + 1
                    queue.append(w)
        return dist

    first = hops(ordered[0])
    end = max(ordered, key=lambda z: first.get(z, -1))
    dist = hops(end)
    return sorted(ordered, key=lambda z: (dist.get(z, math.inf), sort_key(z)))


def _sweep(blocks: list[Block], n: int, vmax: float) -> list[list] | None:
    """The blocks, in map order, cut into at most `n` consecutive runs of at most vmax,
    the largest run as small as can be (so the runs are balanced); None when n runs of
    at most vmax cannot hold them."""
    vols = [b[0] for b in blocks]

    def cut(cap: float) -> list[list] | None:
        runs: list[list] = [[0.0, []]]
        for (v, pos, _), _v in zip(blocks, vols, strict=True):
            if runs[-1][1] and runs[-1][0] + v > cap + EPS:
                runs.append([0.0, []])
            runs[-1][0] += v
            runs[-1][1].extend(pos)
        return runs if len(runs) <= n and max(r[0] for r in runs) <= cap + EPS else None

    lo, hi = max(max(vols), sum(vols) / n), vmax
    if cut(hi) is None:
        return None
    for _ in range(40):
        mid = (lo + hi) / 2
        if cut(mid) is None:
            lo = mid
        else:
            hi = mid
    return cut(hi)


def _by_zone(parts: list[list], zone_of: dict[int, str]) -> list[set[str]]:
    return [{zone_of[p] for p in b[1]} for b in parts]


def _on_the_map(bins: list[list], blocks: list[Block], rule: Rule, reach: Reach | None
                ) -> list[list]:
    """`bins` (the balanced packing), or a sweep across the map with as many parts when
    it leaves fewer parts whose zones do not touch, and no part under `Volume min` that
    the packing did not leave."""
    if reach is None or not reach.has_voisines or len(bins) < 2:
        return bins
    zone_of = {p: z for _, pos, z in blocks for p in pos}
    zones = set(zone_of.values())
    if len(zones) < 2:
        return bins
    apart = sum(not _connected(z, reach) for z in _by_zone(bins, zone_of))
    if not apart:
        return bins
    rank = {z: i for i, z in enumerate(_map_order(zones, reach))}
    order = {p: i for i, p in enumerate(p for _, pos, _ in blocks for p in pos)}
    runs = _sweep(sorted(blocks, key=lambda b: (rank[b[2]], min(order[p] for p in b[1]))),
                  len(bins), rule.volume_max or math.inf)
    if runs is None or len(runs) != len(bins):
        return bins
    small = rule.volume_min - EPS

    def shorts(parts: list[list]) -> int:
        return sum(b[0] < small for b in parts)

    if shorts(runs) > shorts(bins):
        return bins
    if sum(not _connected(z, reach) for z in _by_zone(runs, zone_of)) >= apart:
        return bins
    return runs


def split_large(g: Group, rule: Rule, a: NeedArrays, reach: Reach | None = None
                ) -> list[Group]:
    """Step 5: split a group over `Volume max` into the fewest balanced parts, needs whole,
    each zone's needs together where possible, and with `reach`, each part's zones
    neighbouring each other where a sweep across the map gives as few parts. A need alone
    above the max is its own part. `g` is left as it was (parts, and a flagged whole, are
    new groups)."""
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
    blocks: list[Block] = []
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
            packed = _pack(blocks, n, vmax)
            used = blocks
            if not packed and singles:
                packed, used = _pack(singles, n, vmax), singles
            if packed:
                bins = _on_the_map(packed, used, rule, reach)
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
        part.nearest = g.nearest
        part.single_over_max = len(ps) == 1 and vol[ps[0]] > vmax + EPS
        out.append(part)
    return out
