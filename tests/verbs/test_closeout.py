"""Close-out of the award (issue 26): the unsuccessful lots, `relance.xlsx`, the awarded
lots' reserved numbers and the R2122-2 option, on the bundled example and small books."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.core.law import (
    AFTER_NO_BID_ADAPTED,
    AFTER_NO_BID_SSS,
    AFTER_NO_BID_TENDER,
    after_no_bid,
)
from allot_xl.core.problems import AllotError
from allot_xl.engine.closeout import Cause
from allot_xl.template import EXAMPLE_FILE, WORKBOOKS_DIR
from workbooks import (
    make_workbook,
    need,
    offer,
    read,
    rule,
    sheet_rows,
    write_table,
)

SHORT = ("PQ-03", "PQ-05")  # one bid for three holders


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The bundled example with an `Offres` sheet: no bid on PSP, one bid on PQ-03 and
    PQ-05 (three holders planned), every other lot fully bid; its relaunch written."""
    d = tmp_path_factory.mktemp("cloture")
    src = d / "exemple.xlsx"
    shutil.copy(WORKBOOKS_DIR / EXAMPLE_FILE, src)
    first = api.regenerate(src, d / "exemple.lots.xlsx").output_path
    lots = sheet_rows(first, "Lots")
    bids = []
    for x in lots:
        n = x["N° lot"]
        if x["Dispositif"] == "PSP":
            continue
        k = 1 if n in SHORT else int(x["Attributaires"])
        bids += [offer(n, f"Organisme {n} {j}", 15 - j) for j in range(k)]
    wb = openpyxl.load_workbook(src)
    write_table(wb.create_sheet("Offres"), bids, ["N° lot", "Candidat", "Note"])
    book = d / "exemple_offres.xlsx"
    wb.save(book)
    before = _digest(book)
    done = api.write_relaunch(book, d / "relance.xlsx")
    awarded = api.regenerate(book, d / "exemple_offres.lots.xlsx").output_path
    return {"book": book, "before": before, "run": done, "lots": lots,
            "affectation": sheet_rows(awarded, "Affectation"), "dir": d}


def test_relance_holds_exactly_the_unsuccessful_lots_needs(example: dict) -> None:
    failed = {x["N° lot"] for x in example["lots"] if x["Dispositif"] == "PSP"} | set(SHORT)
    expected = {str(r["ID besoin"]) for r in example["affectation"] if r["N° lot"] in failed}
    relance = example["run"].path
    got = [str(r["ID besoin"]) for r in sheet_rows(relance, "Besoins")]
    assert sorted(got) == sorted(expected) and len(got) == len(set(got))
    assert {x.lot for x in example["run"].closeout.unsuccessful} == failed
    # the rows are the buyer's as written: same cells as the input's rows of those needs
    source = {str(r["ID besoin"]): r for r in sheet_rows(example["book"], "Besoins")}
    assert all(r == source[str(r["ID besoin"])] for r in sheet_rows(relance, "Besoins"))


def test_relance_keeps_zones_rules_parameters_and_leaves_the_input_as_it_was(
        example: dict) -> None:
    relance, book = example["run"].path, example["book"]
    for sheet in ("Zones", "Règles", "Paramètres"):
        assert sheet_rows(relance, sheet) == sheet_rows(book, sheet)
    names = openpyxl.load_workbook(relance, read_only=True).sheetnames
    assert "Offres" not in names and names[-1] == "Relance"
    assert {"Besoins", "Lots attribués", "Lots"} <= set(names)
    assert _digest(book) == example["before"]


def test_regenerating_the_relance_never_uses_an_awarded_number(example: dict) -> None:
    awarded = {x.lot for x in example["run"].closeout.awarded}
    assert set(SHORT) <= awarded and not any(n.startswith("PSP") for n in awarded)
    reserved = {r["N° lot"] for r in sheet_rows(example["run"].path, "Lots attribués")}
    assert reserved == awarded
    once = api.regenerate(example["run"].path, example["dir"] / "relance.lots.xlsx")
    numbers = {r["N° lot"] for r in sheet_rows(once.output_path, "Lots")}
    assert numbers and not numbers & awarded
    # the PSP lots, relaunched unchanged, keep their numbers; the PQ ones take new ones
    psp = {x["N° lot"] for x in example["lots"] if x["Dispositif"] == "PSP"}
    assert {n for n in numbers if n.startswith("PSP")} == psp
    top = max(int(x["N° lot"].split("-")[1]) for x in example["lots"]
              if x["Dispositif"] == "PQ")
    assert all(int(n.split("-")[1]) > top for n in numbers if n.startswith("PQ-"))
    # again from the regenerated file: `Lots attribués` (an input sheet) still reserves
    twice = api.regenerate(once.output_path, example["dir"] / "relance.lots.2.xlsx")
    assert not {r["N° lot"] for r in sheet_rows(twice.output_path, "Lots")} & awarded


def test_r2122_2_is_open_for_the_no_bid_psp_lots_only(example: dict) -> None:
    rows = {r["N° lot"]: r for r in sheet_rows(example["run"].path, "Relance")}
    for lot, r in rows.items():
        if lot.startswith("PSP"):
            assert (r["Cause"], r["Marché sans publicité"], r["Article"]) == (
                "aucune offre", "oui", "CCP R2122-2 4°")
            assert "conditions initiales" in r["Pourquoi"] and r["Conseil"]
        else:
            assert lot in SHORT
            assert (r["Cause"], r["Marché sans publicité"]) == ("1 offre pour 3 titulaires",
                                                                "non")
    closeout = example["run"].closeout
    assert all(x.derogation is AFTER_NO_BID_SSS for x in closeout.unsuccessful
               if x.cause is Cause.NO_BID)
    assert "R2122-2" in example["run"].summary and "22 lots infructueux" in \
        example["run"].summary


def test_a_lot_short_of_holders_is_reported_with_what_the_buyer_may_do(example: dict) -> None:
    found = [p for p in example["run"].report.problems if p.code == "attribution-partielle"]
    assert sorted(p.value for p in found) == list(SHORT)
    assert all(p.severity == "Avertissement" and "notifier" in p.message
               and "relancer" in p.message for p in found)
    short = [x for x in example["run"].closeout.lots if x.lot in SHORT]
    assert all(x.cause is Cause.SHORT and len(x.holders) == 1 and x.awarded for x in short)


def test_a_split_need_is_relaunched_for_its_share_in_the_unsuccessful_lot(
        tmp_path: Path) -> None:
    rules = [rule("AOF", vmax=1000, **{"Besoins divisibles": "oui"})]
    book = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=1500),
                                    need("A2", "AOF", "Vichy", hours=800)],
                         rules=rules, offers=[offer("AOF-01", "Org", 12),
                                              offer("AOF-03", "Org", 12)])
    done = api.write_relaunch(book, tmp_path / "relance.xlsx")
    assert [x.lot for x in done.closeout.unsuccessful] == ["AOF-02"]
    rows = sheet_rows(done.path, "Besoins")
    assert [(r["ID besoin"], r["Heures"], r["Places"]) for r in rows] == [("A1", 750, None)]
    again = api.regenerate(done.path, tmp_path / "relance.lots.xlsx")
    assert [r["N° lot"] for r in sheet_rows(again.output_path, "Lots")] == ["AOF-04"]


def test_lots_capped_out_and_services_lots_take_their_own_cause_and_case(
        tmp_path: Path) -> None:
    rules = [rule("AOF", lots_max=1, **{"Régime": "services"})]
    book = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900),
                                    need("A2", "AOF", "Vichy", hours=800),
                                    need("A3", "AOF", "Montluçon", hours=700)],
                         rules=rules, offers=[offer("AOF-01", "Org", 12),
                                              offer("AOF-02", "Org", 11)])
    done = api.write_relaunch(book, tmp_path / "relance.xlsx")
    by = {x.lot: x for x in done.closeout.lots}
    assert by["AOF-02"].cause is Cause.CAPPED_OUT and by["AOF-02"].derogation is None
    assert by["AOF-03"].cause is Cause.NO_BID
    assert by["AOF-03"].derogation is AFTER_NO_BID_ADAPTED  # under 216 000 €: R2122-2 3°
    rows = {r["N° lot"]: r for r in sheet_rows(done.path, "Relance")}
    assert rows["AOF-02"]["Marché sans publicité"] == "non"
    assert rows["AOF-03"]["Article"] == "CCP R2122-2 3°"
    assert after_no_bid(False, True) is AFTER_NO_BID_TENDER


def test_without_bids_or_without_unsuccessful_lots_nothing_is_written(tmp_path: Path) -> None:
    book = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900)])
    with pytest.raises(AllotError, match="Offres"):
        api.write_relaunch(book, tmp_path / "relance.xlsx")
    full = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900)],
                         offers=[offer("AOF-01", "Org", 12)], name="complet.xlsx")
    done = api.write_relaunch(full, tmp_path / "relance.xlsx")
    assert done.path is None and "Aucun lot infructueux" in done.summary
    assert not (tmp_path / "relance.xlsx").exists()


def _awarded_sheet(rows: list[dict]) -> object:
    def tweak(wb: openpyxl.Workbook) -> None:
        write_table(wb.create_sheet("Lots attribués"), rows, ["N° lot", "Dispositif",
                                                              "Titulaires"])
    return tweak


def test_lots_attribues_reserves_its_numbers(tmp_path: Path) -> None:
    reserved = [{"N° lot": "AOF-01", "Dispositif": "AOF", "Titulaires": "Org"},
                {"N° lot": "AOF 2", "Dispositif": "AOF"},
                {"N° lot": "AOF-03", "Dispositif": "AOF"}]
    book = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900),
                                    need("A2", "AOF", "Vichy", hours=800, lot="AOF-03")],
                         lots=[("AOF-03", "AOF | Zone=Vichy")],
                         tweak=_awarded_sheet(reserved))
    inputs, report = read(book)
    assert set(inputs.reserved_lots.values()) == {"AOF-01", "AOF-03"}
    codes = {(p.code, p.row) for p in report.problems}
    assert ("lot-attribue-illisible", 3) in codes and ("lot-impose-attribue", 3) in codes
    out = api.regenerate(book, tmp_path / "besoins.lots.xlsx").output_path
    numbers = sorted(r["N° lot"] for r in sheet_rows(out, "Lots"))
    assert numbers == ["AOF-04", "AOF-05"]  # above every number used or reserved


def test_an_empty_lots_attribues_sheet_reserves_nothing_and_a_headless_one_is_refused(
        tmp_path: Path) -> None:
    from allot_xl.core.problems import StructuralError

    book = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900)],
                         tweak=lambda wb: wb.create_sheet("Lots attribués"))
    inputs, _ = read(book)
    assert inputs.reserved_lots == {}

    def headless(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("Lots attribués")["A1"] = "PQ-01"

    bad = make_workbook(tmp_path, [need("A1", "AOF", "Belley", hours=900)], tweak=headless,
                        name="sans_entete.xlsx")
    with pytest.raises(StructuralError, match="N° lot"):
        read(bad)


def test_the_relance_leaves_the_earlier_orders_and_documents_out(tmp_path: Path) -> None:
    """The example with its bids and a year of `Commandes`, PSP's bids removed: the relaunch
    keeps `Critères` but not the earlier consultation's orders nor the sheets made from
    them, and regenerating it reports no order problem."""
    from allot_xl.template import write_template

    src = write_template(tmp_path / "ex.xlsx", example=True)
    wb = openpyxl.load_workbook(src)
    ws = wb["Offres"]
    for r in range(ws.max_row, 1, -1):
        if str(ws.cell(r, 1).value or "").startswith("PSP"):
            ws.delete_rows(r)
    wb.save(src)
    run = api.regenerate(src)
    relance = api.write_relaunch(run.output_path, tmp_path / "relance.xlsx")
    names = openpyxl.load_workbook(relance.path, read_only=True).sheetnames
    assert "Critères" in names
    assert not {"Offres", "Commandes", "Suivi des commandes"} & set(names)
    again = api.regenerate(relance.path, tmp_path / "relance.lots.xlsx")
    assert not [p for p in again.report.problems if p.sheet == "Commandes"]
