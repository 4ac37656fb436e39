"""The declarative description of output sheets that every writer (file, xlwings Book) renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

# en-US number-format codes: Excel shows them with the user's (French) separators. Each
# ends with `_-` (a blank the width of a minus sign) so that a right-aligned number never
# touches the left-aligned text of the next column.
FMT_INT = "#,##0_-"
FMT_HOURS = "#,##0.0#_-"  # hours with a fraction; hours_format() picks FMT_INT when whole
FMT_EUR = '#,##0.00 "€"_-'
FMT_EUR_WHOLE = '#,##0 "€"_-'  # totals where cents are noise (Synthèse)
FMT_PCT = "0.00_-"  # percentages are written 0–100, the header says (%)
FMT_RATIO = "0.0_-"
FMT_DATETIME = "dd/mm/yyyy hh:mm:ss"
FMT_TEXT = "@"
FMT_GENERAL = "General_-"  # numbers as typed, with the blank of the other formats


@dataclass(frozen=True)
class Column:
    header: str
    format: str | None = None  # None: General
    width: float | None = None  # characters; None: fitted to the content
    wrap: bool = False  # long texts wrap within the column instead of being cut


@dataclass
class Block:
    """A table: a header row at (row, col) then data rows; an Excel table when `table`."""

    name: str  # Excel table name, unique in the workbook (`T_Lots`)
    columns: list[Column]
    rows: list[list[Any]]
    row: int = 1
    col: int = 1
    title: str | None = None  # bold line just above the header
    total: list[Any] | None = None  # a bold line after the rows, outside the Excel table
    table: bool = True
    top: bool = False  # every data cell top-aligned (and wrapped), as the wrapped columns

    def wraps(self, j: int) -> bool:
        """Whether data cells of column j take the wrapped, top-aligned look."""
        return self.top or self.columns[j].wrap

    @property
    def last_row(self) -> int:
        return self.row + len(self.rows) + (1 if self.total else 0)

    @property
    def last_col(self) -> int:
        return self.col + len(self.columns) - 1

    def column_index(self, header: str) -> int:
        """1-based sheet column of `header`."""
        return self.col + [c.header for c in self.columns].index(header)


@dataclass(frozen=True)
class Text:
    """A text at (row, col). With `last_col` it is one cell merged across to `last_col`
    whose text wraps (a note band over a table's width): Excel and LibreOffice break its
    lines at spaces only, so numbers and articles written with no-break spaces stay whole."""

    row: int
    col: int
    value: str
    bold: bool = False
    size: float | None = None
    last_col: int | None = None  # merged across to this column, wrapped

    @property
    def wrap(self) -> bool:
        return self.last_col is not None


@dataclass(frozen=True)
class Chart:
    """A chart of columns of one block: categories from one column, one series per value column."""

    kind: Literal["bar", "column"]
    title: str
    block: str
    category: str
    series: tuple[str, ...]
    row: int  # top-left anchor
    col: int
    width_cm: float = 16.0
    height_cm: float = 8.0
    y_title: str = ""
    stacked: bool = False  # series stacked in one column/bar per category
    font_pt: float = 8  # axis labels (a bar chart names its bars at 7, to name them all)


@dataclass(frozen=True)
class Page:
    """How a sheet prints: landscape A4, one page wide (and at most `fit_tall` pages tall
    when set) or, with `scale`, at that zoom over as many pages as needed, `title_rows`
    (first, last) and `title_cols` repeated on every page, a header naming the campaign,
    the scenario of the run if any and its date, page numbers in the footer."""

    header: str = ""  # left of the header: the campaign
    header_right: str = ""  # right of the header: the date of the run
    fit_tall: int = 0  # 0: as many pages tall as needed
    title_rows: tuple[int, int] | None = (1, 1)
    header_center: str = ""  # centre of the header: the scenario of the run
    scale: int = 0  # percent; 0: fitted one page wide
    title_cols: tuple[int, int] | None = None  # identifying columns repeated on each page


@dataclass
class Sheet:
    name: str
    blocks: list[Block] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    freeze: tuple[int, int] | None = (2, 1)  # first unfrozen cell: (2, 1) freezes row 1
    tab_color: str | None = None
    page: Page | None = None
    row_heights: dict[int, float] = field(default_factory=dict)  # points, beyond the fitted

    def block(self, name: str) -> Block:
        return next(b for b in self.blocks if b.name == name)


@dataclass
class Outputs:
    """Every output sheet of a run, in workbook order."""

    sheets: list[Sheet]
    summary_line: str = ""  # what the buyer is told when the run ends

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)


def cell_value(v: Any) -> Any:
    """A value as it is written: numbers and dates as such, everything else as text."""
    if v is None or (isinstance(v, str) and v == ""):
        return None  # an empty text is an empty cell, whichever route writes it
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, int | float | dt.datetime | dt.date):
        try:
            if v != v:  # NaN
                return None
        except TypeError:
            pass
        return v
    if hasattr(v, "item"):  # numpy scalar
        return cell_value(v.item())
    return str(v)


def fitted_width(block: Block, i: int, sample: int = 300) -> float:
    """A readable width (characters) for column i of `block`."""
    col = block.columns[i]
    if col.width:
        return col.width
    # headers wrap (look.HEADER_WRAP): a header needs its longest word, on at most 3 lines
    words = col.header.split()
    longest = max([len(w) for w in words] + [-(-len(col.header) // 3)])
    for r in [*block.rows[:sample], *([block.total] if block.total else [])]:
        v = r[i] if i < len(r) else None
        if v is None:
            continue
        n = len(f"{v:,.2f}") if isinstance(v, float) else len(str(v))
        if isinstance(v, int | float) and col.format and "€" in col.format:
            n += 2
        longest = max(longest, n)
    cap = 45 if col.wrap else 60
    return float(min(max(longest + 2, 7), cap))


def hours_format(values: list[Any]) -> str:
    """FMT_INT when every value is a whole number (16 000 h shows as `16 000`), else
    FMT_HOURS (`12,5`)."""
    for v in values:
        if isinstance(v, float) and v == v and not v.is_integer():
            return FMT_HOURS
    return FMT_INT


# decimals of the unit a number format shows: places and counts whole, hours and amounts
# to the cent
UNIT_DECIMALS = {FMT_INT: 0, FMT_HOURS: 2, FMT_EUR: 2, FMT_EUR_WHOLE: 2}


def at_unit_precision(outputs: Outputs) -> Outputs:
    """Places, hours and amounts rounded to their unit (`UNIT_DECIMALS`), so that no cell
    holds float noise such as `4050.0000000000005` h; an hours column whole once rounded
    shows without decimals. Column by column; only changed cells are written back."""
    import numpy as np

    for sheet in outputs.sheets:
        for b in sheet.blocks:
            body = b.rows + ([b.total] if b.total else [])
            for j, c in enumerate(b.columns):
                d = UNIT_DECIMALS.get(c.format)  # type: ignore[arg-type]
                if d is None or not body:
                    continue
                col = [r[j] if j < len(r) else None for r in body]
                at = [i for i, v in enumerate(col) if isinstance(v, float)]  # numpy's too
                if not at:
                    continue
                x = np.array([col[i] for i in at], dtype="float64")
                with np.errstate(invalid="ignore"):
                    r = np.round(x, d)
                changed = np.flatnonzero(np.isfinite(x) & (r != x)).tolist()
                for k in changed:
                    body[at[k]][j] = float(r[k])
                if c.format == FMT_HOURS and changed and all(
                        not isinstance(v, float) or v != v or v.is_integer()
                        for v in (r[j] if j < len(r) else None for r in body)):
                    b.columns[j] = replace(c, format=FMT_INT)
    return outputs
