"""`allot-xl cloture` on the bundled example (issue 26): no bid on PSP, one bid on two PQ
lots planned for three holders. `relance.xlsx` holds exactly the unsuccessful lots' needs,
`decp.json` and the award notices pass `../shared/publication/validate.py` with 0
problems, nothing is written when an input is missing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from cloture_support import NOTIFIED, SHORT, offres_book, siret
from dce_support import example_workbook
from publication import needs_validator, validator

from allot_xl import api
from allot_xl.cli import main
from workbooks import offer, sheet_rows, write_table

NS = {"efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
      "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("cloture")
    book, lots = offres_book(tmp, "exemple")
    done = api.cloture(book, tmp / "cloture")
    affectation = sheet_rows(api.regenerate(book, tmp / "offres.lots.xlsx").output_path,
                             "Affectation")
    return {"book": book, "lots": lots, "done": done, "out": tmp / "cloture",
            "affectation": affectation, "tmp": tmp}


def test_the_files_and_one_line_each(closed: dict) -> None:
    names = sorted(p.name for p in closed["out"].iterdir())
    assert names == sorted(["relance.xlsx", "decp.json"] + [
        f"avis-attribution-{c}.xml" for c in ("AOF", "CREA", "PQ", "PSP")])
    lines = closed["done"].summary
    assert sorted(line.split(" : ")[0] for line in lines[:len(names)]) == names


def test_relance_holds_exactly_the_unsuccessful_lots_needs(closed: dict) -> None:
    failed = {x["N° lot"] for x in closed["lots"] if x["Dispositif"] == "PSP"} | set(SHORT)
    expected = sorted(str(r["ID besoin"]) for r in closed["affectation"]
                      if r["N° lot"] in failed)
    relance = closed["out"] / "relance.xlsx"
    assert sorted(str(r["ID besoin"]) for r in sheet_rows(relance, "Besoins")) == expected
    awarded = {x["N° lot"] for x in closed["lots"] if x["Dispositif"] != "PSP"}
    assert {r["N° lot"] for r in sheet_rows(relance, "Lots attribués")} == awarded
    again = api.regenerate(relance, closed["tmp"] / "relance.lots.xlsx").output_path
    numbers = {r["N° lot"] for r in sheet_rows(again, "Lots")}
    assert numbers and not numbers & awarded


def test_decp_one_marche_per_awarded_lot_with_all_holders_and_the_maximum(
        closed: dict) -> None:
    records = json.loads((closed["out"] / "decp.json").read_text(encoding="utf-8"))
    marches = records["marches"]["marche"]
    awarded = [x for x in closed["lots"] if x["Dispositif"] != "PSP"]
    assert [m["id"] for m in marches] == [f"2027-{x['N° lot']}" for x in awarded]
    by_id = {m["id"]: m for m in marches}
    for x in awarded:
        m = by_id[f"2027-{x['N° lot']}"]
        planned = 1 if x["N° lot"] in SHORT else int(x["Attributaires"])
        assert len(m["titulaires"]) == planned == m["offresRecues"]
        assert m["montant"] == round(x["Montant maximum (€ HT)"], 2)
        assert m["dateNotification"] == "2027-03-01"
        env = m["considerationsEnvironnementales"]["considerationEnvironnementale"]
        assert "Pas de considération environnementale" not in env


def test_award_notice_closes_the_psp_lots_without_a_tender(closed: dict) -> None:
    root = ET.parse(closed["out"] / "avis-attribution-PSP.xml").getroot()
    results = root.findall(".//efac:NoticeResult/efac:LotResult", NS)
    psp = [x for x in closed["lots"] if x["Dispositif"] == "PSP"]
    assert len(results) == len(psp)
    assert {r.findtext("cbc:TenderResultCode", namespaces=NS) for r in results} == {"clos-nw"}
    assert {r.findtext("efac:DecisionReason/efbc:DecisionReasonCode", namespaces=NS)
            for r in results} == {"no-rece"}
    pq = ET.parse(closed["out"] / "avis-attribution-PQ.xml").getroot()
    assert {r.findtext("cbc:TenderResultCode", namespaces=NS) for r in pq.findall(
        ".//efac:NoticeResult/efac:LotResult", NS)} == {"selec-w"}


@needs_validator
def test_decp_and_award_notices_pass_the_validator(closed: dict) -> None:
    v = validator()
    decp = v.decp([closed["out"] / "decp.json"])
    assert list(decp.values()) == [[]], decp
    notices = sorted(closed["out"].glob("avis-attribution-*.xml"))
    found = v.eforms(notices)
    assert found == {p: [] for p in notices}, {p.name: m[:5] for p, m in found.items() if m}


def test_a_lot_short_of_holders_is_reported_with_what_the_buyer_may_do(closed: dict) -> None:
    partial = closed["done"].partial
    assert len(partial) == len(SHORT)
    for lot, line in zip(SHORT, partial, strict=True):
        assert f"« {lot} »" in line and "notifier" in line and "relance.xlsx" in line
    assert closed["done"].summary[-len(SHORT):] == partial


def test_cli_writes_and_prints_one_line_per_file(closed: dict, capsys) -> None:
    out = closed["tmp"] / "cli"
    assert main(["cloture", str(closed["book"]), "-o", str(out), "-q"]) == 0
    printed = capsys.readouterr().out
    assert "decp.json : " in printed and "avis-attribution-PQ.xml : " in printed
    assert "Clôture écrite" in printed and "« PQ-03 »" in printed


def test_without_notification_date_or_siret_exit_2_and_nothing_written(
        tmp_path: Path, capsys) -> None:
    book, _ = offres_book(tmp_path, "sans", with_siret=False,
                          params={"Date de notification": None})
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["cloture", str(book), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "Date de notification" in err and "SIRET" in err and "rien n'a été écrit" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_without_bids_exit_2(tmp_path: Path, capsys) -> None:
    src = example_workbook(tmp_path / "x.xlsx", params={"Date de notification": NOTIFIED})
    assert main(["cloture", str(src), "-o", str(tmp_path / "out"), "-q"]) == 2
    assert "« Offres » est absente" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_bad_siret_is_named_with_its_row(tmp_path: Path) -> None:
    book, _ = offres_book(tmp_path, "faux")
    wb = openpyxl.load_workbook(book)
    wb["Offres"]["D2"] = "12345678901234"
    wb.save(book)
    with pytest.raises(api.AllotError, match="ligne 2, colonne « SIRET »"):
        api.cloture(book, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_relaunch_sheets_are_dropped_when_no_lot_is_unsuccessful(tmp_path: Path) -> None:
    book, lots = offres_book(tmp_path, "complet")
    wb = openpyxl.load_workbook(book)
    wb.remove(wb["Offres"])
    rows = []
    for x in lots:
        for j in range(int(x["Attributaires"])):
            rows.append(offer(x["N° lot"], f"Org {x['N° lot']} {j}", 10 - j,
                              SIRET=siret(42_000_000_000 + len(rows)), Taille="petite",
                              Ville="Grenoble"))
    write_table(wb.create_sheet("Offres"), rows, ["N° lot", "Candidat", "Note", "SIRET",
                                                   "Taille", "Ville"])
    wb.save(book)
    done = api.cloture(book, tmp_path / "out")
    assert not (tmp_path / "out" / "relance.xlsx").exists() and not done.partial
    assert (tmp_path / "out" / "decp.json").exists()


def test_the_bundled_example_with_its_bids_closes_out(tmp_path: Path) -> None:
    """`allot-xl template --exemple` gives bids with each bidder's SIRET, size and town: the
    example closes out as it stands, one DECP `marche` per awarded lot, every holder with a
    valid SIRET."""
    from allot_xl.inputs.dce import luhn_ok
    from allot_xl.template import write_template

    src = write_template(tmp_path / "ex.xlsx", example=True)
    run = api.regenerate(src)
    out = api.cloture(run.output_path, tmp_path / "clot")
    names = sorted(p.name for p in (tmp_path / "clot").iterdir())
    assert "decp.json" in names and out is not None
    marches = json.loads((tmp_path / "clot" / "decp.json").read_text(encoding="utf-8"))
    items = marches["marches"]["marche"] if "marches" in marches else marches["marche"]
    lots = {r["N° lot"] for r in sheet_rows(run.output_path, "Lots")}
    assert 0 < len(items) <= len(lots)
    assert all(luhn_ok(t["titulaire"]["id"]) for m in items for t in m["titulaires"])
