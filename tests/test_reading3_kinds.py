"""The kinds of issue 22 built in code, beyond its case files: alias duplicates, other
invisible characters and look-alike punctuation, stacked tables, formulas with empty text,
hidden rows, dates in IDs under other formats, stray spaces, float noise, commas in
`Voisines`, hidden sheets and copies (file route; the Book route is in
tests/excel/test_excel_reading_shapes.py)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from allot_xl.core.contract import as_shown, fold, odd_characters, read_number
from allot_xl.core.problems import StructuralError
from allot_xl.core.shown import date_text
from allot_xl.inputs.checks import row_list
from allot_xl.inputs.grid import SheetGrid, read_table
from allot_xl.inputs.read import copy_of
from allot_xl.io.xlsx.read import read_grids, sheet_parts
from workbooks import affectation, flat, make_workbook, need, read, regenerate


def _needs(*extra):
    return [need("a", "AOF", "Belley", hours=800), need("b", "AOF", "Vichy", hours=900),
            *extra]


def _codes(report, code: str) -> list:
    return [p for p in report.problems if p.code == code]


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(("first", "second", "canon"), [
    ("Places", "Nb places", "Places"), ("Heures", "Volume horaire", "Heures"),
    ("Zone", "Lieu", "Zone"), ("Métier", "Metier", "Métier"), ("Heures", "HEURES ", "Heures")])
def test_two_columns_answering_one_contract_column_stop(tmp_path, first, second,
                                                         canon) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        ws.cell(1, ws.max_column + 1, second)
        ws.cell(2, ws.max_column, 3)
    needs = [need("a", "AOF", "Belley", places=3, hours=800, metier="Soudeur")]
    path = make_workbook(tmp_path, needs, tweak=tweak)
    with pytest.raises(StructuralError) as e:
        read(path)
    text = str(e.value)
    assert f"« {second.strip()} »" in text and f"répondent toutes à « {canon} »" in text
    letters = [w for w in text.split() if w.isupper() and len(w) == 1]
    assert len(letters) >= 2  # both columns named by their letters


def test_duplicates_in_other_sheets_and_tables_stop_too(tmp_path) -> None:
    def zones(wb: openpyxl.Workbook) -> None:
        ws = wb["Zones"]
        ws.cell(1, ws.max_column + 1, "Departement")
    with pytest.raises(StructuralError, match="Zones.*répondent toutes à « Département »"):
        read(make_workbook(tmp_path, _needs(), tweak=zones, name="z.xlsx"))

    # in an Excel table: a column headed with Dispositif's alias beside Dispositif
    path = make_workbook(tmp_path, _needs(), as_table=True, name="t.xlsx",
                         headers={"Commentaire": "Programme"},
                         columns=["ID besoin", "Dispositif", "Zone", "Heures", "Commentaire"])
    with pytest.raises(StructuralError, match="B « Dispositif » et E « Programme »"):
        read(path)


# --------------------------------------------------------------------------- characters


@pytest.mark.parametrize("spelled", [
    "Plaine\u00a0de l'Ain", "Plaine de l\u2019Ain", "\ufeffPlaine de l'Ain",
    "Plaine de\u200b l'Ain", "Plaine de l'Ain\u2060", "Plaine\u00adde l'Ain".replace(
        "\u00ad", " \u00ad"), "Plaine de l\u02bcAin"])
def test_invisible_and_look_alike_characters_never_make_names_differ(tmp_path,
                                                                     spelled) -> None:
    path = make_workbook(tmp_path, _needs(need("c", "AOF", spelled, hours=700)))
    inputs, report = read(path)
    assert not flat(report, "Erreur")
    assert set(inputs.needs["zone"]) == {"Belley", "Vichy", "Plaine de l'Ain"}
    odd = _codes(report, "caractere-invisible")
    assert bool(odd) == bool(odd_characters(spelled))
    if odd:
        assert (odd[0].row, odd[0].column, odd[0].severity) == (4, "Zone", "Info")


def test_invisible_characters_in_ids_and_headers(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a\u200b", "AOF", "Belley", hours=800),
                                    need("a", "AOF", "Belley", hours=900),
                                    need("Bourg\u2011x", "AOF", "Bourg\u2011en\u2011Bresse",
                                         hours=900)],
                         headers={"Zone": "Zone\u200b", "Heures": "\ufeffHeures"})
    inputs, report = read(path)
    assert [(p.row, p.column) for p in _codes(report, "id-double")] == [(3, "ID besoin")]
    odd = {(p.row, p.column) for p in _codes(report, "caractere-invisible")}
    assert {(1, "Zone"), (1, "Heures"), (2, "ID besoin"), (4, "Zone")} <= odd
    assert "Bourg\u2011en\u2011Bresse" not in set(inputs.needs["zone"])
    assert "Bourg-en-Bresse" in set(inputs.needs["zone"])
    assert fold("Bourg\u2011en\u2013Bresse") == fold("bourg-en-bresse")


# --------------------------------------------------------------------------- repeated headers


def _insert_rows(ws, at: int, rows: list[list]) -> None:
    ws.insert_rows(at, len(rows))
    for k, row in enumerate(rows):
        for j, v in enumerate(row, start=1):
            ws.cell(at + k, j, v)


def test_blocks_pasted_with_their_header_and_title_are_read_once(tmp_path) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        head = [c.value for c in ws[1]]
        _insert_rows(ws, 3, [["Allier"], [], head])
    path = make_workbook(tmp_path, _needs(need("c", "AOF", "Moulins", hours=700)),
                         tweak=tweak)
    inputs, report = read(path)
    assert not flat(report, "Erreur")
    repeated = _codes(report, "en-tete-repete")
    assert len(repeated) == 1 and "Lignes 3 et 5" in repeated[0].message
    assert list(inputs.needs["id"]) == ["a", "b", "c"]


def test_a_stacked_table_in_another_column_order_is_read_in_its_order(tmp_path) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        head = [c.value for c in ws[1]]
        order = [head[2], head[0], head[4], head[1]]  # Zone, ID, Heures, Dispositif
        _insert_rows(ws, ws.max_row + 2, [order, ["Moulins", "c", 700, "AOF"],
                                          ["Belley", "d", 650, "AOF"]])
    path = make_workbook(tmp_path, _needs(), tweak=tweak)
    inputs, report = read(path)
    assert not flat(report, "Erreur")
    hours = dict(zip(inputs.needs["id"], inputs.needs["hours_in"], strict=True))
    zones = dict(zip(inputs.needs["id"], inputs.needs["zone"], strict=True))
    assert hours == {"a": 800, "b": 900, "c": 700, "d": 650}
    assert zones["c"] == "Moulins" and zones["d"] == "Belley"
    assert len(_codes(report, "en-tete-repete")) == 1


def test_an_id_equal_to_a_header_word_alone_is_not_a_header() -> None:
    grid = SheetGrid("Besoins", [["ID besoin", "Dispositif", "Zone", "Heures"],
                                 ["ID besoin", "AOF", "Belley", 80], ["b", "AOF", "Belley", 9]])
    t = read_table(grid, "Besoins")
    assert [r for r, _ in t.rows] == [2, 3] and t.repeated == []


# --------------------------------------------------------------------------- formulas


def _patch(path: Path, sheet: str, edit) -> None:
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z)[sheet]
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, data in items:
            z.writestr(i, edit(data) if i.filename == part else data)


@pytest.mark.parametrize("empty", [b"<v/>", b"<v></v>"])
def test_formula_with_empty_text_result_is_an_empty_cell(tmp_path, empty) -> None:
    rows = [need("a", "AOF", "Belley", hours=800, places='=IF(E2>0,"",1)'),
            need("b", "AOF", "Vichy", hours=None, places='=IF(E3>0,"",4)')]
    path = make_workbook(tmp_path, rows)

    def edit(xml: bytes) -> bytes:
        xml = xml.replace(b'<c r="D2"><f>', b'<c r="D2" t="str"><f>')
        xml = xml.replace(b"</f><v></v></c>", b"</f>" + empty + b"</c>", 1)
        return xml.replace(b"</f><v /></c>", b"</f>" + empty + b"</c>", 1)
    _patch(path, "Besoins", edit)
    grids = read_grids(path)
    assert grids["Besoins"].cell(2, 4) is None  # the empty result
    _, report = read(path)
    errors = [p for p in report.problems if p.severity == "Erreur"]
    assert [(p.row, p.column) for p in errors] == [(3, "Places")]  # never computed
    assert 'IF(E3>0,"",4)' in errors[0].message or "E3>0" in str(errors[0].value)
    assert "&gt;" not in errors[0].message and "&quot;" not in str(errors[0].value)


# --------------------------------------------------------------------------- hidden rows


def test_hidden_rows_of_needs_are_listed_in_one_warning(tmp_path) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        for r in (3, 4, 6):
            ws.row_dimensions[r].hidden = True
        ws.row_dimensions[9].hidden = True  # an empty hidden row says nothing
    needs = [need(f"n{i}", "AOF", "Belley", hours=100 * i) for i in range(1, 7)]
    path = make_workbook(tmp_path, needs, tweak=tweak)
    inputs, report = read(path)
    hidden = _codes(report, "lignes-masquees")
    assert len(hidden) == 1 and hidden[0].row == 3
    assert hidden[0].message.startswith("Lignes 3, 4 et 6 masquées")
    assert len(inputs.needs) == 6  # allotted all the same
    assert row_list([7]) == "ligne 7" and row_list([2, 3, 4, 9]) == "lignes 2 à 4 et 9"


# --------------------------------------------------------------------------- dates in IDs


@pytest.mark.parametrize(("fmt", "shown"), [
    ("dd-mmm", "01-mars"), ("d-mmm", "1-mars"), ("mmm-yy", "mars-25"),
    ("dd/mm/yyyy", "01/03/2025"), ("d mmmm yyyy", "1 mars 2025"), ("General", "01/03/2025"),
    ("[$-40C]dd\\-mmm", "01-mars")])
def test_ids_turned_into_dates_are_written_as_the_cell_shows_them(tmp_path, fmt,
                                                                   shown) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        cell = wb["Besoins"]["A2"]
        cell.value = dt.datetime(2025, 3, 1)
        cell.number_format = fmt if fmt != "General" else "mm-dd-yy"  # builtin 14
    path = make_workbook(tmp_path, _needs(), tweak=tweak)
    inputs, report = read(path)
    assert list(inputs.needs["id"])[0] == shown
    warned = _codes(report, "id-en-date")
    assert [(p.row, p.column, p.value) for p in warned] == [(2, "ID besoin", shown)]
    assert shown in affectation(regenerate(path))


def test_date_text_renders_french_formats() -> None:
    d = dt.datetime(2025, 12, 2, 8, 5, 9)
    assert date_text(d, "dddd d mmmm yyyy") == "mardi 2 décembre 2025"
    assert date_text(d, "dd/mm/yy hh:mm:ss") == "02/12/25 08:05:09"
    assert date_text(d, 'd" du mois "mmm') == "2 du mois déc."
    assert date_text(d.date()) == "02/12/2025"


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text", ["1 5", "1 50", "12 34", "1 2345", "16 00", "3,5 0"])
def test_stray_space_inside_a_number_is_an_error_of_the_cell(tmp_path, text) -> None:
    path = make_workbook(tmp_path, _needs(need("c", "AOF", "Belley", places=text)))
    inputs, report = read(path)
    errors = [p for p in report.problems if p.severity == "Erreur"]
    assert [(p.row, p.column, p.code) for p in errors] == [(4, "Places", "nombre-invalide")]
    assert "espace" in errors[0].message and "par trois" in errors[0].message
    assert "c" not in set(inputs.needs["id"])


@pytest.mark.parametrize(("text", "value"), [
    ("16 000", 16000), ("1 200,50 €", 1200.5), ("12\u00a0345\u202f678", 12345678),
    ("1 000 000", 1e6), (" 15 ", 15), ("1 200 € HT", 1200)])
def test_digit_groups_of_three_stay_numbers(text, value) -> None:
    assert read_number(text).value == value


@pytest.mark.parametrize(("stored", "shown"), [
    (40.000000000000007, 40.0), (0.1 + 0.2, 0.3), (4050.0000000000005, 4050.0),
    (2.675, 2.675), (1 / 3, 0.333333333333333), (123456789012.34567, 123456789012.346)])
def test_numbers_are_read_as_excel_shows_them(stored, shown) -> None:
    assert as_shown(stored) == shown
    assert read_number(stored).value == shown


def test_float_noise_in_whole_places_and_rules_is_not_an_error(tmp_path) -> None:
    needs = _needs(need("c", "AOF", "Belley", places=40.000000000000007),
                   need("d", "AOF", "Belley", hours=0.1 + 0.2 + 799.7))
    inputs, report = read(make_workbook(tmp_path, needs))
    assert not flat(report, "Erreur")
    values = dict(zip(inputs.needs["id"], inputs.needs["places_in"], strict=True))
    assert values["c"] == 40


# --------------------------------------------------------------------------- Voisines


def test_neighbours_separated_by_commas_say_to_use_semicolons(tmp_path) -> None:
    zones = [{"Zone": "Belley", "Territoire": "Ain Sud", "Département": "01",
              "Voisines": "Plaine de l'Ain, Bourg-en-Bresse"},
             {"Zone": "Plaine de l'Ain", "Territoire": "Ain Sud", "Département": "01"},
             {"Zone": "Bourg-en-Bresse", "Territoire": "Bresse", "Département": "01"}]
    _, report = read(make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                                   zones=zones))
    warned = _codes(report, "voisine-inconnue")
    assert len(warned) == 1 and "« ; »" in warned[0].message


# --------------------------------------------------------------------------- sheets


def _hide(wb: openpyxl.Workbook, name: str) -> None:
    wb[name].sheet_state = "hidden"


def _copy(wb: openpyxl.Workbook, name: str, title: str) -> None:
    wb.copy_worksheet(wb[name]).title = title


@pytest.mark.parametrize("title", ["Besoins (2)", "Besoins_2", "Copie de Besoins",
                                   "Besoins - Copie"])
def test_hidden_input_sheet_with_a_visible_copy_stops(tmp_path, title) -> None:
    def tweak(wb):
        _copy(wb, "Besoins", title)
        _hide(wb, "Besoins")
    with pytest.raises(StructuralError, match=r"masquée.*copie visible"):
        read(make_workbook(tmp_path, _needs(), tweak=tweak))
    assert copy_of(title) == "Besoins"


def test_a_hidden_input_sheet_alone_is_read_and_said(tmp_path) -> None:
    inputs, report = read(make_workbook(tmp_path, _needs(),
                                        tweak=lambda wb: _hide(wb, "Zones")))
    warned = _codes(report, "feuille-masquee")
    assert [(p.sheet, p.severity) for p in warned] == [("Zones", "Avertissement")]
    assert len(inputs.needs) == 2


def test_a_visible_copy_beside_the_visible_sheet_is_not_read_and_said(tmp_path) -> None:
    def tweak(wb):
        _copy(wb, "Règles", "Règles (2)")
        wb["Règles (2)"]["A2"] = "changé"
    inputs, report = read(make_workbook(tmp_path, _needs(), tweak=tweak))
    warned = _codes(report, "copie-de-feuille")
    assert [p.sheet for p in warned] == ["Règles (2)"] and "n'est pas lue" in warned[0].message
    assert "AOF" in inputs.rules


def test_only_a_copy_of_a_required_sheet_names_it(tmp_path) -> None:
    def tweak(wb):
        wb["Besoins"].title = "Besoins (2)"
    with pytest.raises(StructuralError, match=r"« Besoins \(2\) ».*renommez-la « Besoins »"):
        read(make_workbook(tmp_path, _needs(), tweak=tweak))
    assert copy_of("Besoins 2026") is None and copy_of("Lots (2)") is None


# --------------------------------------------------------------------------- linked data types

_RD = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RICH_PARTS = {
    "xl/metadata.xml": (
        f'<metadata xmlns="{_MAIN}" xmlns:xlrd="{_RD}"><metadataTypes count="1">'
        '<metadataType name="XLRICHVALUE" minSupportedVersion="120000"/></metadataTypes>'
        '<futureMetadata name="XLRICHVALUE" count="2">'
        '<bk><extLst><ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="0"/>'
        '</ext></extLst></bk>'
        '<bk><extLst><ext uri="{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}"><xlrd:rvb i="1"/>'
        '</ext></extLst></bk></futureMetadata>'
        '<valueMetadata count="2"><bk><rc t="1" v="0"/></bk><bk><rc t="1" v="1"/></bk>'
        '</valueMetadata></metadata>'),
    "xl/richData/rdrichvalue.xml": (
        f'<rvData xmlns="{_RD}" count="2"><rv s="0"><v>4</v><v>Belley</v><v>fr-FR</v></rv>'
        '<rv s="0"><v>5</v><v>Vichy</v><v>fr-FR</v></rv></rvData>'),
    "xl/richData/rdrichvaluestructure.xml": (
        f'<rvStructures xmlns="{_RD}" count="1"><s t="_linkedentity2">'
        '<k n="%EntityServiceId" t="i"/><k n="_DisplayString" t="s"/><k n="%cvi" t="s"/>'
        '</s></rvStructures>'),
}


def test_zones_typed_as_linked_data_types_read_as_they_show(tmp_path) -> None:
    """Excel's Geography data type stores `#VALUE!` in the cell and the name it shows in
    the workbook's rich data: the name is read."""
    plain = make_workbook(tmp_path, _needs(), name="texte.xlsx")
    path = make_workbook(tmp_path, _needs(), name="lie.xlsx")
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
        part = sheet_parts(z)["Besoins"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, data in items:
            if i.filename == part:
                for vm, ref in ((1, "C2"), (2, "C3")):
                    head, _, rest = data.partition(f'<c r="{ref}"'.encode())
                    rest = rest[rest.index(b"</c>") + 4:]
                    data = head + (f'<c r="{ref}" t="e" vm="{vm}"><v>#VALUE!</v></c>'
                                   ).encode() + rest
            z.writestr(i, data)
        for name, xml in _RICH_PARTS.items():
            z.writestr(name, xml)
    import python_calamine

    from allot_xl.io.xlsx import pure as xlsx_pure
    from allot_xl.io.xlsx import read as xlsx_read
    for module in (python_calamine, xlsx_pure):  # both file readers
        saved, xlsx_read.pc = xlsx_read.pc, module
        try:
            grids = read_grids(path)
        finally:
            xlsx_read.pc = saved
        assert (grids["Besoins"].cell(2, 3), grids["Besoins"].cell(3, 3)) == ("Belley",
                                                                              "Vichy")
    inputs, report = read(path)
    assert not flat(report, "Erreur")
    assert affectation(regenerate(path)) == affectation(regenerate(plain))


@pytest.mark.parametrize(("fmt", "shown"), [("00000", "00123"), ('"ID-"0000', "ID-0123"),
                                            ("General", "123")])
def test_ids_shown_padded_with_zeros_keep_their_zeros(tmp_path, fmt, shown) -> None:
    def tweak(wb: openpyxl.Workbook) -> None:
        cell = wb["Besoins"]["A2"]
        cell.value = 123
        cell.number_format = fmt
    path = make_workbook(tmp_path, _needs(), tweak=tweak)
    inputs, report = read(path)
    assert list(inputs.needs["id"])[0] == shown
    assert not report.problems or all(p.code != "id-en-date" for p in report.problems)
    assert shown in affectation(regenerate(path))


def test_excel_tables_stacked_on_one_sheet_are_all_read(tmp_path) -> None:
    from openpyxl.worksheet.table import Table

    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        ws["A6"] = "Allier"  # a title between the tables
        rows = [["Zone", "ID besoin", "Heures", "Dispositif"], ["Moulins", "c", 700, "AOF"],
                ["Vichy", "d", 650, "AOF"]]
        for k, row in enumerate(rows):
            for j, v in enumerate(row, start=1):
                ws.cell(7 + k, j, v)
        ws.add_table(Table(displayName="T_Allier", ref="A7:D9"))
    path = make_workbook(tmp_path, _needs(), as_table=True, tweak=tweak,
                         columns=["ID besoin", "Dispositif", "Zone", "Heures"])
    inputs, report = read(path)
    hours = dict(zip(inputs.needs["id"], inputs.needs["hours_in"], strict=True))
    assert hours == {"a": 800, "b": 900, "c": 700, "d": 650}
    assert not _codes(report, "hors-tableau") and not flat(report, "Erreur")
    assert "Lignes 6 et 7" in _codes(report, "en-tete-repete")[0].message  # title, header
