"""Render an outputs description into a new xlsxwriter workbook holding only the output sheets."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..outputs.model import FMT_DATETIME, Block, Chart, Outputs, Sheet, cell_value, fitted_width

HEADER_FILL = "#DDEBF7"
TABLE_STYLE = "Table Style Medium 2"
FMT_DATE = "dd/mm/yyyy"
PX_PER_CM = 96 / 2.54
# A table name Excel accepts: a letter, underscore or backslash, then word characters or dots
_TABLE_NAME = re.compile(r"^[A-Za-z_\\][\w.]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[RrCc]$|^[RrCc]\d+[RrCc]\d+$")


class _Formats:
    """One xlsxwriter Format per distinct look, so the styles part stays small."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.cache: dict[tuple, Format] = {}

    def get(self, num: str | None = None, bold: bool = False, size: float | None = None,
            header: bool = False) -> Format | None:
        key = (num, bold, size, header)
        if key == (None, False, None, False):
            return None
        if key not in self.cache:
            props: dict[str, Any] = {}
            if num:
                props["num_format"] = num
            if bold or header:
                props["bold"] = True
            if size:
                props["font_size"] = size
            if header:
                props.update(bg_color=HEADER_FILL, pattern=1, text_wrap=True, valign="top")
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _put(ws: Worksheet, r: int, c: int, v: Any, fmt: Format | None, fm: _Formats,
         num: str | None, bold: bool = False) -> None:
    """Write one value at 0-based (r, c): text as text (never a formula), numbers, dates."""
    t = type(v)
    if t is str:
        ws.write_string(r, c, v, fm.get(None, bold) if bold else None)
    elif t is int or t is float:
        if t is float and not math.isfinite(v):
            return  # NaN/inf have no cell value in Excel: the cell stays empty
        ws.write_number(r, c, v, fmt)
    elif v is None:
        return
    elif isinstance(v, dt.datetime | dt.date):
        default = FMT_DATETIME if isinstance(v, dt.datetime) else FMT_DATE
        ws.write_datetime(r, c, v, fm.get(num or default, bold))
    else:
        w = cell_value(v)  # numpy scalars, booleans, other objects
        if w is not None and type(w) is not t:
            _put(ws, r, c, w, fmt, fm, num, bold)
        elif w is not None:
            ws.write_string(r, c, str(w), fm.get(None, bold) if bold else None)


def unique_name(name: str, used: set[str]) -> str:
    """`name`, or `name_2`, `name_3`… when taken (compared case-insensitively); then reserved."""
    if not _TABLE_NAME.match(name) or _CELL_LIKE.match(name):
        name = "T_" + re.sub(r"\W", "_", name)
    candidate, k = name, 2
    while candidate.casefold() in used:
        candidate, k = f"{name}_{k}", k + 1
    used.add(candidate.casefold())
    return candidate


def _block(ws: Worksheet, b: Block, fm: _Formats, used: set[str]) -> None:
    r0, c0 = b.row - 1, b.col - 1
    if b.title:
        ws.write_string(r0 - 1, c0, b.title, fm.get(bold=True))
    header = fm.get(header=True)
    headers = [c.header for c in b.columns]
    as_table = (b.table and bool(b.rows)
                and len({h.casefold() for h in headers}) == len(headers) and all(headers))
    if as_table:
        name = unique_name(b.name, used)
        ws.add_table(r0, c0, r0 + len(b.rows), b.last_col - 1, {
            "name": name, "style": TABLE_STYLE, "banded_rows": True, "autofilter": True,
            "columns": [{"header": h, "header_format": header} for h in headers]})
    else:
        for j, h in enumerate(headers):
            ws.write_string(r0, c0 + j, h, header)
    nums = [c.format for c in b.columns]
    fmts = [fm.get(n) for n in nums]
    write_string, write_number = ws.write_string, ws.write_number
    for i, rec in enumerate(b.rows, start=r0 + 1):
        for j, v in enumerate(rec):
            # the common cases inline: this loop runs once per output cell
            t = type(v)
            if t is str:
                write_string(i, c0 + j, v)
            elif (t is int or t is float) and v == v and v not in (math.inf, -math.inf):
                write_number(i, c0 + j, v, fmts[j])
            elif v is not None:
                _put(ws, i, c0 + j, v, fmts[j], fm, nums[j])
    if b.total:
        r = r0 + len(b.rows) + 1
        for j, v in enumerate(b.total):
            _put(ws, r, c0 + j, v, fm.get(nums[j], bold=True), fm, nums[j], bold=True)


def _chart(wb: xlsxwriter.Workbook, ws: Worksheet, c: Chart,
           blocks: dict[str, tuple[Sheet, Block]]) -> None:
    if c.block not in blocks:
        return
    owner, b = blocks[c.block]
    if not b.rows:
        return
    ch = wb.add_chart({"type": c.kind})
    first, last = b.row, b.row + len(b.rows) - 1  # 0-based data rows
    cat = b.column_index(c.category) - 1
    for s in c.series:
        col = b.column_index(s) - 1
        ch.add_series({"name": [owner.name, b.row - 1, col],
                       "categories": [owner.name, first, cat, last, cat],
                       "values": [owner.name, first, col, last, col]})
    ch.set_title({"name": c.title})
    # a bar chart's value axis is xlsxwriter's x axis, a column chart's its y axis
    (ch.set_x_axis if c.kind == "bar" else ch.set_y_axis)({"name": c.y_title} if c.y_title
                                                         else {})
    ch.set_size({"width": round(c.width_cm * PX_PER_CM), "height": round(c.height_cm * PX_PER_CM)})
    ws.insert_chart(c.row - 1, c.col - 1, ch)


def _sheet(wb: xlsxwriter.Workbook, sheet: Sheet, fm: _Formats, used: set[str]) -> Worksheet:
    ws = wb.add_worksheet(sheet.name)
    for t in sheet.texts:
        fmt = fm.get(bold=t.bold, size=t.size) if (t.bold or t.size) else None
        ws.write_string(t.row - 1, t.col - 1, t.value, fmt)
    widths: dict[int, float] = {}
    for b in sheet.blocks:
        _block(ws, b, fm, used)
        for j in range(len(b.columns)):
            widths[b.col + j] = max(widths.get(b.col + j, 0), fitted_width(b, j))
    for col, w in widths.items():
        ws.set_column(col - 1, col - 1, w)
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
    if sheet.tab_color:
        color = sheet.tab_color
        ws.set_tab_color(color if color.startswith("#") else f"#{color[-6:]}")
    return ws


def render_outputs(outputs: Outputs, target: str | BinaryIO, *, reserved: set[str] | None = None,
                   active: str | None = None) -> None:
    """Write the output sheets (only them) as a workbook to `target`.

    `reserved` holds the casefolded names (tables, defined names) of the workbook they will
    join, so that the new tables' names do not clash with them."""
    wb = xlsxwriter.Workbook(target, {
        "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False})
    fm = _Formats(wb)
    used = set(reserved or ())
    sheets = {s.name: _sheet(wb, s, fm, used) for s in outputs.sheets}
    blocks = {b.name: (s, b) for s in outputs.sheets for b in s.blocks}
    for s in outputs.sheets:
        for c in s.charts:
            _chart(wb, sheets[s.name], c, blocks)
    if active in sheets:
        sheets[active].activate()
    wb.close()
