"""The output sheets' charts, drawn by xlsxwriter in a stub workbook whose drawings the
package writer imports; the cell formats follow outputs.look like every writer's."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ...outputs import look
from ...outputs.look import FMT_DATE, Look, merged, row_heights, sheet_widths, unique_name
from ...outputs.model import FMT_DATETIME, Block, Chart, Outputs, Page, Sheet, cell_value
from .sheet import is_table, page_header

PX_PER_CM = 96 / 2.54
OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
           "strings_to_urls": False}


class Formats:
    """One xlsxwriter Format per distinct look (outputs.look), so the styles stay small."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.cache: dict[tuple, Format | None] = {(None, False, None, False, False): None}

    def get(self, num: str | None = None, bold: bool = False, size: float | None = None,
            header: bool = False, wrap: bool = False) -> Format | None:
        key = (num, bold, size, header, wrap)
        if key not in self.cache:
            props: dict[str, Any] = {"bold": Look(num, bold, size, header).is_bold}
            if wrap:
                props.update(text_wrap=True, valign="top")
            if num:
                props["num_format"] = num
            if size:
                props["font_size"] = size
            if header:
                props.update(bg_color=look.header_hex(), pattern=1,
                             text_wrap=look.HEADER_WRAP, valign=look.HEADER_VALIGN)
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def xw_put(ws: Worksheet, r: int, c: int, v: Any, fm: Formats, num: str | None,
         bold: bool = False) -> None:
    """Write one value at 0-based (r, c): text as text (never a formula), numbers, dates."""
    v = cell_value(v)
    if v is None or v == "" or (isinstance(v, float) and not math.isfinite(v)):
        return
    if isinstance(v, str):
        ws.write_string(r, c, v, fm.get(bold=bold))
    elif isinstance(v, dt.date):
        default = FMT_DATETIME if isinstance(v, dt.datetime) else FMT_DATE
        ws.write_datetime(r, c, v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v,
                          fm.get(num or default, bold))
    else:
        ws.write_number(r, c, v, fm.get(num, bold))


def xw_block(ws: Worksheet, b: Block, fm: Formats, used: set[str]) -> None:
    r0, c0 = b.row - 1, b.col - 1
    if b.title:
        ws.write_string(r0 - 1, c0, b.title, fm.get(bold=True))
    header = fm.get(header=True)
    if is_table(b):
        ws.add_table(r0, c0, r0 + len(b.rows), b.last_col - 1, {
            "name": unique_name(b.name, used), "style": look.TABLE_STYLE, "banded_rows": True,
            "autofilter": True,
            "columns": [{"header": c.header, "header_format": header} for c in b.columns]})
    else:
        for j, c in enumerate(b.columns):
            ws.write_string(r0, c0 + j, c.header, header)
    nums = [c.format for c in b.columns]
    fmts = [fm.get(c.format, wrap=b.wraps(j)) for j, c in enumerate(b.columns)]
    tfmts = [fm.get(c.format, wrap=True) if b.wraps(j) else None
             for j, c in enumerate(b.columns)]
    write_string, write_number = ws.write_string, ws.write_number
    for i, rec in enumerate(b.rows, start=r0 + 1):
        for j, v in enumerate(rec):
            t = type(v)  # the common cases first: this loop runs once per output cell
            if t is str:
                if v:  # an empty text is no value: the cell stays empty
                    write_string(i, c0 + j, v, tfmts[j])
            elif (t is int or t is float) and v == v and v not in (math.inf, -math.inf):
                write_number(i, c0 + j, v, fmts[j])
            elif v is not None:
                xw_put(ws, i, c0 + j, v, fm, nums[j])
    if b.total:
        r = r0 + len(b.rows) + 1
        for j, v in enumerate(b.total):
            xw_put(ws, r, c0 + j, v, fm, nums[j] if j < len(nums) else None, bold=True)


def xw_chart(wb: xlsxwriter.Workbook, ws: Worksheet, c: Chart,
           blocks: dict[str, tuple[Sheet, Block]]) -> None:
    if c.block not in blocks or not blocks[c.block][1].rows:
        return
    owner, b = blocks[c.block]
    ch = wb.add_chart({"type": c.kind, **({"subtype": "stacked"} if c.stacked else {})})
    first, last = b.row, b.row + len(b.rows) - 1  # 0-based data rows
    cat = b.column_index(c.category) - 1
    for s in c.series:
        col = b.column_index(s) - 1
        ch.add_series({"name": [owner.name, b.row - 1, col],
                       "categories": [owner.name, first, cat, last, cat],
                       "values": [owner.name, first, col, last, col], "gap": 60})
    # a bar chart's value axis is xlsxwriter's x axis, a column chart's its y axis
    axis: dict[str, Any] = {"name": c.y_title} if c.y_title else {}
    # amounts in thousands of euros: labels short enough never to overlap
    thousands = "€" in c.y_title
    if thousands:
        axis["name"] = f"milliers d'{c.y_title}"
    axis.update(num_font={"size": c.font_pt}, num_format="#,##0," if thousands else "#,##0",
                major_gridlines={"visible": True, "line": {"color": "#D9D9D9"}})
    (ch.set_x_axis if c.kind == "bar" else ch.set_y_axis)(axis)
    # categories read top-down on a bar chart, as in the table; at 7 points LibreOffice
    # names every one of a bar chart's bars (at 8 it skips every other past 15 or so)
    cats: dict[str, Any] = {"num_font": {"size": 7 if c.kind == "bar" else c.font_pt},
                            "reverse": c.kind == "bar", "interval_unit": 1}
    (ch.set_y_axis if c.kind == "bar" else ch.set_x_axis)(cats)
    ch.set_title({"name": c.title, "name_font": {"size": 11, "bold": True}})
    ch.set_legend({"position": "bottom"} if len(c.series) > 1 else {"none": True})
    ch.set_size({"width": round(c.width_cm * PX_PER_CM), "height": round(c.height_cm * PX_PER_CM)})
    ws.insert_chart(c.row - 1, c.col - 1, ch)


def xw_sheet(wb: xlsxwriter.Workbook, sheet: Sheet, fm: Formats, used: set[str],
           blocks: list[str] | None = None) -> Worksheet:
    """A worksheet for `sheet`: all of it, or only the blocks named in `blocks`."""
    ws = wb.add_worksheet(sheet.name)
    bands = {(r, c): last for r, c, last in merged(sheet)}
    for t in sheet.texts if blocks is None else []:
        f = fm.get(bold=t.bold, size=t.size, wrap=t.wrap)
        if (t.row, t.col) in bands:
            ws.merge_range(t.row - 1, t.col - 1, t.row - 1, bands[t.row, t.col] - 1, t.value, f)
        else:
            ws.write_string(t.row - 1, t.col - 1, t.value, f)
    for b in sheet.blocks:
        if blocks is None or b.name in blocks:
            xw_block(ws, b, fm, used)
    for col, w in sheet_widths(sheet).items():
        ws.set_column(col - 1, col - 1, w)
    for row, h in row_heights(sheet).items():  # the stub's too: charts anchor alike
        ws.set_row(row - 1, h)
    if sheet.freeze and blocks is None:
        ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
    if sheet.tab_color and blocks is None:
        ws.set_tab_color("#" + sheet.tab_color.lstrip("#")[-6:])
    if sheet.page and blocks is None:
        xw_page(ws, sheet.page)
    return ws


def xw_page(ws: Worksheet, page: Page) -> None:
    """The page setup of xlsx_sheet.page_xml, through xlsxwriter."""
    ws.set_landscape()
    ws.set_paper(9)
    if page.scale:
        ws.set_print_scale(page.scale)
    else:
        ws.fit_to_pages(1, page.fit_tall)
    ws.set_margins(left=0.5, right=0.5)
    if page.title_rows:
        ws.repeat_rows(page.title_rows[0] - 1, page.title_rows[1] - 1)
    if page.title_cols:
        ws.repeat_columns(page.title_cols[0] - 1, page.title_cols[1] - 1)
    head = page_header(page)
    if head:
        ws.set_header(head)
    ws.set_footer("&LFeuille « &A »&RPage &P sur &N")


def render_charts(outputs: Outputs) -> bytes | None:
    """A workbook holding the outputs' charts on sheets of the same names and column widths
    (so that the drawings anchor alike), with only the cells the charts plot; None if none."""
    blocks = {b.name: (s, b) for s in outputs.sheets for b in s.blocks}
    charts = [(s, c) for s in outputs.sheets for c in s.charts
              if c.block in blocks and blocks[c.block][1].rows]
    if not charts:
        return None
    plotted: dict[str, list[str]] = {}
    for _, c in charts:
        plotted.setdefault(blocks[c.block][0].name, []).append(c.block)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, OPTIONS)
    fm, used = Formats(wb), set()
    sheets = {s.name: xw_sheet(wb, s, fm, used, plotted.get(s.name, [])) for s in outputs.sheets
              if s.name in plotted or any(s is owner for owner, _ in charts)}
    for s, c in charts:
        xw_chart(wb, sheets[s.name], c, blocks)
    wb.close()
    return buf.getvalue()
