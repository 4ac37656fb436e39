"""A sheet as a grid of cell values, and how a contract table is found in it."""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

from ..core.contract import (
    COLUMNS,
    HEADER_KEYS,
    clean_header,
    column_letter,
    column_lookup,
    fold,
    is_blank,
    odd_characters,
)
from .headers import Repeats, match_header, refuse_duplicates, stacked_tables


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a step that makes millions of objects
    (grids, rows, cell XML): each collection walks every live object, and the grids of a
    large workbook are millions of them. Reference counting still frees everything that is
    not in a cycle. Steps may overlap (the add-in server runs regenerations in threads):
    the collector comes back on, if it was on, when the last of them ends, and collects
    any cycles then."""
    global _paused, _was_on
    with _pause_lock:
        if _paused == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0 and _was_on:
                gc.enable()


_pause_lock = threading.Lock()
_paused = 0  # steps running with the collector paused
_was_on = True


@dataclass(frozen=True)
class TableRef:
    """An Excel table (ListObject): 1-based bounds, header row included; `last_row` is the
    last data row and `totals_rows` the table's own totals rows just below it (the table
    XML's `totalsRowCount`)."""

    name: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    totals_rows: int = 0


@dataclass
class SheetGrid:
    """The values of one sheet from A1 (`values[r-1][c-1]` is Excel row r, column c).

    Values are None, str, bool, int, float, date/datetime, `CellError` or `NoCachedValue`
    — what every adapter (file, xlwings Book) delivers the same way."""

    name: str
    values: list[list[Any]]
    tables: list[TableRef] = field(default_factory=list)
    # merged ranges (first row, first col, last row, last col), 1-based, when the route
    # knows them; a merge's value is in its first cell
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False  # the sheet is hidden (or very hidden) in the workbook
    hidden_rows: frozenset[int] = frozenset()  # rows hidden (filter, collapsed group), when known
    # the number format code of the cell at (row, col) when it shows a date or a number
    # padded with zeros (`00123`), if the route knows cell formats (`padded`: whether any
    # padded format exists in the workbook, known without reading the sheet)
    shown_format: Callable[[int, int], str | None] | None = None

    def cell(self, row: int, col: int) -> Any:
        if row - 1 < len(self.values):
            r = self.values[row - 1]
            if col - 1 < len(r):
                return r[col - 1]
        return None


@dataclass
class RawTable:
    """A contract table read from a sheet: header positions and data rows with Excel rows."""

    sheet: str  # the sheet's title as written
    header_row: int
    columns: dict[str, int]  # canonical column -> 0-based index into each row
    headers: dict[str, str]  # canonical column -> header as written
    rows: list[tuple[int, list[Any]]]  # (Excel row, values)
    total_rows: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required columns not found
    table: str = ""  # the Excel table the header belongs to, if any
    outside: list[int] = field(default_factory=list)  # filled rows below that table
    kind: str = ""  # the contract sheet read (a key of contract.COLUMNS)
    merged: list[tuple[int, str, str]] = field(default_factory=list)  # (row, header, range)
    repeated: list[int] = field(default_factory=list)  # header rows (and block titles) again
    hidden: list[int] = field(default_factory=list)  # data rows on hidden rows
    odd_headers: list[tuple[str, str]] = field(default_factory=list)  # (cell, header as written)
    first_col: int = 1  # the sheet column of index 0 of each row
    shown_format: Callable[[int, int], str | None] | None = None  # see SheetGrid
    _values: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)

    def cell_name(self, row: int, column: str) -> str:
        """The A1 address of `column`'s cell on Excel row `row` (`A2`)."""
        return f"{column_letter(self.first_col + self.columns.get(column, 0))}{row}"

    def get(self, values: list[Any], column: str) -> Any:
        i = self.columns.get(column)
        return values[i] if i is not None and i < len(values) else None

    def header(self, column: str) -> str:
        return self.headers.get(column, column)

    def column_values(self, column: str) -> list[Any]:
        """The values of `column` in each data row, in order (None where the column is
        absent or the row shorter). Made once per column: callers only read the list."""
        got = self._values.get(column)
        if got is not None:
            return got
        i = self.columns.get(column)
        if i is None:
            got = [None] * len(self.rows)
        else:
            try:
                got = list(map(itemgetter(i), map(itemgetter(1), self.rows)))
            except IndexError:  # some row is shorter
                got = [vals[i] if i < len(vals) else None for _, vals in self.rows]
        self._values[column] = got
        return got


def find_sheet(names: list[str], canonical: str) -> str | None:
    """The sheet title matching `canonical` under the contract's folding rules."""
    target = fold(canonical)
    return next((n for n in names if fold(n) == target), None)


def _is_total(first: Any) -> bool:
    """A first cell starting with `Total` (checked cheaply first: IDs are unique, so folding
    every one would fill the folding cache for nothing)."""
    return (isinstance(first, str) and first.lstrip()[:1] in ("t", "T")
            and fold(first).startswith("total"))


def _two_row_header(top: list[Any], below: list[Any], lookup: dict[str, str]) -> list[Any]:
    """Header cells of a header on two rows: a sub-header under a (merged) group cell wins,
    else the upper cell."""
    width = max(len(top), len(below))
    out = []
    for i in range(width):
        low = below[i] if i < len(below) else None
        high = top[i] if i < len(top) else None
        out.append(low if isinstance(low, str) and fold(low) in lookup else high)
    return out


def _locate(grid: SheetGrid, kind: str, lookup: dict[str, str]
            ) -> tuple[int, int, int, int, str, list[Any], int]:
    """(header row, first col, last col, last data row, table name, header cells, totals
    rows), 1-based; header row 0 if none. A header may span two rows (group cells above
    sub-headers); the header row is then the lower one."""
    keys = HEADER_KEYS[kind]
    for t in grid.tables:
        cells = [grid.cell(t.first_row, c) for c in range(t.first_col, t.last_col + 1)]
        if all(k in match_header(cells, lookup) for k in keys):
            return (t.first_row, t.first_col, t.last_col, t.last_row, t.name, cells,
                    t.totals_rows)
    width = max((len(r) for r in grid.values), default=0)
    top = min(len(grid.values), 10)
    for r in range(1, top + 1):
        if all(k in match_header(grid.values[r - 1], lookup) for k in keys):
            cells = grid.values[r - 1]
            if r < len(grid.values):  # sub-headers under group cells on the next row
                both = _two_row_header(cells, grid.values[r], lookup)
                if len(match_header(both, lookup)) > len(match_header(cells, lookup)):
                    return r + 1, 1, width, len(grid.values), "", both, 0
            return r, 1, width, len(grid.values), "", cells, 0
    return 0, 1, width, len(grid.values), "", [], 0


def _fill_merged(grid: SheetGrid, header_row: int, c1: int, c2: int
                 ) -> tuple[dict[tuple[int, int], Any], list[tuple[int, int, str]]]:
    """Values of the data cells hidden under a merge (the merge's first value) and, per
    filled cell, (row, column, range as A1 text)."""
    from ..core.contract import column_letter

    fill: dict[tuple[int, int], Any] = {}
    where: list[tuple[int, int, str]] = []
    for r1, m1, r2, m2 in grid.merged:
        if r2 <= header_row or r1 == r2 or m2 < c1 or m1 > c2:
            continue
        text = f"{column_letter(m1)}{r1}:{column_letter(m2)}{r2}"
        v = grid.cell(r1, m1)
        for r in range(max(r1, header_row + 1), r2 + 1):
            for c in range(m1, m2 + 1):
                if (r, c) != (r1, m1):
                    fill[(r, c)] = v
            if r != r1:
                where.append((r, m1, text))
    return fill, where


def read_table(grid: SheetGrid, kind: str) -> RawTable:
    """Read the `kind` table (a key of contract.COLUMNS) from `grid`.

    Blank rows are dropped; rows whose first non-empty cell starts with `Total`, and an
    Excel table's own totals rows, are set aside in `total_rows`. Cells under a merge take
    the merge's value (listed in `merged`). `missing` lists the required columns not
    found."""
    lookup = column_lookup(kind)
    header_row, c1, c2, last, table, header_all, n_totals = _locate(grid, kind, lookup)
    required = [c.name for c in COLUMNS[kind] if c.required]
    if header_row == 0:
        return RawTable(grid.name, 0, {}, {}, [], [], required, kind=kind)
    header_cells = list(header_all[c1 - 1:c2]) if not table else list(header_all)
    refuse_duplicates(grid.name, header_row, c1, header_cells, lookup)
    columns = match_header(header_cells, lookup)
    headers = {k: clean_header(header_cells[i]) for k, i in columns.items()}
    odd = [(f"{column_letter(c1 + i)}{header_row}", str(header_cells[i]))
           for i in sorted(columns.values()) if odd_characters(str(header_cells[i]))]
    fill, merged_at = _fill_merged(grid, header_row, c1, c2) if grid.merged else ({}, [])
    rows: list[tuple[int, list[Any]]] = []
    totals: list[int] = []
    again = Repeats(kind, columns, header_cells, lookup)
    key_at, key_texts, starts = again.at, again.texts, again.starts
    # rows an Excel table reaches below the last values: empty (a merge may still fill them)
    below = repeat([], max(0, last - max(header_row, len(grid.values))))
    for r, src in enumerate(chain(grid.values[header_row:last], below), start=header_row + 1):
        vals = src[c1 - 1:c2]  # a copy: rows are kept and may be filled below
        if type(vals) is not list:
            vals = list(vals)
        if fill:
            for c in range(c1, c2 + 1):
                if (r, c) in fill:
                    vals.extend([None] * (c - c1 + 1 - len(vals)))
                    vals[c - c1] = fill[(r, c)]
        first = vals[0] if vals and not is_blank(vals[0]) else next(
            (v for v in vals if not is_blank(v)), None)
        if first is None:
            continue
        if _is_total(first):
            totals.append(r)
            continue
        key = vals[key_at] if 0 <= key_at < len(vals) else None
        if type(key) is str and (key in key_texts or key[:2].lower() in starts
                                 and fold(key) in lookup):  # maybe the header again
            if again.header(vals) is not None:  # skipped, with a title just above
                again.skip(r, rows, header_row)
                continue
        if again.moved:
            vals = again.remap(vals)
        rows.append((r, vals))
    missing = [c for c in required if c not in columns]
    outside = []
    others = stacked_tables(grid, kind, lookup, table) if table else []
    inside: set[int] = set()
    for t in others:  # tables stacked on the sheet: read too, each in its own order
        layout = match_header([grid.cell(t.first_row, c) for c in range(
            t.first_col, t.last_col + 1)], lookup)
        again.rows.append(t.first_row)
        inside.update(range(t.first_row, t.last_row + t.totals_rows + 1))
        width = max(columns.values(), default=-1) + 1
        for r in range(t.first_row + 1, t.last_row + 1):
            src = grid.values[r - 1][t.first_col - 1:t.last_col] if r <= len(grid.values) \
                else []
            vals = [None] * width
            for k, i in columns.items():
                j = layout.get(k)
                if j is not None and j < len(src):
                    vals[i] = src[j]
            first = next((v for v in vals if not is_blank(v)), None)
            if first is None:
                continue
            if _is_total(first):
                totals.append(r)
                continue
            rows.append((r, vals))
        totals.extend(range(t.last_row + 1, t.last_row + t.totals_rows + 1))
    if others:
        rows.sort(key=itemgetter(0))
    if table:  # rows typed under an Excel table without extending it are not read
        heads = {t.first_row for t in others}
        for r in range(last + 1, len(grid.values) + 1):
            if r in inside:
                continue
            if (r + 1 in heads or r + 2 in heads) and sum(
                    not is_blank(v) for v in grid.values[r - 1]) == 1:
                again.rows.append(r)  # the title of the next stacked table
                continue
            first = next((v for v in grid.values[r - 1][c1 - 1:c2] if not is_blank(v)), None)
            if r <= last + n_totals or (isinstance(first, str) and
                                        fold(first).startswith("total")):
                if first is not None:
                    totals.append(r)  # the table's own totals row (« Ligne Total »)
            elif first is not None:
                outside.append(r)
    by_index = {i: k for k, i in columns.items()}
    merged = [(r, headers.get(by_index.get(c - c1, ""), ""), text) for r, c, text in merged_at
              if c - c1 in by_index]
    again.rows.sort()
    hidden = [r for r, _ in rows if r in grid.hidden_rows] if grid.hidden_rows else []
    return RawTable(grid.name, header_row, columns, headers, rows, totals, missing, table,
                    outside, kind, merged, again.rows, hidden, odd, c1, grid.shown_format)


def _canonical_value(v: Any) -> str:
    t = type(v)
    if t is str:
        return v.strip()
    if t is float:
        return str(int(v)) if v.is_integer() else repr(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float):
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v).strip()


class _FloatTexts(dict):
    """Canonical texts of floats, each computed once (sheets repeat their numbers)."""

    def __missing__(self, v: float) -> str:
        text = self[v] = _canonical_value(v)
        return text


def fingerprint(grids: list[SheetGrid]) -> str:
    """A short hash of the input sheets' values, the same whichever route read them."""
    h = hashlib.sha256()
    floats = _FloatTexts()
    for g in sorted(grids, key=lambda g: fold(g.name)):
        h.update(fold(g.name).encode() + b"\x1e")
        # a row's canonical texts, trailing empty ones left out (canonical texts are
        # stripped, so none ends with the separator \x1f); trailing empty rows left out
        lines = ["\x1f".join([v.strip() if (t := type(v)) is str else floats[v] if t is float
                              else "" if v is None else _canonical_value(v)
                              for v in r]).rstrip("\x1f") for r in g.values]
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            h.update(("\x1d".join(lines) + "\x1d").encode())
    return h.hexdigest()[:16]
