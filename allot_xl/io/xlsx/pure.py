"""The pure-Python stand-in for python-calamine where it cannot be installed (Pyodide, so
xlwings Lite): openpyxl's read-only reader behind the calls `xlsx_read.read_grids` makes,
its values typed as python-calamine types them."""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO

import openpyxl

__all__ = ["PasswordError", "Sheet", "Workbook", "load_workbook"]


class PasswordError(Exception):
    """Never raised here: an encrypted workbook is refused before it is read (Package)."""


def _typed(v: Any) -> Any:
    """A cell as python-calamine gives it: numbers as float, empty as "", a datetime at
    midnight as a date, times of day and durations kept."""
    if v is None:
        return ""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0, 0):
        return v.date()
    if isinstance(v, bool | str | float | dt.datetime | dt.date | dt.time | dt.timedelta):
        return v
    if isinstance(v, int):
        return float(v)
    return str(v)  # an error cell's text: read_grids replaces it with its CellError


class Sheet:
    """One worksheet's values from A1, rectangular up to its last non-empty cell."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    def to_python(self, skip_empty_area: bool = False) -> list[list[Any]]:
        """Rows from A1 (`skip_empty_area` is accepted for python-calamine's signature: the
        grid always starts at A1, as read_grids asks)."""
        ws = self._ws
        ws.reset_dimensions()  # a stale <dimension> must not cut the sheet short
        rows = [[_typed(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        width = max((_last_filled(r) for r in rows), default=0)
        return [(r + [""] * (width - len(r)))[:width] for r in rows]


def _last_filled(row: list[Any]) -> int:
    for i in range(len(row), 0, -1):
        if row[i - 1] != "":
            return i
    return 0


class Workbook:
    """An open workbook: its sheet names in order, each sheet by name."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self.sheet_names: list[str] = list(wb.sheetnames)

    def get_sheet_by_name(self, name: str) -> Sheet:
        return Sheet(self._wb[name])

    def close(self) -> None:
        self._wb.close()


def load_workbook(source: BinaryIO) -> Workbook:
    """Open `source` (an .xlsx/.xlsm stream) for reading values: cached results of formulas,
    never the formulas. Raises what openpyxl raises on a damaged file (read_grids words it)."""
    return Workbook(openpyxl.load_workbook(source, read_only=True, data_only=True,
                                           keep_links=False))
