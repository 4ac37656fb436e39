"""Close-out of the award, route-neutral: each lot's outcome from a run with bids, the
sheets of the workbook that relaunches the unsuccessful lots (`relance.xlsx`), the essential
data of the awarded lots (DECP) and the award notice of each dispositif at EU value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..core.choices import Regime
from ..core.contract import BESOINS, OFFRES, fold
from ..core.nuts import nuts3
from ..core.problems import Report
from ..core.publication import Holder, LotResult
from ..engine import Result
from ..engine.closeout import Closeout, LotOutcome, close_out, relaunch_rows
from ..engine.dce import dispositif_values, reaches_eu
from ..inputs.closeout import Bidder, read_bidders
from ..inputs.grid import SheetGrid, find_sheet, read_table
from ..outputs.closeout import besoins_sheet, relaunch_outputs, reserved_of
from ..outputs.decp import contract_id, decp_records
from ..outputs.eforms_award import award_notice
from ..outputs.model import Outputs, at_unit_precision
from .dce import IncompleteDossier, dossier_of
from .pipeline import Context, run


def closeout_of(result: Result) -> Closeout:
    """The outcome of every lot of `result` (a run whose `Offres` held bids): awarded,
    unsuccessful and why, the R2122-2 option; a lot short of holders is reported in
    `result.report` (`attribution-partielle`)."""
    i = result.inputs
    return close_out(result.lots, result.affectation, result.attribution.rows, i.rules,
                     i.offers, i.zones, result.thresholds, result.report, i.offers_sheet,
                     i.offers_headers.get("N° lot", "N° lot"))


def relaunch(grids: dict[str, SheetGrid], result: Result, closeout: Closeout) -> Outputs:
    """The sheets of `relance.xlsx` for `closeout` of `result`, whose input sheets are
    `grids`: `Besoins` (the unsuccessful lots' needs as written), `Lots attribués`, `Lots`
    and `Relance`. The other input sheets (`Zones`, `Règles`, `Paramètres`…) are copied
    as they are by the writer."""
    grid = grids[find_sheet(list(grids), BESOINS) or BESOINS]
    table = read_table(grid, BESOINS)
    needs = result.inputs.needs
    ids = {int(r): str(i) for r, i in zip(needs["row"], needs["id"], strict=True)}
    reserved = result.inputs.reserved_lots
    sheet = besoins_sheet(grid, table, relaunch_rows(closeout, result.affectation), ids,
                          reserved_of(closeout, reserved))
    return at_unit_precision(relaunch_outputs(sheet, closeout, reserved))


@dataclass
class Cloture:
    """The close-out of a campaign, ready to write: `closeout` (each lot's outcome),
    `relaunch` (the sheets of `relance.xlsx`, None when every lot found all its holders),
    `decp` (the essential data of every awarded lot, DECP v2.0.3), `notices` (dispositif
    code -> its eForms award notice `can-social`, UTF-8 XML, for each dispositif at EU
    value), `partial` (one French sentence per lot awarded to fewer holders than planned,
    with what the buyer may do) and the run's `report`."""

    closeout: Closeout
    relaunch: Outputs | None
    decp: dict[str, Any]
    notices: dict[str, bytes]
    partial: list[str]
    report: Report


def close(grids: dict[str, SheetGrid], context: Context,
          published: dt.date | None = None) -> Cloture:
    """The close-out of the campaign whose input sheets are `grids` (a run with `Offres`).

    `published`: the DECP's `datePublicationDonnees` (default today, or the notification
    date when later; CCP R2196-1 wants the data on data.gouv.fr within two months of
    notification). Raises StructuralError when the
    run cannot go on, IncompleteDossier (one French sentence per missing piece: the tender
    file's inputs of `verbs.dce.prepare`, the bids, `Date de notification`, a holder's SIRET,
    at EU value a bidder's size and a holder's city) when the close-out cannot be complete."""
    done = run(grids, context)
    result = done.result
    missing = closeout_missing(result, grids)
    try:
        dossier = dossier_of(done, context)
    except IncompleteDossier as e:
        missing = [line[2:] for line in str(e).splitlines()[1:]] + missing
    if missing:
        raise IncompleteDossier("Clôture incomplète, rien n'a été écrit :\n"
                                + "\n".join(f"• {m}" for m in missing))
    closeout = closeout_of(result)
    bidders = read_bidders(_offres(grids))
    by_lot = {x.lot: x for x in closeout.lots}
    notified = result.inputs.params.date_notification
    assert notified is not None
    marches: list[dict[str, Any]] = []
    notices: dict[str, bytes] = {}
    for f in dossier.files:
        results = [lot_result(by_lot[lot.number], bidders, _bidders_of(result, lot.number),
                              notified) for lot in f.notice.lots]
        procedure = ("Procédure adaptée" if f.rule.regime == Regime.SSS or f.value <
                     result.thresholds.procedure_formalisee.value else "Appel d'offres ouvert")
        marches += decp_records(f.notice, results, published or max(dt.date.today(), notified),
                                procedure=procedure)["marches"]["marche"]
        if f.eu:
            notices[f.rule.code] = award_notice(f.notice, results)
    partial = [p.message for p in result.report.problems if p.code == "attribution-partielle"]
    sheets = relaunch(grids, result, closeout) if closeout.unsuccessful else None
    return Cloture(closeout, sheets, {"marches": {"marche": marches}}, notices, partial,
                   result.report)


def lot_result(lot: LotOutcome, bidders: dict[str, Bidder], bid_by: list[str],
               notified: dt.date) -> LotResult:
    """The published result of `lot`: awarded (`selec-w`) with its holders by SIRET and
    size, notified on `notified`, its DECP id as contract number; else closed without a
    winner (`clos-nw`), `no-rece` when no bid came, `other` when the bidders were all
    capped. Tenders by size (BT-760) from the sizes of the bidders `bid_by` (names)."""
    sizes = [bidders.get(fold(b), Bidder(b)).size for b in bid_by]
    large = sum(1 for s in sizes if s == "large")
    counts = {"bids_sme": len(sizes) - large, "bids_large": large} if all(sizes) else {}
    if not lot.awarded:
        return LotResult(lot.lot, lot.bids, status="clos-nw",
                         reason="no-rece" if lot.bids == 0 else "other", **counts)
    winners = tuple(_holder(bidders[fold(h)]) for h in lot.holders)
    return LotResult(lot.lot, lot.bids, winners, notified=notified,
                     contract_id=contract_id(lot.lot, notified), **counts)


def _holder(b: Bidder) -> Holder:
    """The eForms winner of bidder `b`, its NUTS 3 code read off its postcode's
    département (none for Corsica's 20xxx, whose département the postcode does not say)."""
    dep = b.postcode[:3] if b.postcode.startswith("97") else b.postcode[:2]
    return Holder(b.name, b.siret, b.size, b.city, b.postcode,
                  (nuts3(dep) or "") if len(b.postcode) == 5 else "")


def closeout_missing(result: Result, grids: dict[str, SheetGrid]) -> list[str]:
    """One French sentence per piece the close-out lacks beyond the tender file's: the
    bids, `Date de notification`, a valid SIRET for every holder (DECP `titulaires`), and
    for the lots of a dispositif at EU value the size of every bidder (eForms BT-165,
    BT-760) and the city of every holder (BT-513)."""
    i = result.inputs
    if i.offers is None:
        return ["La feuille « Offres » est absente ou vide : la clôture suit l'attribution, "
                "saisissez les offres reçues."]
    out = []
    if i.params.date_notification is None:
        out.append("Paramètres : « Date de notification » manquante, exigée par les données "
                   "essentielles (dateNotification) : complétez-la (JJ/MM/AAAA).")
    bidders = read_bidders(_offres(grids))
    out += [m for b in bidders.values() for m in b.problems]
    holders = {fold(h): h for h in result.attribution.rows.loc[
        ~result.attribution.rows["placeholder"].astype(bool), "titulaire"]}
    no_siret = [h for k, h in holders.items() if not bidders.get(k, Bidder(h)).siret]
    if no_siret:
        out.append(f"Offres : pas de SIRET pour {_names(no_siret)}, titulaire(s) d'un lot : "
                   f"renseignez la colonne « SIRET » (données essentielles, R2196-1).")
    values, law = dispositif_values(result.lots), result.thresholds
    eu = {c for c in values if reaches_eu(i, law, c, values[c])}
    lots = set(result.lots.loc[result.lots["dispositif"].isin(eu), "lot"].map(fold))
    names = dict.fromkeys(c for lot, c in zip(i.offers["lot"].map(fold), i.offers["candidat"],
                                              strict=True) if lot in lots)
    no_size = [c for c in names if not bidders.get(fold(c), Bidder(c)).size]
    if no_size:
        out.append(f"Offres : pas de taille pour {_names(no_size)}, candidat(s) d'un lot au "
                   f"seuil européen : renseignez la colonne « Taille » (micro, petite, "
                   f"moyenne ou grande), exigée par l'avis d'attribution.")
    no_city = [h for k, h in holders.items() if k in {fold(c) for c in names}
               and not bidders.get(k, Bidder(h)).city]
    if no_city:
        out.append(f"Offres : pas de ville pour {_names(no_city)}, titulaire(s) d'un lot au "
                   f"seuil européen : renseignez la colonne « Ville », exigée par l'avis "
                   f"d'attribution.")
    return out


def _names(names: list[str]) -> str:
    shown = ", ".join(f"« {n} »" for n in names[:5])
    return shown + (f" et {len(names) - 5} autre(s)" if len(names) > 5 else "")


def _offres(grids: dict[str, SheetGrid]) -> SheetGrid:
    return grids[find_sheet(list(grids), OFFRES) or OFFRES]


def _bidders_of(result: Result, lot: str) -> list[str]:
    """The distinct bidders (as first written) of `lot`."""
    o = result.inputs.offers
    assert o is not None
    mine = o.loc[o["lot"].map(fold) == fold(lot), "candidat"]
    return list({fold(c): c for c in mine}.values())
