"""Where each cell of a sheet's XML sits: by its `r=` reference, else by position, as Excel
and python-calamine place the rows and cells some exporters write without `r=`."""

from __future__ import annotations

import re
from collections.abc import Iterator

_ATTR = rb"""\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*')"""
# a row or cell start tag none of whose attributes is r=
_WITHOUT_R = re.compile(rb"<(?:\w+:)?(?:row|c)(?:" + _ATTR + rb")*\s*/?>")
_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
_REF = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d+)["']""")
_ROW_R = re.compile(rb"""\br\s*=\s*["'](\d+)["']""")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_MERGE = re.compile(rb"""<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([^"']+)["']""")
_RANGE = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?")


def column_index(letters: bytes) -> int:
    """1-based column of a cell reference's letters (`b"AB"` -> 28; lower case accepted)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def positional(xml: bytes) -> bool:
    """Whether some row or cell of `xml` has no `r=`: its place is then its position."""
    if b"<c>" in xml or b"<c/>" in xml:
        return True
    return _WITHOUT_R.search(xml) is not None


def walk(xml: bytes, row: int = 0) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """(row, column, attributes, body) of every cell of `xml` (body None if the cell is
    empty, `<c/>`), 1-based, placed as Excel places them: a row is its `r=` or the one after
    the previous row (`row`: the last row before `xml`); a cell is its `r=` or the column
    after the previous cell of its row, in its row."""
    col = 0
    pos = 0
    while m := _TAG.search(xml, pos):
        pos = m.end()
        attrs = m.group(2)
        if m.group(1) == b"row":
            r = _ROW_R.search(attrs)
            row = int(r.group(1)) if r else row + 1
            col = 0
            continue
        ref = _REF.search(attrs)
        if ref:
            at_row, col = int(ref.group(2)), column_index(ref.group(1))
        else:
            at_row, col = row, col + 1
        body = None
        if not m.group(3):
            end = _CELL_END.search(xml, pos)
            body = xml[pos:end.start()] if end else xml[pos:]
            pos = end.end() if end else len(xml)
        yield at_row, col, attrs, body


def last_row(xml: bytes, row: int = 0, end: int | None = None) -> int:
    """The row of the last row tag of `xml[:end]` (`row` if it has none): the next row
    without `r=` follows it."""
    end = len(xml) if end is None else end
    k = max(xml.rfind(b"<row", 0, end), xml.rfind(b":row", 0, end))
    if k < 0:
        return row
    m = _TAG.match(xml, xml.rfind(b"<", 0, k + 1), end)
    r = _ROW_R.search(m.group(2)) if m and m.group(1) == b"row" else None
    if r:
        return int(r.group(1))
    for m in _TAG.finditer(xml, 0, end):  # the last row has no r=: count the rows
        if m.group(1) == b"row":
            r = _ROW_R.search(m.group(2))
            row = int(r.group(1)) if r else row + 1
    return row


def merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(first row, first col, last row, last col), 1-based, of each `<mergeCell ref=…>` of
    a sheet's XML covering more than one cell."""
    out = []
    if b"mergeCell" not in xml:
        return out
    for m in _MERGE.finditer(xml):
        r = _RANGE.fullmatch(m.group(1).strip())
        if r is None or r.group(3) is None:
            continue
        r1, r2 = sorted((int(r.group(2)), int(r.group(4))))
        c1, c2 = sorted((column_index(r.group(1)), column_index(r.group(3))))
        if (r1, c1) != (r2, c2):
            out.append((r1, c1, r2, c2))
    return out
