"""Replay the actions xlwings Server returns onto an openpyxl workbook, as Office.js applies them.

Only the action kinds allot_xl's Book writer emits are implemented; any other raises, so a
new kind is noticed. Values are typed the way Excel types what Office.js writes into a cell:
under the `@` format a string stays text, otherwise `=…` is a formula and text that reads as
a number, an ISO date or a boolean becomes one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?")


def excel_typed(text: str, number_format: str) -> Any:
    """What Excel stores when `text` is written as a value into a cell of that format."""
    if number_format == "@" or text == "":
        return text or None
    if text.startswith("="):
        return text  # a formula
    if _NUMBER.fullmatch(text.strip()):
        return float(text)
    if _ISO.fullmatch(text):
        return dt.datetime.fromisoformat(text)
    if text.upper() in ("TRUE", "FALSE", "VRAI", "FAUX"):
        return text.upper() in ("TRUE", "VRAI")
    if text[0] in "+-@" and len(text) > 1:
        return "=" + text  # Excel takes it for a formula too
    return text


@dataclass
class Replay:
    wb: Workbook
    alerts: list[list[Any]] = field(default_factory=list)
    charts: list[tuple[Any, BarChart]] = field(default_factory=list)  # (worksheet, chart)
    widths: dict[tuple[str, int], Any] = field(default_factory=dict)
    saved: bool = False

    def ws(self, a: dict):
        return self.wb.worksheets[a["sheet_position"]]

    def cells(self, a: dict):
        ws = self.ws(a)
        for i in range(a["row_count"]):
            for j in range(a["column_count"]):
                yield i, j, ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j)

    def apply(self, actions: list[dict]) -> Replay:
        for a in actions:
            getattr(self, "do_" + a["func"])(a)
        return self

    # sheets
    def do_addSheet(self, a):
        self.wb.create_sheet(a["args"][1], index=a["args"][0])

    def do_sheetDelete(self, a):
        self.wb.remove(self.ws(a))

    def do_activateSheet(self, a):
        self.wb.active = a["args"][0]
        for i, ws in enumerate(self.wb.worksheets):
            ws.sheet_view.tabSelected = i == a["args"][0]

    def do_freezePaneAtRange(self, a):
        ref = a["args"][0]
        first, _, last = ref.partition(":")
        last = last or first
        if last.isdigit():  # "1:2": rows
            cell = f"A{int(last) + 1}"
        elif last.isalpha():  # "A:B": columns
            cell = f"{get_column_letter(range_boundaries(f'{last}1')[0] + 1)}1"
        else:
            col, row = coordinate_from_string(last)
            cell = f"{get_column_letter(range_boundaries(f'{col}1')[0] + 1)}{row + 1}"
        self.ws(a).freeze_panes = cell

    # ranges
    def do_setValues(self, a):
        for i, j, cell in self.cells(a):
            v = a["values"][i][j]
            cell.value = excel_typed(v, cell.number_format) if isinstance(v, str) else v
            if isinstance(cell.value, str) and cell.number_format == "@":
                cell.data_type = "s"

    def do_setNumberFormat(self, a):
        for _, _, cell in self.cells(a):
            cell.number_format = a["args"][0]

    def do_setFontProperty(self, a):
        prop, value = a["args"]
        for _, _, cell in self.cells(a):
            f = cell.font
            cell.font = Font(bold=value if prop == "bold" else f.bold,
                             size=value if prop == "size" else f.size)

    def do_setRangeColor(self, a):
        color = a["args"][0].lstrip("#")
        for _, _, cell in self.cells(a):
            cell.fill = PatternFill("solid", fgColor=color)

    def do_setWrapText(self, a):
        for _, _, cell in self.cells(a):
            old = cell.alignment
            cell.alignment = Alignment(horizontal=old.horizontal, vertical=old.vertical,
                                       wrap_text=bool(a["args"][0]))

    def do_rangeMerge(self, a):
        ws = self.ws(a)
        r, c = a["start_row"] + 1, a["start_column"] + 1
        ws.merge_cells(start_row=r, start_column=c, end_row=r + a["row_count"] - 1,
                       end_column=c + a["column_count"] - 1)

    def do_setRowHeight(self, a):
        ws = self.ws(a)
        height = a["args"][0] if isinstance(a["args"], list) else a["args"]
        for i in range(a["row_count"]):
            ws.row_dimensions[a["start_row"] + 1 + i].height = height

    def do_setVerticalAlignment(self, a):
        vertical = {"Top": "top", "Center": "center", "Bottom": "bottom"}.get(
            str(a["args"][0]), str(a["args"][0]).lower())
        for _, _, cell in self.cells(a):
            old = cell.alignment
            cell.alignment = Alignment(horizontal=old.horizontal, vertical=vertical,
                                       wrap_text=old.wrap_text)

    def do_setAutofit(self, a):
        ws = self.ws(a)
        for j in range(a["column_count"]):
            self.widths[(ws.title, a["start_column"] + 1 + j)] = "autofit"

    def do_setColumnWidth(self, a):
        self.widths[(self.ws(a).title, a["start_column"] + 1)] = a["args"][0]

    def do_rangeSelect(self, a):
        ref = f"{get_column_letter(a['start_column'] + 1)}{a['start_row'] + 1}"
        view = self.ws(a).sheet_view
        view.selection[0].activeCell = ref
        view.selection[0].sqref = ref

    # tables and charts
    def do_addTable(self, a):
        address, _headers, style, name = a["args"]
        t = Table(displayName=name, ref=address.replace("$", ""))
        t.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
        self.ws(a).add_table(t)

    def do_addChart(self, a):
        name, kind, src_sheet, address, *_rest = a["args"]
        anchor = a["args"][9]
        ch = BarChart()
        ch.type = "col" if kind == "ColumnClustered" else "bar"
        c1, r1, c2, r2 = range_boundaries(address.replace("$", ""))
        ch.add_data(Reference(self.wb[src_sheet], min_col=c1, min_row=r1, max_col=c2,
                              max_row=r2), titles_from_data=True)
        self.ws(a).add_chart(ch, anchor.replace("$", ""))
        self.charts.append((self.ws(a), ch))

    def _chart(self, a) -> BarChart:
        mine = [ch for ws, ch in self.charts if ws is self.ws(a)]
        return mine[a["args"][0]]

    def do_setChartXAxisValues(self, a):
        _, sheet, address = a["args"]
        c1, r1, c2, r2 = range_boundaries(address.replace("$", ""))
        self._chart(a).set_categories(Reference(self.wb[sheet], min_col=c1, min_row=r1,
                                                max_col=c2, max_row=r2))

    def do_setChartTitle(self, a):
        self._chart(a).title = a["args"][1]

    def do_setChartAxis(self, a):
        _, axis, values = a["args"]
        if axis == "value" and "title" in values:
            self._chart(a).y_axis.title = values["title"]

    # application
    def do_alert(self, a):
        self.alerts.append(a["args"])

    def do_save(self, a):
        self.saved = True


def replay(wb: Workbook, actions: list[dict]) -> Replay:
    return Replay(wb).apply(actions)
