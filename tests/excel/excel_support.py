"""Helpers of the Excel tests: the workbooks, a Book from a file, a run replayed on a file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlwings as xw
from excel_payload import payload_from_file
from excel_replay import Replay, replay

from allot_xl.core.contract import fold

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
ACCEPTANCE = ROOT.parent / "shared" / "acceptance"
A1 = ACCEPTANCE / "A1_petit.xlsx"


def book_of(path: Path, include: list[str] | None = None) -> xw.Book:
    """The workbook at `path` as the remote engine sees it behind xlwings Server."""
    return xw.Book(json=payload_from_file(path, include))


def run_book(fn, path: Path, **kwargs) -> tuple[object, Replay]:
    """Call `fn(book)` on the workbook at `path`, replay its actions onto the file's workbook."""
    book = book_of(path)
    try:
        result = fn(book, **kwargs)
        actions = book.json()["actions"]
    finally:
        book.close()
    return result, replay(openpyxl.load_workbook(path), actions)


def sheet_cells(ws) -> dict[str, tuple]:
    """Non-empty cells of a worksheet: coordinate -> (value, data type). A cell holding ""
    counts as empty: Excel shows both alike, and a value written through Office.js as ""
    leaves the cell empty."""
    return {c.coordinate: (c.value, c.data_type) for row in ws.iter_rows() for c in row
            if c.value is not None and c.value != ""}


def find(wb, name: str):
    return next(ws for ws in wb.worksheets if fold(ws.title) == fold(name))
