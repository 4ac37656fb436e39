"""One Package per run, untouched parts copied as stored, one look for every writer."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.core.problems import UnreadableFile
from allot_xl.io.xlsx.package import Package
from allot_xl.io.xlsx.read import check_file, read_grids
from allot_xl.io.xlsx.write import write_outputs
from allot_xl.outputs import look
from allot_xl.template import build_template

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("paquet") / "exemple.xlsx"
    build_template(example=True, n_needs=40).save(path)
    return path


def _raw(path: Path, info: zipfile.ZipInfo) -> bytes:
    """The stored (compressed) bytes of a member."""
    with open(path, "rb") as f:
        f.seek(info.header_offset + 26)
        n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
        f.seek(info.header_offset + 30 + n + m)
        return f.read(info.compress_size)


def test_one_package_serves_the_check_the_reader_and_the_writer(example, tmp_path) -> None:
    pkg = check_file(example)
    assert isinstance(pkg, Package) and check_file(pkg) is pkg  # an open Package is handed on
    assert check_file(example) is not pkg  # a path is opened afresh: no cache between calls
    assert read_grids(pkg).keys() == read_grids(example).keys()
    run = api.regenerate(example, tmp_path / "a.xlsx")
    write_outputs(pkg, tmp_path / "b.xlsx", run.outputs)
    assert openpyxl.load_workbook(tmp_path / "b.xlsx").sheetnames == \
        openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames


def test_a_changed_file_is_seen_as_changed(tmp_path) -> None:
    """A run waiting for the lock re-opens the workbook another run rewrote meanwhile
    (`api._current`): the Package knows whether its file changed."""
    path = tmp_path / "classeur.xlsx"
    build_template(example=True, n_needs=10).save(path)
    first = check_file(path)
    assert first.unchanged()
    build_template(example=True, n_needs=12).save(path)
    assert not first.unchanged()


def test_untouched_parts_are_copied_as_stored(example, tmp_path) -> None:
    out = tmp_path / "sortie.xlsx"
    api.regenerate(example, out)
    src, dst = zipfile.ZipFile(example), zipfile.ZipFile(out)
    assert dst.testzip() is None  # every CRC checks out
    kept = [i for i in src.infolist() if i.filename.startswith("xl/worksheets/")]
    assert kept
    for info in kept:
        copy = dst.getinfo(info.filename)
        assert (copy.CRC, copy.compress_size) == (info.CRC, info.compress_size)
        assert _raw(out, copy) == _raw(example, info)


def test_the_header_look_is_declared_once(example, tmp_path) -> None:
    out = tmp_path / "sortie.xlsx"
    api.regenerate(example, out)
    ws = openpyxl.load_workbook(out)["Lots"]
    head = ws["A1"]
    assert head.fill.fgColor.rgb == look.header_argb()
    assert head.alignment.wrap_text is look.HEADER_WRAP
    assert head.alignment.vertical == look.HEADER_VALIGN and head.font.b
    assert next(iter(ws.tables.values())).tableStyleInfo.name == look.TABLE_STYLE


def test_a_damaged_member_is_refused_in_french(example, tmp_path) -> None:
    bad = tmp_path / "abime.xlsx"
    data = bytearray(example.read_bytes())
    cut = data.rfind(b"PK\x01\x02")  # the central directory
    bad.write_bytes(bytes(data[:cut - 40]))
    with pytest.raises(UnreadableFile, match="endommagé"):
        check_file(bad)


def test_the_book_route_wraps_and_fills_headers_alike(example) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "excel"))
    from excel_support import book_of

    from allot_xl.io.book import write_book
    run = api.regenerate(example, example.with_name("pour_book.xlsx"))
    book = book_of(example)
    try:
        write_book(book, run.outputs)
        actions = book.json()["actions"]
    finally:
        book.close()
    funcs = {a["func"]: a["args"] for a in actions}
    assert funcs["setWrapText"] in (True, [True])
    assert look.header_hex() in str(funcs["setRangeColor"])


def _with_part(src: Path, dst: Path, part: str, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = zin.read(i.filename)
            zout.writestr(i, edit(data) if i.filename == part else data)
    return dst


@pytest.mark.parametrize(("part", "edit", "says"), [
    ("xl/worksheets/sheet1.xml", lambda d: d.replace(b"</t>", b"\x01</t>", 1), "Besoins"),
    ("docProps/core.xml", lambda d: d.replace(b"</cp:coreProperties>", b""), "core.xml"),
])
def test_a_part_that_is_not_well_formed_xml_is_refused(example, tmp_path, part, edit,
                                                        says) -> None:
    bad = _with_part(example, tmp_path / "mal_forme.xlsx", part, edit)
    out = tmp_path / "sortie.xlsx"
    with pytest.raises(UnreadableFile, match=says):
        api.regenerate(bad, out)
    assert not out.exists()


def test_repeated_runs_leave_the_styles_as_they_are(example, tmp_path) -> None:
    path = tmp_path / "classeur.xlsx"
    path.write_bytes(example.read_bytes())
    styles = []
    for _ in range(3):
        api.regenerate(path, in_place=True)
        styles.append(zipfile.ZipFile(path).read("xl/styles.xml"))
    assert styles[0] == styles[1] == styles[2]


def test_styles_past_excels_limit_are_refused_before_writing(example, tmp_path) -> None:
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1"/>'

    def bloat(d: bytes) -> bytes:
        return d.replace(b"</cellXfs>", xf * 64_000 + b"</cellXfs>")

    bad = _with_part(example, tmp_path / "styles.xlsx", "xl/styles.xml", bloat)
    out = tmp_path / "sortie.xlsx"
    with pytest.raises(UnreadableFile, match="64\u00a0000 formats"):
        api.regenerate(bad, out)
    assert not out.exists()


def test_a_text_longer_than_excel_allows_is_refused_before_reading(example, tmp_path) -> None:
    path = tmp_path / "long.xlsx"
    path.write_bytes(example.read_bytes())
    sst = (f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>{"x" * 250_000}</t></si>'
           f'</sst>').encode()
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", sst)
    with pytest.raises(UnreadableFile, match="32\u00a0767 caractères"):
        check_file(path)


def test_each_verb_opens_its_workbook_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """One Package per run, handed down from `check_file` to the reader and the writer (no
    cache between calls): `Package.open` is counted, and still does the real work."""
    import shutil

    example = Path(__file__).resolve().parents[2] / "workbooks" / "exemple_rhone_alpes.xlsx"
    src = Path(shutil.copy(example, tmp_path / "ex.xlsx"))
    opened: list[Path] = []
    real = Package.open.__func__

    def counted(cls, path: Path) -> Package:
        opened.append(Path(path))
        return real(cls, path)

    monkeypatch.setattr(Package, "open", classmethod(counted))
    out = api.regenerate(src, tmp_path / "out.xlsx").output_path
    assert opened == [src]
    opened.clear()
    api.regenerate(src, in_place=True)
    assert opened == [src]
    opened.clear()
    api.check(src)
    assert opened == [src]
    opened.clear()
    api.scenarios(src, tmp_path / "sc.xlsx")
    assert opened == [src]
    opened.clear()
    api.export(out, tmp_path / "envoi.xlsx")
    assert opened == [out]
