"""The email copy of a workbook with external data connections (issue 22): the connections
go, and so do what only works with them — query tables (their table stays, as a plain
table) and Power Query's queries — with no relationship left pointing at a missing part,
so that Excel opens the copy without repairing it."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl

from allot_xl import api
from allot_xl.io.xlsx import opc

DATA = Path(__file__).resolve().parents[1] / "data"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."


def _with_connections(src: Path, out: Path) -> None:
    """`src` with a connection, a query table behind the first table, a Power Query item."""
    with zipfile.ZipFile(src) as z:
        items = {i.filename: z.read(i.filename) for i in z.infolist()}
    table = sorted(n for n in items if n.startswith("xl/tables/table"))[0]
    items[table] = items[table].replace(b"<table ", b'<table tableType="queryTable" ', 1)
    items[table] = items[table].replace(b"<tableColumn id=\"1\"",
                                        b'<tableColumn id="1" queryTableFieldId="1"', 1)
    rels_of_table = table.replace("tables/", "tables/_rels/") + ".rels"
    items[rels_of_table] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{REL}queryTable" Target="../queryTables/queryTable1.xml"/>'
        '</Relationships>').encode()
    items["xl/queryTables/queryTable1.xml"] = (
        '<queryTable xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'name="Requete" connectionId="1" autoFormatId="16" applyNumberFormats="0" '
        'applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" '
        'applyAlignmentFormats="0" applyWidthHeightFormats="0"><queryTableRefresh '
        'nextId="2"><queryTableFields count="1"><queryTableField id="1" name="N° lot" '
        'tableColumnId="1"/></queryTableFields></queryTableRefresh></queryTable>').encode()
    items["xl/connections.xml"] = (
        '<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<connection id="1" name="Requête - Besoins" type="5" refreshedVersion="8" '
        'background="1" saveData="1"><dbPr connection="Provider=Microsoft.Mashup.OleDb.1;'
        'Data Source=$Workbook$;Location=C:\\Users\\acheteur\\besoins.xlsx" command='
        '"SELECT * FROM [Besoins]"/></connection></connections>').encode()
    items["customXml/item1.xml"] = (
        b'<?xml version="1.0" encoding="utf-16"?><DataMashup xmlns="http://schemas.'
        b'microsoft.com/DataMashup">AAAAAC9hY2hldGV1cg==</DataMashup>')
    wb_rels = "xl/_rels/workbook.xml.rels"
    items[wb_rels] = items[wb_rels].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdC1" Type="{REL}connections" Target="connections.xml"/>'
        f'<Relationship Id="rIdX1" Type="{REL}customXml" Target="../customXml/item1.xml"/>'
        "</Relationships>".encode())
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/xl/connections.xml" ContentType="{CT}connections+xml"/>'
        f'<Override PartName="/xl/queryTables/queryTable1.xml" '
        f'ContentType="{CT}queryTable+xml"/></Types>'.encode())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items.items():
            z.writestr(name, data)


def test_the_email_copy_drops_connections_and_what_depends_on_them(tmp_path) -> None:
    src = tmp_path / "a1.xlsx"
    shutil.copy(DATA / "A1_petit.xlsx", src)
    src.chmod(0o644)
    api.regenerate(src, in_place=True)
    work = tmp_path / "connexions.xlsx"
    _with_connections(src, work)
    copy = api.export_copy(work)
    assert any("connexions" in r for r in copy.removed)
    assert any("Power Query" in r for r in copy.removed)
    with zipfile.ZipFile(copy.path) as z:
        names = set(z.namelist())
        assert not {n for n in names if "connections" in n or "queryTable" in n
                    or n.startswith("customXml/item1")}
        for name in names:  # no relationship points at a part the copy left out
            if not name.endswith(".rels"):
                continue
            source = opc.rels_source(name)
            for r in opc.read_rels(z.read(name)):
                if not r.external:
                    assert opc.resolve(source, r.target) in names, (name, r.target)
        tables = [z.read(n) for n in names if n.startswith("xl/tables/table")]
        assert tables and not any(b"queryTable" in t for t in tables)
        assert b"C:\\Users" not in b"".join(z.read(n) for n in names)
    wb = openpyxl.load_workbook(copy.path)
    assert "Lots" in wb.sheetnames
