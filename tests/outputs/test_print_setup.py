"""Every output sheet prints: landscape A4, one page wide (Lots at a readable scale over
several pages, its first column repeated), header row repeated, the campaign, scenario and
date in the header; Synthèse's charts hold on one screen (1 920 × 1 080 at 100 %)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from allot_xl.core.contract import OUTPUT_SHEETS, SYNTHESE
from allot_xl.io.xlsx import opc
from allot_xl.io.xlsx.read import sheet_parts


def _parts(path: Path) -> tuple[dict[str, str], zipfile.ZipFile]:
    z = zipfile.ZipFile(path)
    return sheet_parts(z), z


WIDE = {"Lots", "Multi-attribution"}  # at a fixed readable scale, several pages wide
SCREEN_PX = (1850, 800)  # grid pixels of 1 920 × 1 080 at 100 % once Excel's frame is drawn


def _titles(z: zipfile.ZipFile) -> tuple[dict[str, str], list[str]]:
    book = z.read("xl/workbook.xml").decode()
    titles = dict(re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)">'
                             r"([^<]*)</definedName>", book))
    return titles, re.findall(r'<sheet [^>]*name="([^"]+)"', book)


@pytest.mark.parametrize("name", ["exemple", "A1"])
def test_every_output_sheet_has_a_page_setup(written, name: str) -> None:
    parts, z = _parts(written[name][1])
    titles, order = _titles(z)
    for sheet in OUTPUT_SHEETS:
        xml = z.read(parts[sheet]).decode()
        setup = re.search(r"<pageSetup [^>]*/>", xml).group(0)
        assert 'orientation="landscape"' in setup and 'paperSize="9"' in setup, sheet  # A4
        if sheet in WIDE:  # 11-point text printed at 8 points at least, first column repeated
            assert "fitToPage" not in xml, sheet
            assert 11 * int(re.search(r'scale="(\d+)"', setup).group(1)) / 100 >= 8, sheet
            assert titles[str(order.index(sheet))].startswith(f"'{sheet}'!$A:$A,"), sheet
        else:
            assert '<pageSetUpPr fitToPage="1"/>' in xml, sheet
            assert 'fitToWidth="1"' in setup, sheet
        footer = re.search(r"<oddFooter>(.*?)</oddFooter>", xml).group(1)
        assert "&amp;P" in footer and "&amp;N" in footer, sheet  # page numbers
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
        assert "Généré le" in header, sheet  # the date of the run (and the campaign)
        assert titles[str(order.index(sheet))].endswith("!$1:$1"), sheet
    assert 'fitToHeight="2"' in z.read(parts[SYNTHESE]).decode()


def test_a_scenario_run_names_its_scenario_in_every_print_header(runs) -> None:
    parts, z = _parts(runs["proposé"])
    for sheet in OUTPUT_SHEETS:
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", z.read(parts[sheet]).decode())
        assert "&amp;CScénario « Proposé »" in header.group(1), sheet
    parts, z = _parts(runs["exemple"])
    assert "Scénario" not in z.read(parts["Lots"]).decode()


def test_the_comparison_prints_readably_with_campaign_and_date(runs) -> None:
    parts, z = _parts(runs["exemple.scenarios"])
    sheet = "Comparaison des scénarios"
    xml = z.read(parts[sheet]).decode()
    assert 11 * int(re.search(r'<pageSetup [^>]*scale="(\d+)"', xml).group(1)) / 100 >= 8
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
    assert "Programme régional de formation" in header and "Généré le" in header
    titles, order = _titles(z)
    assert titles[str(order.index(sheet))] == f"'{sheet}'!$A:$B,'{sheet}'!$1:$1"


def _screen(path: Path) -> tuple[float, float]:
    """The right and bottom edges, in pixels, of Synthèse's charts as Excel draws them at
    100 %: columns from their widths (7 pixels a character), rows from their heights."""
    parts, z = _parts(path)
    xml = z.read(parts[SYNTHESE]).decode()
    widths = {int(c): float(w) for c, w in re.findall(
        r'<col min="(\d+)" max="\d+" width="([\d.]+)"', xml)}
    heights = {int(r): float(h) for r, h in re.findall(r'<row r="(\d+)" ht="([\d.]+)"', xml)}
    rels = opc.read_rels(z.read(opc.rels_part(parts[SYNTHESE])))
    drawing = next(opc.resolve(parts[SYNTHESE], r.target) for r in rels
                   if r.type == opc.REL_DRAWING)
    ends = re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>"
                      r"<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff>",
                      z.read(drawing).decode())
    assert len(ends) >= 5
    right = max(sum(round(widths[k] * 7) if k in widths else 64 for k in range(1, int(c) + 1))
                + int(dx) / 9525 for c, dx, _, _ in ends)
    bottom = max(sum(round(heights[k] * 4 / 3) if k in heights else 20
                     for k in range(1, int(r) + 1)) + int(dy) / 9525 for _, _, r, dy in ends)
    return right, bottom


@pytest.mark.parametrize("name", ["exemple", "proposé", "rejets", "réel"])
def test_synthese_dashboard_holds_on_one_screen(runs, name: str) -> None:
    """1 920 × 1 080 at 100 %: the charts end within SCREEN_PX of grid, from the column
    widths, the row heights and the charts' anchors (never from a fixed row)."""
    if name not in runs:
        pytest.skip("données réelles absentes (../shared/realdata)")
    right, bottom = _screen(runs[name])
    assert right <= SCREEN_PX[0] and bottom <= SCREEN_PX[1], (right, bottom)
