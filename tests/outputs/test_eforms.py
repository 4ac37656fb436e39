"""The eForms notices (outputs/eforms.py): the contract notice cn-social (subtype 20) and the
award notice can-social (subtype 33) pass the SDK's XSD and schematron with 0 problems, and
carry the lots' values where the SDK's XPaths say."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree
from publication import BUYER, LOTS, needs_validator, notice, results, validator

from allot_xl.core.publication import Holder, LotResult
from allot_xl.outputs.eforms import award_notice, contract_notice
from allot_xl.outputs.eforms_xml import NS, paris_offset

LOT = "cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
RESULTS = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/" \
          "efac:NoticeResult"
UUID4 = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$")


def _notices() -> dict[str, bytes]:
    """Every notice the tests validate: three lots with a cap, one lot without review
    body, the award notice of the three lots, and one where no lot had a tender."""
    one = notice(lots=LOTS[:1], review_body=None, max_lots_won=None)
    none = tuple(LotResult(lot.number, 0, status="clos-nw", reason="no-rece") for lot in LOTS)
    return {"cn": contract_notice(notice()), "cn_one": contract_notice(one),
            "can": award_notice(notice(), results()), "can_none": award_notice(notice(), none)}


@pytest.fixture(scope="session")
def written(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("eforms")
    out = {}
    for name, data in _notices().items():
        out[name] = d / f"{name}.xml"
        out[name].write_bytes(data)
    return out


@pytest.fixture(scope="session")
def problems(written) -> dict[str, list[str]]:
    """validate.py's problems per notice, all notices in ONE call (one schematron compile)."""
    found = validator().eforms(list(written.values()))
    return {name: found[path] for name, path in written.items()}


def _tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def _all(root: etree._Element, xpath: str) -> list[etree._Element]:
    return root.xpath(xpath, namespaces=NS)


def _texts(root: etree._Element, xpath: str) -> list[str]:
    """The texts at `xpath` (an SDK XPath relative to `root`)."""
    return [(e.text or "").strip() for e in _all(root, xpath)]


@needs_validator
@pytest.mark.parametrize("name", ["cn", "cn_one", "can", "can_none"])
def test_the_notice_passes_the_sdk_xsd_and_schematron(problems, name: str) -> None:
    assert problems[name] == []


def test_every_lot_carries_its_values(written) -> None:
    root = _tree(written["cn"])
    lots = _all(root, LOT)
    assert [e.text for e in _all(root, f"{LOT}/cbc:ID")] == ["LOT-0001", "LOT-0002",
                                                                   "LOT-0003"]
    for lot, e in zip(LOTS, lots, strict=True):
        project = "cac:ProcurementProject"
        assert _texts(e, f"{project}/cbc:ID") == [lot.number]  # BT-22
        assert _texts(e, f"{project}/cbc:Name") == [lot.title]  # BT-21
        assert _texts(e, f"{project}/cac:MainCommodityClassification/"
                         "cbc:ItemClassificationCode") == ["80530000"]  # BT-262
        assert _texts(e, f"{project}/cac:RealizedLocation/cac:Address/"
                         "cbc:CountrySubentityCode") == list(lot.nuts)  # BT-5071
        total = f"{project}/cac:RequestedTenderTotal"
        assert _texts(e, f"{total}/cbc:EstimatedOverallContractAmount") == [
            f"{lot.estimate:.2f}"]  # BT-27
        assert _texts(e, f"{total}/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/"
                         "efext:EformsExtension/efbc:FrameworkMaximumAmount") == [
            f"{lot.maximum:.2f}"]  # BT-271
        assert _texts(e, f"{project}/cac:PlannedPeriod/cbc:DurationMeasure") == ["12"]
        assert _texts(e, f"{project}/cac:ContractExtension/cbc:MaximumNumberNumeric") == ["3"]
        process = "cac:TenderingProcess"
        assert _texts(e, f"{process}/cac:ContractingSystem/cbc:ContractingSystemTypeCode") == [
            "fa-wo-rc"]  # BT-765
        assert _texts(e, f"{process}/cac:FrameworkAgreement/cbc:MaximumOperatorQuantity") == [
            str(lot.holders)]  # BT-113
    ain = lots[0]
    assert _texts(ain, "cac:ProcurementProject/cac:RealizedLocation/cac:Address/"
                       "cbc:CountrySubentityCode") == ["FRK21"]


def test_criteria_clauses_and_caps(written) -> None:
    root = _tree(written["cn"])
    lot = _all(root, LOT)[0]
    crit = "cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/" \
           "cac:SubordinateAwardingCriterion"
    assert _texts(lot, f"{crit}/cbc:AwardingCriterionTypeCode") == ["quality", "quality",
                                                                     "price"]  # BT-539
    assert _texts(lot, f"{crit}/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/"
                       "efext:EformsExtension/efac:AwardCriterionParameter/"
                       "efbc:ParameterNumeric") == ["50", "10", "40"]  # BT-541
    assert _texts(lot, f"{crit}/cbc:Name")[1] == "Performance environnementale"  # BT-734
    kinds = _texts(lot, "cac:ProcurementProject/cac:ProcurementAdditionalType/"
                        "cbc:ProcurementTypeCode")
    assert {"env-imp", "soc-obj"} <= set(kinds)  # BT-06
    conditions = _texts(lot, "cac:TenderingTerms/cac:ContractExecutionRequirement/"
                             "cbc:Description")[0]  # BT-70
    assert "Clause environnementale" in conditions and "Clause sociale" in conditions
    assert _texts(root, "cac:TenderingTerms/cac:LotDistribution/"
                        "cbc:MaximumLotsAwardedNumeric") == ["2"]  # BT-33
    one = _tree(written["cn_one"])  # the SDK forbids BT-31/BT-33 with a single lot
    assert _all(one, "cac:TenderingTerms/cac:LotDistribution") == []


def test_the_award_notice_says_each_lots_result(written) -> None:
    root = _tree(written["can"])
    res = _all(root, f"{RESULTS}/efac:LotResult")
    assert [_texts(r, "cbc:TenderResultCode")[0] for r in res] == ["selec-w", "selec-w",
                                                                   "clos-nw"]  # BT-142
    assert _texts(res[2], "efac:DecisionReason/efbc:DecisionReasonCode") == ["no-rece"]
    assert _texts(res[0], "efac:FrameworkAgreementValues/cbc:MaximumValueAmount") == [
        "624000.00"]  # BT-709
    assert len(_all(root, f"{RESULTS}/efac:LotTender")) == 3  # one per holder
    assert _texts(root, f"{RESULTS}/efac:SettledContract/efac:ContractReference/cbc:ID") == [
        "2027-PSP-01", "2027-PSP-02"]  # BT-150
    orgs = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/" \
           "efac:Organizations/efac:Organization/efac:Company"
    assert _texts(root, f"{orgs}/cac:PartyLegalEntity/cbc:CompanyID")[1:] == [
        "82409687100264", "19010013100021", "50123456700018"]  # BT-501 of the winners
    assert _texts(root, f"{orgs}/efbc:CompanySizeCode") == ["large", "medium", "small"]


def test_control_characters_of_a_cell_are_dropped() -> None:
    lot = dataclasses.replace(LOTS[0], title="Ain\x0b– Bâtiment")
    assert b"Ain\xe2\x80\x93 B" in contract_notice(notice(lots=(lot,)))


def test_same_values_same_bytes_and_stable_identifiers() -> None:
    assert _notices() == _notices()
    n = notice()
    assert UUID4.match(n.notice_id("cn")) and UUID4.match(n.folder_id)
    assert n.notice_id("cn") != n.notice_id("can")
    other = dataclasses.replace(n, reference="ARA-2028-PSP")
    assert other.folder_id != n.folder_id


def test_what_a_notice_cannot_do_without() -> None:
    with pytest.raises(ValueError, match="deadline"):
        contract_notice(notice(deadline=None))
    with pytest.raises(ValueError, match="PSP-01: NUTS"):
        contract_notice(notice(lots=(dataclasses.replace(LOTS[0], nuts=("",)),)))
    with pytest.raises(ValueError, match="CPV"):
        contract_notice(notice(lots=(dataclasses.replace(LOTS[0], cpv="80530000-8"),)))
    with pytest.raises(ValueError, match="repeated"):
        contract_notice(notice(lots=(LOTS[0], LOTS[0])))
    for field, value in (("email", ""), ("phone", "04 ?"), ("profile_url", "https://…"),
                         ("siret", "200 053 767")):
        with pytest.raises(ValueError, match="buyer"):
            contract_notice(notice(buyer=dataclasses.replace(BUYER, **{field: value})))
    with pytest.raises(ValueError, match="PSP-03"):
        award_notice(notice(), results()[:2])
    with pytest.raises(ValueError, match="repeated"):
        award_notice(notice(), (*results(), results()[0]))
    with pytest.raises(ValueError, match="status"):
        award_notice(notice(), (*results()[:2], dataclasses.replace(results()[2],
                                                                    status="unsuccessful")))
    nameless = Holder("Sans taille", "12345678900011", city="Lyon")
    one = (LotResult("PSP-01", 1, (nameless,), notified=dt.date(2027, 3, 1)),
           *results()[1:])
    with pytest.raises(ValueError, match="BT-165"):
        award_notice(notice(), one)
    unsplit = (dataclasses.replace(results()[0], bids_sme=None), *results()[1:])
    with pytest.raises(ValueError, match="t-sme"):
        award_notice(notice(), unsplit)


@pytest.mark.parametrize(("day", "offset"), [(dt.date(2026, 12, 7), "+01:00"),
                                             (dt.date(2027, 3, 27), "+01:00"),
                                             (dt.date(2027, 3, 28), "+02:00"),
                                             (dt.date(2027, 10, 30), "+02:00"),
                                             (dt.date(2027, 10, 31), "+01:00")])
def test_french_time_offset(day: dt.date, offset: str) -> None:
    assert paris_offset(day) == offset
