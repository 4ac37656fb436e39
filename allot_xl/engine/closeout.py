"""Close-out of the award: which lots were awarded, which are unsuccessful and why, which
needs a relaunch holds, and whether a lot may be let without publicity (CCP R2122-2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from ..core.choices import Regime
from ..core.contract import fold
from ..core.law import Derogation, Thresholds, after_no_bid
from ..core.model import Rule, Zone
from ..core.problems import Report
from .attribution import lot_order_key

ZONE_SEPARATOR = " + "  # how a lot's zones are joined (`describe.component_texts`)


class Cause(StrEnum):
    """Why a lot is unsuccessful (French words are the outputs' own)."""

    NO_BID = "aucune offre"  # no bid at all
    CAPPED_OUT = "plafond de lots"  # bids, but every bidder already holds its most lots
    SHORT = "titulaires manquants"  # fewer holders than `Attributaires`, at least one


@dataclass(frozen=True)
class LotOutcome:
    """One lot after the award. Amounts € HT (`montant`: one year of needs; `montant_max`:
    the framework's maximum over its whole term), hours in trainee-hours, places whole.
    `holders` in rank order (empty: nobody holds the lot); `bids`: distinct bidders on the
    lot; `cause` None when every planned holder was found; `derogation` the case of
    R2122-2 open to the lot (only when it received no bid), else None; `neighbours` the
    other unsuccessful lots of its dispositif sharing or neighbouring one of its zones."""

    lot: str
    dispositif: str
    cle: str
    intitule: str
    zones: str
    places: int
    hours: float
    montant: float
    montant_max: float
    planned: int
    holders: tuple[str, ...]
    bids: int
    cause: Cause | None
    derogation: Derogation | None = None
    neighbours: tuple[str, ...] = ()

    @property
    def awarded(self) -> bool:
        """At least one holder: a framework agreement may be notified, its number kept."""
        return bool(self.holders)

    @property
    def unsuccessful(self) -> bool:
        """No holder, or fewer than planned: the lot (or its missing places) is relaunched."""
        return self.cause is not None


@dataclass
class Closeout:
    """Every lot's outcome in lot order, and the `Affectation` rows (id, lot, motif,
    places, hours, row, dispositif) of the unsuccessful lots' needs: what a relaunch holds.
    A lot short of holders is both awarded and unsuccessful (decisions, « Clôture »)."""

    lots: list[LotOutcome]
    needs: pd.DataFrame

    @property
    def awarded(self) -> list[LotOutcome]:
        return [x for x in self.lots if x.awarded]

    @property
    def unsuccessful(self) -> list[LotOutcome]:
        return [x for x in self.lots if x.unsuccessful]


def close_out(lots: pd.DataFrame, affectation: pd.DataFrame, rows: pd.DataFrame,
              rules: dict[str, Rule], offers: pd.DataFrame | None, zones: dict[str, Zone],
              law: Thresholds, report: Report, offers_sheet: str = "Offres",
              lot_column: str = "N° lot") -> Closeout:
    """The outcome of each lot of `lots` (the lots frame) from the award `rows`
    (`Attribution.rows`) and the valid bids `offers` (OFFER_COLUMNS; None: no `Offres`).

    A lot with no holder is unsuccessful for `NO_BID` (no bid at all) or `CAPPED_OUT`; one
    with fewer holders than `Attributaires` is `SHORT` and reported (`attribution-partielle`,
    an Avertissement on `offers_sheet` saying what the buyer may do). Only a lot that
    received no bid may be let without publicity (CCP R2122-2: no bid, or only
    inappropriate ones, the initial conditions unchanged): 4° for social and specific
    services, 3° or 1° otherwise by the dispositif's total maximum against the formalised
    threshold."""
    holders = _holders(rows)
    bids = _bids(offers)
    totals = lots.groupby("dispositif")["montant_max"].sum().to_dict()
    out: list[LotOutcome] = []
    for r in lots.to_dict("records"):
        rule = rules[r["dispositif"]]
        who = holders.get(r["lot"], ())
        n_bids = bids.get(fold(r["lot"]), 0)
        cause = _cause(who, n_bids, rule.attributaires)
        derogation = None
        if cause is Cause.NO_BID:
            formalised = totals[r["dispositif"]] >= law.procedure_formalisee.value
            derogation = after_no_bid(rule.regime == Regime.SSS, formalised)
        if cause is Cause.SHORT:
            report.add("attribution-partielle", offers_sheet, None, lot_column, r["lot"],
                       lot=r["lot"], titulaires=len(who), prevus=rule.attributaires,
                       offres=n_bids)
        out.append(LotOutcome(
            r["lot"], r["dispositif"], r["cle"], r["intitule"], r["zones"], int(r["places"]),
            float(r["hours"]), float(r["montant"]), float(r["montant_max"]),
            rule.attributaires, who, n_bids, cause, derogation))
    out = _with_neighbours(sorted(out, key=lambda x: lot_order_key(x.lot)), zones)
    failed = {x.lot for x in out if x.unsuccessful}
    needs = affectation[affectation["lot"].isin(failed)].reset_index(drop=True)
    return Closeout(out, needs)


def relaunch_rows(closeout: Closeout, affectation: pd.DataFrame
                  ) -> dict[int, tuple[int, float] | None]:
    """The `Besoins` Excel row of each need a relaunch holds -> None when the whole need is
    in unsuccessful lots, else its share there `(places, hours)`: a need shared among lots
    (`Besoins divisibles = oui`) some of which were awarded is relaunched for the pieces in
    the unsuccessful lots only (places whole, hours to the cent)."""
    if closeout.needs.empty:
        return {}
    pieces = affectation.groupby("row").size()
    mine = closeout.needs.groupby("row").agg(n=("lot", "size"), places=("places", "sum"),
                                             hours=("hours", "sum"))
    return {int(row): None if r.n == pieces[row] else (int(r.places), round(float(r.hours), 2))
            for row, r in mine.iterrows()}


def _cause(holders: tuple[str, ...], bids: int, planned: int) -> Cause | None:
    if not holders:
        return Cause.NO_BID if bids == 0 else Cause.CAPPED_OUT
    return Cause.SHORT if len(holders) < planned else None


def _holders(rows: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Each lot's holders in rank order (the rows that are not placeholders)."""
    real = rows[~rows["placeholder"].astype(bool)].sort_values(["lot", "ordre"], kind="stable")
    return {lot: tuple(g["titulaire"]) for lot, g in real.groupby("lot", sort=False)}


def _bids(offers: pd.DataFrame | None) -> dict[str, int]:
    """Distinct bidders per folded lot number."""
    if offers is None or offers.empty:
        return {}
    keys = pd.DataFrame({"lot": offers["lot"].map(fold), "who": offers["candidat"].map(fold)})
    return keys.drop_duplicates().groupby("lot").size().to_dict()


def _with_neighbours(lots: list[LotOutcome], zones: dict[str, Zone]) -> list[LotOutcome]:
    """Each unsuccessful lot with the other unsuccessful lots of its dispositif that share
    one of its zones or neighbour one (`Voisines`): the partners of a redrawn relaunch."""
    near = {fold(z.name): {fold(v) for v in z.voisines} | {fold(z.name)}
            for z in zones.values()}
    mine = {x.lot: {fold(z) for z in x.zones.split(ZONE_SEPARATOR) if z}
            for x in lots if x.unsuccessful}
    reach = {lot: set().union(*(near.get(z, {z}) for z in zs)) for lot, zs in mine.items()}
    out = []
    for x in lots:
        if x.unsuccessful:
            others = tuple(y.lot for y in lots if y.unsuccessful and y.lot != x.lot
                           and y.dispositif == x.dispositif and mine[y.lot] & reach[x.lot])
            x = LotOutcome(**{**x.__dict__, "neighbours": others})
        out.append(x)
    return out
