"""Reading the input sheets: headers (aliases, folding, title rows, Excel tables), blank and
total rows, French numbers, formulas and error cells — each on a real .xlsx file."""

from __future__ import annotations

import math

import openpyxl
import pytest

from allot_xl.core.contract import BESOINS, COLUMNS
from allot_xl.core.problems import StructuralError
from workbooks import (
    controles,
    flat,
    make_workbook,
    need,
    read,
    regenerate,
    rule,
    set_cached_values,
    sheet_rows,
)

# where each Besoins column lands in Inputs.needs
FIELD = {
    "ID besoin": "id", "Dispositif": "dispositif", "Zone": "zone", "Domaine": "domaine",
    "Métier": "metier", "Code ROME": "rome", "Places": "places_in", "Heures": "hours_in",
    "Débouchés": "debouches", "Source": "source", "Lot imposé": "lot_impose",
    "Commentaire": "commentaire", "Heures par place": "hpp_in",
}
FULL_NEED = need("B1", "PSP", "Belley", places=5, hours=900, domaine="Concours",
                 metier="Aide-soignant", rome="J1501", debouches=12, source="local",
                 lot="PSP-01", commentaire="urgent", **{"Heures par place": 180})
EXPECTED = {"ID besoin": "B1", "Dispositif": "PSP", "Zone": "Belley", "Domaine": "Concours",
            "Métier": "Aide-soignant", "Code ROME": "J1501", "Places": 5.0, "Heures": 900.0,
            "Débouchés": 12.0, "Source": "local", "Lot imposé": "PSP-01",
            "Commentaire": "urgent", "Heures par place": 180.0}
PREVIOUS = [("PSP-01", "PSP | Zone=Belley | Domaine=Concours")]


def _spellings() -> list[tuple[str, str]]:
    """(column, header as written): every alias, and folded variants of every name."""
    out = []
    for col in COLUMNS[BESOINS]:
        for name in (col.name, *col.aliases):
            out.append((col.name, name))
        out += [(col.name, col.name.upper()), (col.name, col.name.lower() + "  "),
                (col.name, col.name.replace(" ", "_")), (col.name, col.name.replace(" ", "\u00a0")),
                (col.name, col.name.replace(" ", " \u202f "))]
    out.append(("Heures", "Héures"))
    return sorted(set(out))


@pytest.mark.parametrize(("column", "written"), _spellings())
def test_besoins_header_spelling_is_matched(tmp_path, column: str, written: str) -> None:
    path = make_workbook(tmp_path, [FULL_NEED], headers={column: written}, lots=PREVIOUS)
    inputs, report = read(path)
    assert flat(report) == []
    got = inputs.needs.iloc[0][FIELD[column]]
    assert got == EXPECTED[column]
    assert inputs.besoins_headers[column].casefold() == " ".join(
        written.replace("\u00a0", " ").replace("\u202f", " ").replace("_", " ").split()
    ).casefold()


def test_problem_names_the_header_as_written(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours="beaucoup")],
                         headers={"Heures": "Volume horaire", "Zone": "Lieu"})
    _, report = read(path)
    assert flat(report) == [(2, "Volume horaire", "nombre-invalide")]


@pytest.mark.parametrize("title_rows", [1, 4, 9])
def test_header_found_under_title_rows(tmp_path, title_rows: int) -> None:
    needs = [need("a", "AOF", "Belley", hours=800), need("b", "AOF", "Belley", hours="x")]
    inputs, report = read(make_workbook(tmp_path, needs, title_rows=title_rows))
    first = title_rows + 2
    assert list(inputs.needs["id"]) == ["a"]
    assert list(inputs.needs["row"]) == [first]
    assert flat(report) == [(first + 1, "Heures", "nombre-invalide")]


def test_header_below_row_10_is_not_searched(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)], title_rows=10)
    with pytest.raises(StructuralError, match="10 premières lignes"):
        read(path)


@pytest.mark.parametrize("origin", ["A1", "D15", "F30"])
def test_header_from_excel_table_anywhere(tmp_path, origin: str) -> None:
    """The table's header wins, even past row 10 and below a header-like legend."""

    def legend(wb: openpyxl.Workbook) -> None:
        if origin != "A1":
            for c, text in enumerate(("ID besoin", "Dispositif", "Zone", "Heures"), 1):
                wb[BESOINS].cell(1, c, text)
            wb[BESOINS].cell(2, 1, "pas un besoin")

    needs = [need("a", "AOF", "Belley", hours=800), need("b", "PSP", "Belley", hours=900,
                                                         domaine="Concours")]
    path = make_workbook(tmp_path, needs, as_table=True, origin=origin, tweak=legend)
    inputs, report = read(path)
    row0 = int(origin[1:])
    assert flat(report) == []
    assert list(zip(inputs.needs["row"], inputs.needs["id"], strict=True)) == [
        (row0 + 1, "a"), (row0 + 2, "b")]


def test_unknown_columns_are_kept_and_ignored(tmp_path) -> None:
    needs = [need("a", "AOF", "Belley", hours=800, **{"Remarque interne": "à revoir"}),
             need("b", "AOF", "Vichy", hours=900, **{"Remarque interne": 3})]
    cols = ["Remarque interne", "ID besoin", "Dispositif", "Zone", "Heures"]
    path = make_workbook(tmp_path, needs, columns=cols)
    inputs, report = read(path)
    assert flat(report) == []
    assert list(inputs.needs["hours_in"]) == [800.0, 900.0]
    out = regenerate(path)
    assert [r["Remarque interne"] for r in sheet_rows(out, BESOINS)] == ["à revoir", 3]


def test_blank_rows_are_skipped_silently(tmp_path) -> None:
    blank_text = {"ID besoin": "  ", "Commentaire": " "}
    needs = [need("a", "AOF", "Belley", hours=800), {}, blank_text,
             need("b", "AOF", "Belley", hours=80), {}]
    inputs, report = read(make_workbook(tmp_path, needs))
    assert report.problems == []
    assert list(zip(inputs.needs["row"], inputs.needs["id"], strict=True)) == [(2, "a"), (5, "b")]


def test_total_rows_are_skipped_with_an_info_line(tmp_path) -> None:
    needs = [need("a", "AOF", "Belley", hours=800), need("b", "AOF", "Vichy", hours=800),
             {"ID besoin": "Total AOF", "Heures": 1600},
             {"Dispositif": "TOTAL général", "Heures": 1600},
             need("c", "AOF", "Vichy", hours=80)]
    path = make_workbook(tmp_path, needs)
    inputs, report = read(path)
    assert list(inputs.needs["id"]) == ["a", "b", "c"]
    assert [(p.severity, p.sheet, p.row) for p in report.problems] == [
        ("Info", BESOINS, 4), ("Info", BESOINS, 5)]
    out = regenerate(path)
    info = [(f, row, code) for f, row, _, code in controles(out, "Info") if f == BESOINS]
    assert info == [(BESOINS, 4, "ligne-total"), (BESOINS, 5, "ligne-total")]


def test_excel_table_totals_row_is_a_total_row(tmp_path) -> None:
    def totals_row(wb: openpyxl.Workbook) -> None:
        ws = wb[BESOINS]
        ws.append(["Total", None, None, None, "=SUBTOTAL(109,[Heures])"])
        table = ws.tables["T_Besoins"]
        table.ref, table.totalsRowCount = "A1:E4", 1

    needs = [need("a", "AOF", "Belley", hours=800), need("b", "AOF", "Vichy", hours=80)]
    path = make_workbook(tmp_path, needs, as_table=True, tweak=totals_row)
    inputs, report = read(path)
    assert list(inputs.needs["id"]) == ["a", "b"]
    assert [(p.severity, p.row, p.code) for p in report.problems] == [(
        "Info", 4, "ligne-total")]


@pytest.mark.parametrize(("text", "value"), [
    ("16 000", 16000.0), ("16\u00a0000", 16000.0), ("16\u202f000", 16000.0),
    ("3,5", 3.5), ("3.5", 3.5), ("1 200,50 €", 1200.5), (" 800 ", 800.0), (800, 800.0),
    (1200.5, 1200.5),
])
def test_french_numbers_as_text(tmp_path, text, value: float) -> None:
    inputs, report = read(make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=text)]))
    assert flat(report) == []
    assert inputs.needs["hours_in"].tolist() == [value]


def test_places_as_french_text(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "PQ", "Belley", places="1\u202f200",
                                         domaine="Industrie", debouches="2 000")])
    inputs, report = read(path)
    assert flat(report) == []
    assert inputs.needs[["places_in", "debouches"]].values.tolist() == [[1200.0, 2000.0]]


def test_percentages_where_a_percentage_is_expected(tmp_path) -> None:
    params = [("Maximum bons de commande (%)", "130 %"), ("Part max petits lots (%)", "12 %"),
              ("Seuil petits lots (€ HT)", "50 000 €")]
    rules = [rule("AOF", tolerance="30 %")]
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", places=10, hours=1000)],
                         params=params, rules=rules)
    inputs, report = read(path)
    assert flat(report) == []
    assert inputs.params.max_bons_pct == 130.0
    assert inputs.params.part_max_petits_pct == 12.0
    assert inputs.params.seuil_petits_lots == 50000.0
    assert inputs.rules["AOF"].tolerance == 30.0
    lot = sheet_rows(regenerate(path), "Lots")[0]
    assert lot["Montant maximum (€ HT)"] == pytest.approx(14000 * 1.3)


def test_percent_sign_in_a_volume_is_an_error(tmp_path) -> None:
    _, report = read(make_workbook(tmp_path, [need("a", "AOF", "Belley", hours="12 %")]))
    assert flat(report) == [(2, "Heures", "nombre-invalide")]


def test_formulas_are_read_by_their_cached_values(tmp_path) -> None:
    needs = [need("a", "AOF", "=\"Bel\"&\"ley\"", hours="=100*8"),
             need("b", "PQ", "Vichy", places="=6*2", domaine="=\"Industrie\"")]
    path = make_workbook(tmp_path, needs)  # columns: A ID, B Disp, C Zone, D Domaine, E Places
    set_cached_values(path, BESOINS, {"C2": "Belley", "F2": 800, "E3": 12, "D3": "Industrie"})
    inputs, report = read(path)
    assert flat(report) == []
    got = inputs.needs[["zone", "domaine", "places_in", "hours_in"]].values.tolist()
    assert got[0][0] == "Belley" and got[0][3] == 800.0
    assert got[1][1:3] == ["Industrie", 12.0]
    out = regenerate(path)
    ws = openpyxl.load_workbook(out)[BESOINS]
    assert ws["F2"].value == "=100*8"  # the input sheet keeps its formulas


def test_formula_without_cached_value_is_an_error(tmp_path) -> None:
    needs = [need("a", "AOF", "Belley", hours="=SUM(1,2)"), need("b", "AOF", "Belley", hours=80)]
    inputs, report = read(make_workbook(tmp_path, needs))
    assert flat(report) == [(2, "Heures", "nombre-invalide")]
    assert "formule sans valeur" in report.problems[0].message
    assert list(inputs.needs["id"]) == ["b"]


@pytest.mark.parametrize("code", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!"])
def test_error_cells_name_row_and_column(tmp_path, code: str) -> None:
    needs = [need("a", "AOF", "Belley", hours=80),
             need("b", "AOF", "Belley", hours=code),
             need("c", "PQ", "Belley", places=code, domaine="Industrie"),
             need("d", "PQ", "Belley", places=3, domaine="Industrie", debouches=code)]
    inputs, report = read(make_workbook(tmp_path, needs))
    assert [(p.severity, *t) for p, t in zip(report.problems, flat(report), strict=True)] == [
        ("Erreur", 3, "Heures", "nombre-invalide"), ("Erreur", 4, "Places", "nombre-invalide"),
        ("Erreur", 5, "Débouchés", "nombre-invalide")]
    assert all(code in p.message for p in report.problems)
    assert list(inputs.needs["id"]) == ["a"]


def test_formula_cached_as_an_error_is_an_error(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours="=1/0")])
    set_cached_values(path, BESOINS, {"E2": "#DIV/0!"})
    _, report = read(path)
    assert flat(report) == [(2, "Heures", "nombre-invalide")]
    assert "#DIV/0!" in report.problems[0].message


def test_sheet_names_fold_like_headers(tmp_path) -> None:
    def rename(wb: openpyxl.Workbook) -> None:
        wb[BESOINS].title = "BESOINS "
        wb["Règles"].title = "regles"
        wb["Paramètres"].title = "Parametres"

    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)], tweak=rename,
                         params=[("Région", "Auvergne"), ("Maximum bons de commande (%)", 150)])
    inputs, report = read(path)
    assert flat(report) == []
    assert inputs.params.max_bons_pct == 150.0
    assert math.isclose(inputs.needs["hours_in"].iloc[0], 800.0)


def test_rules_headers_fold_too(tmp_path) -> None:
    def upper_rules(wb: openpyxl.Workbook) -> None:
        ws = wb["Règles"]
        for c in ws[1]:
            c.value = c.value.upper().replace("É", "E") if c.value else c.value

    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)], tweak=upper_rules)
    inputs, report = read(path)
    assert flat(report) == []
    assert inputs.rules["PQ"].heures_par_place == 450 and inputs.rules["PQ"].plafonner
