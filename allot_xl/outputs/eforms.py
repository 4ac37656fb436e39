"""The EU notices of a consultation in eForms (UBL 2.3, eForms SDK 1.15): the contract
notice `cn-social` (subtype 20, light regime of directive 2014/24/EU, articles 74-76; CCP
R2123-1 3° and R2131-16) and the award notice `can-social` (subtype 33, CCP R2183-1).

Pure writers: typed values (`core/publication.py`) in, bytes out, with the standard
library's ElementTree (Pyodide has it; no lxml). The same values give the same bytes: the
identifiers are uuid5 of the procedure's reference, nothing reads the clock. The elements
follow the UBL schemas' order; the XPath of each business term (BT) is the SDK's
`fields/fields.json`."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from ..core.publication import Buyer, Holder, LotResult, Notice, NoticeLot

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
CN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
CAN_NS = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

LEGAL_BASIS = "32014L0024"  # directive 2014/24/EU
SDK = "eforms-sdk-1.15"
FRAMEWORK = "fa-wo-rc"  # framework agreement without reopening of competition (BT-765)
BUYER_ORG = "ORG-0001"
REVIEW_ORG = "ORG-0002"


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _el(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    """A child `tag` (`cbc:ID`) of `parent` with `text` and attributes, in that order."""
    e = ET.SubElement(parent, _q(tag), attrs)
    if text is not None:
        e.text = str(text)
    return e


def _path(parent: ET.Element, *tags: str) -> ET.Element:
    """A chain of nested children, the last returned."""
    for t in tags:
        parent = _el(parent, t)
    return parent


def _extension(parent: ET.Element) -> ET.Element:
    """The eForms extension of `parent` (`ext:UBLExtensions/…/efext:EformsExtension`)."""
    return _path(parent, "ext:UBLExtensions", "ext:UBLExtension", "ext:ExtensionContent",
                 "efext:EformsExtension")


def amount(value: float) -> str:
    """An amount in € HT as eForms writes it: two decimals, a point."""
    return f"{value:.2f}"


def paris_offset(day: dt.date) -> str:
    """The UTC offset of metropolitan France on `day`: `+02:00` from the last Sunday of March
    to the day before the last Sunday of October, `+01:00` otherwise (directive 2000/84/EC;
    the change happens at 01:00 UTC, a day's grain is enough here)."""
    def last_sunday(month: int) -> dt.date:
        d = dt.date(day.year, month, 31)
        return d - dt.timedelta(days=(d.weekday() + 1) % 7)
    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


def _date(day: dt.date) -> str:
    return f"{day.isoformat()}{paris_offset(day)}"


def _time(moment: dt.datetime) -> str:
    return f"{moment.strftime('%H:%M:%S')}{paris_offset(moment.date())}"


def _text(parent: ET.Element, tag: str, text: str, language: str) -> None:
    if text:
        _el(parent, tag, text, languageID=language)


def _address(parent: ET.Element, org: Buyer | Holder, street: str = "") -> None:
    a = _el(parent, "cac:PostalAddress")
    if street:
        _el(a, "cbc:StreetName", street)
    _el(a, "cbc:CityName", org.city)
    if org.postcode:
        _el(a, "cbc:PostalZone", org.postcode)
    if org.nuts:
        _el(a, "cbc:CountrySubentityCode", org.nuts, listName="nuts")
    _el(_el(a, "cac:Country"), "cbc:IdentificationCode", org.country, listName="country")


def _organisation(orgs: ET.Element, org_id: str, org: Buyer | Holder, language: str) -> None:
    """One `efac:Organization`: name (BT-500), SIRET (BT-501), address (BT-510…514),
    contact (BT-503, BT-506), size (BT-165, winners only)."""
    company = _el(_el(orgs, "efac:Organization"), "efac:Company")
    if isinstance(org, Buyer) and org.profile_url:
        _el(company, "cbc:WebsiteURI", org.profile_url)
    if isinstance(org, Holder) and org.size:
        _el(company, "efbc:CompanySizeCode", org.size, listName="economic-operator-size")
    _el(_el(company, "cac:PartyIdentification"), "cbc:ID", org_id, schemeName="organization")
    _el(_el(company, "cac:PartyName"), "cbc:Name", org.name, languageID=language)
    _address(company, org, org.street if isinstance(org, Buyer) else "")
    _el(_el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", org.siret, schemeName="SIRET")
    if isinstance(org, Buyer) and (org.phone or org.email):
        contact = _el(company, "cac:Contact")
        if org.phone:
            _el(contact, "cbc:Telephone", org.phone)
        if org.email:
            _el(contact, "cbc:ElectronicMail", org.email)


def _organisations(ext: ET.Element, notice: Notice,
                   winners: Sequence[tuple[str, Holder]] = ()) -> None:
    orgs = _el(ext, "efac:Organizations")
    _organisation(orgs, BUYER_ORG, notice.buyer, notice.language)
    if notice.review_body is not None:
        _organisation(orgs, REVIEW_ORG, notice.review_body, notice.language)
    for org_id, holder in winners:
        _organisation(orgs, org_id, holder, notice.language)


def _root(kind: str) -> ET.Element:
    if kind == "cn":
        return ET.Element(f"{{{CN_NS}}}ContractNotice")
    return ET.Element(f"{{{CAN_NS}}}ContractAwardNotice")


def _header(root: ET.Element, kind: str, notice: Notice) -> None:
    """The notice's identity (BT-701, BT-04, BT-05, BT-757, BT-01, BT-02, BT-702) and its
    buyer (BT-508, BT-11, BT-10, OPT-300)."""
    _el(root, "cbc:UBLVersionID", "2.3")
    _el(root, "cbc:CustomizationID", SDK)
    _el(root, "cbc:ID", notice.notice_id(kind), schemeName="notice-id")
    _el(root, "cbc:ContractFolderID", notice.folder_id)
    _el(root, "cbc:IssueDate", _date(notice.issue_date))
    _el(root, "cbc:IssueTime", f"12:00:00{paris_offset(notice.issue_date)}")
    _el(root, "cbc:VersionID", "01")
    _el(root, "cbc:RegulatoryDomain", LEGAL_BASIS)
    _el(root, "cbc:NoticeTypeCode", f"{kind}-social",
        listName="competition" if kind == "cn" else "result")
    _el(root, "cbc:NoticeLanguageCode", notice.language)
    party = _el(root, "cac:ContractingParty")
    if notice.buyer.profile_url:
        _el(party, "cbc:BuyerProfileURI", notice.buyer.profile_url)
    _el(_el(party, "cac:ContractingPartyType"), "cbc:PartyTypeCode", notice.buyer.legal_type,
        listName="buyer-legal-type")
    _el(_el(party, "cac:ContractingActivity"), "cbc:ActivityTypeCode", notice.buyer.activity,
        listName="authority-activity")
    _el(_path(party, "cac:Party", "cac:PartyIdentification"), "cbc:ID", BUYER_ORG,
        schemeName="organization")


def _lot_id(i: int) -> str:
    return f"LOT-{i:04d}"


def _place(project: ET.Element, nuts: Iterable[str]) -> None:
    """One place of performance per NUTS 3 code (BT-5071), in France (BT-5141)."""
    for code in nuts:
        a = _path(project, "cac:RealizedLocation", "cac:Address")
        _el(a, "cbc:CountrySubentityCode", code, listName="nuts")
        _el(_el(a, "cac:Country"), "cbc:IdentificationCode", "FRA", listName="country")


def _project(parent: ET.Element, lot: NoticeLot, language: str, full: bool) -> None:
    """A lot's `cac:ProcurementProject`: BT-22, BT-21, BT-24, BT-23, strategic procurement
    (BT-06, BT-774, BT-775, BT-777), BT-27 and BT-271, BT-262, BT-5071, BT-36, BT-58/BT-57."""
    p = _el(parent, "cac:ProcurementProject")
    _el(p, "cbc:ID", lot.number, schemeName="InternalID")
    _el(p, "cbc:Name", lot.title, languageID=language)
    _el(p, "cbc:Description", lot.description or lot.title, languageID=language)
    _el(p, "cbc:ProcurementTypeCode", "services", listName="contract-nature")
    if full:
        _strategic(p, lot, language)
        total = _el(p, "cac:RequestedTenderTotal")
        _el(_extension(total), "efbc:FrameworkMaximumAmount", amount(lot.maximum),
            currencyID="EUR")
        _el(total, "cbc:EstimatedOverallContractAmount", amount(lot.estimate),
            currencyID="EUR")
    _el(_el(p, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", lot.cpv,
        listName="cpv")
    _place(p, lot.nuts)
    if full:
        _el(_el(p, "cac:PlannedPeriod"), "cbc:DurationMeasure", lot.months, unitCode="MONTH")
        ext = _el(p, "cac:ContractExtension")
        _el(ext, "cbc:MaximumNumberNumeric", lot.renewals)
        if lot.renewals > 0 and lot.renewals_text:
            _el(_path(ext, "cac:Renewal", "cac:Period"), "cbc:Description", lot.renewals_text,
                languageID=language)


def _strategic(p: ET.Element, lot: NoticeLot, language: str) -> None:
    """BT-06 with its description BT-777: `env-imp` when the lot has an environmental
    clause or criterion (BT-774 `other`), `soc-obj` when it has a social clause (BT-775
    `other`); `none` otherwise."""
    env = lot.environmental_clause or next(
        (c.description or c.name for c in lot.criteria if c.environmental), "")
    kinds = []
    if env:
        _el(_el(p, "cac:ProcurementAdditionalType"), "cbc:ProcurementTypeCode", "other",
            listName="environmental-impact")
        kinds.append(("env-imp", env))
    if lot.social_clause:
        _el(_el(p, "cac:ProcurementAdditionalType"), "cbc:ProcurementTypeCode", "other",
            listName="social-objective")
        kinds.append(("soc-obj", lot.social_clause))
    for code, text in kinds or [("none", "")]:
        t = _el(p, "cac:ProcurementAdditionalType")
        _el(t, "cbc:ProcurementTypeCode", code, listName="strategic-procurement")
        _text(t, "cbc:ProcurementType", text, language)


def _criteria(terms: ET.Element, lot: NoticeLot, language: str) -> None:
    """The award criteria: type (BT-539), name (BT-734), description (BT-540), weight in
    % (BT-541, BT-5421 `per-exa`)."""
    if not lot.criteria:
        return
    crit = _path(terms, "cac:AwardingTerms", "cac:AwardingCriterion")
    for c in lot.criteria:
        sub = _el(crit, "cac:SubordinateAwardingCriterion")
        param = _el(_extension(sub), "efac:AwardCriterionParameter")
        _el(param, "efbc:ParameterCode", "per-exa", listName="number-weight")
        _el(param, "efbc:ParameterNumeric", f"{c.weight:g}")
        _el(sub, "cbc:AwardingCriterionTypeCode", c.kind, listName="award-criterion-type")
        _el(sub, "cbc:Name", c.name, languageID=language)
        _el(sub, "cbc:Description", c.description or c.name, languageID=language)


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
    t = _el(parent, "cac:TenderingTerms")
    _el(t, "cbc:FundingProgramCode", "no-eu-funds", listName="eu-funded")
    _el(t, "cbc:RecurringProcurementIndicator", "false")
    docs = _el(t, "cac:CallForTendersDocumentReference")
    _el(docs, "cbc:ID", notice.reference)
    _el(docs, "cbc:DocumentType", "non-restricted-document")
    _el(_path(docs, "cac:Attachment", "cac:ExternalReference"), "cbc:URI",
        notice.buyer.profile_url)
    _el(_path(t, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "none", listName="reserved-procurement")
    _el(_path(t, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "epo-procurement-document",
        listName="selection-criteria-source")
    _el(_el(t, "cac:ContractExecutionRequirement"), "cbc:ExecutionRequirementCode", "no",
        listName="reserved-execution")
    conditions = _conditions(lot)
    if conditions:
        c = _el(t, "cac:ContractExecutionRequirement")
        _el(c, "cbc:ExecutionRequirementCode", "performance", listName="conditions")
        _el(c, "cbc:Description", conditions, languageID=lang)
    _criteria(t, lot, lang)
    review = REVIEW_ORG if notice.review_body is not None else BUYER_ORG
    _el(_path(t, "cac:AppealTerms", "cac:AppealReceiverParty", "cac:PartyIdentification"),
        "cbc:ID", review, schemeName="organization")
    _el(_el(t, "cac:Language"), "cbc:ID", lang)


def _lot_process(parent: ET.Element, lot: NoticeLot, notice: Notice) -> None:
    """A lot's `cac:TenderingProcess`: electronic submission (BT-17), the tender deadline
    (BT-131), the holders of the framework agreement (BT-113) and its kind (BT-765)."""
    p = _el(parent, "cac:TenderingProcess")
    _el(p, "cbc:SubmissionMethodCode", "required", listName="esubmission")
    assert notice.deadline is not None
    period = _el(p, "cac:TenderSubmissionDeadlinePeriod")
    _el(period, "cbc:EndDate", _date(notice.deadline.date()))
    _el(period, "cbc:EndTime", _time(notice.deadline))
    _el(_el(p, "cac:FrameworkAgreement"), "cbc:MaximumOperatorQuantity", lot.holders)
    _el(_el(p, "cac:ContractingSystem"), "cbc:ContractingSystemTypeCode", FRAMEWORK,
        listName="framework-agreement")


def _procedure(root: ET.Element, notice: Notice, caps: bool) -> None:
    """The procedure's terms (BT-806; BT-31 and BT-33 when the notice has two lots or more),
    its process (BT-88, BT-105) and its object (BT-22, BT-21, BT-24, BT-23, BT-262)."""
    terms = _el(root, "cac:TenderingTerms")
    _el(_path(terms, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "epo-procurement-document",
        listName="exclusion-grounds-source")
    if caps and len(notice.lots) >= 2 and (notice.max_lots_won or notice.max_lots_bid):
        dist = _el(terms, "cac:LotDistribution")
        if notice.max_lots_won:
            _el(dist, "cbc:MaximumLotsAwardedNumeric", notice.max_lots_won)
        if notice.max_lots_bid:
            _el(dist, "cbc:MaximumLotsSubmittedNumeric", notice.max_lots_bid)
    process = _el(root, "cac:TenderingProcess")
    _el(process, "cbc:Description", PROCEDURE_FEATURES, languageID=notice.language)
    _el(process, "cbc:ProcedureCode", notice.procedure_code,
        listName="procurement-procedure-type")
    p = _el(root, "cac:ProcurementProject")
    _el(p, "cbc:ID", notice.reference, schemeName="InternalID")
    _el(p, "cbc:Name", notice.title, languageID=notice.language)
    _el(p, "cbc:Description", notice.description or notice.title, languageID=notice.language)
    _el(p, "cbc:ProcurementTypeCode", "services", listName="contract-nature")
    _el(_el(p, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode",
        notice.lots[0].cpv, listName="cpv")


PROCEDURE_FEATURES = ("Procédure adaptée de services sociaux et autres services spécifiques "
                      "(articles R2123-1 3° et R2123-4 à R2123-7 du code de la commande "
                      "publique) ; accords-cadres à bons de commande multi-attributaires, "
                      "sans remise en concurrence.")


def _serialise(root: ET.Element) -> bytes:
    """UTF-8 bytes, indented, the notice's own namespace as the default one."""
    ET.indent(root, space="  ")
    # ElementTree names the root's namespace `ns0` (its default_namespace option refuses
    # unqualified attributes): made the default namespace, as the SDK's examples write it;
    # `<` never occurs in escaped text, so only tags and the declaration match
    text = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return (text.replace(b"<ns0:", b"<").replace(b"</ns0:", b"</")
            .replace(b" xmlns:ns0=", b" xmlns="))


def contract_notice(notice: Notice) -> bytes:
    """The eForms contract notice `cn-social` (subtype 20) of `notice`, UTF-8 XML bytes.

    Every lot carries BT-137, BT-21, BT-262, BT-5071, BT-27, BT-271, BT-36, BT-58, BT-765
    (`fa-wo-rc`), BT-113, its criteria and clauses; BT-31 and BT-33 are the procedure's
    (the SDK forbids them with a single lot). Raises ValueError when `notice` has no lot or
    no tender deadline (BT-131 is required for an open procedure)."""
    if not notice.lots:
        raise ValueError("a notice needs at least one lot")
    if notice.deadline is None:
        raise ValueError("a contract notice needs its tender deadline (BT-131)")
    root = _root("cn")
    ext = _extension(root)
    _el(_el(ext, "efac:NoticeSubType"), "cbc:SubTypeCode", "20", listName="notice-subtype")
    _organisations(ext, notice)
    _header(root, "cn", notice)
    _procedure(root, notice, caps=True)
    for i, lot in enumerate(notice.lots, 1):
        pl = _el(root, "cac:ProcurementProjectLot")
        _el(pl, "cbc:ID", _lot_id(i), schemeName="Lot")
        _lot_terms(pl, lot, notice)
        _lot_process(pl, lot, notice)
        _project(pl, lot, notice.language, full=True)
    return _serialise(root)
