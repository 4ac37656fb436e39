"""Values read the same whatever program wrote the file: rows and cells without `r=`, merged
data cells, Strict Open XML, other formats renamed .xlsx (file route; the Book route is in
tests/excel/test_excel_reading_shapes.py)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import column_index_from_string

from allot_xl.cli import main
from allot_xl.io.xlsx.cells import merged_ranges, walk
from allot_xl.io.xlsx.read import read_grids
from workbooks import affectation, controles, make_workbook, need, read, regenerate

DATA = Path(__file__).resolve().parents[1] / "data"


def _case(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(DATA / f"{name}.xlsx", path)
    path.chmod(0o644)
    return path


def _problems(report) -> list[tuple]:
    return sorted((p.severity, p.sheet, p.row, p.column, p.code) for p in report.problems)


# --------------------------------------------------------------------------- without r=

_ROW = re.compile(rb"<row\b([^>]*?)(/?)>")
_CELL = re.compile(rb'<c\b([^>]*?)\sr="([A-Z]+)(\d+)"([^>]*?)(/?)>')


def _strip_r(xml: bytes, rows: bool, keep_every: int = 0) -> bytes:
    """The sheet XML with its cells' r= removed (all, or all but every `keep_every`-th),
    empty `<c/>` written for the skipped columns so that positions stay; with `rows`,
    the rows' r= removed too and `<row/>` written for skipped rows."""
    out, pos, last_row = [], 0, 0
    head, _, tail = xml.partition(b"<sheetData>")
    data, _, rest = tail.partition(b"</sheetData>")
    for m in _ROW.finditer(data):
        out.append(data[pos:m.start()])
        pos = m.end()
        r = int(re.search(rb'\br="(\d+)"', m.group(1)).group(1))
        attrs = re.sub(rb'\s(r|spans)="[^"]*"', b"", m.group(1)) if rows else m.group(1)
        if rows:
            out.append(b"<row/>" * (r - last_row - 1))
        last_row = r
        end = data.find(b"</row>", pos) if not m.group(2) else pos
        body, col, cells, k = data[pos:end], 0, [], 0
        cpos = 0
        for c in _CELL.finditer(body):
            cells.append(body[cpos:c.start()])
            cpos = c.end()
            at = column_index_from_string(c.group(2).decode())
            k += 1
            if keep_every and k % keep_every == 0:
                cells.append(c.group(0))
            else:
                cells.append(b"<c/>" * (at - col - 1))
                cells.append(b"<c" + c.group(1) + c.group(4) + c.group(5) + b">")
            col = at
        cells.append(body[cpos:])
        out.append(b"<row" + attrs + m.group(2) + b">" + b"".join(cells))
        pos = end
    out.append(data[pos:])
    return head + b"<sheetData>" + b"".join(out) + b"</sheetData>" + rest


def _rewrite_sheets(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = change(data)
            zout.writestr(info, data)
    return dst


def _special_workbook(tmp_path: Path) -> Path:
    """A workbook with an error cell, a formula without a value, a percentage parameter,
    sparse columns and a gap of rows: every kind of cell-level reading."""
    def tweak(wb: openpyxl.Workbook) -> None:
        ws = wb["Besoins"]
        ws["E3"] = "#DIV/0!"  # Heures of the second need: an error cell
        ws["D4"] = "=1+1"  # Places of the third need: a formula without a cached value
        ws["H9"] = "note éloignée"  # beyond the table, after blank rows
        p = wb["Paramètres"]
        row = next(c.row for c in p["A"] if c.value == "Maximum bons de commande (%)")
        p.cell(row, 2, 1.2).number_format = "0%"
    needs = [need("a", "AOF", "Belley", hours=800), need("b", "AOF", "Belley", hours=900),
             need("c", "PSP", "Belley", places=3), need("d", "AOF", "Nantua", hours=700)]
    params = [("Maximum bons de commande (%)", 100)]
    return make_workbook(tmp_path, needs, params=params, tweak=tweak)


@pytest.mark.parametrize(("rows", "keep_every"), [(True, 0), (False, 0), (True, 3)],
                         ids=["sans r", "cellules sans r", "r une cellule sur trois"])
def test_cells_without_r_read_as_with_r(tmp_path, rows: bool, keep_every: int) -> None:
    src = _special_workbook(tmp_path)
    dst = _rewrite_sheets(src, tmp_path / "sans_r.xlsx", lambda x: _strip_r(x, rows, keep_every))
    with zipfile.ZipFile(dst) as z:
        assert b'<c r="' not in z.read("xl/worksheets/sheet1.xml") or keep_every
    a, b = read_grids(src), read_grids(dst)
    for name in a:
        assert [list(r) for r in b[name].values] == [list(r) for r in a[name].values], name
        for r, row in enumerate(a[name].values):  # same types (CellError, PercentValue…)
            assert [type(v) for v in b[name].values[r]] == [type(v) for v in row]
    got = _problems(read(dst)[1])
    assert got == _problems(read(src)[1])
    assert ("Erreur", "Besoins", 3, "Heures", "nombre-invalide") in got
    assert any(p[2:] == (4, "Places", "formule-sans-valeur") or p[2] == 4 and p[0] == "Erreur"
               for p in got)


def test_no_r_case_reports_its_error_like_its_control(tmp_path) -> None:
    """05: the `#N/A` in `Heures` is an error of its row, as in the same file with r=."""
    path, control = _case(tmp_path, "05_no_r_attributes"), _case(tmp_path, "05b_control_with_r")
    _, report = read(path)
    assert ("Erreur", "Besoins", 4, "Heures", "nombre-invalide") in _problems(report)
    assert _problems(report) == _problems(read(control)[1])
    for command, code in (("check", 1), ("regenerate", 0)):
        assert main([command, str(path), "-q"] if command == "regenerate"
                    else [command, str(path)]) == code
    out = regenerate(path, tmp_path / "out.xlsx")
    assert "A1-003" not in affectation(out)  # the need with #N/A is not allotted
    assert affectation(out) == affectation(regenerate(control, tmp_path / "ctl.xlsx"))


def test_walk_places_cells_as_excel() -> None:
    xml = (b'<row><c><v>1</v></c><c r="D1"><v>2</v></c><c/><c t="e"><v>#N/A</v></c></row>'
           b'<row/><row r="5"><c r="B5"/><c><v>3</v></c></row><row><c><v>4</v></c></row>')
    cells = [(r, c, body) for r, c, _, body in walk(xml)]
    assert cells == [(1, 1, b"<v>1</v>"), (1, 4, b"<v>2</v>"), (1, 5, None),
                     (1, 6, b"<v>#N/A</v>"), (5, 2, None), (5, 3, b"<v>3</v>"),
                     (6, 1, b"<v>4</v>")]


# --------------------------------------------------------------------------- merged cells


def test_merge_ranges_are_read() -> None:
    xml = (b'<mergeCells count="3"><mergeCell ref="A2:A4"/><mergeCell ref="$C$5:$B$5"/>'
           b'<x:mergeCell ref="D1"/></mergeCells>')
    assert merged_ranges(xml) == [(2, 1, 4, 1), (5, 2, 5, 3)]


def _merged_a1(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """A1 with each run of equal `Dispositif` merged into one cell (value shown once)."""
    src = _case(tmp_path, "A1_petit")
    wb = openpyxl.load_workbook(src)
    ws = wb["Besoins"]
    col = next(c.column for c in ws[1] if c.value == "Dispositif")
    runs, start = [], 2
    for r in range(3, ws.max_row + 2):
        if ws.cell(r, col).value != ws.cell(start, col).value:
            if r - 1 > start:
                runs.append((start, r - 1))
            start = r
    for a, b in runs:
        ws.merge_cells(start_row=a, start_column=col, end_row=b, end_column=col)
    path = tmp_path / "fusion.xlsx"
    wb.save(path)
    return path, runs


def test_merged_data_cells_give_a1s_result(tmp_path) -> None:
    path, runs = _merged_a1(tmp_path)
    assert runs and read_grids(path)["Besoins"].merged
    with zipfile.ZipFile(path) as z:  # the lower cells of a merge hold nothing
        assert b"mergeCell " in z.read("xl/worksheets/sheet1.xml")
    a1 = affectation(regenerate(_case(tmp_path, "A1_petit"), tmp_path / "a1.xlsx"))
    out = regenerate(path, tmp_path / "out.xlsx")
    assert affectation(out) == a1
    infos = [c for c in controles(out) if c[3] == "cellule-fusionnee"]
    assert len(infos) == sum(b - a for a, b in runs)
    assert all(c[0] == "Besoins" and c[2] == "Dispositif" for c in infos)


# --------------------------------------------------------------------------- Strict


@pytest.mark.parametrize("command", ["check", "regenerate"])
def test_strict_open_xml_is_refused_alike_by_every_command(tmp_path, capsys,
                                                           command: str) -> None:
    path = _case(tmp_path, "04_strict_ooxml")
    before = path.read_bytes()
    assert main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert "Open XML Strict" in err and "Enregistrer sous" in err and "Classeur Excel" in err
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


# --------------------------------------------------------------------------- other formats


def _zip(path: Path, parts: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in parts.items():
            z.writestr(k, v)
    path.write_bytes(buf.getvalue())
    return path


RENAMED = {
    "page web": (b"<!DOCTYPE html>\n<html><body><table><tr><td>ID besoin</td></tr></table>"
                 b"</body></html>", ".xlsx", "une page web (HTML)"),
    "page web .xls": (b"<html><table><tr><td>1</td></tr></table></html>", ".xls",
                      "une page web (HTML)"),
    "csv": ("\ufeffID besoin;Dispositif;Zone\nA1;AOF;Belley\n".encode(), ".xlsx",
            "un fichier texte (CSV)"),
    "texte unicode": ("ID besoin\tZone\n".encode("utf-16"), ".xlsm", "un fichier texte"),
    "xml 2003": (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
                 b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>', ".xlsx",
                 "une feuille de calcul XML 2003"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ".xlsx", "un document PDF"),
}


@pytest.mark.parametrize("case", list(RENAMED))
def test_other_format_renamed_is_named(tmp_path, capsys, case: str) -> None:
    data, ext, words = RENAMED[case]
    path = tmp_path / f"besoins{ext}"
    path.write_bytes(data)
    for command in ("check", "regenerate"):
        assert main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert words in err and "endommagé" not in err, err
        if case != "pdf":
            assert "Enregistrer sous" in err and "Classeur Excel (*.xlsx)" in err
    assert path.read_bytes() == data


@pytest.mark.parametrize(("part", "words"), [("xl/workbook.bin", ".xlsb"),
                                             ("word/document.xml", "document Word")])
def test_other_office_zip_is_named(tmp_path, capsys, part: str, words: str) -> None:
    path = _zip(tmp_path / "besoins.xlsx", {"[Content_Types].xml": "<Types/>", part: "x"})
    assert main(["check", str(path)]) == 2
    assert words in capsys.readouterr().err


def test_xls_renamed_xlsx_is_named_xls(tmp_path, capsys) -> None:
    """An Excel 97-2003 file (OLE, `Workbook` stream) under an .xlsx name is not called
    encrypted."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path = tmp_path / "ancien.xlsx"
    path.write_bytes(head + "Workbook".encode("utf-16-le") + bytes(64))
    assert main(["check", str(path)]) == 2
    assert "Excel 97-2003" in capsys.readouterr().err
