"""The outputs as a reader gets them on paper: each workbook rendered to PDF by LibreOffice
headless in French, its pages read back with poppler (text, and the font size of every
word). Rendered: the example as it is and under the scenario Proposé, a workbook with
rejected rows, the real-data workbook (when present) and the scenario comparisons; read:
Synthèse, Lots, Multi-attribution, Contrôles and Comparaison des scénarios."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from allot_xl.core.contract import OUTPUT_SHEETS

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None
    or shutil.which("pdftohtml") is None,
    reason="LibreOffice ou poppler absent : apt-get install libreoffice-calc-nogui "
           "poppler-utils")

COMPARISON = "Comparaison des scénarios"
READ = ("Synthèse", "Lots", "Multi-attribution", "Contrôles", COMPARISON)
RENDERED = ("exemple", "proposé", "rejets", "réel", "exemple.scenarios", "réel.scenarios")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# what must never be cut at a line's end: a number with its thousands (16 000, 3,92 %),
# an amount with its unit, an article with its paragraph (CCP R2123-1 3°)
_TOKENS = re.compile(r"(?:CCP[ \u00a0])?R\d{4}-\d+(?:[ \u00a0]\d°)?"
                     r"|\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?:,\d+)?(?:[\u00a0 ][%€])?"
                     r"|\d+(?:,\d+)?\u00a0[%€]")


def flat(text: str) -> str:
    """`text` with every run of spaces, no-break spaces and line breaks as one space."""
    return _SPACES.sub(" ", text).strip()


@dataclass
class Page:
    sheet: str  # from the footer « Feuille « Lots » »
    layout: str  # pdftotext -layout
    raw: str  # pdftotext in reading order: a wrapped cell's lines follow each other
    sizes: list[float] = field(default_factory=list)  # font size of each word, in points


def _pdftotext(pdf: Path, *args: str) -> list[str]:
    out = subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")


def _sizes(pdf: Path) -> dict[int, list[float]]:
    """Page number -> font size (points) of each text element, from pdftohtml's XML."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    fonts = dict(re.findall(r'<fontspec id="(\d+)" size="([\d.]+)"', xml))
    out: dict[int, list[float]] = {}
    for number, body in re.findall(r'<page number="(\d+)"(.*?)</page>', xml, re.S):
        out[int(number)] = [float(fonts[f]) for f in re.findall(r'<text [^>]*font="(\d+)"',
                                                                 body)]
    return out


def read_pdf(pdf: Path) -> list[Page]:
    layout, raw, sizes = _pdftotext(pdf, "-layout"), _pdftotext(pdf), _sizes(pdf)
    pages = []
    for i, (lay, r) in enumerate(zip(layout, raw, strict=False)):
        m = re.search(r"Feuille « ([^»]+) »", lay)
        pages.append(Page(m.group(1) if m else "", lay, r, sizes.get(i + 1, [])))
    return pages


@pytest.fixture(scope="module")
def printed(runs, tmp_path_factory) -> dict[str, list[Page]]:
    """name -> the pages of the rendered workbook (one LibreOffice start for all)."""
    d = tmp_path_factory.mktemp("pdf")
    names = [n for n in RENDERED if n in runs]
    files = []
    for n in names:
        files.append(d / f"{n.replace('é', 'e')}.xlsx")
        shutil.copy(runs[n], files[-1])
    env = {**os.environ, "LC_ALL": "fr_FR.UTF-8", "LANG": "fr_FR.UTF-8"}
    for _ in range(3):  # a fresh profile may end its first start with code 81
        proc = subprocess.run(
            ["soffice", "--headless", "--norestore",
             f"-env:UserInstallation=file://{d}/profil-lo", "--convert-to", "pdf",
             "--outdir", str(d), *map(str, files)], capture_output=True, text=True,
            timeout=600, env=env)
        if all(f.with_suffix(".pdf").exists() for f in files):
            break
    assert all(f.with_suffix(".pdf").exists() for f in files), proc.stderr
    return {n: read_pdf(f.with_suffix(".pdf")) for n, f in zip(names, files, strict=True)}


def _of(pages: list[Page], sheet: str) -> list[Page]:
    return [p for p in pages if p.sheet == sheet]


def long_texts(path: Path) -> dict[str, list[str]]:
    """Sheet -> the long texts a reader must find whole: Synthèse's notes (merged bands),
    the comparison's reasons, Contrôles' messages, Lots' statuses, Multi-attribution's note."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        if ws.title == "Synthèse":
            out[ws.title] = [ws.cell(m.min_row, m.min_col).value for m in ws.merged_cells.ranges
                             if len(str(ws.cell(m.min_row, m.min_col).value or "")) > 60]
        elif ws.title in ("Contrôles", COMPARISON, "Lots", "Multi-attribution"):
            rows = list(ws.iter_rows(values_only=True))
            want = {"Contrôles": "Message", COMPARISON: "Motif", "Lots": "Statut"}
            if ws.title in want:
                j = list(rows[0]).index(want[ws.title])
                texts = [r[j] for r in rows[1:] if isinstance(r[j], str) and len(r[j]) > 40]
            else:
                texts = [c for r in rows for c in r if isinstance(c, str) and len(c) > 60]
            out[ws.title] = list(dict.fromkeys(texts))
    return {k: v for k, v in out.items() if v}


@pytest.mark.parametrize("name", RENDERED)
def test_every_sheet_read_is_printed_synthese_on_two_pages_at_most(runs, printed,
                                                                   name: str) -> None:
    if name not in printed:
        pytest.skip("données réelles absentes (../shared/realdata)")
    pages = printed[name]
    if name.endswith(".scenarios"):
        assert _of(pages, COMPARISON)
        return
    for sheet in READ[:4]:
        assert _of(pages, sheet), sheet
    assert 1 <= len(_of(pages, "Synthèse")) <= 2
    first = _of(pages, "Synthèse")[0].layout
    assert "Lots par dispositif" in first or "Contrats évités" in first


def test_a_scenario_run_names_its_scenario_on_every_page(printed) -> None:
    pages = [p for p in printed["proposé"] if p.sheet in OUTPUT_SHEETS]
    assert {p.sheet for p in pages} == set(OUTPUT_SHEETS)
    assert [p.sheet for p in pages if "Scénario « Proposé »" not in flat(p.layout)] == []
    first = flat(_of(pages, "Synthèse")[0].raw)
    assert "Synthèse de l'allotissement" in first and "scénario « Proposé »" in first
    assert "Règles appliquées (scénario « Proposé »)" in first


def found_whole(text: str, words: list[str], gap: int = 3) -> bool:
    """Whether the words of `text` appear in `words` in order, each within `gap` words of
    the one before: the cells beside a wrapped cell may put their words between its lines
    (pdftotext reads a printed line whole), but a cut text loses its last words."""
    want = flat(text).split(" ")
    for start in (i for i, w in enumerate(words) if w == want[0]):
        at, ok = start, True
        for w in want[1:]:
            nxt = next((k for k in range(at + 1, min(at + 2 + gap, len(words)))
                        if words[k] == w), None)
            if nxt is None:
                ok = False
                break
            at = nxt
        if ok:
            return True
    return False


@pytest.mark.parametrize("name", RENDERED)
def test_no_reason_or_note_is_cut(runs, printed, name: str) -> None:
    """Each long text of the workbook is found whole on the pages of its sheet."""
    if name not in printed:
        pytest.skip("données réelles absentes (../shared/realdata)")
    texts = long_texts(runs[name])
    assert texts
    for sheet, wanted in texts.items():
        words = flat(" ".join(p.raw for p in _of(printed[name], sheet))).split(" ")
        missing = [t for t in wanted if not found_whole(t, words)]
        assert missing == [], (sheet, missing[:3])


@pytest.mark.parametrize("name", RENDERED)
def test_no_number_or_article_is_split_across_lines(runs, printed, name: str) -> None:
    if name not in printed:
        pytest.skip("données réelles absentes (../shared/realdata)")
    for sheet, wanted in long_texts(runs[name]).items():
        lines = [flat(line) for p in _of(printed[name], sheet) for line in p.raw.splitlines()]
        text = "\n".join(lines)
        tokens = {flat(t) for w in wanted for t in _TOKENS.findall(w)}
        assert [t for t in tokens if t not in text] == [], sheet
        assert [x for x in lines if x[:1] in (";", ":", "»")] == [], sheet


@pytest.mark.parametrize("name, sheet", [
    ("exemple", "Lots"), ("proposé", "Lots"), ("rejets", "Lots"), ("réel", "Lots"),
    ("proposé", "Multi-attribution"), ("réel", "Multi-attribution"),
    ("exemple.scenarios", COMPARISON), ("réel.scenarios", COMPARISON)])
def test_wide_sheets_print_at_8_points_at_least(printed, name: str, sheet: str) -> None:
    if name not in printed:
        pytest.skip("données réelles absentes (../shared/realdata)")
    pages = _of(printed[name], sheet)
    sizes = [s for p in pages for s in p.sizes]
    assert pages and sizes and min(sizes) >= 8, min(sizes, default=None)
    # several pages wide, the identifying column repeated on each
    assert all(("Dispositif" if sheet == COMPARISON else "N° lot") in p.layout for p in pages)


def test_rejected_rows_are_counted_on_synthese(printed) -> None:
    first = flat(_of(printed["rejets"], "Synthèse")[0].raw)
    assert "5 lignes écartées — voir Contrôles" in first
    assert "Lignes écartées" in first


@pytest.mark.parametrize("name", ["exemple", "proposé", "rejets", "réel"])
def test_the_territoire_charts_name_every_bar(runs, printed, name: str) -> None:
    """Each territoire is printed three times on Synthèse: a label of each of the two bar
    charts, and a row of the table."""
    if name not in printed:
        pytest.skip("données réelles absentes (../shared/realdata)")
    ws = openpyxl.load_workbook(runs[name])["Synthèse"]
    start = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == "Par territoire")
    names = []
    for r in range(start + 2, ws.max_row + 1):
        if ws.cell(r, 1).value in (None, "Total"):
            break
        names.append(ws.cell(r, 1).value)
    text = flat(" ".join(p.raw for p in _of(printed[name], "Synthèse")))
    assert len(names) > 5 and [n for n in names if text.count(flat(n)) < 3] == []
