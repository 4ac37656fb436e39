"""How output sheets look, declared once: header fill and wrap, bold, table style, widths."""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

from .model import FMT_DATETIME, Outputs, Sheet, fitted_width

HEADER_RGB = "DDEBF7"  # header cells' fill (light blue), as RRGGBB
HEADER_WRAP = True  # header texts wrap within their column
HEADER_VALIGN = "top"
TABLE_STYLE = "TableStyleMedium2"  # Excel tables of output blocks, banded rows
MAX_WIDTH = 60.0  # characters: fitted_width's cap (a wider column is set, not autofitted)
FMT_DATE = "dd/mm/yyyy"  # dates without a declared format
# a table name Excel accepts: a letter, underscore or backslash, then word characters or dots
_TABLE_NAME = re.compile(r"^[A-Za-z_\\][\w.]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[RrCc]$|^[RrCc]\d+[RrCc]\d+$")


def header_argb() -> str:
    """The header fill as an ARGB hex string (`FFDDEBF7`), as styles.xml writes it."""
    return "FF" + HEADER_RGB


def header_hex() -> str:
    """The header fill as `#DDEBF7`, as xlwings and xlsxwriter take it."""
    return "#" + HEADER_RGB


@dataclass(frozen=True)
class Look:
    """How an output cell looks: number format, bold, font size, header (fill, wrapped),
    wrapped text (a data cell of a `wrap` column, top-aligned)."""

    num: str | None = None
    bold: bool = False
    size: float | None = None
    header: bool = False
    wrap: bool = False

    @property
    def is_bold(self) -> bool:
        return self.bold or self.header


def looks(outputs: Outputs) -> list[Look]:
    """Every cell format the output sheets use, each once, in a stable order."""
    out = [Look(bold=True), Look(header=True)] + [
        Look(num=f, bold=b) for f in (FMT_DATETIME, FMT_DATE) for b in (False, True)]
    for s in outputs.sheets:
        out += [Look(bold=t.bold, size=t.size) for t in s.texts
                if (t.bold or t.size) and not t.wrap]
        out += [Look(bold=t.bold, size=t.size, wrap=True) for t in s.texts if t.wrap]
        for b in s.blocks:
            for j, c in enumerate(b.columns):
                if c.format:
                    out += [Look(num=c.format), Look(num=c.format, bold=True)]
                if b.wraps(j):
                    out.append(Look(num=c.format, wrap=True))
    return list(dict.fromkeys(out))


def sheet_widths(sheet: Sheet) -> dict[int, float]:
    """1-based column -> width (characters): the widest block's fitted width."""
    widths: dict[int, float] = {}
    for b in sheet.blocks:
        for j in range(len(b.columns)):
            widths[b.col + j] = max(widths.get(b.col + j, 0), fitted_width(b, j))
    return widths


LINE_PT = 15.0  # a line of 11-point text
# pixels an average character of 11-point text takes: Calibri needs about 7, the fonts
# LibreOffice falls back on (DejaVu Sans) about 8; wrapped texts are measured with the
# wider so that no line is cut, whoever renders the file
CHAR_PX = 8.0
DEFAULT_PX = 64  # a column of the default width


def column_px(chars: float) -> int:
    """Pixels of a column `chars` characters wide (7-pixel digits, 5 pixels of padding)."""
    return int(chars * 7 + 0.5) + 5


def line_chars(px: float) -> int:
    """How many characters of wrapped text a line `px` pixels wide holds, at worst."""
    return max(1, int((px - 5) / CHAR_PX))


def band_px(widths: dict[int, float], first: int, last: int) -> int:
    """Pixels from the left edge of column `first` to the right edge of `last`."""
    return sum(column_px(widths[c]) if c in widths else DEFAULT_PX
               for c in range(first, last + 1))


def _lines(text: str, chars: float) -> int:
    """How many lines `text` takes wrapped at `chars` characters: textwrap's count (words
    not cut at hyphens, long words broken), at least 1."""
    width = max(1, int(chars))
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        # one space between words, no other whitespace: while no word is longer than the
        # line, textwrap fills each line greedily with whole words, that is up to the last
        # space within `width` characters of the line's start
        lines, start, end = 1, 0, len(text)
        while end - start > width:
            space = text.rfind(" ", start, start + width + 1)
            if space < 0:
                break  # a word longer than the line: textwrap cuts it
            lines, start = lines + 1, space + 1
        else:
            return lines
    return max(1, len(textwrap.wrap(text, width, break_on_hyphens=False)))


def row_heights(sheet: Sheet) -> dict[int, float]:
    """1-based row -> height (points) for rows whose wrapped texts need more than one line
    (headers, cells of `wrap` columns) or whose font is larger; the sheet's own heights win.
    Written by the file writers: a live Excel fits rows itself, a file needs them set."""
    widths = sheet_widths(sheet)
    out: dict[int, float] = {}

    def need(row: int, points: float) -> None:
        if points > out.get(row, LINE_PT):
            out[row] = points

    for t in sheet.texts:
        if t.size and t.size > 11:
            need(t.row, math.ceil(t.size * 1.5))
        if t.last_col is not None:
            scale = (t.size or 11) / 11 * (1.1 if t.bold else 1.0)
            line = LINE_PT if (t.size or 11) <= 11 else math.ceil(t.size * 1.5)
            px = band_px(widths, t.col, t.last_col) / scale
            need(t.row, line * _lines(t.value, line_chars(px)))
    for b in sheet.blocks:
        need(b.row, LINE_PT * max(_lines(c.header, widths[b.col + j] - 1)
                                  for j, c in enumerate(b.columns)))
        for j, c in enumerate(b.columns):
            if not c.wrap:
                continue
            w = line_chars(column_px(widths[b.col + j]))
            seen: dict[str, int] = {}  # wrapped columns repeat their texts (Motif, Zone(s))
            for i, r in enumerate(b.rows):
                v = r[j] if j < len(r) else None
                if isinstance(v, str) and len(v) > w:
                    n = seen.get(v)
                    if n is None:
                        n = seen[v] = _lines(v, w)
                    if n > 1:  # one line is every row's height already
                        need(b.row + 1 + i, LINE_PT * n)
    out.update(sheet.row_heights)
    return out


def merged(sheet: Sheet) -> list[tuple[int, int, int]]:
    """(row, first column, last column) of each merged text band of `sheet`."""
    return [(t.row, t.col, t.last_col) for t in sheet.texts
            if t.last_col is not None and t.last_col > t.col]


def unique_name(name: str, used: set[str]) -> str:
    """An Excel table name from `name`: `name`, or `name_2`, `name_3`… when taken (compared
    case-insensitively); the name returned is added to `used` (casefolded)."""
    if not _TABLE_NAME.match(name) or _CELL_LIKE.match(name):
        name = "T_" + re.sub(r"\W", "_", name)
    candidate, k = name, 2
    while candidate.casefold() in used:
        candidate, k = f"{name}_{k}", k + 1
    used.add(candidate.casefold())
    return candidate
