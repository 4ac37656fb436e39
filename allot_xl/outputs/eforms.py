"""The EU notices of a consultation in eForms (UBL 2.3, eForms SDK 1.15): the contract
notice `cn-social` (subtype 20, light regime of directive 2014/24/EU, articles 74-76; CCP
R2123-1 3° and R2131-16) and the award notice `can-social` (subtype 33, CCP R2183-1,
`outputs/eforms_award.py`).

Pure writers: typed values (`core/publication.py`) in, bytes out, with the standard
library's ElementTree (Pyodide has it; no lxml). The same values give the same bytes: the
identifiers are uuid5 of the procedure's reference, nothing reads the clock."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..core.publication import Notice, NoticeLot
from .eforms_award import award_notice
from .eforms_xml import (
    BUYER_ORG,
    FRAMEWORK,
    REVIEW_ORG,
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
    time_text,
)

__all__ = ["award_notice", "contract_notice"]


def _criteria(terms: ET.Element, lot: NoticeLot, language: str) -> None:
    """The award criteria: type (BT-539), name (BT-734), description (BT-540), weight in
    % (BT-541, BT-5421 `per-exa`)."""
    if not lot.criteria:
        return
    crit = path(terms, "cac:AwardingTerms", "cac:AwardingCriterion")
    for c in lot.criteria:
        sub = el(crit, "cac:SubordinateAwardingCriterion")
        param = el(extension(sub), "efac:AwardCriterionParameter")
        el(param, "efbc:ParameterCode", "per-exa", listName="number-weight")
        el(param, "efbc:ParameterNumeric", f"{c.weight:g}")
        el(sub, "cbc:AwardingCriterionTypeCode", c.kind, listName="award-criterion-type")
        el(sub, "cbc:Name", c.name, languageID=language)
        el(sub, "cbc:Description", c.description or c.name, languageID=language)


def _conditions(lot: NoticeLot) -> str:
    """The execution conditions (BT-70): the environmental clause (CCP L2112-2), the social
    clause or why there is none (L2112-2-1)."""
    parts = []
    if lot.environmental_clause:
        parts.append(f"Clause environnementale : {lot.environmental_clause}")
    if lot.social_clause:
        parts.append(f"Clause sociale : {lot.social_clause}")
    elif lot.social_reason:
        parts.append(f"Absence de clause sociale : {lot.social_reason}")
    return "\n".join(parts)


def _lot_terms(parent: ET.Element, lot: NoticeLot, notice: Notice) -> None:
    """A lot's `cac:TenderingTerms` in the contract notice: no reserved procurement (BT-71),
    selection criteria in the documents (BT-821), no reserved execution (BT-736), the
    execution conditions (BT-70), the award criteria, the review body, the language (BT-97)."""
    lang = notice.language
    t = el(parent, "cac:TenderingTerms")
    el(t, "cbc:FundingProgramCode", "no-eu-funds", listName="eu-funded")
    el(t, "cbc:RecurringProcurementIndicator", "false")
    docs = el(t, "cac:CallForTendersDocumentReference")
    el(docs, "cbc:ID", notice.reference)
    el(docs, "cbc:DocumentType", "non-restricted-document")
    el(path(docs, "cac:Attachment", "cac:ExternalReference"), "cbc:URI",
        notice.buyer.profile_url)
    el(path(t, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "none", listName="reserved-procurement")
    el(path(t, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "epo-procurement-document",
        listName="selection-criteria-source")
    el(el(t, "cac:ContractExecutionRequirement"), "cbc:ExecutionRequirementCode", "no",
        listName="reserved-execution")
    conditions = _conditions(lot)
    if conditions:
        c = el(t, "cac:ContractExecutionRequirement")
        el(c, "cbc:ExecutionRequirementCode", "performance", listName="conditions")
        el(c, "cbc:Description", conditions, languageID=lang)
    _criteria(t, lot, lang)
    review = REVIEW_ORG if notice.review_body is not None else BUYER_ORG
    el(path(t, "cac:AppealTerms", "cac:AppealReceiverParty", "cac:PartyIdentification"),
        "cbc:ID", review, schemeName="organization")
    el(el(t, "cac:Language"), "cbc:ID", lang)


def _lot_process(parent: ET.Element, lot: NoticeLot, notice: Notice) -> None:
    """A lot's `cac:TenderingProcess`: electronic submission (BT-17), the tender deadline
    (BT-131), the holders of the framework agreement (BT-113) and its kind (BT-765)."""
    p = el(parent, "cac:TenderingProcess")
    el(p, "cbc:SubmissionMethodCode", "required", listName="esubmission")
    assert notice.deadline is not None
    period = el(p, "cac:TenderSubmissionDeadlinePeriod")
    el(period, "cbc:EndDate", date_text(notice.deadline.date()))
    el(period, "cbc:EndTime", time_text(notice.deadline))
    el(el(p, "cac:FrameworkAgreement"), "cbc:MaximumOperatorQuantity", lot.holders)
    el(el(p, "cac:ContractingSystem"), "cbc:ContractingSystemTypeCode", FRAMEWORK,
        listName="framework-agreement")


def contract_notice(notice: Notice) -> bytes:
    """The eForms contract notice `cn-social` (subtype 20) of `notice`, UTF-8 XML bytes.

    Every lot carries BT-137, BT-21, BT-262, BT-5071, BT-27, BT-271, BT-36, BT-58, BT-765
    (`fa-wo-rc`), BT-113, its criteria and clauses; BT-31 and BT-33 are the procedure's
    (the SDK forbids them with a single lot). Raises ValueError when `notice` fails
    `eforms_xml.check` or has no tender deadline (BT-131, required for an open procedure)."""
    check(notice)
    if notice.deadline is None:
        raise ValueError("a contract notice needs its tender deadline (BT-131)")
    root = new_root("cn")
    ext = extension(root)
    el(el(ext, "efac:NoticeSubType"), "cbc:SubTypeCode", "20", listName="notice-subtype")
    organisations(ext, notice)
    header(root, "cn", notice)
    procedure(root, notice)
    for i, lot in enumerate(notice.lots, 1):
        pl = el(root, "cac:ProcurementProjectLot")
        el(pl, "cbc:ID", lot_id(i), schemeName="Lot")
        _lot_terms(pl, lot, notice)
        _lot_process(pl, lot, notice)
        project(pl, lot, notice.language, full=True)
    return serialise(root)
