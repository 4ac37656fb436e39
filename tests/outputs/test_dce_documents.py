"""The tender file's documents (issue 24): the example's eForms notices validate against the
SDK (XSD and static schematron) with 0 problems and carry each lot's maximum, NUTS, CPV
and the caps of `Règles`; the words of each split rule; values only, never a formula."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from dce_support import example_workbook
from publication import needs_validator, validator

from allot_xl import api
from allot_xl.core.choices import Repartition
from allot_xl.core.model import Rule
from allot_xl.io.dce import xlsx_bytes
from allot_xl.outputs import dce as words
from allot_xl.outputs.model import Block, Column, Sheet

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"}


@pytest.fixture(scope="session")
def notices(tmp_path_factory) -> dict:
    """The example's tender file and its `Lots` rows by N°."""
    tmp = tmp_path_factory.mktemp("avis")
    src = example_workbook(tmp / "exemple.xlsx")
    api.dce(src, tmp / "dce")
    lots = api.regenerate(src, tmp / "exemple.lots.xlsx").outputs.sheet("Lots").block("T_Lots")
    heads = [c.header for c in lots.columns]
    return {"files": sorted((tmp / "dce").glob("avis-*.xml")),
            "lots": {r[heads.index("N° lot")]: dict(zip(heads, r, strict=True))
                     for r in lots.rows}}


@needs_validator
def test_every_notice_passes_the_sdk_with_zero_problems(notices) -> None:
    """All four notices in ONE validate.py call (one schematron compile, ~80 s; its XSLT
    cached in ALLOT_EFORMS_CACHE, default ~/.cache/allot_xl/eforms)."""
    assert [p.name for p in notices["files"]] == [
        "avis-AOF.xml", "avis-CREA.xml", "avis-PQ.xml", "avis-PSP.xml"]
    found = validator().eforms(notices["files"])  # a child process (tests/publication.py)
    assert {p.name: v for p, v in found.items()} == {p.name: [] for p in notices["files"]}


def _lots_of(path: Path) -> dict[str, ET.Element]:
    root = ET.parse(path).getroot()
    out = {}
    for lot in root.findall("cac:ProcurementProjectLot", NS):
        out[lot.findtext("cac:ProcurementProject/cbc:ID", namespaces=NS)] = lot
    return out


def test_each_lot_carries_its_maximum_nuts_and_cpv(notices) -> None:
    lots = notices["lots"]
    seen = 0
    for path in notices["files"]:
        for number, el in _lots_of(path).items():
            lot = lots[number]
            project = el.find("cac:ProcurementProject", NS)
            maximum = project.find(".//efbc:FrameworkMaximumAmount", NS)
            assert float(maximum.text) == lot["Montant maximum (€ HT)"]  # BT-271
            cpv = project.findtext("cac:MainCommodityClassification/cbc:ItemClassificationCode",
                                   namespaces=NS)
            assert cpv == lot["Code CPV"] == "80530000"  # BT-262
            nuts = [e.text for e in project.findall(
                "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode", NS)]  # BT-5071
            if lot["Département"] == "01":
                assert nuts == ["FRK21"]
            seen += 1
    assert seen == len(lots)


def test_the_cap_on_lots_won_is_the_rules(notices) -> None:
    caps = {"PQ": "4", "CREA": "3", "AOF": None, "PSP": None}  # Lots max par titulaire
    for path in notices["files"]:
        code = path.stem.removeprefix("avis-")
        root = ET.parse(path).getroot()
        found = root.findtext(".//cac:LotDistribution/cbc:MaximumLotsAwardedNumeric",
                              namespaces=NS)  # BT-33
        assert found == caps[code], code


def _rule(**kw) -> Rule:
    return Rule(code="X", libelle="X", maille=("Zone",), unite="heures", heures_par_place=10,
                **kw)


@pytest.mark.parametrize("rep", list(Repartition))
def test_one_sentence_per_split_rule(rep: Repartition) -> None:
    text = words.repartition_words(_rule(attributaires=2, repartition=rep.value))
    assert text.endswith(".") and text == words.REPARTITION_WORDS[rep]
    assert words.repartition_words(_rule(attributaires=1, repartition=rep.value)).startswith(
        "Accord-cadre mono-attributaire")


def test_caps_name_both_caps_of_r2113_1_and_the_rule_when_exceeded() -> None:
    text = words.caps_words(_rule(lots_max=2, lots_max_candidat=5), "importance décroissante")
    assert "5 lots au plus" in text and "2 lots au plus" in text and "Biomnis" in text
    assert words.caps_words(_rule(), "optimale").startswith("Sans plafond")


def test_text_is_never_written_as_a_formula() -> None:
    block = Block("T", [Column("Intitulé"), Column(words.PRICE_HEADER)],
                  [["=HYPERLINK(\"http://x\")", None]])
    wb = openpyxl.load_workbook(__import__("io").BytesIO(
        xlsx_bytes([Sheet("S", [block])], unlocked=words.PRICE_HEADER)))
    cell = wb["S"]["A2"]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    assert wb["S"]["B2"].protection.locked is False and wb["S"].protection.sheet
