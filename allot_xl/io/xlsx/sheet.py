"""Write an output sheet's XML part (inline strings, numbers, dates, views) and its tables."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby, islice, zip_longest
from operator import itemgetter
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from ...core.french import nombre
from ...core.problems import AllotError
from ...inputs.grid import paused_gc
from ...outputs.look import (
    FMT_DATE,
    TABLE_STYLE,
    Look,
    looks,
    merged,
    row_heights,
    sheet_widths,
)
from ...outputs.model import FMT_DATETIME, Block, Page, Sheet, cell_value
from .opc import NS_MAIN, NS_R

__all__ = ["FMT_DATE", "TABLE_STYLE", "is_table", "looks", "table_xml", "write_sheet"]
MAX_TEXT = 32767  # Excel's longest cell text
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's sheet size
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# characters XML 1.0 cannot carry, and literal "_xHHHH_" Excel would decode: both escaped
_UNSAFE = re.compile(
    r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LETTERS: list[str] = []


def letter(col: int) -> str:
    """Column letters of 1-based `col` (1 -> A, 28 -> AB)."""
    while len(_LETTERS) < col:
        n, s = len(_LETTERS) + 1, ""
        while n:
            n, r = divmod(n - 1, 26)
            s = chr(65 + r) + s
        _LETTERS.append(s)
    return _LETTERS[col - 1]


def excel_chars(s: str) -> str:
    """`s` with what XML cannot carry in Excel's _xHHHH_ notation (not yet XML-escaped)."""
    if len(s) > MAX_TEXT:
        s = s[:MAX_TEXT]
    if not _UNSAFE.search(s):
        return s
    s = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", s)
    s = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    return re.sub(r"[\ud800-\udfff]", "\ufffd", s)


def excel_text(s: str) -> str:
    """`s` as the escaped text of a cell."""
    if len(s) <= MAX_TEXT and not _UNSAFE.search(s):
        return s
    return escape(excel_chars(s))


def inline(s: str) -> str:
    """The `<is>` element of an inline-string cell."""
    t = excel_text(s)
    space = ' xml:space="preserve"' if t[:1].isspace() or t[-1:].isspace() else ""
    return f"<is><t{space}>{t}</t></is>"


def serial(v: dt.date, date1904: bool) -> float:
    """An Excel date serial number (openpyxl's conversion: Excel's 1900 leap-year bug
    included), in the workbook's date system."""
    if not isinstance(v, dt.datetime):
        v = dt.datetime.combine(v, dt.time())
    return float(to_excel(v.replace(tzinfo=None),
                          CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900))


def xml_width(chars: float) -> float:
    """The <col width> that shows `chars` characters: Excel counts the cell padding in it
    (7-pixel digits, 5 pixels of padding, in 1/256ths), as xlsxwriter does."""
    pixels = int(chars * 7 + 0.5) + 5 if chars >= 1 else int(chars * 12 + 0.5)
    return int(pixels / 7 * 256) / 256


@dataclass
class TablePart:
    block: Block
    name: str

    @property
    def ref(self) -> str:
        b = self.block
        # a table without data keeps one empty row (Excel's own smallest table): the sheet
        # still carries allot_xl's table, so the next run knows the sheet as its own
        return f"{letter(b.col)}{b.row}:{letter(b.last_col)}{b.row + max(1, len(b.rows))}"


def is_table(b: Block) -> bool:
    """Excel tables need distinct, non-empty header texts."""
    headers = [c.header.casefold() for c in b.columns]
    return b.table and all(headers) and len(set(headers)) == len(headers)


def table_xml(part: TablePart, table_id: int) -> bytes:
    cols = "".join(f'<tableColumn id="{i}" name={quoteattr(excel_chars(c.header))}/>'
                   for i, c in enumerate(part.block.columns, start=1))
    name = quoteattr(part.name)
    return (f'{HEAD}<table xmlns="{NS_MAIN}" id="{table_id}" name={name} displayName={name} '
            f'ref="{part.ref}" totalsRowShown="0"><autoFilter ref="{part.ref}"/>'
            f'<tableColumns count="{len(part.block.columns)}">{cols}</tableColumns>'
            f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" '
            f'showRowStripes="1" showColumnStripes="0"/></table>').encode()


class _Cells:
    """Cell XML for values of any type; strings cached since output columns repeat them."""

    def __init__(self, xf: dict[Look, int], date1904: bool):
        self.xf, self.date1904 = xf, date1904
        self.strings: dict[str, str] = {}

    def style(self, look: Look) -> str:
        i = self.xf.get(look, 0)
        return f' s="{i}"' if i else ""

    def text(self, s: str) -> str:
        frag = self.strings.get(s)
        if frag is None:
            if len(self.strings) > 200_000:
                self.strings.clear()
            frag = self.strings[s] = inline(s)
        return frag

    def texts(self, values: Iterable[str | None]) -> dict[str, str]:
        """The cache, holding the `<is>` element of every non-empty text of `values`."""
        strings = self.strings
        new = [s for s in set(values) if s and s not in strings]
        if len(strings) + len(new) > 200_000:
            strings.clear()
            new = [s for s in set(values) if s]
        # most texts need no escaping: one search over all of them tells
        if new and _UNSAFE.search("\n".join(new)) is None:  # \n: no match spans two
            for s in new:
                if len(s) > MAX_TEXT:
                    strings[s] = inline(s)
                elif s[:1].isspace() or s[-1:].isspace():
                    strings[s] = f'<is><t xml:space="preserve">{s}</t></is>'
                else:
                    strings[s] = f"<is><t>{s}</t></is>"
        else:
            for s in new:
                strings[s] = inline(s)
        return strings

    def cell(self, ref: str, v: Any, num: str | None = None, bold: bool = False,
             size: float | None = None, header: bool = False, wrap: bool = False) -> str:
        """One `<c>` element; "" for an empty value."""
        t = type(v)
        if t is str:
            if not v:
                return ""
            look = (Look(num=num, bold=bold, size=size, wrap=True) if wrap
                    else Look(bold=bold, size=size, header=header))
            s = self.style(look)
            return f'<c r="{ref}"{s} t="inlineStr">{self.text(v)}</c>'
        if t is int or t is float:
            if t is float and not math.isfinite(v):
                return ""  # NaN and infinities have no Excel value: the cell stays empty
            look = Look(num=num, wrap=True) if wrap else Look(num=num, bold=bold)
            return f'<c r="{ref}"{self.style(look)}><v>{v!r}</v></c>'
        if v is None:
            return ""
        try:
            if v != v:  # NaN, NaT
                return ""
        except (TypeError, ValueError):
            pass
        if isinstance(v, bool):
            v = "oui" if v else "non"
        elif isinstance(v, int | float):  # numpy and other subclasses
            v = float(v) if isinstance(v, float) else int(v)
        elif isinstance(v, dt.date):
            num = num or (FMT_DATETIME if isinstance(v, dt.datetime) else FMT_DATE)
            v = serial(v, self.date1904)
        else:
            v = cell_value(v)
            if not isinstance(v, str | int | float | dt.date | None):
                v = str(v)
        return self.cell(ref, v, num, bold, size, header, wrap)


def _small_cells(sheet: Sheet, cells: _Cells) -> dict[tuple[int, int], str]:
    """The cells outside data rows: texts, block titles, headers, totals (last one wins)."""
    out: dict[tuple[int, int], str] = {}

    def put(r: int, c: int, v: Any, **look: Any) -> None:
        out[(r, c)] = cells.cell(f"{letter(c)}{r}", v, **look)

    for t in sheet.texts:
        put(t.row, t.col, t.value, bold=t.bold, size=t.size, wrap=t.wrap)
    for b in sheet.blocks:
        if b.title:
            put(b.row - 1, b.col, b.title, bold=True)
        for j, c in enumerate(b.columns):
            put(b.row, b.col + j, c.header, header=True)
        if b.total:
            r = b.row + len(b.rows) + 1
            for j, v in enumerate(b.total):
                put(r, b.col + j, v, num=b.columns[j].format if j < len(b.columns) else None,
                    bold=True)
    return {k: v for k, v in out.items() if v}


_NUMBERS = frozenset({float, int, type(None)})
_TEXTS = frozenset({str, type(None)})
_CHUNK = 2048  # data rows turned into XML at a time, column by column


def _data_rows(b: Block, cells: _Cells) -> Iterator[tuple[int, int, str]]:
    """(row, first column, cells XML) for each data row of `b`: the hot loop of a run.

    Rows are taken `_CHUNK` at a time and their cells made column by column, so that the
    cell's reference prefix, style and type are worked out once per column."""
    width = len(b.columns)
    opens = [f'<c r="{letter(b.col + j)}' for j in range(width)]
    nums = [c.format for c in b.columns]
    wraps = [b.wraps(j) for j in range(width)]
    styles = [f'"{cells.style(Look(num=c.format, wrap=w))}><v>'
              for c, w in zip(b.columns, wraps, strict=True)]
    # a wrapped column's texts carry its style; other texts keep the default one
    texts = [f'"{cells.style(Look(num=c.format, wrap=True))}' if w else '"'
             for c, w in zip(b.columns, wraps, strict=True)]
    text, cell = cells.text, cells.cell
    inf = math.inf
    for at in range(0, len(b.rows), _CHUNK):
        first = b.row + 1 + at
        chunk = b.rows[at:at + _CHUNK]
        rs = [str(r) for r in range(first, first + len(chunk))]
        columns: list[list[str]] = []
        forced: set[int] = set()  # rows whose odd value made no cell still get a <row>
        for j, col in enumerate(islice(zip_longest(*chunk), width)):
            start, style, tstyle = opens[j], styles[j], texts[j]
            kinds = set(map(type, col))
            if kinds <= _NUMBERS:  # NaN and infinities have no Excel value
                columns.append([f"{start}{r}{style}{v!r}</v></c>"
                                if v is not None and -inf < v < inf else ""
                                for r, v in zip(rs, col, strict=True)])
            elif kinds <= _TEXTS:  # an empty text is no value: the cell stays empty
                known = cells.texts(col)
                columns.append([f'{start}{r}{tstyle} t="inlineStr">{known[v]}</c>' if v else ""
                                for r, v in zip(rs, col, strict=True)])
            else:
                out = []
                for i, (r, v) in enumerate(zip(rs, col, strict=True)):
                    t = type(v)
                    if t is str:
                        out.append(f'{start}{r}{tstyle} t="inlineStr">{text(v)}</c>'
                                   if v else "")
                    elif t is float or t is int:
                        out.append(f"{start}{r}{style}{v!r}</v></c>" if -inf < v < inf else "")
                    elif v is None:
                        out.append("")
                    else:
                        out.append(cell(f"{start[6:]}{r}", v, nums[j]))
                        forced.add(i)
                columns.append(out)
        if not columns:
            continue
        for i, xml in enumerate(map("".join, zip(*columns, strict=True))):
            if xml or i in forced:
                yield first + i, b.col, xml


def _layout(sheet: Sheet, small: dict[tuple[int, int], str]) -> tuple[int, int, int, int]:
    """Check that blocks' data rows do not overlap; drop small cells they cover; bounds."""
    rects = [(b.row + 1, b.row + len(b.rows), b.col, b.col + len(b.columns) - 1)
             for b in sheet.blocks if b.rows]
    for i, (r1, r2, c1, c2) in enumerate(rects):
        for s1, s2, d1, d2 in rects[i + 1:]:
            if r1 <= s2 and s1 <= r2 and c1 <= d2 and d1 <= c2:
                raise AllotError(f"Feuille « {sheet.name} » : deux tableaux de sortie se "
                                 f"chevauchent (anomalie d'allot_xl) ; rien n'a été écrit.")
        for key in [k for k in small if r1 <= k[0] <= r2 and c1 <= k[1] <= c2]:
            del small[key]
    rows = [r for r, _ in small] + [x for r in rects for x in r[:2]]
    cols = [c for _, c in small] + [x for r in rects for x in r[2:]]
    if not rows:
        return 1, 1, 1, 1
    if max(rows) > MAX_ROWS or max(cols) > MAX_COLS:
        n = nombre
        raise AllotError(f"La feuille « {sheet.name} » aurait {n(max(rows))} lignes et "
                         f"{n(max(cols))} colonnes : Excel en accepte au plus {n(MAX_ROWS)} et "
                         f"{n(MAX_COLS)}. Réduisez les données (par exemple le nombre "
                         f"d'attributaires) ; rien n'a été écrit.")
    return min(rows), min(cols), max(rows), max(cols)


def _views(sheet: Sheet, selected: bool) -> str:
    sel = ' tabSelected="1"' if selected else ""
    pane = ""
    if sheet.freeze and sheet.freeze != (1, 1):
        r, c = sheet.freeze
        ref = f"{letter(c)}{r}"
        split = (f' xSplit="{c - 1}"' if c > 1 else "") + (f' ySplit="{r - 1}"' if r > 1 else "")
        active = ("bottomRight" if r > 1 and c > 1 else "bottomLeft" if r > 1 else "topRight")
        pane = (f'<pane{split} topLeftCell="{ref}" activePane="{active}" state="frozen"/>'
                f'<selection pane="{active}" activeCell="{ref}" sqref="{ref}"/>')
    return f'<sheetViews><sheetView{sel} workbookViewId="0">{pane}</sheetView></sheetViews>'


def write_sheet(out: BinaryIO, sheet: Sheet, xf: dict[Look, int], *, tables: list[str],
                drawing: str | None, selected: bool, date1904: bool) -> None:
    """Stream the worksheet part of `sheet`; `tables`/`drawing` are its relationship ids."""
    with paused_gc():
        _write_sheet(out, sheet, xf, tables, drawing, selected, date1904)


def _write_sheet(out: BinaryIO, sheet: Sheet, xf: dict[Look, int], tables: list[str],
                 drawing: str | None, selected: bool, date1904: bool) -> None:
    cells = _Cells(xf, date1904)
    small = _small_cells(sheet, cells)
    r1, c1, r2, c2 = _layout(sheet, small)
    tab = ""
    if sheet.tab_color:
        tab = f'<tabColor rgb="FF{sheet.tab_color.lstrip("#")[-6:].upper()}"/>'
    if sheet.page and not sheet.page.scale:
        tab += '<pageSetUpPr fitToPage="1"/>'
    tab = f"<sheetPr>{tab}</sheetPr>" if tab else ""
    widths = sorted(sheet_widths(sheet).items())
    cols = "".join(f'<col min="{c}" max="{c}" width="{xml_width(w):g}" customWidth="1"/>'
                   for c, w in widths)
    out.write((f'{HEAD}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{tab}'
               f'<dimension ref="{letter(c1)}{r1}:{letter(c2)}{r2}"/>{_views(sheet, selected)}'
               f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}'
               f"<sheetData>").encode())
    streams = [_data_rows(b, cells) for b in sheet.blocks] + [
        iter(sorted((r, c, x) for (r, c), x in small.items()))]
    chunk: list[str] = []
    heights = row_heights(sheet)
    xml_of = itemgetter(2)
    for r, items in groupby(heapq.merge(*streams), key=itemgetter(0)):
        ht = f' ht="{heights[r]:g}" customHeight="1"' if r in heights else ""
        chunk.append(f'<row r="{r}"{ht}>{"".join(map(xml_of, items))}</row>')
        if len(chunk) >= 2000:
            out.write("".join(chunk).encode())
            chunk.clear()
    bands = merged(sheet)
    tail = "</sheetData>"
    if bands:
        tail += (f'<mergeCells count="{len(bands)}">' + "".join(
            f'<mergeCell ref="{letter(c1)}{r}:{letter(c2)}{r}"/>' for r, c1, c2 in bands)
            + "</mergeCells>")
    tail += page_xml(sheet.page)
    if drawing:
        tail += f'<drawing r:id="{drawing}"/>'
    if tables:
        tail += (f'<tableParts count="{len(tables)}">'
                 + "".join(f'<tablePart r:id="{t}"/>' for t in tables) + "</tableParts>")
    out.write(("".join(chunk) + tail + "</worksheet>").encode())


def header_footer_text(text: str) -> str:
    """Text as a header/footer section shows it: `&` doubled (a lone `&` starts a code)."""
    return text.replace("&", "&&")


def page_header(page: Page) -> str:
    """The header's sections: campaign left, scenario centre, date right."""
    return "".join(f"&{side}{header_footer_text(t)}" for side, t in
                   (("L", page.header), ("C", page.header_center), ("R", page.header_right))
                   if t)


def page_xml(page: Page | None) -> str:
    """pageMargins, pageSetup and headerFooter of a worksheet (in the schema's order): A4
    landscape, one page wide (or at `page.scale` percent), the campaign, scenario and date
    in the header, page numbers below."""
    margins = ('<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" '
               'header="0.3" footer="0.3"/>')
    if page is None:
        return margins.replace('"0.5"', '"0.7"')
    if page.scale:
        setup = (f'<pageSetup paperSize="9" scale="{page.scale}" orientation="landscape"/>')
    else:
        setup = (f'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" '
                 f'fitToHeight="{page.fit_tall}"/>')
    head = page_header(page)
    foot = "&LFeuille « &A »&RPage &P sur &N"
    hf = (f"<headerFooter><oddHeader>{escape(head)}</oddHeader>"
          f"<oddFooter>{escape(foot)}</oddFooter></headerFooter>" if head else
          f"<headerFooter><oddFooter>{escape(foot)}</oddFooter></headerFooter>")
    return margins + setup + hf
