"""The parts the eForms notices share (`outputs/eforms.py`, `outputs/eforms_award.py`):
namespaces, element helpers, organisations, the notice's header, the procedure and a lot's
object. ElementTree only (the standard library: Pyodide has it); the elements follow the
UBL 2.3 schemas' order and each business term (BT) its XPath in the SDK's
`fields/fields.json` (eForms SDK 1.15)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from ..core.nuts import NUTS3
from ..core.publication import CRITERION_TYPES, Buyer, Holder, Notice, NoticeLot

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


def qname(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def el(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
    """A child `tag` (`cbc:ID`) of `parent` with `text` and attributes, in that order."""
    e = ET.SubElement(parent, qname(tag), attrs)
    if text is not None:
        e.text = _CONTROL.sub("", str(text))  # XML 1.0 has no place for them
    return e


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def path(parent: ET.Element, *tags: str) -> ET.Element:
    """A chain of nested children, the last returned."""
    for t in tags:
        parent = el(parent, t)
    return parent


def extension(parent: ET.Element) -> ET.Element:
    """The eForms extension of `parent` (`ext:UBLExtensions/…/efext:EformsExtension`)."""
    return path(parent, "ext:UBLExtensions", "ext:UBLExtension", "ext:ExtensionContent",
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


def date_text(day: dt.date) -> str:
    return f"{day.isoformat()}{paris_offset(day)}"


def time_text(moment: dt.datetime) -> str:
    return f"{moment.strftime('%H:%M:%S')}{paris_offset(moment.date())}"


def text_el(parent: ET.Element, tag: str, text: str, language: str) -> None:
    if text:
        el(parent, tag, text, languageID=language)


def _address(parent: ET.Element, org: Buyer | Holder, street: str = "") -> None:
    a = el(parent, "cac:PostalAddress")
    if street:
        el(a, "cbc:StreetName", street)
    el(a, "cbc:CityName", org.city)
    if org.postcode:
        el(a, "cbc:PostalZone", org.postcode)
    if org.nuts:
        el(a, "cbc:CountrySubentityCode", org.nuts, listName="nuts")
    el(el(a, "cac:Country"), "cbc:IdentificationCode", org.country, listName="country")


def _organisation(orgs: ET.Element, org_id: str, org: Buyer | Holder, language: str) -> None:
    """One `efac:Organization`: name (BT-500), SIRET (BT-501), address (BT-510…514),
    contact (BT-503, BT-506), size (BT-165, winners only)."""
    company = el(el(orgs, "efac:Organization"), "efac:Company")
    if isinstance(org, Buyer) and org.profile_url:
        el(company, "cbc:WebsiteURI", org.profile_url)
    if isinstance(org, Holder) and org.size:
        el(company, "efbc:CompanySizeCode", org.size, listName="economic-operator-size")
    el(el(company, "cac:PartyIdentification"), "cbc:ID", org_id, schemeName="organization")
    el(el(company, "cac:PartyName"), "cbc:Name", org.name, languageID=language)
    _address(company, org, org.street if isinstance(org, Buyer) else "")
    el(el(company, "cac:PartyLegalEntity"), "cbc:CompanyID", org.siret, schemeName="SIRET")
    if isinstance(org, Buyer) and (org.phone or org.email):
        contact = el(company, "cac:Contact")
        if org.phone:
            el(contact, "cbc:Telephone", org.phone)
        if org.email:
            el(contact, "cbc:ElectronicMail", org.email)


def organisations(ext: ET.Element, notice: Notice,
                  winners: Sequence[tuple[str, Holder]] = (), review: bool = True) -> None:
    """`efac:Organizations`: the buyer, the review body (`review`: the SDK wants each
    organisation referenced, and only the contract notice names the review body), the
    winners."""
    orgs = el(ext, "efac:Organizations")
    _organisation(orgs, BUYER_ORG, notice.buyer, notice.language)
    if review and notice.review_body is not None:
        _organisation(orgs, REVIEW_ORG, notice.review_body, notice.language)
    for org_id, holder in winners:
        _organisation(orgs, org_id, holder, notice.language)


def new_root(kind: str) -> ET.Element:
    if kind == "cn":
        return ET.Element(f"{{{CN_NS}}}ContractNotice")
    return ET.Element(f"{{{CAN_NS}}}ContractAwardNotice")


def header(root: ET.Element, kind: str, notice: Notice, day: dt.date | None = None) -> None:
    """The notice's identity (BT-701, BT-04, BT-05 on `day`, the contract notice's date
    when None; BT-757, BT-01, BT-02, BT-702) and its buyer (BT-508, BT-11, BT-10, OPT-300)."""
    day = day or notice.issue_date
    el(root, "cbc:UBLVersionID", "2.3")
    el(root, "cbc:CustomizationID", SDK)
    el(root, "cbc:ID", notice.notice_id(kind), schemeName="notice-id")
    el(root, "cbc:ContractFolderID", notice.folder_id)
    el(root, "cbc:IssueDate", date_text(day))
    el(root, "cbc:IssueTime", f"12:00:00{paris_offset(day)}")
    el(root, "cbc:VersionID", "01")
    el(root, "cbc:RegulatoryDomain", LEGAL_BASIS)
    el(root, "cbc:NoticeTypeCode", f"{kind}-social",
        listName="competition" if kind == "cn" else "result")
    el(root, "cbc:NoticeLanguageCode", notice.language)
    party = el(root, "cac:ContractingParty")
    if notice.buyer.profile_url:
        el(party, "cbc:BuyerProfileURI", notice.buyer.profile_url)
    el(el(party, "cac:ContractingPartyType"), "cbc:PartyTypeCode", notice.buyer.legal_type,
        listName="buyer-legal-type")
    el(el(party, "cac:ContractingActivity"), "cbc:ActivityTypeCode", notice.buyer.activity,
        listName="authority-activity")
    el(path(party, "cac:Party", "cac:PartyIdentification"), "cbc:ID", BUYER_ORG,
        schemeName="organization")


def lot_id(i: int) -> str:
    return f"LOT-{i:04d}"


def _place(project: ET.Element, nuts: Iterable[str]) -> None:
    """One place of performance per NUTS 3 code (BT-5071), in France (BT-5141)."""
    for code in nuts:
        a = path(project, "cac:RealizedLocation", "cac:Address")
        el(a, "cbc:CountrySubentityCode", code, listName="nuts")
        el(el(a, "cac:Country"), "cbc:IdentificationCode", "FRA", listName="country")


def project(parent: ET.Element, lot: NoticeLot, language: str, full: bool) -> None:
    """A lot's `cac:ProcurementProject`: BT-22, BT-21, BT-24, BT-23, strategic procurement
    (BT-06, BT-774, BT-775, BT-777), BT-27 and BT-271, BT-262, BT-5071, BT-36, BT-58/BT-57."""
    p = el(parent, "cac:ProcurementProject")
    el(p, "cbc:ID", lot.number, schemeName="InternalID")
    el(p, "cbc:Name", lot.title, languageID=language)
    el(p, "cbc:Description", lot.description or lot.title, languageID=language)
    el(p, "cbc:ProcurementTypeCode", "services", listName="contract-nature")
    if full:
        _strategic(p, lot, language)
        total = el(p, "cac:RequestedTenderTotal")
        el(extension(total), "efbc:FrameworkMaximumAmount", amount(lot.maximum),
            currencyID="EUR")
        el(total, "cbc:EstimatedOverallContractAmount", amount(lot.estimate),
            currencyID="EUR")
    el(el(p, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", lot.cpv,
        listName="cpv")
    _place(p, lot.nuts)
    if full:
        el(el(p, "cac:PlannedPeriod"), "cbc:DurationMeasure", lot.months, unitCode="MONTH")
        ext = el(p, "cac:ContractExtension")
        el(ext, "cbc:MaximumNumberNumeric", lot.renewals)
        if lot.renewals > 0 and lot.renewals_text:
            el(path(ext, "cac:Renewal", "cac:Period"), "cbc:Description", lot.renewals_text,
                languageID=language)


def _strategic(p: ET.Element, lot: NoticeLot, language: str) -> None:
    """BT-06 with its description BT-777: `env-imp` when the lot has an environmental
    clause or criterion (BT-774 `other`), `soc-obj` when it has a social clause (BT-775
    `other`); `none` otherwise."""
    env = lot.environmental_clause or next(
        (c.description or c.name for c in lot.criteria if c.environmental), "")
    kinds = []
    if env:
        el(el(p, "cac:ProcurementAdditionalType"), "cbc:ProcurementTypeCode", "other",
            listName="environmental-impact")
        kinds.append(("env-imp", env))
    if lot.social_clause:
        el(el(p, "cac:ProcurementAdditionalType"), "cbc:ProcurementTypeCode", "other",
            listName="social-objective")
        kinds.append(("soc-obj", lot.social_clause))
    for code, text in kinds or [("none", "")]:
        t = el(p, "cac:ProcurementAdditionalType")
        el(t, "cbc:ProcurementTypeCode", code, listName="strategic-procurement")
        text_el(t, "cbc:ProcurementType", text, language)


def procedure(root: ET.Element, notice: Notice, award: bool = False) -> None:
    """The procedure's terms (BT-806; BT-31 and BT-33 when the notice has two lots or more;
    none in an award notice, the SDK forbids them there), its process (BT-88, BT-105) and
    its object (BT-22, BT-21, BT-24, BT-23, BT-262)."""
    if not award:
        _terms(root, notice)
    process = el(root, "cac:TenderingProcess")
    el(process, "cbc:Description", PROCEDURE_FEATURES, languageID=notice.language)
    el(process, "cbc:ProcedureCode", notice.procedure_code,
        listName="procurement-procedure-type")
    p = el(root, "cac:ProcurementProject")
    el(p, "cbc:ID", notice.reference, schemeName="InternalID")
    el(p, "cbc:Name", notice.title, languageID=notice.language)
    el(p, "cbc:Description", notice.description or notice.title, languageID=notice.language)
    el(p, "cbc:ProcurementTypeCode", "services", listName="contract-nature")
    el(el(p, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode",
        notice.lots[0].cpv, listName="cpv")
    _place(p, dict.fromkeys(code for lot in notice.lots for code in lot.nuts))


def _terms(root: ET.Element, notice: Notice) -> None:
    terms = el(root, "cac:TenderingTerms")
    el(path(terms, "cac:TendererQualificationRequest", "cac:SpecificTendererRequirement"),
        "cbc:TendererRequirementTypeCode", "epo-procurement-document",
        listName="exclusion-grounds-source")
    if len(notice.lots) >= 2 and (notice.max_lots_won or notice.max_lots_bid):
        dist = el(terms, "cac:LotDistribution")
        if notice.max_lots_won:
            el(dist, "cbc:MaximumLotsAwardedNumeric", notice.max_lots_won)
        if notice.max_lots_bid:
            el(dist, "cbc:MaximumLotsSubmittedNumeric", notice.max_lots_bid)


PROCEDURE_FEATURES = ("Procédure adaptée de services sociaux et autres services spécifiques "
                      "(articles R2123-1 3° et R2123-4 à R2123-7 du code de la commande "
                      "publique) ; accords-cadres à bons de commande multi-attributaires, "
                      "sans remise en concurrence.")


def serialise(root: ET.Element) -> bytes:
    """UTF-8 bytes, indented, the notice's own namespace as the default one."""
    ET.indent(root, space="  ")
    # ElementTree names the root's namespace `ns0` (its default_namespace option refuses
    # unqualified attributes): made the default namespace, as the SDK's examples write it;
    # `<` never occurs in escaped text, so only tags and the declaration match
    text = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return (text.replace(b"<ns0:", b"<").replace(b"</ns0:", b"</")
            .replace(b" xmlns:ns0=", b" xmlns="))




_CPV = re.compile(r"^\d{8}$")
_FRENCH_NUTS = frozenset(NUTS3.values())


# the SDK's patterns (rules BR-BT-00505, BR-BT-00506, BR-BT-00503)
_URL = re.compile(r"((^(https?|ftps?|sftp)://)|(^w{3}\d?\.))[\w?!./:;,\-=#+*%@\"()&]+",
                  re.IGNORECASE)
_EMAIL = re.compile(r"^[\w!#$%&'*+/=?-]+(\.[\w!#$%&'*+/=?-]+)*@"
                    r"([^\W_]([\w-]*[^\W_])?\.)+[^\W_]{2,}$")
_PHONE = re.compile(r"^((\(\+?\d+\))|\+?\d+)( - |-| )?(((\(\d+\))|\d+)( - |-| )?)*\d+ ?$")


def check_buyer(buyer: Buyer) -> None:
    """The buyer's identity as the SDK wants it: SIRET of 14 digits, an email (BT-506) and
    a phone number (BT-503) of the SDK's shapes, the buyer profile's URL (BT-508, also
    where the tender documents are, BT-15). Raises ValueError naming the field."""
    if not re.fullmatch(r"\d{14}", buyer.siret):
        raise ValueError(f"buyer SIRET {buyer.siret!r} is not 14 digits")
    if not _EMAIL.match(buyer.email.strip()):
        raise ValueError(f"buyer email {buyer.email!r} (BT-506) is missing or malformed")
    if not _PHONE.match(buyer.phone.strip()):
        raise ValueError(f"buyer phone {buyer.phone!r} (BT-503) is missing or malformed")
    if not _URL.match(buyer.profile_url.strip()):
        raise ValueError(f"buyer profile URL {buyer.profile_url!r} (BT-508) is missing or "
                         "malformed")


def check(notice: Notice) -> None:
    """What the SDK would refuse, said before any XML is written: the buyer
    (`check_buyer`), at least one lot, lot numbers distinct, each lot's CPV of 8 digits (no
    check digit), its NUTS 3 codes French and at least one, its criteria of a known kind
    (`quality`, `price`, `cost`). Raises ValueError naming the lot or the field."""
    check_buyer(notice.buyer)
    if not notice.lots:
        raise ValueError("a notice needs at least one lot")
    numbers = [lot.number for lot in notice.lots]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"lot numbers repeated: {numbers}")
    for lot in notice.lots:
        if not _CPV.match(lot.cpv):
            raise ValueError(f"lot {lot.number}: CPV {lot.cpv!r} is not 8 digits")
        bad = [n for n in lot.nuts if n not in _FRENCH_NUTS]
        if not lot.nuts or bad:
            raise ValueError(f"lot {lot.number}: NUTS 3 codes {list(lot.nuts)} "
                             "(one or more French NUTS 3 codes needed)")
        kinds = [c.kind for c in lot.criteria if c.kind not in CRITERION_TYPES]
        if kinds:
            raise ValueError(f"lot {lot.number}: criterion kind(s) {kinds} not in "
                             f"{CRITERION_TYPES}")
