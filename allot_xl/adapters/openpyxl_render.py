"""Render an outputs description into openpyxl worksheets (values, formats, tables, charts)."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..outputs.model import Block, Chart, Sheet, fitted_width

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)


def _put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text from inputs is never a formula
    if fmt and value is not None and not isinstance(value, str):
        cell.number_format = fmt
    return cell


def _block(ws: Worksheet, b: Block, used_names: set[str]) -> None:
    if b.title:
        _put(ws, b.row - 1, b.col, b.title).font = BOLD
    for j, c in enumerate(b.columns):
        cell = _put(ws, b.row, b.col + j, c.header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fmts = [c.format for c in b.columns]
    for i, rec in enumerate(b.rows, start=b.row + 1):
        for j, v in enumerate(rec):
            if v is not None:
                _put(ws, i, b.col + j, v, fmts[j])
    if b.total:
        r = b.row + len(b.rows) + 1
        for j, v in enumerate(b.total):
            if v is not None:
                _put(ws, r, b.col + j, v, fmts[j]).font = BOLD
    if b.table and b.rows:
        name = b.name
        k = 2
        while name.casefold() in used_names:
            name, k = f"{b.name}_{k}", k + 1
        used_names.add(name.casefold())
        ref = (f"{get_column_letter(b.col)}{b.row}:"
               f"{get_column_letter(b.last_col)}{b.row + len(b.rows)}")
        t = Table(displayName=name, ref=ref)
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(t)


def _chart(ws: Worksheet, sheet: Sheet, c: Chart, blocks: dict[str, tuple[Sheet, Block]],
           wb: Workbook) -> None:
    owner, b = blocks[c.block]
    src = wb[owner.name]
    if not b.rows:
        return
    ch = BarChart()
    ch.type = "col" if c.kind == "column" else "bar"
    ch.title = c.title
    ch.y_axis.title = c.y_title
    ch.width, ch.height = c.width_cm, c.height_cm
    last = b.row + len(b.rows)
    for s in c.series:
        col = b.column_index(s)
        ch.add_data(Reference(src, min_col=col, min_row=b.row, max_row=last),
                    titles_from_data=True)
    cat = b.column_index(c.category)
    ch.set_categories(Reference(src, min_col=cat, min_row=b.row + 1, max_row=last))
    ws.add_chart(ch, f"{get_column_letter(c.col)}{c.row}")


def render_sheet(ws: Worksheet, sheet: Sheet, used_names: set[str]) -> None:
    for t in sheet.texts:
        cell = _put(ws, t.row, t.col, t.value)
        if t.bold or t.size:
            cell.font = Font(bold=t.bold, size=t.size or 11)
    widths: dict[int, float] = {}
    for b in sheet.blocks:
        _block(ws, b, used_names)
        for j in range(len(b.columns)):
            widths[b.col + j] = max(widths.get(b.col + j, 0), fitted_width(b, j))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w
    if sheet.freeze:
        ws.freeze_panes = f"{get_column_letter(sheet.freeze[1])}{sheet.freeze[0]}"


def render_charts(wb: Workbook, sheets: list[Sheet]) -> None:
    blocks = {b.name: (s, b) for s in sheets for b in s.blocks}
    for s in sheets:
        for c in s.charts:
            _chart(wb[s.name], s, c, blocks, wb)
