"""Scenarios: the comparison sheet equals, row by row, a regeneration of a copy whose
`Règles` row holds that scenario's values; `Proposé` regenerated passes the checker."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.contract import COMPARAISON
from allot_xl.engine.scenarios import figures
from tests.workbooks import lots, oracle, sheet_rows

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "realdata" / "real_ain_isere.xlsx"
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
RULE_COLUMNS = ("Maille", "Unité", "Volume min", "Volume max", "Regroupement",
                "Attributaires", "Lots max par titulaire", "Besoins divisibles")
FIGURES = {  # comparison column -> Figures value
    "Lots": lambda f: f.lots, "Places médiane": lambda f: f.places[0],
    "Places min": lambda f: f.places[1], "Places max": lambda f: f.places[2],
    "Heures médiane": lambda f: f.hours[0], "Heures max": lambda f: f.hours[2],
    "Montant maximum médian (€ HT)": lambda f: f.amount[0],
    "Montant maximum max (€ HT)": lambda f: f.amount[2],
    "Lots hors bornes": lambda f: f.out_of_bounds, "Besoins par lot": lambda f: f.needs_per_lot,
    "Contrats évités": lambda f: f.avoided, "Part plafonnée (%)": lambda f: f.share,
    "Lots accessibles à une petite structure": lambda f: f.small_for_smes,
}
VARIANTS = [
    {"Scénario": "Territoire", "Dispositif": "PQ", "Maille": "Territoire + Domaine",
     "Regroupement": "territoire"},
    {"Scénario": "En heures", "Dispositif": "PQ", "Unité": "heures", "Volume min": 7200,
     "Volume max": 36000},
    {"Scénario": "Grands lots", "Dispositif": "pq", "Volume min": 20, "Volume max": 120,
     "Besoins divisibles": "oui"},
]


def with_scenarios(src: Path, dst: Path, rows: list[dict[str, Any]]) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb.create_sheet("Scénarios")
    head = ["Scénario", "Dispositif", *RULE_COLUMNS]
    ws.append(head)
    for r in rows:
        ws.append([r.get(h) for h in head])
    wb.save(dst)
    return dst


def with_rule(src: Path, dst: Path, code: str, values: dict[str, Any]) -> Path:
    """A copy of `src` whose `Règles` row of `code` holds `values` (columns added when
    absent)."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Règles"]
    head = [c.value for c in ws[1]]
    for name in values:
        if name not in head:
            head.append(name)
            ws.cell(1, len(head), name)
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)
    for name, v in values.items():
        ws.cell(row, head.index(name) + 1, v)
    wb.save(dst)
    return dst


def rule_cells(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in RULE_COLUMNS}
    out["Volume max"] = out["Volume max"] or None
    return out


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    if not REAL.exists():
        pytest.skip("real-data workbook absent")
    d = tmp_path_factory.mktemp("real")
    src = with_scenarios(REAL, d / "real.xlsx", VARIANTS)
    out = api.scenarios(src, d / "real.scenarios.xlsx")
    return src, sheet_rows(out, COMPARAISON)


def test_lists_actuel_variants_and_propose(real: tuple[Path, list[dict[str, Any]]]) -> None:
    _, rows = real
    assert [(r["Dispositif"], r["Scénario"]) for r in rows] == [
        ("PQ", "Actuel"), ("PQ", "Territoire"), ("PQ", "En heures"), ("PQ", "Grands lots"),
        ("PQ", "Proposé"), ("AOF", "Actuel"), ("AOF", "Proposé")]
    by = {r["Scénario"]: r for r in rows if r["Dispositif"] == "PQ"}
    assert by["Actuel"]["Maille"] == "Zone + Domaine" and by["Actuel"]["Volume max"] == 60
    assert by["Territoire"]["Maille"] == "Territoire + Domaine"
    assert by["En heures"]["Unité"] == "heures" and by["En heures"]["Volume min"] == 7200
    assert by["Grands lots"]["Besoins divisibles"] == "oui"
    for code in ("PQ", "AOF"):
        marked = [r for r in rows if r["Dispositif"] == code and r["Recommandé"] == "oui"]
        assert len(marked) == 1 and marked[0]["Motif"].startswith("Recommandé")


def test_each_row_equals_a_regeneration_of_a_copy(
        real: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    src, rows = real
    for i, row in enumerate(rows):
        copy = with_rule(src, tmp_path / f"copy{i}.xlsx", row["Dispositif"], rule_cells(row))
        result = api.regenerate(copy, tmp_path / f"copy{i}.lots.xlsx").result
        f = figures(result, row["Dispositif"])
        got = {k: row[k] for k in FIGURES}
        want = {k: fn(f) for k, fn in FIGURES.items()}
        assert got == pytest.approx(want), (row["Dispositif"], row["Scénario"])


@pytest.mark.parametrize("source", ["real", "example"])
def test_propose_regenerated_passes_the_checker(source: str, tmp_path: Path) -> None:
    src = REAL if source == "real" else EXAMPLE
    if not src.exists():
        pytest.skip("workbook absent")
    original = shutil.copy(src, tmp_path / "in.xlsx")
    rows = sheet_rows(api.scenarios(original, tmp_path / "sc.xlsx"), COMPARAISON)
    proposed = [r for r in rows if r["Scénario"] == "Proposé"]
    copy = Path(shutil.copy(original, tmp_path / "copy.xlsx"))
    for r in proposed:
        copy = with_rule(copy, copy, r["Dispositif"], rule_cells(r))
    out = api.regenerate(copy, tmp_path / "copy.lots.xlsx")
    assert oracle(copy, out.output_path) == []
    for r in proposed:
        f = figures(out.result, r["Dispositif"])
        assert f.out_of_bounds == 0 or "contrainte limitante" in r["Motif"]
        assert f.share <= f.cap or "contrainte limitante" in r["Motif"]
    applied = api.regenerate(original, tmp_path / "applied.xlsx", scenario="Proposé")
    # the same lots; only Statut says the bounds were the scenario's (issue 23)
    def plain(path: Path) -> dict:
        return {k: {c: v for c, v in r.items() if c != "Statut"} for k, r in lots(path).items()}

    assert plain(applied.output_path) == plain(out.output_path)
    assert all("scénario « Proposé »" in r["Statut"] or r["Statut"].startswith("Conforme (")
               or "Proposé" in r["Statut"] for r in lots(applied.output_path).values()
               if r["Statut"] != "Conforme")
    journal = sheet_rows(applied.output_path, "Journal")[-1]
    assert "scénario « Proposé »" in journal["Lancé depuis"] and journal["Scénario"] == "Proposé"
    assert sheet_rows(applied.output_path, "Règles") == sheet_rows(original, "Règles")


def test_cli_scenario_by_name_and_unknown_name(real: tuple[Path, list[dict[str, Any]]],
                                               tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    src, _ = real
    assert main(["regenerate", str(src), "-o", str(tmp_path / "a.xlsx"), "-q",
                 "--scenario", "grands lots"]) == 0
    assert "scénario « grands lots »" in sheet_rows(tmp_path / "a.xlsx", "Journal")[-1][
        "Lancé depuis"]
    assert main(["regenerate", str(src), "-o", str(tmp_path / "b.xlsx"), "-q",
                 "--scenario", "Inconnu"]) == 2
    assert "Scénario « Inconnu » introuvable" in capsys.readouterr().err
    assert not (tmp_path / "b.xlsx").exists()
    assert main(["scenarios", str(src), "-o", str(tmp_path / "c.xlsx"), "-q"]) == 0
    assert "Comparaison des scénarios écrite" in capsys.readouterr().out
    # only the comparison is written: the other sheets are the input's
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames == [
        *openpyxl.load_workbook(src).sheetnames, COMPARAISON]


def test_bad_scenarios_sheet_stops_with_a_french_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not REAL.exists():
        pytest.skip("real-data workbook absent")
    src = with_scenarios(REAL, tmp_path / "bad.xlsx",
                         [{"Scénario": "X", "Dispositif": "CREA"}])
    assert main(["scenarios", str(src)]) == 2
    assert "Feuille « Scénarios », ligne 2 : dispositif « CREA » absent de Règles." in (
        capsys.readouterr().err)
    src = with_scenarios(REAL, tmp_path / "bad2.xlsx",
                         [{"Scénario": "X", "Dispositif": "PQ", "Unité": "jours"}])
    assert main(["scenarios", str(src)]) == 2
    err = capsys.readouterr().err
    assert "Scénarios" in err and "Unité" in err and "jours" in err
    src = with_scenarios(REAL, tmp_path / "bad3.xlsx",
                         [{"Scénario": "Proposé", "Dispositif": "PQ"}])
    assert main(["scenarios", str(src)]) == 2
    assert "est réservé" in capsys.readouterr().err


def test_a_unit_change_without_bounds_and_a_blank_dispositif_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A variant that changes `Unité` but leaves the bounds blank would read Règles' bounds
    (places) as hours: refused with the bounds it would have kept; a blank `Dispositif`
    is named as missing."""
    if not REAL.exists():
        pytest.skip("real-data workbook absent")
    src = with_scenarios(REAL, tmp_path / "unit.xlsx",
                         [{"Scénario": "Seulement l'unité", "Dispositif": "PQ",
                           "Unité": "heures"}])
    assert main(["scenarios", str(src)]) == 2
    err = capsys.readouterr().err
    assert ("Feuille « Scénarios », ligne 2 : l'unité passe à « heures » mais « Volume min » "
            "et « Volume max » sont vides : les bornes de Règles (12 – 60) resteraient "
            "comptées en places.") in err
    src = with_scenarios(REAL, tmp_path / "unit2.xlsx",
                         [{"Scénario": "Max en heures", "Dispositif": "PQ", "Unité": "heures",
                           "Volume max": 36000}])
    assert main(["scenarios", str(src)]) == 2
    assert "mais « Volume min » est vide : les bornes de Règles" in capsys.readouterr().err
    src = with_scenarios(REAL, tmp_path / "unit3.xlsx",
                         [{"Scénario": "Min en heures", "Dispositif": "PQ", "Unité": "heures",
                           "Volume min": 5400}])
    assert main(["scenarios", str(src)]) == 2
    assert "mais « Volume max » est vide" in capsys.readouterr().err
    src = with_scenarios(REAL, tmp_path / "blank.xlsx", [{"Scénario": "X", "Dispositif": None}])
    assert main(["scenarios", str(src)]) == 2
    assert "ligne 2 : dispositif manquant" in capsys.readouterr().err
    assert not (tmp_path / "unit.scenarios.xlsx").exists()
    wb = openpyxl.load_workbook(REAL)
    ws = wb.create_sheet("Scénarios")
    ws.append(["Scénario", "Dispositif", "Volumes max", "Plafonner aux débouchés"])
    ws.append(["Faute de frappe", "PQ", 100, "non"])
    wb.save(tmp_path / "cols.xlsx")
    assert main(["scenarios", str(tmp_path / "cols.xlsx")]) == 2
    assert ("Feuille « Scénarios », ligne 1, colonne 3 : la colonne « Volumes max » est "
            "inconnue. Une variante peut changer : Maille, Unité") in capsys.readouterr().err
    ws.delete_cols(3)
    wb.save(tmp_path / "cols.xlsx")
    assert main(["scenarios", str(tmp_path / "cols.xlsx")]) == 2
    assert ("la colonne « Plafonner aux débouchés » ne peut pas varier dans un scénario"
            in capsys.readouterr().err)


def test_a_scenario_is_named_one_way_whatever_its_spelling(tmp_path: Path) -> None:
    """`--scenario propose` and `--scenario Proposé` give the same outputs, and `Journal`
    names « Proposé » in its own `Scénario` column (a typed value, read back by the email
    copy without parsing the `Lancé depuis` sentence)."""
    from allot_xl.core.problems import StaleOutputs
    from tests.workbooks import sheet_rows

    src = Path(shutil.copy(EXAMPLE, tmp_path / "ex.xlsx"))
    a = api.regenerate(src, tmp_path / "a.xlsx", scenario="propose").output_path
    b = api.regenerate(src, tmp_path / "b.xlsx", scenario="Proposé").output_path
    for sheet in ("Lots", "Affectation", "Multi-attribution"):
        assert sheet_rows(a, sheet) == sheet_rows(b, sheet)
    for out in (a, b):
        assert sheet_rows(out, "Journal")[-1]["Scénario"] == "Proposé"
    with pytest.raises(StaleOutputs, match="générés avec le scénario « Proposé »"):
        api.export(a, tmp_path / "envoi.xlsx")
    plain = api.regenerate(src, tmp_path / "c.xlsx").output_path
    assert sheet_rows(plain, "Journal")[-1]["Scénario"] is None
