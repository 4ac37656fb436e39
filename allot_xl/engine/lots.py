"""Steps 3–7 per dispositif: groups to numbered, priced lots, and each need's lot."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from ..core.contract import fold, lot_prefix, sort_key
from ..core.french import nombre
from ..core.law import Thresholds
from ..core.model import Inputs, Rule
from ..core.problems import Report
from .describe import SHOWN, component_texts, describe
from .grouping import EPS, Group, NeedArrays, Reach, make_groups, merge_small
from .shares import largest_remainder
from .splitting import split_large

# The lots frame: numbers, booleans and `describe.Flag` codes (the outputs word them).
LOT_COLUMNS = [
    "lot", "intitule", "dispositif", "zones", "territoire", "departement", "domaine", "metier",
    "nb_besoins", "places", "hours", "hpp", "montant", "montant_max", "attributaires",
    "repartition", "petit_lot", "cle", "mini_lot", "montant_min", "cpv", "ca_max",
    "below_min", "above_max", "flags", "volume", "imposes", "regime", "unite", "volume_min",
    "volume_max", "nearest", "nearest_hops", "sauts_max",
]
AFFECTATION_COLUMNS = ["id", "lot", "motif", "places", "hours", "row", "dispositif"]


@dataclass
class _Lot:
    group: Group
    cle: str
    number: int = 0
    imposed: list[int] | None = None  # positions of needs that joined by Lot imposé


def _number_of(lot: str) -> int:
    m = re.search(r"-(\d+)\s*$", lot)
    return int(m.group(1)) if m else 0


def lot_label(code: str, n: int) -> str:
    return f"{code}-{n:02d}"


def _number(lots: list[_Lot], code: str, previous: dict[str, str],
            reserved: dict[str, str] | None = None) -> None:
    """Step 6: keep the number of a lot whose Clé existed; new lots above the highest used.
    A `reserved` number (`Lots attribués`: a lot awarded already) is never given: a lot
    whose Clé had it takes a new number, and new numbers start above it too."""
    prefix = fold(code)
    kept = [_number_of(v) for v in (reserved or {}).values() if lot_prefix(v) == prefix]
    used = [_number_of(v) for v in previous.values() if lot_prefix(v) == prefix] + kept
    taken: set[int] = set(kept)
    for lot in lots if previous else ():
        prev = previous.get(fold(lot.cle))
        if prev and lot_prefix(prev) == prefix and _number_of(prev) not in taken:
            lot.number = _number_of(prev)
            taken.add(lot.number)
    nxt = max(used + list(taken) + [0]) + 1
    for lot in sorted((x for x in lots if not x.number), key=lambda x: _order(x.group, x.cle)):
        lot.number = nxt
        nxt += 1


def _order(g: Group, cle: str) -> tuple:
    base = cle.rsplit(" | Partie=", 1)[0] if g.part else cle
    return (sort_key(base), g.part[0] if g.part else 0)


def _impose(lots: list[_Lot], imposed: pd.Series, offset: int, a: NeedArrays, rule: Rule,
            previous_cles: dict[str, str]) -> None:
    """Needs with a valid `Lot imposé` join the lot holding that number (re-created with its
    previous Clé when it vanished). `imposed` holds their lot names, positions from `offset`."""
    by_num = {lot_label(rule.code, x.number): x for x in lots}
    names = imposed.to_numpy()
    for lot_name in sorted(set(names)):
        pos = [offset + i for i, v in enumerate(names) if v == lot_name]
        target = by_num.get(lot_name)
        if target is None:
            cle = previous_cles.get(lot_name) or f"{rule.code} | Lot imposé={lot_name}"
            target = _Lot(Group({c: set() for c in rule.maille}, [], 0.0, 0.0, set()), cle,
                          _number_of(lot_name))
            lots.append(target)
            by_num[lot_name] = target
        g = target.group = target.group.copy()  # groups may be shared (`_split`)
        target.imposed = (target.imposed or []) + pos
        g.needs = g.needs + pos
        g.places += float(a.places[pos].sum())
        g.hours += float(a.hours[pos].sum())
        g.zones |= set(a.zone[pos])


@dataclass
class Prepared:
    """One dispositif's needs as the grouping steps take them: free needs (divided when the
    rule says so) then imposed ones, their arrays, and the step-3 groups of the free ones.
    Depends on the rule's `Maille`, `Unité` and, with `Besoins divisibles`, `Volume max`."""

    ordered: pd.DataFrame
    arrays: NeedArrays
    n_free: int
    groups: list[Group]
    reach: Reach  # which zones one lot may join (shared by every preparation of a run)
    # step 5 per (group's needs, Volume max, stuck under the minimum): its parts, or
    # whether the group left whole is a single need above the maximum (`_split`)
    splits: dict[tuple, list[Group] | bool] = field(default_factory=dict)


def prepare(sub: pd.DataFrame, rule: Rule, inputs: Inputs, report: Report,
            base: Prepared | None = None) -> Prepared:
    """Steps 2–3 for the active needs `sub` of `rule`'s dispositif. `base`, a preparation
    of the same needs cut into the same pieces under another `Maille` or `Unité`, lends
    its needs frame and component values (the `Proposé` search prepares many designs)."""
    if base is None:
        is_imposed = sub["lot_impose"] != ""
        free = sub[~is_imposed]
        if rule.divisible and rule.volume_max:
            free = divide_needs(free, rule, report, inputs.besoins_sheet)
        else:
            free = free.assign(piece="")
        ordered = pd.concat([free, sub[is_imposed].assign(piece="")]).reset_index(drop=True)
        n_free, comps = len(free), None
    else:
        ordered, n_free, comps = base.ordered, base.n_free, base.arrays.comps
    region = inputs.params.region or ""
    a = NeedArrays.of(ordered, rule, inputs.zones, region, comps)
    reach = (base.reach if base is not None
             else Reach(inputs.zones, region, inputs.params.sauts_max))
    return Prepared(ordered, a, n_free, make_groups(a, n_free, rule), reach)


def lot_groups(prepared: Prepared, rule: Rule, inputs: Inputs) -> list[_Lot]:
    """Steps 4–6: merge, split, number, impose; the lots in number order. `prepared` is
    left as it was (steps 4–6 make new groups, never change one in place), so one
    preparation serves many bounds."""
    a, n_free, ordered = prepared.arrays, prepared.n_free, prepared.ordered
    groups = merge_small(prepared.groups, rule, a, prepared.reach)
    parts = [p for g in groups for p in _split(g, rule, prepared)]
    lots = [_Lot(p, p.cle(rule.code, rule.maille)) for p in parts]
    _number(lots, rule.code, inputs.previous_lots, inputs.reserved_lots)
    if n_free < len(ordered):
        _impose(lots, ordered["lot_impose"].iloc[n_free:], n_free, a, rule,
                inputs.previous_cles)
    lots.sort(key=lambda x: x.number)
    return lots


def _split(g: Group, rule: Rule, prepared: Prepared) -> list[Group]:
    """`split_large`, remembered per preparation: designs that differ only by their minimum
    or their `Regroupement` share most large groups, and so their parts. Groups are never
    changed in place once made (`Lot imposé` copies the lot it extends), so the parts are
    shared between designs."""
    key = (tuple(g.needs), rule.volume_max, g.below_min_stuck)
    if key not in prepared.splits:
        parts = split_large(g, rule, prepared.arrays, prepared.reach)
        whole = len(parts) == 1 and parts[0].part is None
        # a whole group is its caller's own (its sums follow its merges): keep only the flag
        prepared.splits[key] = parts[0].single_over_max if whole else parts
        return parts
    hit = prepared.splits[key]
    if isinstance(hit, list):
        return hit
    if hit and not g.single_over_max:
        g = g.copy()
        g.single_over_max = True
    return [g]


def build_lots(needs: pd.DataFrame, inputs: Inputs, law: Thresholds, report: Report
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lots (LOT_COLUMNS) and the affectation of each allotted need (AFFECTATION_COLUMNS),
    for every dispositif. Under `Besoins divisibles = oui` a need above `Volume max` is first
    shared among balanced pieces (one `Affectation` row per piece)."""
    lot_rows: list[dict] = []
    aff_parts: list[pd.DataFrame] = []
    active = needs[~needs["excluded"]]
    for code, rule in inputs.rules.items():
        sub = active[active["dispositif"] == code]
        if sub.empty:
            continue
        prepared = prepare(sub, rule, inputs, report)
        lots = lot_groups(prepared, rule, inputs)
        a = prepared.arrays
        texts = component_texts([x.group for x in lots], a,
                                tuple(dict.fromkeys(SHOWN + tuple(rule.maille))))
        lot_rows += [describe(x.group, lot_label(code, x.number), x.cle, len(x.imposed or []),
                              rule, a, inputs, law, report, t)
                     for x, t in zip(lots, texts, strict=True)]
        aff_parts.append(_affectation(lots, rule, prepared.ordered))
    lots_df = pd.DataFrame(lot_rows, columns=LOT_COLUMNS)
    aff_df = (pd.concat(aff_parts, ignore_index=True) if aff_parts
              else pd.DataFrame(columns=AFFECTATION_COLUMNS))
    return lots_df, aff_df


def _even_split(total: float, n: int, unit: float) -> list[float]:
    """`total` in `n` parts as equal as `unit` allows (largest remainder), adding up exactly."""
    units = round(total / unit)
    parts = largest_remainder([Fraction(units, n)] * n, units)
    return [round(q * unit, 2) for q in parts]


def divide_needs(needs: pd.DataFrame, rule: Rule, report: Report, sheet: str) -> pd.DataFrame:
    """Needs above `Volume max` shared among the fewest balanced pieces within it: places and
    hours split by largest remainder (whole places, hours to the cent), adding up to the
    need. Each piece keeps the need's row, ID and attributes; `piece` is `i/n` ("" when
    whole)."""
    vmax = float(rule.volume_max or 0)
    vol = needs["places"] if rule.unite == "places" else needs["hours"]
    big = vol > vmax + EPS
    if not big.any():
        return needs.assign(piece="")
    out = []
    for i, rec in needs.iterrows():
        if not big[i]:
            out.append(rec.to_frame().T.assign(piece=""))
            continue
        n = math.ceil(float(vol[i]) / vmax - EPS)
        hours = _even_split(float(rec["hours"]), n, 0.01)
        places = _even_split(float(rec["places"]), n, 1)
        pieces = rec.to_frame().T.loc[[i] * n].copy()
        pieces["hours"], pieces["places"] = hours, [int(x) for x in places]
        pieces["piece"] = [f"{k}/{n}" for k in range(1, n + 1)]
        out.append(pieces)
        unit = "places" if rule.unite == "places" else "h"
        report.add("besoin-scinde", sheet, int(rec["row"]), "", rec["id"],
                   volume=nombre(float(vol[i])), maximum=nombre(vmax), unite=unit, parts=n)
    df = pd.concat(out)
    return df.astype({c: needs[c].dtype for c in needs.columns if c in df}, errors="ignore")


def _affectation(lots: list[_Lot], rule: Rule, needs: pd.DataFrame) -> pd.DataFrame:
    """One row per need: its lot and why it is there (direct, regroupé, scindé, imposé,
    plafonné)."""
    pos, names, motifs = [], [], []
    capped = needs["capped"].to_numpy()
    piece = needs["piece"].to_numpy() if "piece" in needs else [""] * len(needs)
    for lot in lots:
        g = lot.group
        name = lot_label(rule.code, lot.number)
        imposed = set(lot.imposed or [])
        shared = (["regroupé"] if g.base_keys > 1 else []) + (["scindé"] if g.part else [])
        for q in g.needs:
            m = ["imposé"] if q in imposed else []
            if capped[q]:
                m.append("plafonné")
            if q not in imposed:
                m += shared
            if piece[q] and "scindé" not in m:
                m.append("scindé")
            pos.append(q)
            names.append(name)
            motifs.append(", ".join(m) or "direct")
    sub = needs.iloc[pos]
    return pd.DataFrame({"id": sub["id"].to_numpy(), "lot": names, "motif": motifs,
                         "places": sub["places"].to_numpy(), "hours": sub["hours"].to_numpy(),
                         "row": sub["row"].to_numpy(), "dispositif": rule.code})
