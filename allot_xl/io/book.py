"""Read input sheets from, and write an outputs description to, any xlwings Book."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from ..core.contract import ERROR_CODES, OUTPUT_SHEETS, CellError, fold
from ..core.problems import StructuralError
from ..inputs.grid import SheetGrid, TableRef
from ..inputs.read import SHEETS_READ, copy_of
from ..outputs import look
from ..outputs.look import MAX_WIDTH, TABLE_STYLE, unique_name
from ..outputs.model import FMT_TEXT, Block, Chart, Outputs, Page, Sheet, Text, fitted_width
from .xlsx.sheet import header_footer_text, is_table

CM = 28.3465  # points per centimetre
_EPOCH = CALENDAR_WINDOWS_1900.date()  # Excel serial 0: a time-only cell reads as this date
_MIDNIGHT = dt.time(0, 0)

# --------------------------------------------------------------------------- reading


def _cell(v: Any) -> Any:
    """A Book value typed as the file reader (python-calamine) types it."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, dt.datetime):
        if v.date() == _EPOCH:
            return v.time()
        return v.date() if v.time() == _MIDNIGHT else v
    if isinstance(v, str) and v in ERROR_CODES:
        return CellError(v)
    return v


def _values(sheet: Any) -> list[list[Any]]:
    last = sheet.used_range.last_cell
    rng = sheet.range((1, 1), (last.row, last.column))
    rows = rng.options(ndim=2, err_to_str=True, empty=None).value or []
    return [[_cell(v) for v in row] for row in rows]


def _tables(sheet: Any) -> list[TableRef]:
    """Tables bounded as python-calamine bounds them: header row, then the data body; a
    table showing its totals row (« Ligne Total ») says so, as the file route does."""
    out = []
    for t in sheet.tables:
        whole, body = t.range, t.data_body_range
        first, last = (body.row - 1, body.last_cell.row) if body else (whole.row, whole.row)
        try:
            totals = 1 if t.show_totals else 0
        except (AttributeError, KeyError, NotImplementedError):
            totals = 0
        out.append(TableRef(t.name, first, whole.column, last, whole.last_cell.column,
                            totals))
    return out


def _check_sent(sheet: Any) -> None:
    """Office.js sends an excluded sheet without values: say so rather than read it empty."""
    api = sheet.api
    if isinstance(api, dict) and api.get("values") == [[]] and api.get("used_range_address"):
        raise StructuralError(f"La feuille « {sheet.name} » n'a pas été transmise par Excel : "
                              f"fermez et rouvrez Excel pour recharger le complément, puis "
                              f"relancez.")


def read_book(book: Any, sheets: tuple[str, ...] = SHEETS_READ) -> dict[str, SheetGrid]:
    """The sheets read_inputs needs (or those of `sheets`), as grids from A1, typed like the
    file reader's. Merged ranges are not read (`SheetGrid.merged` stays empty): Office.js
    sends none with the values and the other engines would need a call per cell, so a
    value shown once over merged rows reads as blank below its first row (reported as
    missing, cell by cell)."""
    wanted = {fold(s) for s in sheets}
    grids = {}
    for name in [s.name for s in book.sheets if fold(s.name) in wanted]:
        sheet = book.sheets[name]
        _check_sent(sheet)
        grids[name] = SheetGrid(name, _values(sheet), _tables(sheet), hidden=_hidden(sheet))
    if sheets is SHEETS_READ:  # copies of input sheets (`Besoins (2)`): named, not read
        for s in book.sheets:
            if s.name not in grids and copy_of(s.name):
                grids[s.name] = SheetGrid(s.name, [], hidden=_hidden(s))
    return grids


def _hidden(sheet: Any) -> bool:
    """Whether the sheet is hidden (every engine knows a sheet's visibility)."""
    try:
        return not sheet.visible
    except (AttributeError, NotImplementedError):
        return False


# --------------------------------------------------------------------------- text protection

_LETTERS = "a-zàâäçéèêëîïôöûüÿœæ"
_DAY_MONTH = re.compile(rf"\d{{1,4}}[\s./-]*[{_LETTERS}]{{3,9}}\.?([\s./,-]*\d{{1,4}})?", re.I)
_MONTH_DAY = re.compile(rf"[{_LETTERS}]{{3,9}}\.?[\s./-]*\d{{1,4}}([\s./,-]*\d{{1,4}})?", re.I)
_SCIENTIFIC = re.compile(r"[+-]?\d+([.,]\d*)?e[+-]?\d+", re.I)
_TIME_AM_PM = re.compile(r"\d{1,2}(:\d{1,2}){0,2}\s*[ap]\.?(m\.?)?", re.I)  # "2a" is 2:00 AM
_BOOLEANS = frozenset({"true", "false", "vrai", "faux"})


def excel_would_convert(text: str) -> bool:
    """Whether Excel, given this text as a typed value, would store something else.

    Formulas (`=`, `+`, `-`, `@`), error literals, numbers, dates, times, percentages,
    fractions and booleans are converted, and a leading apostrophe is dropped; such text
    is written under the `@` format."""
    t = text.strip()
    if not t:
        return False
    if t[0] in "=+-@#'":
        return True
    if not re.search(rf"[{_LETTERS}]", t, re.I):
        return any(ch.isdigit() for ch in t)
    return (t.casefold() in _BOOLEANS or bool(_SCIENTIFIC.fullmatch(t))
            or bool(_TIME_AM_PM.fullmatch(t))
            or bool(_DAY_MONTH.fullmatch(t)) or bool(_MONTH_DAY.fullmatch(t)))


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in `flags`."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


# --------------------------------------------------------------------------- writing


class _Writer:
    """Renders one outputs description into a Book, as the file route renders it (same
    header fill, table rule and names, widths from the same fitted_width)."""

    def __init__(self, book: Any):
        self.book = book
        self.remote = book.app.engine.name == "remote"

    def width(self, chars: float) -> float:
        """A column width for this engine: characters on desktop, points in Office.js."""
        return round(chars * 5.25 + 3.75, 2) if self.remote else chars

    def text(self, sheet: Any, t: Text) -> None:
        rng = sheet.range((t.row, t.col))
        if excel_would_convert(t.value):
            rng.number_format = FMT_TEXT
        rng.value = t.value
        if t.bold:
            rng.font.bold = True
        if t.size:
            rng.font.size = t.size

    def texts(self, sheet: Any, texts: list[Text]) -> None:
        """All the texts of a fresh sheet in one write of the range that bounds them (the
        empty cells between them stay empty), then their fonts."""
        if not texts:
            return
        r0, c0 = min(t.row for t in texts), min(t.col for t in texts)
        grid = [[None] * (max(t.col for t in texts) - c0 + 1)
                for _ in range(max(t.row for t in texts) - r0 + 1)]
        for t in texts:
            grid[t.row - r0][t.col - c0] = t.value
            if excel_would_convert(t.value):
                sheet.range((t.row, t.col)).number_format = FMT_TEXT
        sheet.range((r0, c0)).options(ndim=2).value = grid
        for t in texts:
            if t.bold or t.size:
                rng = sheet.range((t.row, t.col))
                if t.bold:
                    rng.font.bold = True
                if t.size:
                    rng.font.size = t.size

    def bands(self, sheet: Any, spec: Sheet) -> None:
        """Merge and wrap the note bands; Excel does not fit a merged row's height, so the
        height the file route writes is set."""
        heights = look.row_heights(spec)
        for t in spec.texts:
            if t.last_col is None:
                continue
            row, first, last = t.row, t.col, max(t.col, t.last_col)
            rng = sheet.range((row, first), (row, last))
            if last > first:
                rng.merge()
            rng.wrap_text = True
            try:  # Office.js and desktop Excel align; other engines keep the default
                rng.vertical_alignment = "top"
            except (AttributeError, NotImplementedError):
                pass
            if row in heights:
                rng.row_height = heights[row]

    def block(self, sheet: Any, b: Block, used_names: set[str]) -> None:
        if b.title:
            self.text(sheet, Text(b.row - 1, b.col, b.title, bold=True))
        body = b.rows + ([b.total] if b.total else [])
        first, last = b.row + 1, b.row + len(body)
        for j, col in enumerate(b.columns):
            values = [r[j] for r in body]
            strings = [isinstance(v, str) for v in values]
            if body and col.format is None and all(s or v is None for s, v in
                                                   zip(strings, values, strict=True)):
                if any(strings):
                    sheet.range((first, b.col + j), (last, b.col + j)).number_format = FMT_TEXT
                continue
            if body and col.format:
                sheet.range((first, b.col + j), (last, b.col + j)).number_format = col.format
            risky = [s and excel_would_convert(v) for s, v in zip(strings, values, strict=True)]
            for i0, i1 in _runs(risky):
                sheet.range((first + i0, b.col + j),
                            (first + i1 - 1, b.col + j)).number_format = FMT_TEXT
        headers = [c.header for c in b.columns]
        for j, h in enumerate(headers):
            if excel_would_convert(h):
                sheet.range((b.row, b.col + j)).number_format = FMT_TEXT
        sheet.range((b.row, b.col)).options(ndim=2).value = [headers, *body]
        head = sheet.range((b.row, b.col), (b.row, b.last_col))
        head.font.bold = True
        head.color = look.header_hex()
        if look.HEADER_WRAP:
            head.wrap_text = True
        try:  # Office.js and desktop Excel align; other engines keep the default
            head.vertical_alignment = look.HEADER_VALIGN
        except (AttributeError, NotImplementedError):
            pass
        if b.total:
            sheet.range((last, b.col), (last, b.last_col)).font.bold = True
        if b.top and b.rows:  # every data cell wrapped and top-aligned, in one call each
            body_range = sheet.range((first, b.col), (first + len(b.rows) - 1, b.last_col))
            body_range.wrap_text = True
            try:
                body_range.vertical_alignment = "top"
            except (AttributeError, NotImplementedError):
                pass
        for j, col in enumerate(b.columns):
            if col.wrap and b.rows and not b.top:
                sheet.range((first, b.col + j), (first + len(b.rows) - 1,
                                                 b.col + j)).wrap_text = True
        if is_table(b):
            sheet.tables.add(source=sheet.range((b.row, b.col), (b.row + len(b.rows), b.last_col)),
                             name=unique_name(b.name, used_names), table_style_name=TABLE_STYLE)

    def columns(self, sheet: Any, spec: Sheet) -> None:
        """Explicit and capped widths are set; every other column is autofitted on the
        block that needs it widest (titles and texts overflow, as in the file route)."""
        best: dict[int, tuple[float, Block, bool]] = {}
        for b in spec.blocks:
            for j, col in enumerate(b.columns):
                w = fitted_width(b, j)
                if b.col + j not in best or w > best[b.col + j][0]:
                    best[b.col + j] = (w, b, col.width is not None)
        autofit: list[tuple[int, Block]] = []
        for c in sorted(best):
            w, b, explicit = best[c]
            if explicit or w >= MAX_WIDTH:
                sheet.range((1, c)).column_width = self.width(w)
            else:
                autofit.append((c, b))
        i = 0
        while i < len(autofit):
            c0, b = autofit[i]
            k = i
            while (k + 1 < len(autofit) and autofit[k + 1][1] is b
                   and autofit[k + 1][0] == autofit[k][0] + 1):
                k += 1
            sheet.range((b.row, c0), (b.last_row, autofit[k][0])).columns.autofit()
            i = k + 1

    def freeze(self, sheet: Any, at: tuple[int, int]) -> None:
        rows, cols = at[0] - 1, at[1] - 1
        if rows > 0 and cols > 0:
            address = f"A1:{get_column_letter(cols)}{rows}"
        elif rows > 0:
            address = f"1:{rows}"
        elif cols > 0:
            address = f"A:{get_column_letter(cols)}"
        else:
            return
        try:
            sheet.freeze_panes.freeze_at(address)
        except (AttributeError, NotImplementedError):
            _freeze_desktop(sheet, rows, cols)

    def chart(self, sheet: Any, c: Chart, blocks: dict[str, tuple[Any, Block]]) -> None:
        """One chart: Office.js takes one source range, so the series columns are expected
        side by side (any column between them would be plotted too)."""
        src, b = blocks[c.block]
        if not b.rows:
            return
        cols = sorted(b.column_index(s) for s in c.series)
        last = b.row + len(b.rows)
        cat = b.column_index(c.category)
        kind = f"{'column' if c.kind == 'column' else 'bar'}_" + (
            "stacked" if c.stacked else "clustered")
        ch = sheet.charts.add(chart_type=kind, anchor=sheet.range((c.row, c.col)),
                              width=round(c.width_cm * CM, 1), height=round(c.height_cm * CM, 1))
        ch.set_source_data(src.range((b.row, cols[0]), (last, cols[-1])))
        ch.set_x_axis_values(src.range((b.row + 1, cat), (last, cat)))
        try:  # titles are cosmetic: engines without them still get the chart
            ch.title = c.title
            if c.y_title:
                ch.value_axis.title = c.y_title
        except (AttributeError, NotImplementedError):
            pass


def _page_desktop(sheet: Any, page: Page) -> None:
    """The page setup of the file route through desktop Excel's PageSetup (Windows COM):
    the remote engine (Office.js) has no page setup to write, so there the buyer sets it
    in Mise en page (see the guide). Cosmetic: a failure is ignored."""
    try:
        ps = sheet.api.PageSetup
        ps.Orientation = 2  # xlLandscape
        ps.PaperSize = 9  # xlPaperA4
        ps.Zoom = False
        if page.scale:
            ps.Zoom = page.scale
        else:
            ps.FitToPagesWide = 1
            ps.FitToPagesTall = page.fit_tall or False
        if page.title_rows:
            ps.PrintTitleRows = f"${page.title_rows[0]}:${page.title_rows[1]}"
        if page.title_cols:
            ps.PrintTitleColumns = (f"${get_column_letter(page.title_cols[0])}:"
                                    f"${get_column_letter(page.title_cols[1])}")
        ps.LeftHeader = header_footer_text(page.header)
        ps.CenterHeader = header_footer_text(page.header_center)
        ps.RightHeader = header_footer_text(page.header_right)
        ps.LeftFooter = "Feuille « &A »"
        ps.RightFooter = "Page &P sur &N"
    except Exception:  # another engine, or Excel refused: the sheet prints with defaults
        pass


def _freeze_desktop(sheet: Any, rows: int, cols: int) -> None:
    """Freeze panes through the window of desktop Excel (Windows COM), where xlwings
    has no freeze_panes; cosmetic, so a failure is ignored."""
    try:
        sheet.activate()
        window = sheet.book.app.api.ActiveWindow
        window.FreezePanes = False
        window.SplitColumn, window.SplitRow = cols, rows
        window.FreezePanes = True
    except Exception:  # Mac or no window: the sheet stays unfrozen
        pass


def write_book(book: Any, outputs: Outputs) -> None:
    """Delete the output sheets, add them again from `outputs`; input sheets untouched.

    Every value is written with the sheet's other values in one range; text that Excel
    would turn into a formula, number or date is written under the `@` text format."""
    names = {fold(s.name) for s in outputs.sheets}  # a partial description replaces
    owned = names | (set() if fold(OUTPUT_SHEETS[0]) not in names  # only its sheets
                     else {fold(s) for s in OUTPUT_SHEETS})
    # names new tables must not take, as in the file route: kept tables and defined names
    used_names = {t.name.casefold() for s in book.sheets if fold(s.name) not in owned
                  for t in s.tables}
    used_names |= {n.name.rsplit("!", 1)[-1].casefold() for n in book.names}
    for s in reversed(list(book.sheets)):
        if fold(s.name) in owned:
            s.delete()
    w = _Writer(book)
    created: dict[str, Any] = {}
    for spec in outputs.sheets:
        sheet = book.sheets.add(name=spec.name, after=list(book.sheets)[-1])
        created[spec.name] = sheet
        w.texts(sheet, spec.texts)
        for b in spec.blocks:
            w.block(sheet, b, used_names)
        w.columns(sheet, spec)
        w.bands(sheet, spec)
        if spec.freeze:
            w.freeze(sheet, spec.freeze)
        if spec.page and not w.remote:
            _page_desktop(sheet, spec.page)
    blocks = {b.name: (created[s.name], b) for s in outputs.sheets for b in s.blocks}
    for spec in outputs.sheets:
        for c in spec.charts:
            w.chart(created[spec.name], c, blocks)
    shown = outputs.sheets[3] if len(outputs.sheets) > 3 else outputs.sheets[0]
    created[shown.name].activate()
