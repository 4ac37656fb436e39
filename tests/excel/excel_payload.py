"""Build the JSON payload xlwings' Office.js client sends, from a real .xlsx read with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import xlwings
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _iso(v: dt.datetime | dt.date | dt.time) -> str:
    """A date cell as Office.js sends it: `new Date(serial).toISOString()`."""
    if isinstance(v, dt.time):
        v = dt.datetime.combine(EXCEL_EPOCH.date(), v)
    elif not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"


def _value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return _iso(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)  # JSON.stringify(300.0) is "300"
    return v


def _used_last(ws: Worksheet) -> tuple[int, int]:
    """Last row and column holding a value (Office.js' values-only used range)."""
    last_r = last_c = 0
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None and c.value != "":
                last_r, last_c = max(last_r, c.row), max(last_c, c.column)
    return last_r, last_c


def _addr(r1: int, c1: int, r2: int, c2: int) -> str:
    a, b = f"{get_column_letter(c1)}{r1}", f"{get_column_letter(c2)}{r2}"
    return a if a == b else f"{a}:{b}"


def _tables(ws: Worksheet) -> list[dict]:
    from openpyxl.utils.cell import range_boundaries

    out = []
    for t in ws.tables.values():
        c1, r1, c2, r2 = range_boundaries(t.ref)
        head = (t.headerRowCount if t.headerRowCount is not None else 1) > 0
        totals = bool(t.totalsRowCount)
        b1, b2 = r1 + (1 if head else 0), r2 - (1 if totals else 0)
        out.append({
            "name": t.displayName, "range_address": _addr(r1, c1, r2, c2),
            "row_count": r2 - r1 + 1, "column_count": c2 - c1 + 1,
            "columns": [ws.cell(r1, c).value for c in range(c1, c2 + 1)],
            "header_row_range_address": _addr(r1, c1, r1, c2) if head else None,
            "data_body_range_address": _addr(b1, c1, b2, c2),
            "total_row_range_address": _addr(r2, c1, r2, c2) if totals else None,
            "show_headers": head, "show_totals": totals,
            "table_style": t.tableStyleInfo.name if t.tableStyleInfo else "",
            "show_autofilter": True, "show_table_style_first_column": False,
            "show_table_style_last_column": False, "show_table_style_row_stripes": True,
            "show_table_style_column_stripes": False,
        })
    return out


def _sheet(ws: Worksheet, included: bool) -> dict:
    last_r, last_c = _used_last(ws)
    used = _addr(1, 1, last_r, last_c) if last_r else None
    if not included:
        values: list[list[Any]] = [[]]
    elif not last_r:
        values = [[""]]
    else:
        values = [[_value(ws.cell(r, c).value) for c in range(1, last_c + 1)]
                  for r in range(1, last_r + 1)]
    return {
        "name": ws.title,
        "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
        "show_gridlines": True, "print_area": None, "notes": [], "notes_supported": True,
        "used_range_address": used, "used_range_row_count": last_r,
        "used_range_column_count": last_c, "values": values, "pictures": [], "shapes": [],
        "charts": [{"name": f"Chart {i + 1}", "chart_type": "ColumnClustered", "left": 0,
                    "top": 0, "width": 355, "height": 211}
                   for i in range(len(ws._charts))] if included else [],
        "tables": _tables(ws) if included else [], "pivot_tables": [],
    }


def payload_from_workbook(wb: Workbook, name: str, include: list[str] | None = None) -> dict:
    """The request body of `xlwings.runPython({include})` on this workbook, JSON round-tripped."""
    active = wb.worksheets.index(wb.active) if wb.active in wb.worksheets else 0
    data = {
        "client": "Office.js", "version": xlwings.__version__,
        "book": {"name": name, "active_sheet_index": active, "selection": "A1",
                 "calculation": "Automatic"},
        "names": [],
        "sheets": [_sheet(ws, include is None or ws.title in include) for ws in wb.worksheets],
    }
    return json.loads(json.dumps(data))


def payload_from_file(path: Path, include: list[str] | None = None) -> dict:
    wb = openpyxl.load_workbook(path, data_only=True)
    return payload_from_workbook(wb, Path(path).name, include)
