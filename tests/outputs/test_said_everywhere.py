"""A run says what it is: a scenario run on every sheet (title, first line, Lots' Statut
with the bounds it was judged against, Règles appliquées); rejected rows counted on
Synthèse and in the run's line, and the email copy warns of them; French plurals."""

from __future__ import annotations

import openpyxl

from allot_xl import api
from allot_xl.cli import main
from allot_xl.outputs.words import bounds_words
from workbooks import make_workbook, need, offer, sheet_rows


def _synthese_texts(path) -> list[str]:
    ws = openpyxl.load_workbook(path)["Synthèse"]
    return [c.replace("\u00a0", " ") for r in ws.iter_rows(values_only=True) for c in r
            if isinstance(c, str)]


def test_a_scenario_run_says_so_on_synthese_and_in_lots(runs) -> None:
    out = runs["proposé"]
    texts = _synthese_texts(out)
    assert texts[0].endswith("— scénario « Proposé »")
    assert texts[1].startswith("Lots générés avec les règles du scénario « Proposé »")
    assert "Règles appliquées (scénario « Proposé »)" in texts
    # every status names the bounds it was judged against: the scenario's, not Règles'
    applied = {r["Dispositif"]: r["Bornes de volume"] for r in _applied(out)}
    for lot in sheet_rows(out, "Lots"):
        bounds = applied[lot["Dispositif"]].replace("\u00a0", " ")
        assert lot["Statut"].replace("\u00a0", " ").endswith(
            f"(bornes du scénario « Proposé » : {bounds})"), lot["Statut"]
    plain = sheet_rows(runs["exemple"], "Lots")
    assert all("scénario" not in r["Statut"] for r in plain)


def _applied(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["Synthèse"]
    for row in ws.iter_rows(max_col=1):
        if str(row[0].value or "").startswith("Règles appliquées"):
            r = row[0].row + 1
            head = [c.value for c in ws[r] if c.value is not None]
            out = []
            while ws.cell(r + 1, 2).value:  # the note under the table is merged from A
                r += 1
                out.append(dict(zip(head, [ws.cell(r, k + 1).value
                                           for k in range(len(head))], strict=True)))
            return out
    raise AssertionError("Règles appliquées")


def test_rules_applied_are_on_synthese(written) -> None:
    from allot_xl.inputs.read import read_inputs
    from allot_xl.io.xlsx.read import read_grids

    inputs, _ = read_inputs(read_grids(written["exemple"][0]))
    rows = _applied(written["exemple"][1])
    assert [r["Dispositif"] for r in rows] == list(inputs.rules)
    for r in rows:
        rule = inputs.rules[r["Dispositif"]]
        assert r["Maille"] == " + ".join(rule.maille) and r["Unité"] == rule.unite
        assert r["Bornes de volume"] == bounds_words(rule)
        assert r["Regroupement"] == rule.regroupement
        assert r["Attributaires"] == rule.attributaires
        assert set(r) >= {"Lots max par titulaire", "Besoins divisibles"}


def test_rejected_rows_are_counted_and_the_copy_warns(runs, tmp_path, capsys) -> None:
    texts = _synthese_texts(runs["rejets"])
    n = len({(r["Feuille"], r["Ligne"]) for r in sheet_rows(runs["rejets"], "Contrôles")
             if r["Gravité"] == "Erreur"})
    assert n == 5  # the rows conftest.with_rejected_rows made unreadable
    assert "Lignes écartées" in texts and str(n) in texts
    assert any(t.startswith(f"{n} lignes écartées — voir Contrôles.") for t in texts)
    assert any(t.startswith("Besoins reçus : lignes de Besoins qui nomment le dispositif, "
                            "lignes écartées pour erreur comprises") for t in texts)
    assert main(["export", str(runs["rejets"]), "-o", str(tmp_path / "envoi.xlsx")]) == 0
    err = capsys.readouterr().err
    assert f"Attention : Contrôles contient {n} erreurs" in err
    wb = openpyxl.load_workbook(tmp_path / "envoi.xlsx")
    assert wb.active.title == "Synthèse"  # the copy opens on the sheet that counts them
    assert main(["export", str(runs["exemple"]), "-o", str(tmp_path / "ok.xlsx")]) == 0
    assert "Attention" not in capsys.readouterr().err


def test_one_lot_for_one_need_is_singular(tmp_path) -> None:
    path = make_workbook(tmp_path, needs=[need("a", "AOF", "Belley", hours=4000)])
    run = api.regenerate(path, tmp_path / "sortie.xlsx")
    assert run.outputs.summary_line.startswith(
        "1 lot généré pour 1 besoin, 0 erreur, 0 avertissement")


def test_numbers_of_controles_and_journal_keep_clear_of_the_next_text(runs) -> None:
    """Row numbers, values and counts carry the trailing blank of the number formats."""
    wb = openpyxl.load_workbook(runs["exemple"])
    ws = wb["Contrôles"]
    head = [c.value for c in ws[1]]
    for name in ("Ligne", "Valeur"):
        cells = [r[head.index(name)] for r in ws.iter_rows(min_row=2)]
        assert {c.number_format for c in cells if isinstance(c.value, int | float)} <= {
            "#,##0_-", "General_-"}, name
    ws = wb["Journal"]
    head = [c.value for c in ws[1]]
    for name in ("Besoins reçus", "Besoins allotis", "Lots", "Erreurs", "Avertissements"):
        assert ws.cell(ws.max_row, head.index(name) + 1).number_format == "#,##0_-", name


def test_an_error_outside_besoins_is_said_on_synthese(tmp_path) -> None:
    path = make_workbook(tmp_path, needs=[need("a", "AOF", "Belley", hours=4000)],
                         offers=[offer("AOF-01", "Organisme", "abc")])
    out = api.regenerate(path, tmp_path / "sortie.xlsx").output_path
    assert any(t.startswith("1 erreur dans d'autres feuilles — voir Contrôles.")
               for t in _synthese_texts(out))
