"""Every output sheet prints: landscape A4, one page wide, header row repeated; Synthèse's
charts sit on the first screen and it prints on at most two pages (LibreOffice, French)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from allot_xl.adapters import opc
from allot_xl.adapters.xlsx_read import sheet_parts
from allot_xl.contract import OUTPUT_SHEETS, SYNTHESE


def _parts(path: Path) -> tuple[dict[str, str], zipfile.ZipFile]:
    z = zipfile.ZipFile(path)
    return sheet_parts(z), z


@pytest.mark.parametrize("name", ["exemple", "A1"])
def test_every_output_sheet_has_a_page_setup(written, name: str) -> None:
    parts, z = _parts(written[name][1])
    book = z.read("xl/workbook.xml").decode()
    titles = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">'
                             r"([^<]*)</definedName>", book))
    order = re.findall(r'<sheet [^>]*name="([^"]+)"', book)
    for sheet in OUTPUT_SHEETS:
        xml = z.read(parts[sheet]).decode()
        assert '<pageSetUpPr fitToPage="1"/>' in xml, sheet
        setup = re.search(r"<pageSetup [^>]*/>", xml).group(0)
        assert 'orientation="landscape"' in setup and 'fitToWidth="1"' in setup, sheet
        assert 'paperSize="9"' in setup, sheet  # A4
        footer = re.search(r"<oddFooter>(.*?)</oddFooter>", xml).group(1)
        assert "&amp;P" in footer and "&amp;N" in footer, sheet  # page numbers
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
        assert "Généré le" in header, sheet  # the date of the run (and the campaign)
        assert titles[str(order.index(sheet))].endswith("!$1:$1"), sheet
    assert 'fitToHeight="2"' in z.read(parts[SYNTHESE]).decode()


def test_synthese_charts_are_on_the_first_screen(written) -> None:
    parts, z = _parts(written["exemple"][1])
    rels = opc.read_rels(z.read(opc.rels_part(parts[SYNTHESE])))
    drawing = next(opc.resolve(parts[SYNTHESE], r.target) for r in rels
                   if r.type == opc.REL_DRAWING)
    xml = z.read(drawing).decode()
    anchors = [(int(c), int(r)) for c, r in re.findall(
        r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", xml, re.S)]
    assert len(anchors) >= 3 and xml.count("<c:chart ") >= 3
    col, row = anchors[0]  # 0-based
    assert col < 12 and row < 30
    # every chart of the example fits 1 920 × 1 080 at 100 %: about 1 850 × 800 pixels of
    # grid, that is within the first 37 rows of 20 pixels (and the key figures' taller row)
    ends = [int(r) for r in re.findall(r"<xdr:to><xdr:col>\d+</xdr:col>.*?<xdr:row>(\d+)"
                                       r"</xdr:row>", xml, re.S)]
    assert max(ends) <= 38


def _soffice() -> str | None:
    return shutil.which("soffice")


@pytest.mark.skipif(_soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice ou pdftotext absent : apt-get install "
                           "libreoffice-calc-nogui poppler-utils")
def test_libreoffice_prints_synthese_on_two_pages_at_most(written, tmp_path) -> None:
    """The example rendered to PDF by LibreOffice in French: each printed page's footer
    names its sheet; Synthèse's pages are counted, and numbers are French."""
    out = written["exemple"][1]
    env = {**os.environ, "LC_ALL": "fr_FR.UTF-8", "LANG": "fr_FR.UTF-8"}
    pdf = tmp_path / (out.stem + ".pdf")
    for _ in range(3):  # a fresh profile may end its first start with code 81
        proc = subprocess.run(
            ["soffice", "--headless", "--norestore",
             f"-env:UserInstallation=file://{tmp_path}/profil-lo", "--convert-to", "pdf",
             "--outdir", str(tmp_path), str(out)], capture_output=True, text=True,
            timeout=300, env=env)
        if pdf.exists():
            break
    assert pdf.exists(), proc.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    synthese = [p for p in pages if "Feuille « Synthèse »" in p]
    assert 1 <= len(synthese) <= 2
    assert "Lots en pratique fragmentée" in synthese[0]
    assert re.search(r"16\s708\s560\s€", synthese[0])  # the value over the term, French
    for sheet in OUTPUT_SHEETS:
        assert any(f"Feuille « {sheet} »" in p for p in pages), sheet
