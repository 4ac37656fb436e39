"""The design-time check of holder caps: how many distinct holders the lots of a dispositif
need under `Lots max par titulaire`, and whether a buyer can expect that many (typed; the
problems are French by design, `outputs` words the Synthèse note).

Directive 2014/24/UE art. 46 § 2 lets the buyer cap the lots one tenderer may win; with
`Attributaires` holders per lot (a multi-attribution framework agreement, CCP R2162-13/14)
that cap fixes a floor on the number of distinct organisations the call must win over."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..core.contract import fold
from ..core.french import nombre
from ..core.model import Inputs, Rule
from ..core.problems import Report
from .attribution import Attribution

# Organisations a regional call can expect to win over *beyond* one per lot: each lot
# draws at least one organisation of its own (a local one), and the other holder slots go
# to organisations holding several lots — national networks, consular bodies, large
# groups. A Région's call for training rarely draws more than a handful of those on one
# dispositif; we take five (docs/decisions.md, « Holder caps »).
EXPECTED_WIDE_HOLDERS = 5
SHOWN_LOTS = 10  # short lots named in a message; the others counted


@dataclass(frozen=True)
class HolderCheck:
    """The holder arithmetic of one dispositif whose `Lots max par titulaire` can bind."""

    dispositif: str
    lots: int
    slots: int  # Σ over lots of `Attributaires`
    per_lot: int  # the most `Attributaires` of a lot
    lots_max: int  # `Lots max par titulaire`
    needed: int  # fewest distinct holders: ⌈slots ÷ lots_max⌉, and at least per_lot
    wide: int  # fewest holders of several lots when each lot has one holder of its own
    bidders: int | None = None  # with bids for these lots: distinct bidders
    short: tuple[tuple[str, int, int], ...] | None = None  # (lot, holders, planned)

    @property
    def warned(self) -> bool:
        """More holders than the buyer can expect: without bids, more organisations of
        several lots than `EXPECTED_WIDE_HOLDERS`; with bids, a lot the announced award
        rule leaves short of holders, or fewer bidders than `needed`."""
        if self.bidders is None:
            return self.wide > EXPECTED_WIDE_HOLDERS
        return bool(self.short) or self.bidders < self.needed


def holder_checks(inputs: Inputs, lots: pd.DataFrame, attribution: Attribution,
                  report: Report) -> list[HolderCheck]:
    """One check per dispositif whose cap is below its number of lots (the cap can bind),
    reported on its `Règles` row: an Info stating the fewest distinct holders, an
    Avertissement when that is more than the buyer can expect (`HolderCheck.warned`)."""
    out = []
    for code, rule in inputs.rules.items():
        mine = lots[lots["dispositif"] == code]
        m = rule.lots_max
        if m is None or m <= 0 or len(mine) <= m:
            continue
        ks = [max(int(k), 1) for k in mine["attributaires"]]
        slots, n = sum(ks), len(ks)
        check = HolderCheck(code, n, slots, max(ks), m, max(math.ceil(slots / m), max(ks)),
                            max(math.ceil((slots - n) / m), max(ks) - 1),
                            *_awarded(inputs, mine, ks, attribution))
        _report(check, rule, inputs, report)
        out.append(check)
    return out


def _awarded(inputs: Inputs, lots: pd.DataFrame, ks: list[int], attribution: Attribution
             ) -> tuple[int | None, tuple[tuple[str, int, int], ...] | None]:
    """(distinct bidders, lots short of holders under the announced rule) when `Offres`
    holds bids for these lots, else (None, None)."""
    offers = inputs.offers
    if offers is None or not len(offers):
        return None, None
    names = {fold(x): x for x in lots["lot"]}
    mine = offers[[fold(str(x)) in names for x in offers["lot"]]]
    if not len(mine):
        return None, None  # no bid for this dispositif (or set aside by a scenario)
    bidders = len({fold(str(c)) for c in mine["candidat"]})
    rows = attribution.rows
    held = rows[~rows["placeholder"].astype(bool)].groupby("lot").size()
    short = tuple((lot, int(held.get(lot, 0)), k) for lot, k in zip(lots["lot"], ks, strict=True)
                  if int(held.get(lot, 0)) < k)
    return bidders, short


def _report(c: HolderCheck, rule: Rule, inputs: Inputs, report: Report) -> None:
    column = inputs.regles_headers.get("Lots max par titulaire", "Lots max par titulaire")
    head = {"dispositif": c.dispositif, "lots": nombre(c.lots), "places": nombre(c.slots),
            "par_lot": _per_lot(c), "lots_max": nombre(c.lots_max), "n": nombre(c.needed)}
    where = (inputs.regles_sheet, rule.row, column, c.lots_max)
    fix = ("Réduisez « Attributaires », relevez « Lots max par titulaire » ou faites des lots "
           "moins nombreux.")
    fix_bids = ("Avant d'attribuer, relevez « Lots max par titulaire », réduisez "
                "« Attributaires » ou relancez la consultation sur ces lots.")
    if c.bidders is None:
        if not c.warned:
            report.add("titulaires-necessaires", *where, **head, offres="")
            return
        report.add(
            "titulaires-insuffisants", *where, **head,
            constat=f"Même si chaque lot attire un organisme qui ne candidate que sur lui, "
            f"les {nombre(c.slots - c.lots)} autres places demandent au moins "
            f"{nombre(c.wide)} organismes retenus chacun sur plusieurs lots, plus que les "
            f"{nombre(EXPECTED_WIDE_HOLDERS)} qu'une consultation régionale peut "
            f"raisonnablement attendre : des lots risquent de rester avec moins "
            f"d'attributaires que prévu. {fix}")
        return
    bids = f"Les offres en comptent {nombre(c.bidders)}"
    if not c.warned:
        report.add("titulaires-necessaires", *where, **head,
                   offres=f" {bids} et la règle d'attribution annoncée pourvoit toutes les "
                          f"places.")
        return
    short = c.short or ()
    named = ", ".join(f"{lot} ({h} sur {k})" for lot, h, k in short[:SHOWN_LOTS])
    more = f" et {nombre(len(short) - SHOWN_LOTS)} autre(s)" if len(short) > SHOWN_LOTS else ""
    lacking = (f" ; selon la règle d'attribution annoncée ({inputs.params.attribution}), "
               f"{short_lots(c)} moins d'attributaires que prévu : {named}{more}"
               if short else "")
    few = " seulement" if c.bidders < c.needed else ""
    report.add("titulaires-insuffisants", *where, **head,
               constat=f"{bids}{few}{lacking}. {fix_bids}")


def short_lots(c: HolderCheck) -> str:
    """« 9 lots sur 13 auraient » (the lots the award leaves short of holders)."""
    n = len(c.short or ())
    return (f"{nombre(n)} lot{'s' if n > 1 else ''} sur {nombre(c.lots)} "
            f"{'auraient' if n > 1 else 'aurait'}")


def _per_lot(c: HolderCheck) -> str:
    if c.slots == c.lots * c.per_lot:
        return f"{nombre(c.per_lot)} par lot"
    return f"jusqu'à {nombre(c.per_lot)} par lot"
