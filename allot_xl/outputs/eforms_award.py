"""The eForms award notice `can-social` (subtype 33) of a consultation: each lot's result
(CCP R2183-1; directive 2014/24/EU, article 75(2)). Pure writer, ElementTree only; the
parts it shares with the contract notice are in `outputs/eforms_xml.py`."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from ..core.publication import (
    LOT_RESULTS,
    NON_AWARD_REASONS,
    WINNER_SIZES,
    Holder,
    LotResult,
    Notice,
    NoticeLot,
)
from .eforms_xml import (
    FRAMEWORK,
    REVIEW_ORG,
    amount,
    check,
    date_text,
    el,
    extension,
    header,
    lot_id,
    new_root,
    organisations,
    path,
    procedure,
    project,
    serialise,
)


def _winners(notice: Notice, results: Sequence[LotResult]) -> list[tuple[str, Holder]]:
    """Each holder once (by SIRET), in order of first appearance, with its organisation id
    (after the buyer's and the review body's)."""
    first = int(REVIEW_ORG[-4:]) + 1
    seen: dict[str, tuple[str, Holder]] = {}
    for r in results:
        for h in r.winners if r.awarded else ():
            if h.size not in WINNER_SIZES:
                raise ValueError(f"holder {h.name} of lot {r.lot}: its size (BT-165) is "
                                 f"required in an award notice, one of {WINNER_SIZES}")
            seen.setdefault(h.siret, (f"ORG-{first + len(seen):04d}", h))
    return list(seen.values())


def _lot_result(parent: ET.Element, i: int, r: NoticeLot, res: LotResult,
                tenders: list[str], contract: str | None) -> None:
    """One `efac:LotResult`: status (BT-142), why not awarded (BT-144), its winning tenders,
    the framework's maximum (BT-709), tenders received (BT-759, BT-760), its contract."""
    lr = el(parent, "efac:LotResult")
    el(lr, "cbc:ID", f"RES-{i:04d}", schemeName="result")
    el(lr, "cbc:TenderResultCode", res.status, listName="winner-selection-status")
    if not res.awarded:
        el(el(lr, "efac:DecisionReason"), "efbc:DecisionReasonCode", res.reason or "no-rece",
           listName="non-award-justification")
    for t in tenders:
        el(el(lr, "efac:LotTender"), "cbc:ID", t, schemeName="tender")
    if res.awarded:
        el(el(lr, "efac:FrameworkAgreementValues"), "cbc:MaximumValueAmount",
           amount(r.maximum), currencyID="EUR")
    if res.awarded or (res.reason or "no-rece") != "no-rece":  # none said without tenders
        for code, count in _statistics(res):
            stats = el(lr, "efac:ReceivedSubmissionsStatistics")
            el(stats, "efbc:StatisticsCode", code, listName="received-submission-type")
            el(stats, "efbc:StatisticsNumeric", count)
    if contract:
        el(el(lr, "efac:SettledContract"), "cbc:ID", contract, schemeName="contract")
    el(el(lr, "efac:TenderLot"), "cbc:ID", lot_id(i), schemeName="Lot")


def _statistics(res: LotResult) -> list[tuple[str, int]]:
    """The tenders received (BT-759) by kind (BT-760): all, from SMEs, from large
    enterprises, from another EEA country, from outside the EEA (the SDK wants them all
    once any is given). Raises ValueError when the SME/large split is unknown and cannot
    be read off the holders (some tenders did not win)."""
    sme, large = res.bids_sme, res.bids_large
    if sme is None or large is None:
        if res.bids != len(res.winners):
            raise ValueError(f"lot {res.lot}: the tenders received from SMEs and from large "
                             "enterprises are required (BT-760 t-sme, t-large)")
        large = sum(1 for h in res.winners if h.size == "large")
        sme = res.bids - large
    return [("tenders", res.bids), ("t-sme", sme), ("t-large", large),
            ("t-oth-eea", res.bids_other_eea), ("t-no-eea", res.bids_non_eea)]


def _results(ext: ET.Element, notice: Notice, results: Sequence[LotResult],
             orgs: dict[str, str]) -> None:
    """`efac:NoticeResult`: the maximum of the awarded framework agreements (BT-118), one
    result per lot, one tender per (lot, holder), one contract per awarded lot, one
    tendering party per holder."""
    by_lot = {r.lot: r for r in results}
    nr = el(ext, "efac:NoticeResult")
    awarded = [lot for lot in notice.lots if by_lot[lot.number].awarded]
    if awarded:  # the SDK forbids the total when no lot was awarded
        el(nr, "efbc:OverallMaximumFrameworkContractsAmount",
           amount(sum(lot.maximum for lot in awarded)), currencyID="EUR")
    tenders: list[tuple[str, int, str, Holder]] = []  # (tender id, lot index, ref, holder)
    contracts: list[tuple[str, LotResult, list[str]]] = []
    for i, lot in enumerate(notice.lots, 1):
        res = by_lot[lot.number]
        mine = []
        for k, h in enumerate(res.winners if res.awarded else (), 1):
            tid = f"TEN-{len(tenders) + 1:04d}"
            tenders.append((tid, i, f"{lot.number}-{k}", h))
            mine.append(tid)
        contract = f"CON-{len(contracts) + 1:04d}" if mine else None
        if contract:
            contracts.append((contract, res, mine))
        _lot_result(nr, i, lot, res, mine, contract)
    for tid, i, ref, h in tenders:
        t = el(nr, "efac:LotTender")
        el(t, "cbc:ID", tid, schemeName="tender")
        el(el(t, "efac:TenderingParty"), "cbc:ID", _party(orgs[h.siret]),
           schemeName="tendering-party")
        el(el(t, "efac:TenderLot"), "cbc:ID", lot_id(i), schemeName="Lot")
        el(el(t, "efac:TenderReference"), "cbc:ID", ref)
    for cid, res, mine in contracts:
        c = el(nr, "efac:SettledContract")
        el(c, "cbc:ID", cid, schemeName="contract")
        if res.notified:
            el(c, "cbc:IssueDate", date_text(res.notified))
        el(el(c, "efac:ContractReference"), "cbc:ID", res.contract_id or res.lot)
        for tid in mine:
            el(el(c, "efac:LotTender"), "cbc:ID", tid, schemeName="tender")
    for org_id in orgs.values():
        p = el(nr, "efac:TenderingParty")
        el(p, "cbc:ID", _party(org_id), schemeName="tendering-party")
        el(el(p, "efac:Tenderer"), "cbc:ID", org_id, schemeName="organization")


def _party(org_id: str) -> str:
    return "TPA-" + org_id[-4:]


def _check_results(notice: Notice, results: Sequence[LotResult]) -> None:
    """One known result per lot, each of a known status and reason."""
    numbers = [lot.number for lot in notice.lots]
    given = [r.lot for r in results]
    missing = [n for n in numbers if n not in given]
    if missing:
        raise ValueError(f"no result for lot(s) {', '.join(missing)}")
    extra = [n for n in given if n not in numbers] + sorted(
        {n for n in given if given.count(n) > 1})
    if extra:
        raise ValueError(f"results for unknown or repeated lot(s) {', '.join(extra)}")
    for r in results:
        if r.status not in LOT_RESULTS:
            raise ValueError(f"lot {r.lot}: status {r.status!r} not in {LOT_RESULTS}")
        if not r.awarded and r.reason and r.reason not in NON_AWARD_REASONS:
            raise ValueError(f"lot {r.lot}: reason {r.reason!r} not in {NON_AWARD_REASONS}")


def award_notice(notice: Notice, results: Sequence[LotResult],
                 day: dt.date | None = None, award_date: dt.date | None = None) -> bytes:
    """The eForms award notice `can-social` (subtype 33) of `notice`, UTF-8 XML bytes.

    `results`: one per lot of `notice` (by lot number); an awarded lot (`selec-w`) lists its
    holders, each with its size (BT-165); an unsuccessful one is `clos-nw` with its reason
    (BT-144, `no-rece` when none is given). `day`: the notice's date (BT-05), by default
    the last notification date; `award_date`: the award decision's (OPT-999), by default
    the first notification date; both fall back on the contract notice's date. Raises
    ValueError when a lot has no result or a holder no size."""
    check(notice)
    _check_results(notice, results)
    notified = sorted(r.notified for r in results if r.notified)
    day = day or (notified[-1] if notified else notice.issue_date)
    award_date = award_date or (notified[0] if notified else day)
    winners = _winners(notice, results)
    root = new_root("can")
    ext = extension(root)
    _results(ext, notice, results, {h.siret: org_id for org_id, h in winners})
    el(el(ext, "efac:NoticeSubType"), "cbc:SubTypeCode", "33", listName="notice-subtype")
    organisations(ext, notice, winners, review=False)
    header(root, "can", notice, day)
    procedure(root, notice, award=True)
    for i, lot in enumerate(notice.lots, 1):
        pl = el(root, "cac:ProcurementProjectLot")
        el(pl, "cbc:ID", lot_id(i), schemeName="Lot")
        el(el(path(pl, "cac:TenderingProcess"), "cac:ContractingSystem"),
           "cbc:ContractingSystemTypeCode", FRAMEWORK, listName="framework-agreement")
        project(pl, lot, notice.language, full=True)
    el(el(root, "cac:TenderResult"), "cbc:AwardDate", date_text(award_date))
    return serialise(root)
