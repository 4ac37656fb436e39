"""The tender file's inputs (issue 24): `Critères` (weights adding up to 100 %, types,
known dispositifs), the buyer's identity (SIRET Luhn-checked, postcode, email, profile
URL), a zone's own NUTS code and `Lots max par candidat`, each failure an Erreur with its
sheet, row and column."""

from __future__ import annotations

import openpyxl
import pytest
from dce_support import example_workbook

from allot_xl.core.problems import StructuralError
from allot_xl.inputs.dce import siret_reason
from allot_xl.verbs.dce import zone_nuts
from workbooks import flat, read


def _edit(path, sheet: str, cells: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, v in cells.items():
        wb[sheet][ref] = v
    wb.save(path)


def test_the_example_reads_clean(tmp_path) -> None:
    inputs, report = read(example_workbook(tmp_path / "e.xlsx"))
    assert flat(report, "Erreur") == []
    assert set(inputs.terms) == {"AOF", "PSP", "CREA", "PQ"}
    pq = inputs.terms["PQ"]
    assert [c.weight for c in pq.criteria] == [50, 40, 10] and pq.environmental
    assert pq.clause_env and pq.clause_sociale and not inputs.terms["CREA"].clause_sociale
    assert inputs.terms["CREA"].motif_sans_sociale
    assert inputs.params.siret == "20005376700014" and inputs.params.code_postal == "69002"


@pytest.mark.parametrize("siret, ok", [("20005376700014", True), ("200 053 767 00014", True),
                                       ("20005376700012", False), ("2000537670001", False),
                                       ("35600000000060", True)])
def test_siret_is_fourteen_digits_with_a_luhn_key(siret: str, ok: bool) -> None:
    assert (siret_reason(siret) == "") is ok


def test_bad_buyer_values_are_errors_of_their_parametres_row(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx", params={
        "SIRET de l'acheteur": "20005376700012", "Courriel de contact": "achats-region",
        "Profil d'acheteur (URL)": "marches.example.fr", "Code postal de l'acheteur": 1000})
    inputs, report = read(src)
    found = [(col, code) for _, col, code in flat(report, "Erreur", "Paramètres")]
    assert found == [("Valeur", "siret-invalide"), ("Valeur", "coordonnee-invalide"),
                     ("Valeur", "coordonnee-invalide")]
    assert inputs.params.siret is None and inputs.params.code_postal == "01000"
    message = next(p.message for p in report.problems if p.code == "siret-invalide")
    assert "Luhn" in message


def _criteres_rows(path) -> dict[str, int]:
    ws = openpyxl.load_workbook(path)["Critères"]
    return {f"{r[0].value}/{r[1].value[:5]}": r[0].row for r in ws.iter_rows(min_row=2)}


def test_weights_must_add_up_to_100(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx")
    row = _criteres_rows(src)["PQ/Prix"]
    _edit(src, "Critères", {f"D{row}": 45})
    inputs, report = read(src)
    assert (row - 1, "Pondération (%)", "ponderations-somme") in flat(report, "Erreur")
    message = next(p.message for p in report.problems if p.code == "ponderations-somme")
    assert "105" in message
    assert inputs.terms["PQ"].weights_ok is False and inputs.terms["AOF"].weights_ok


def test_weights_typed_as_percentages_read_as_points(tmp_path) -> None:
    """A weight Excel shows as « 50 % » (0,5 with a percent format) is 50, as in
    `Paramètres`: the sheets declaring a percent column are read that way."""
    src = example_workbook(tmp_path / "e.xlsx")
    rows = _criteres_rows(src)
    wb = openpyxl.load_workbook(src)
    ws = wb["Critères"]
    for key, row in rows.items():
        if key.startswith("PQ/"):
            cell = ws[f"D{row}"]
            if isinstance(cell.value, int | float):
                cell.value, cell.number_format = cell.value / 100, "0%"
    wb.save(src)
    inputs, report = read(src)
    assert flat(report, "Erreur") == []
    assert [c.weight for c in inputs.terms["PQ"].criteria] == [50, 40, 10]


def test_a_bad_criteres_row_is_an_error_and_left_out(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx")
    rows = _criteres_rows(src)
    _edit(src, "Critères", {f"A{rows['AOF/Prix']}": "XYZ", f"C{rows['PSP/Prix']}": "bof",
                            f"D{rows['CREA/Prix']}": "beaucoup"})
    _, report = read(src)
    assert sorted(flat(report, "Erreur", "Critères")) == sorted([
        (rows["AOF/Prix"], "Dispositif", "dispositif-inconnu"),
        (rows["PSP/Prix"], "Type", "critere-incomplet"),
        (rows["CREA/Prix"], "Pondération (%)", "nombre-invalide"),
        (rows["AOF/Valeu"], "Pondération (%)", "ponderations-somme"),
        (rows["PSP/Valeu"], "Pondération (%)", "ponderations-somme"),
        (rows["CREA/Valeu"], "Pondération (%)", "ponderations-somme")])


def test_a_zone_nuts_overrides_the_departement_and_a_bad_one_is_refused(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx")
    _edit(src, "Zones", {"G2": "frk28", "G3": "Ain"})  # Belley, Plaine de l'Ain
    inputs, report = read(src)
    assert flat(report, "Erreur", "Zones") == [(3, "NUTS", "nuts-invalide")]
    assert zone_nuts(inputs, "Belley") == ("FRK28", "01")
    assert zone_nuts(inputs, "Plaine de l'Ain") == ("FRK21", "01")


def test_a_departement_written_by_name_has_its_nuts(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx")
    _edit(src, "Zones", {"C2": "Ain"})
    inputs, _ = read(src)
    assert zone_nuts(inputs, "Belley") == ("FRK21", "01")


def test_lots_max_par_candidat_is_read_and_may_not_be_under_the_winners_cap(tmp_path) -> None:
    src = example_workbook(tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb["Règles"]
    col = [c.value for c in ws[1]].index("Lots max par candidat") + 1
    ws.cell(5, col, 6)  # PQ: at most 6 lots bid for, 4 won
    wb.save(src)
    inputs, _ = read(src)
    assert inputs.rules["PQ"].lots_max_candidat == 6
    ws.cell(5, col, 2)
    wb.save(src)
    with pytest.raises(StructuralError, match="Lots max par candidat.*R2113-1"):
        read(src)
