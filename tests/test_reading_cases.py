"""Values read exactly as written: the reading cases (tests/data, built from the public A1
workbook) give A1's result, or a message naming the cell."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl.inputs.grid import SheetGrid, read_table
from allot_xl.inputs.read import read_inputs
from allot_xl.inputs.validation import report_totals
from allot_xl.io.xlsx.read import read_grids
from workbooks import affectation, make_workbook, need, offer, read, regenerate, rule

DATA = Path(__file__).resolve().parent / "data"


def _case(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(DATA / f"{name}.xlsx", path)
    path.chmod(0o644)
    return path


def _codes(report, severity=None) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.code) for p in report.problems
            if severity is None or p.severity == severity]


@pytest.fixture(scope="module")
def a1(tmp_path_factory) -> dict[str, str]:
    return affectation(regenerate(_case(tmp_path_factory.mktemp("a1"), "A1_petit")))


@pytest.mark.parametrize("name", ["07_merged_two_row_header", "08_table_totals_row"])
def test_file_shape_alone_gives_a1s_result(tmp_path, a1, name: str) -> None:
    path = _case(tmp_path, name)
    _, report = read(path)
    assert _codes(report, "Erreur") == [] and _codes(report, "Avertissement") == []
    assert affectation(regenerate(path)) == a1


def test_table_totals_row_is_an_info(tmp_path) -> None:
    _, report = read(_case(tmp_path, "08_table_totals_row"))
    assert ("Besoins", 60, "", "ligne-total") in _codes(report, "Info")
    assert all(p.code != "hors-tableau" for p in report.problems)


def test_ambiguous_number_texts_are_read_french_with_a_warning(tmp_path) -> None:
    inputs, report = read(_case(tmp_path, "09_numbers_as_text"))
    assert _codes(report, "Avertissement")[:2] == [
        ("Besoins", 3, "Heures", "nombre-ambigu"), ("Besoins", 5, "Heures", "nombre-ambigu")]
    first = report.problems[0].message
    assert "« 5.600 »" in first and "5\u00a0600" in first and "5,6" in first
    hours = dict(zip(inputs.needs["id"], inputs.needs["hours_in"], strict=True))
    assert hours["A1-002"] == 5600 and hours["A1-004"] == 12
    assert hours["A1-006"] == 8800 and hours["A1-001"] == 16000


def test_ambiguous_number_implausible_both_ways_is_an_error(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800),
                                    need("b", "AOF", "Belley", places="1,500")])
    inputs, report = read(path)
    # 1,5 places is not whole and 1 500 stays plausible: the French reading is refused
    assert ("Besoins", 3, "Places", "places-non-entieres") in _codes(report, "Erreur")
    from allot_xl.core.contract import column
    from allot_xl.inputs.checks import read_cell
    holders = column("Règles", "Attributaires")
    assert read_cell(holders, "Attributaires", "1,500")[0] is None  # 1,5 and 1 500 holders
    assert read_cell(holders, "Attributaires", "1,500")[1][0][0] == "nombre-ambigu-implausible"
    hpp = column("Besoins", "Heures par place")
    assert read_cell(hpp, "Durée", "1.200")[1][0][0] == "nombre-ambigu"


@pytest.mark.parametrize("name", ["01_crash_overflow_heures_9.99e307",
                                  "02_int64_places_heures_1e21"])
def test_out_of_range_volume_is_an_error_of_its_row(tmp_path, a1, name: str) -> None:
    path = _case(tmp_path, name)
    _, report = read(path)
    assert _codes(report, "Erreur") == [("Besoins", 2, "Heures", "nombre-hors-bornes")]
    assert "plage plausible" in report.problems[0].message
    got = affectation(regenerate(path))
    assert "A1-001" not in got and len(got) == len(a1) - 1


def test_out_of_range_parameter_keeps_its_default(tmp_path) -> None:
    inputs, report = read(_case(tmp_path, "08_param_max_bons_1e308_nan"))
    assert _codes(report, "Erreur") == [("Paramètres", r, "Valeur", "parametre-invalide")
                                        for r in (4, 6, 7)]
    assert inputs.params.max_bons_pct == 120.0
    assert all("nan" not in p.message for p in report.problems)


def test_values_keep_their_underscores_and_ids_compare_exactly(tmp_path) -> None:
    path = _case(tmp_path, "05_underscores_become_spaces")
    inputs, report = read(path)
    assert _codes(report, "Erreur") == []
    assert {"A1_001", "X_1", "X 1", "X__2"} <= set(inputs.needs["id"])
    assert "Saint_Flour" in inputs.zones
    assert "Plombier_chauffagiste" in set(inputs.needs["metier"])
    assert {"A1_001", "X_1", "X 1"} <= set(affectation(regenerate(path)))


def test_key_separator_in_a_name_is_refused(tmp_path) -> None:
    _, report = read(_case(tmp_path, "06_separator_zone_plus"))
    errors = _codes(report, "Erreur")
    assert ("Zones", 18, "Zone", "separateur-de-cle") in errors
    assert ("Besoins", 60, "Zone", "separateur-de-cle") in errors
    path = make_workbook(tmp_path, [need("a", "PQ", "Belley", places=3, domaine="A | B")],
                         name="pipe.xlsx")
    _, report = read(path)
    assert _codes(report, "Erreur") == [("Besoins", 2, "Domaine", "separateur-de-cle")]


def test_overlong_names_are_refused(tmp_path) -> None:
    _, report = read(_case(tmp_path, "07_cle_truncated_32767"))
    errors = _codes(report, "Erreur")
    assert ("Zones", 4, "Zone", "texte-trop-long") in errors
    assert all(len(p.message) < 1000 for p in report.problems)


def test_rules_report_every_bad_cell_at_once(tmp_path) -> None:
    from allot_xl.core.problems import StructuralError
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                         rules=[rule("AOF", hpp="abc", tolerance=5000), rule("PQ", unite="jours")])
    with pytest.raises(StructuralError) as e:
        read(path)
    text = str(e.value)
    assert "ligne 2, « Heures par place »" in text and "« Tolérance (%) »" in text
    assert "ligne 3, « Unité »" in text


def test_merged_data_cells_take_the_merge_value(tmp_path) -> None:
    grid = SheetGrid("Besoins", [["ID besoin", "Dispositif", "Zone", "Heures"],
                                 ["a", "AOF", "Belley", 80], ["b", None, None, 90]],
                     merged=[(2, 2, 3, 2), (2, 3, 3, 3)])
    t = read_table(grid, "Besoins")
    assert t.rows[1][1][:3] == ["b", "AOF", "Belley"]
    from allot_xl.core.problems import Report
    report = Report()
    report_totals(t, report)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (3, "Dispositif", "cellule-fusionnee"), (3, "Zone", "cellule-fusionnee")]


def test_blank_name_says_missing_not_unknown(tmp_path) -> None:
    _, report = read(make_workbook(tmp_path, [need("a", "AOF", None, hours=80)]))
    assert "« Zone » manquant" in report.problems[0].message and "« »" not in \
        report.problems[0].message


def test_remaining_codes_on_crafted_workbooks(tmp_path) -> None:
    """Codes no other test reaches, each on a small workbook."""
    def tweak(wb: openpyxl.Workbook) -> None:
        wb["Zones"].append([None, "T", "01"])
        wb["Zones"].append(["Ville", "T", "01", None, None, "peut-être"])
        wb["Zones"].cell(1, 6, "Pôle")
        wb["Règles"].append([None, "sans code"])
        ws = wb.create_sheet("Référentiel")
        ws.append(["Code ROME", "Métier", "Heures par place"])
        ws.append([None, None, 10])
        ws.append(["K2111", None, 0])
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800, hpp="5.000")],
                         offers=[offer("AOF-01", None, 12), offer("AOF-01", "_", 12)],
                         tweak=tweak, as_table=False)
    _, report = read(path)
    codes = {p.code for p in report.problems}
    assert {"zone-manquante", "pole-illisible", "regle-sans-dispositif",
            "referentiel-sans-cle", "heures-par-place-nulle", "offre-incomplete",
            } <= codes, codes
    out = regenerate(path)
    assert out.exists()


def test_engine_codes_on_a1(tmp_path) -> None:
    path = _case(tmp_path, "A1_petit")
    inputs, _ = read(path)
    grids = read_grids(path)
    _, report = read_inputs(grids)
    assert inputs.needs.shape[0] == 58 and not report.problems
    from workbooks import controles
    codes = {code for *_, code in controles(regenerate(path))}
    # A1 is social and specific services (SSS, the default regime): the mini-lots share is checked
    assert {"places-plafonnees", "mini-lots-plafond"} <= codes


def test_candidate_folding_to_nothing_is_reported(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                         offers=[offer("AOF-01", "_", 12)])
    out = regenerate(path)
    from workbooks import controles
    assert any(code == "candidat-manquant" for *_, code in controles(out, "Erreur"))


def test_parametres_without_headers_is_a_warning(tmp_path) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        wb["Paramètres"]["A1"] = "Réglage"
    _, report = read(make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                                   tweak=tweak))
    assert [p.code for p in report.problems] == ["parametres-illisibles"]


def test_row_under_a_table_is_a_warning(tmp_path) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        wb["Besoins"].append(["z", "AOF", "Belley", None, 80])
    _, report = read(make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                                   as_table=True, tweak=tweak))
    assert [p.code for p in report.problems] == ["hors-tableau"]
