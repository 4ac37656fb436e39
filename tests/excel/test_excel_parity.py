"""Parity: the Book route (actions replayed onto the workbook) writes what `allot-xl regenerate`
writes, value for value, on the example and on the public acceptance workbook."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from excel_support import A1, EXAMPLE, book_of, find, run_book, sheet_cells

from allot_xl import api
from allot_xl.core.contract import OUTPUT_SHEETS, SYNTHESE
from allot_xl.excel import check_needs, regenerate_lots
from allot_xl.inputs.read import JOURNAL_COLUMNS

# cells that differ between two runs by design: when, and from where, each run was made
VOLATILE_JOURNAL = [JOURNAL_COLUMNS.index(c) + 1 for c in ("Horodatage", "Lancé depuis")]
GENERATED = re.compile(r"Généré le \d\d/\d\d/\d{4} à \d\d:\d\d")


def _masked(ws, title: str) -> dict[str, tuple]:
    cells = sheet_cells(ws)
    if title == "Journal":
        last = ws.max_row
        for col in VOLATILE_JOURNAL:
            cells.pop(ws.cell(last, col).coordinate, None)
    for k, (v, t) in cells.items():
        if isinstance(v, str) and GENERATED.search(v):
            cells[k] = (GENERATED.sub("Généré le …", v), t)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            cells[k] = (round(float(v), 9), t)  # 4050.0000000000005 is 4050 once saved
    return cells


def _looks(ws) -> dict:
    """What the eye sees beside values: formats of numbers, bold, tables, panes, charts."""
    return {
        "formats": {c.coordinate: c.number_format for r in ws.iter_rows() for c in r
                    if c.value is not None and not isinstance(c.value, str)},
        "bold": sorted(c.coordinate for r in ws.iter_rows() for c in r
                       if c.value not in (None, "") and c.font.b),
        "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
        "freeze": ws.freeze_panes,
        "charts": len(ws._charts),
    }


def _assert_parity(src: Path, tmp_path: Path):
    out_dir = tmp_path / "sorties"
    out_dir.mkdir()
    file_out = out_dir / src.name
    api.regenerate(src, file_out)
    outputs, r = run_book(regenerate_lots, src)
    book_out = out_dir / f"book_{src.name}"
    r.wb.save(book_out)
    a, b = openpyxl.load_workbook(file_out), openpyxl.load_workbook(book_out)
    assert b.sheetnames == a.sheetnames
    for name in OUTPUT_SHEETS:
        assert _masked(find(b, name), name) == _masked(find(a, name), name), name
        assert _looks(find(b, name)) == _looks(find(a, name)), name
    assert b.active.title == SYNTHESE  # in Excel, the buyer is shown the result
    journal = find(b, "Journal")
    assert journal.cell(journal.max_row, VOLATILE_JOURNAL[1]).value == "Excel"
    assert r.alerts == [[outputs.summary_line, "Allotissement", "ok", "info", ""]]
    return file_out, book_out


def test_parity_on_the_example_workbook(tmp_path):
    file_out, _ = _assert_parity(EXAMPLE, tmp_path)
    # a second run reads back Lots (lot numbers) and Journal (history): same again
    (tmp_path / "encore").mkdir()
    _assert_parity(file_out, tmp_path / "encore")


def test_parity_on_the_acceptance_workbook_and_its_checker(acceptance, tmp_path):
    _, book_out = _assert_parity(A1, tmp_path)
    kit = acceptance / "kit" / "check_output.py"
    run = subprocess.run([sys.executable, str(kit), str(A1), str(book_out), "--expected",
                          str(acceptance / "A1_petit.expected.json")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert re.search(r"^\d+ passed, 0 failed$", run.stdout, re.M)


@pytest.fixture
def injected(tmp_path) -> Path:
    """The example with text from inputs that Excel would take for formulas or numbers."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Besoins"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    ws.cell(2, col["ID besoin"]).value = "=HYPERLINK(\"http://exemple.invalid\",\"clic\")"
    ws.cell(3, col["ID besoin"]).value = "+cmd|' /C calc'!A0"
    ws.cell(4, col["ID besoin"]).value = "@SUM(1,2)"
    ws.cell(5, col["Places"]).value = "=douze"  # a bad number: shown in Contrôles.Valeur
    for r in range(2, 6):
        ws.cell(r, col["ID besoin"]).data_type = "s"
    ws.cell(5, col["Places"]).data_type = "s"
    path = tmp_path / "injection.xlsx"
    wb.save(path)
    return path


def test_parity_with_formula_like_text_from_inputs(injected, tmp_path):
    _, book_out = _assert_parity(injected, tmp_path)
    wb = openpyxl.load_workbook(book_out)
    found = {c.value for ws in wb.worksheets[4:] for r in ws.iter_rows() for c in r
             if c.data_type == "s" and isinstance(c.value, str) and c.value[:1] in "=+@"}
    assert {"=HYPERLINK(\"http://exemple.invalid\",\"clic\")", "+cmd|' /C calc'!A0",
            "@SUM(1,2)", "=douze"} <= found
    assert not [c for ws in wb.worksheets[4:] for r in ws.iter_rows() for c in r
                if c.data_type == "f"]


def test_parity_with_thresholds_looser_than_the_law(tmp_path):
    """Issue 27: a looser threshold or share is an Erreur on its `Paramètres` row and the
    legal value is used; the Book route says and writes the same (`check` included)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    looser = {"Seuil mini-lots (€ HT)": 90_000, "Seuil de publicité européenne (€ HT)": 5_000_000,
              "Part max petits lots (%)": 35, "Date de lancement": "01/06/2026"}
    for key, cell in wb["Paramètres"].iter_rows(min_row=2, max_col=2):
        if key.value in looser:
            cell.value = looser[key.value]
    src = tmp_path / "plus_souple.xlsx"
    wb.save(src)
    _assert_parity(src, tmp_path)
    errors = [(p.sheet, p.row, p.column, p.code, p.message) for p in api.check(src).problems
              if p.severity == "Erreur"]
    assert [e[3] for e in errors] == ["seuil-plus-souple"] * 3
    assert [(p.sheet, p.row, p.column, p.code, p.message)
            for p in check_needs(book_of(src)).problems if p.severity == "Erreur"] == errors
