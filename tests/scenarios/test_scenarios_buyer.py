"""The comparison as a buyer reads it: bids only where they name the lots, every rule value
a scenario changes said in words and in `Journal`, needs left out flagged, a dispositif
without needs not compared."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.core.contract import COMPARAISON
from tests.scenarios.test_scenarios import EXAMPLE, with_scenarios
from tests.workbooks import sheet_rows

ROOT = Path(__file__).resolve().parents[2]
A2 = ROOT.parent / "shared" / "acceptance" / "A2_offres.xlsx"


def test_bids_are_without_object_for_a_redrawn_design_and_set_aside_when_applied(
        tmp_path: Path) -> None:
    if not A2.exists():
        pytest.skip("acceptance workbook absent")
    wb = openpyxl.load_workbook(A2)
    ws = wb.create_sheet("Scénarios")
    ws.append(["Scénario", "Dispositif", "Maille"])
    ws.append(["Par zone", "PQ", "Zone + Domaine"])
    src = tmp_path / "a2.xlsx"
    wb.save(src)
    rows = sheet_rows(api.scenarios(src, tmp_path / "sc.xlsx"), COMPARAISON)
    by = {r["Scénario"]: r for r in rows}
    assert by["Actuel"]["Offres par lot"] == 3.46 and by["Actuel"]["Lots infructueux"] == 1
    assert by["Par zone"]["Offres par lot"] == "sans objet"
    assert by["Par zone"]["Lots infructueux"] == "sans objet"
    run = api.regenerate(src, tmp_path / "prop.xlsx", scenario="Par zone")
    assert not [p for p in run.result.report.sorted() if p.code == "lot-inconnu"]
    journal = sheet_rows(run.output_path, "Journal")[-1]["Lancé depuis"]
    assert "offres de PQ non prises en compte : le scénario redessine leurs lots" in journal
    assert sheet_rows(run.output_path, "Offres") == sheet_rows(src, "Offres")


def test_every_changed_value_is_said_in_the_motif_and_in_journal(tmp_path: Path) -> None:
    src = with_scenarios(EXAMPLE, tmp_path / "ex.xlsx", [
        {"Scénario": "Un lot par titulaire", "Dispositif": "CREA",
         "Lots max par titulaire": 1},
        {"Scénario": "Divisible", "Dispositif": "AOF", "Volume max": 10000,
         "Besoins divisibles": "oui"}])
    rows = {(r["Dispositif"], r["Scénario"]): r
            for r in sheet_rows(api.scenarios(src, tmp_path / "sc.xlsx"), COMPARAISON)}
    assert ("Par rapport à Actuel : Lots max par titulaire 1 (au lieu de 3)."
            in rows[("CREA", "Un lot par titulaire")]["Motif"])
    assert ("Volume max 10\u00a0000 (au lieu de 30\u00a0000), Besoins divisibles oui (au lieu "
            "de non)." in rows[("AOF", "Divisible")]["Motif"])
    run = api.regenerate(src, tmp_path / "div.xlsx", scenario="Divisible")
    journal = sheet_rows(run.output_path, "Journal")[-1]["Lancé depuis"]
    assert "AOF : Volume max 10\u00a0000, Besoins divisibles oui" in journal
    run = api.regenerate(src, tmp_path / "max.xlsx", scenario="Un lot par titulaire")
    journal = sheet_rows(run.output_path, "Journal")[-1]["Lancé depuis"]
    assert "CREA : Lots max par titulaire 1" in journal


def test_needs_left_out_and_a_dispositif_without_needs(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Règles"]
    head = [c.value for c in ws[1]]
    pq = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "PQ")
    ws.append(["VIDE", "Dispositif sans besoin", *pq[2:]])
    for table in ws.tables.values():  # the new row inside the sheet's table
        first, last = table.ref.split(":")
        table.ref = f"{first}:{''.join(c for c in last if c.isalpha())}{ws.max_row}"
    needs = wb["Besoins"]
    nhead = [c.value for c in needs[1]]
    metier = nhead.index("Métier") + 1
    blanked = 0
    for row in needs.iter_rows(min_row=2):
        if row[nhead.index("Dispositif")].value == "PQ" and blanked < 10:
            needs.cell(row[0].row, metier).value = None
            blanked += 1
    ws_s = wb.create_sheet("Scénarios")
    ws_s.append(["Scénario", "Dispositif", "Maille"])
    ws_s.append(["Par métier", "PQ", "Territoire + Domaine + Métier"])
    wb.save(tmp_path / "in.xlsx")
    assert "Maille" in head
    rows = {(r["Dispositif"], r["Scénario"]): r for r in
            sheet_rows(api.scenarios(tmp_path / "in.xlsx", tmp_path / "sc.xlsx"), COMPARAISON)}
    empty = rows[("VIDE", "Actuel")]
    assert empty["Recommandé"] == "sans objet" and empty["Lots"] == 0
    assert empty["Motif"] == "Aucun besoin valide pour ce dispositif : rien à comparer."
    assert ("VIDE", "Proposé") not in rows
    left = rows[("PQ", "Par métier")]
    assert left["Besoins allotis"] == rows[("PQ", "Actuel")]["Besoins allotis"] - 10
    assert "Attention : 10 besoins d'Actuel ne sont pas allotis" in left["Motif"]
    assert left["Recommandé"] == "non"


def test_the_email_copy_of_lots_made_under_a_scenario_says_so(tmp_path: Path) -> None:
    """Lots generated under a scenario are not those of `Règles`: the email copy is
    refused with a sentence naming the scenario, not « les feuilles d'entrée ont changé »."""
    from allot_xl.core.problems import StaleOutputs

    src = Path(shutil.copy(EXAMPLE, tmp_path / "ex.xlsx"))
    out = api.regenerate(src, tmp_path / "ex.prop.xlsx", scenario="Proposé").output_path
    with pytest.raises(StaleOutputs) as refused:
        api.export(out, tmp_path / "envoi.xlsx")
    said = str(refused.value)
    assert "générés avec le scénario « Proposé », pas avec la feuille Règles" in said
    assert "ont changé" not in said and not (tmp_path / "envoi.xlsx").exists()


def test_check_tells_beforehand_what_scenarios_would_refuse(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from allot_xl.cli import main

    src = with_scenarios(EXAMPLE, tmp_path / "bad.xlsx",
                         [{"Scénario": "X", "Dispositif": "INCONNU"}])
    report = api.check(src)
    bad = [p for p in report.sorted() if p.code == "scenarios-invalide"]
    assert len(bad) == 1 and bad[0].severity == "Erreur" and bad[0].sheet == "Scénarios"
    assert "ligne 2 : dispositif « INCONNU » absent de Règles" in bad[0].message
    assert main(["check", str(src)]) == 1
    assert "Erreur (Scénarios) : Feuille « Scénarios », ligne 2" in capsys.readouterr().out
    good = with_scenarios(EXAMPLE, tmp_path / "good.xlsx",
                          [{"Scénario": "X", "Dispositif": "PQ", "Volume min": 10}])
    assert not [p for p in api.check(good).sorted() if p.code == "scenarios-invalide"]


def _figures(**kw: object):
    from allot_xl.engine.scenarios import Figures

    base = dict(lots=3, places=(10.0, 5.0, 20.0), hours=(100.0, 50.0, 200.0),
                amount=(1.0, 1.0, 1.0), out_of_bounds=0, lone_over_max=0, needs_per_lot=1.0,
                avoided=0, share=0.0, cap=20.0, small_for_smes=0, needs=3,
                bidders_per_lot=None, unsuccessful=None)
    return Figures(**{**base, **kw})  # type: ignore[arg-type]


def test_parts_of_a_departement_or_region_are_not_proposed_and_bounds_never_vanish() -> None:
    from allot_xl.core.model import Rule
    from allot_xl.engine.proposal import _bounds, eligible

    rule = Rule("AOF", "AOF", ("Zone",), "heures", 450.0, volume_min=100.0,
                volume_max=200.0)
    cut = _figures(split_parts=2)
    for maille, ok in ((("Zone",), True), (("Territoire",), True),
                       (("Département",), False), (("Région", "Domaine"), False)):
        assert eligible(Rule("AOF", "AOF", maille, "heures", 450.0), cut) is ok
        assert eligible(Rule("AOF", "AOF", maille, "heures", 450.0), _figures())
    assert _bounds(rule, "places") == [(1.0, 1.0)]  # 100 h ÷ 450 h per place: one place
    assert _bounds(dataclasses.replace(rule, volume_min=0.0), "heures")[0] == (0.0, 200.0)


def test_the_motif_names_lone_needs_above_the_maximum_whoever_wins() -> None:
    from allot_xl.core.model import Rule
    from allot_xl.engine.scenarios import Scenario
    from allot_xl.outputs.scenarios import _reason

    s = Scenario("Actuel", "AOF", Rule("AOF", "AOF", ("Zone",), "heures", 450.0))
    lone = _figures(lone_over_max=1, out_of_bounds=2)
    objectif = "moins de contrats"
    said = _reason(s, lone, "bounds", s, lone, objectif)
    assert said.startswith("Recommandé faute de mieux : 2 lots hors des bornes de volume ; "
                           "1 besoin seul au-delà du maximum (indivisible) ;")
    three = _figures(lone_over_max=3)
    said = _reason(s, three, "feasible", s, three, objectif)
    assert ("respecte les bornes de Règles, hors 3 besoins seuls au-delà du maximum "
            "(indivisibles), et") in said
    half = _figures(share=20.5)
    assert "de 0,5 point" in _reason(s, half, "share", s, half, objectif)
