"""Scenarios: the same inputs with one dispositif's rule replaced, run through `allot`, and
the figures that compare them (typed; `outputs.scenarios` words them).

A scenario never has its own allotment: `run_scenario` replaces the rule
(`dataclasses.replace`), keeps that dispositif's needs and bids, and calls `engine.allot`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.contract import RULE_FIELDS, SCENARIO_OVERRIDES, fold, lot_prefix
from ..core.model import Inputs, Objectif, Regime, Rule
from ..core.problems import Report
from . import Result, allot, thresholds
from .describe import Flag, flags, price
from .grouping import EPS
from .homogenise import homogenise
from .lots import Prepared, lot_groups, prepare
from .summary import percent

ACTUEL, PROPOSE = "Actuel", "Proposé"
# the rule fields a scenario may replace (`Scénarios` columns, contract.SCENARIO_OVERRIDES)
FIELDS = tuple(RULE_FIELDS[c] for c in SCENARIO_OVERRIDES)
NON_GEO = ("Domaine", "Métier")


@dataclass(frozen=True)
class Scenario:
    """One design of one dispositif: its name, the rule it runs and, for `Proposé`, why."""

    name: str
    dispositif: str
    rule: Rule
    row: int | None = None  # Excel row in `Scénarios`
    searched: int = 0  # `Proposé`: designs tried
    # `Proposé` when no design meets every cap and bound: (`share` in points above the cap,
    # or `bounds` in lots out of bounds, how much)
    binding: tuple[str, float] | None = None


@dataclass(frozen=True)
class Figures:
    """What the comparison shows of one scenario (volumes in places, hours, € HT)."""

    lots: int
    places: tuple[float, float, float]  # median, min, max per lot
    hours: tuple[float, float, float]
    amount: tuple[float, float, float]  # `Montant maximum` per lot
    out_of_bounds: int  # lots outside [Volume min, Volume max], a lone big need excepted
    lone_over_max: int  # lots of one need above the maximum (cannot be helped unsplit)
    needs_per_lot: float
    avoided: int  # contracts avoided against the fragmented practice
    share: float  # % of the total maximum in mini-lots (SSS) or small lots (services)
    cap: float  # Part max petits lots (%)
    small_for_smes: int  # lots whose maximum is under `Seuil petits lots`
    needs: int  # needs allotted
    bidders_per_lot: float | None  # with `Offres` (None when the design redraws the lots)
    unsuccessful: int | None  # with `Offres`: lots with fewer bids than holders
    split_parts: int = 0  # lots that are a part of a group split over `Volume max`
    # zones whose whole needs lie in two parts of one group (one zone in two lots of a key)
    zones_split: int = 0
    divided: int = 0  # needs above the maximum shared among parts (`Besoins divisibles`)
    pieces: int = 0  # the parts those needs make

    @property
    def share_ok(self) -> bool:
        return self.share <= self.cap + 1e-9

    @property
    def feasible(self) -> bool:
        """Meets every legal cap and bound (a lone need above the maximum excepted)."""
        return self.share_ok and self.out_of_bounds == 0


# rule fields that change the holders of the lots but not the lots themselves
HOLDERS_ONLY = ("attributaires", "lots_max")


def redraws(rule: Rule, base: Rule) -> tuple[str, ...]:
    """The fields (of `FIELDS`) in which `rule` differs from `base`, when one of them
    redraws the lots (anything but `Attributaires` and `Lots max par titulaire`); else ().
    Bids name the lots as drawn under `base`: they say nothing of a redrawn design."""
    changed = tuple(f for f in FIELDS if getattr(rule, f) != getattr(base, f))
    return changed if set(changed) - set(HOLDERS_ONLY) else ()


def restrict(inputs: Inputs, rule: Rule) -> Inputs:
    """`inputs` narrowed to `rule`'s dispositif, with `rule` in place of its `Règles` row.

    The needs are the dispositif's valid ones; a need lacking a `Domaine` or `Métier` the
    rule's `Maille` uses is left out, as reading `Besoins` under that rule would."""
    code = rule.code
    needs = inputs.needs[inputs.needs["dispositif"] == code]
    for comp, col in (("Domaine", "domaine"), ("Métier", "metier")):
        if comp in rule.maille:
            needs = needs[needs[col].astype(str) != ""]
    offers = inputs.offers
    if offers is not None:
        prefix = fold(code)
        offers = offers[[lot_prefix(x) == prefix for x in offers["lot"]]]
    return dataclasses.replace(
        inputs, rules={code: rule}, needs=needs.reset_index(drop=True), offers=offers,
        needs_received={code: inputs.needs_received.get(code, 0)})


def run_scenario(inputs: Inputs, rule: Rule) -> Result:
    """The engine's result for `rule`'s dispositif under `rule` (the one pipeline)."""
    return allot(restrict(inputs, rule), Report())


class Search:
    """Many designs of one dispositif, cheaply, with the engine's own steps: the needs are
    homogenised once (no candidate field changes that step) and prepared once per `Maille`
    and `Unité` (`lots.prepare`: steps 2–3); each design then runs steps 4–6
    (`lots.lot_groups`) and prices its lots with `describe.price` and `describe.flags`,
    without the lots' texts, the affectation or the bids. `figures` equals, value for
    value, `figures(run_scenario(...))` (a test holds it on every candidate); the chosen
    design is run whole by `run_scenario` all the same."""

    def __init__(self, inputs: Inputs, rule: Rule):
        # every need of the dispositif: each design keeps those its `Maille` can place
        geo = tuple(c for c in rule.maille if c not in NON_GEO) or ("Zone",)
        self.inputs = restrict(inputs, dataclasses.replace(rule, maille=geo))
        report = Report()
        self.law = thresholds(self.inputs, report)
        self.needs = homogenise(self.inputs, report, self.inputs.besoins_sheet,
                                self.inputs.besoins_headers)
        self._needs: dict[tuple, tuple[Prepared | None, int, int]] = {}
        self._prepared: dict[tuple, Prepared | None] = {}

    def largest(self) -> dict[str, float]:
        """The largest need of the dispositif in places and in hours (0 without needs)."""
        needs = self.needs[~self.needs["excluded"]]
        return {u: float(needs[col].max()) if len(needs) else 0.0
                for u, col in (("places", "places"), ("heures", "hours"))}

    def _prepare(self, rule: Rule) -> tuple[Prepared | None, int, int]:
        """(prepared needs, contracts of the fragmented practice, needs allotted). The
        needs kept and their pieces depend only on the `Domaine`/`Métier` the `Maille`
        requires and, for divisible needs, on the unit and the maximum (`restrict`,
        `lots.divide_needs`): one frame serves every `Maille` and `Unité` that agree."""
        required = tuple(c for c in NON_GEO if c in rule.maille)
        cut = (rule.unite, rule.volume_max) if rule.divisible and rule.volume_max else None
        key = (rule.maille, rule.unite, cut)
        if key not in self._prepared:
            if (required, cut) not in self._needs:
                kept = restrict(self.inputs, rule).needs
                needs = self.needs[self.needs["id"].isin(set(kept["id"]))]
                active = needs[~needs["excluded"]]
                sub = active[active["dispositif"] == rule.code]
                mine = needs[needs["id"].isin(set(sub["id"]))
                             & (needs["dispositif"] == rule.code)]
                frag = len(mine[["zone", "domaine", "metier"]].drop_duplicates())
                first = None if sub.empty else prepare(sub, rule, self.inputs, Report())
                self._needs[(required, cut)] = (first, frag, len(mine))
                self._prepared[key] = first
            else:
                base = self._needs[(required, cut)][0]
                self._prepared[key] = (None if base is None else
                                       prepare(base.ordered, rule, self.inputs, Report(), base))
        _, frag, allotted = self._needs[(required, cut)]
        return self._prepared[key], frag, allotted

    def figures(self, rule: Rule) -> Figures:
        """The figures of `rule`'s design (bidders left out)."""
        inputs = self.inputs
        prepared, frag, allotted = self._prepare(rule)
        lots = [] if prepared is None else lot_groups(prepared, rule, inputs)
        p, law = inputs.params, self.law
        places, hours, maxima, nb, small, out, lone = [], [], [], [], [], 0, 0
        for x in lots:
            g = x.group
            maximum = price(g, prepared.arrays, p)[1]  # type: ignore[union-attr]
            below, above, why = flags(g, rule, len(x.imposed or []), p.sauts_max)
            alone = above and Flag.INDIVISIBLE in why
            lone += alone
            out += (below or above) and not alone
            places.append(int(round(g.places)))
            hours.append(round(g.hours, 2))
            maxima.append(maximum)
            nb.append(len(g.needs))
            small.append(maximum < law.petits_lots.value - EPS)
        amounts = np.array(maxima, dtype=float)
        zones_split = divided = pieces = 0
        if prepared is not None:
            piece = prepared.ordered["piece"].to_numpy()
            zone, ids = prepared.arrays.zone, prepared.ordered["id"].to_numpy()
            vol = prepared.arrays.vol
            parts: dict[tuple, set] = {}
            load: dict[tuple, float] = {}
            for i, x in enumerate(lots):
                if x.group.part is None:
                    continue
                parent = tuple((c, tuple(sorted(v))) for c, v in x.group.comps.items())
                imposed = set(x.imposed or ())
                for q in x.group.needs:
                    if not piece[q] and q not in imposed:
                        parts.setdefault((parent, zone[q]), set()).add(i)
                        load[(parent, zone[q])] = load.get((parent, zone[q]), 0.0) + vol[q]
            zones_split = _avoidable(parts, load, rule)
            cut = piece[:prepared.n_free] != ""
            pieces = int(cut.sum())
            divided = len(set(ids[:prepared.n_free][cut].tolist()))
        total = float(amounts.sum())
        if rule.regime == Regime.SSS:
            mini = np.array([m < law.mini_lots.value - EPS for m in maxima], dtype=bool)
            share = percent(float(amounts[mini].sum()), total)
        else:
            share = percent(float(amounts[np.array(small, dtype=bool)].sum()), total)
        n = len(lots)
        return Figures(
            lots=n, places=_spread(np.array(places, dtype=np.int64)),
            hours=_spread(np.array(hours, dtype=float)), amount=_spread(amounts),
            out_of_bounds=out, lone_over_max=lone,
            needs_per_lot=round(float(np.mean(nb)), 2) if n else 0.0,
            avoided=frag - n, share=share, cap=float(law.part_max_petits.value),
            small_for_smes=sum(small), needs=allotted, bidders_per_lot=None,
            split_parts=sum(x.group.part is not None for x in lots),
            unsuccessful=None, zones_split=zones_split, divided=divided, pieces=pieces)


def _spread(s: pd.Series | np.ndarray) -> tuple[float, float, float]:
    """(median, min, max) rounded to 2 decimals; zeros when empty."""
    v = np.asarray(s, dtype=float)
    if not len(v):
        return (0.0, 0.0, 0.0)
    return (round(float(np.median(v)), 2), round(float(v.min()), 2), round(float(v.max()), 2))


def figures(result: Result, code: str) -> Figures:
    """The comparison figures of dispositif `code` in `result` (of a scenario or of a whole
    regeneration: the same function reads both)."""
    lots = result.lots[result.lots["dispositif"] == code]
    summary = result.summary[result.summary["dispositif"] == code].iloc[0]
    rule = result.inputs.rules[code]
    lone = lots["above_max"].astype(bool) & lots["flags"].map(
        lambda f: Flag.INDIVISIBLE in (f or ()))
    out = (lots["below_min"].astype(bool) | lots["above_max"].astype(bool)) & ~lone
    sss = rule.regime == Regime.SSS
    bidders = unsuccessful = None
    offers = result.inputs.offers
    if offers is not None:
        mine = offers[offers["lot"].isin(set(lots["lot"]))]
        per_lot = mine.groupby("lot")["candidat"].nunique().reindex(lots["lot"], fill_value=0)
        bidders = round(float(per_lot.mean()), 2) if len(per_lot) else 0.0
        need = lots.set_index("lot")["attributaires"].astype(int)
        unsuccessful = int((per_lot < need.reindex(per_lot.index)).sum())
    n = len(lots)
    zones_split, divided, pieces = _cuts(result, lots, rule)
    return Figures(
        lots=n, places=_spread(lots["places"]), hours=_spread(lots["hours"]),
        amount=_spread(lots["montant_max"]), out_of_bounds=int(out.sum()),
        lone_over_max=int(lone.sum()),
        needs_per_lot=round(float(lots["nb_besoins"].mean()), 2) if n else 0.0,
        avoided=int(summary["reduction"]),
        share=float(summary["part_mini"] if sss else summary["part_petits"]),
        cap=float(result.thresholds.part_max_petits.value),
        small_for_smes=int(lots["petit_lot"].astype(bool).sum()),
        needs=int(summary["allotis"]), bidders_per_lot=bidders, unsuccessful=unsuccessful,
        split_parts=int(lots["cle"].str.contains(" | Partie=", regex=False).sum()),
        zones_split=zones_split, divided=divided, pieces=pieces)


def _cuts(result: Result, lots: pd.DataFrame, rule: Rule) -> tuple[int, int, int]:
    """(zones whose whole needs lie in two parts of one group, needs shared among parts,
    the parts they make) of the lots `lots` of `result`, all under `rule`."""
    aff = result.affectation[result.affectation["lot"].isin(set(lots["lot"]))]
    if aff.empty:
        return 0, 0, 0
    times = aff["id"].map(aff["id"].value_counts())
    divided = int(aff.loc[times > 1, "id"].nunique())
    pieces = int((times > 1).sum())
    cle = lots.set_index("lot")["cle"]
    part = aff["lot"].map(cle).str.split(" | Partie=", n=1, regex=False)
    whole = aff[(times == 1) & (part.str.len() == 2)
                & ~aff["motif"].str.contains("imposé", regex=False)]
    if whole.empty:
        return 0, divided, pieces
    zone = whole["id"].map(result.needs.drop_duplicates("id").set_index("id")["zone"])
    parent = part[whole.index].str[0]
    frame = pd.DataFrame({"p": parent, "z": zone, "lot": whole["lot"],
                          "v": whole["places" if rule.unite == "places" else "hours"]})
    parts, load = {}, {}
    for (p, z), g in frame.groupby(["p", "z"]):
        parts[(p, z)], load[(p, z)] = set(g["lot"]), float(g["v"].sum())
    return _avoidable(parts, load, rule), divided, pieces


def _avoidable(parts: dict[tuple, set], load: dict[tuple, float], rule: Rule) -> int:
    """Zones whose whole needs lie in several parts of one group although together they fit
    in one (`Volume max`): one zone in two lots of the same key, which a split could have
    avoided. A zone whose needs exceed the maximum is necessarily in several lots."""
    vmax = rule.volume_max
    return sum(len(v) > 1 and (vmax is None or load[k] <= vmax + EPS)
               for k, v in parts.items())


def objective_key(f: Figures, objectif: str) -> tuple:
    """The buyer's objective (`Objectif` in `Paramètres`) as a sort key, better first, the
    other criterion breaking ties: the fewest contracts (the default) or the most lots a
    small organisation can take."""
    if objectif == Objectif.PETITES:
        return (-f.small_for_smes, f.lots)
    return (f.lots, -f.small_for_smes)


def rank_key(f: Figures, objectif: str = Objectif.CONTRATS) -> tuple:
    """Better first: allots the most needs (a design that leaves needs out is not
    comparable); meets every cap and bound; fewest single needs above the maximum; when
    none meets them all, the nearest (fewest lots out of bounds, then least above the cap);
    then the buyer's objective (`objective_key`)."""
    shortfall = (0, 0.0) if f.feasible else (f.out_of_bounds, max(0.0, f.share - f.cap))
    return (-f.needs, not f.feasible, f.lone_over_max, *shortfall, *objective_key(f, objectif),
            f.out_of_bounds, f.share)


def recommend(rows: list[tuple[Scenario, Figures]], objectif: str = Objectif.CONTRATS
              ) -> tuple[int, str]:
    """The index of the recommended scenario among one dispositif's `rows` (the first of the
    best by `rank_key`, so `Actuel` wins ties) and the typed reason: `feasible` or the
    binding constraint's code (`share`, `bounds`)."""
    best = min(range(len(rows)), key=lambda i: rank_key(rows[i][1], objectif))
    f = rows[best][1]
    if f.feasible:
        return best, "feasible"
    return best, "share" if not f.share_ok else "bounds"
