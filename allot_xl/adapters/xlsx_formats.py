"""Which cells of a sheet Excel shows as percentages (120 % is stored as 1.2 with a % format)."""

from __future__ import annotations

import re

from .opc import NS_MAIN, parse, q

PERCENT_BUILTIN = {9, 10}  # 0%, 0.00%
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)/?>')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_QUOTED = re.compile(r'"[^"]*"|\\.')


def _is_percent(code: str) -> bool:
    return "%" in _QUOTED.sub("", code)


def percent_styles(styles: bytes | None) -> set[int]:
    """Indexes of the cell formats (cellXfs) whose number format is a percentage, from the
    styles part (None: no styles part)."""
    if not styles:
        return set()
    root = parse(styles)
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
              for f in root.iter(q(NS_MAIN, "numFmt"))}
    xfs = root.find(q(NS_MAIN, "cellXfs"))
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0"))
        if fid in PERCENT_BUILTIN or _is_percent(custom.get(fid, "")):
            out.add(i)
    return out


def column_index(letters: bytes) -> int:
    """1-based column of a cell reference's letters (`b"AB"` -> 28)."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def percent_cells(xml: bytes, styles: set[int]) -> set[tuple[int, int]]:
    """(row, col) of the numeric cells of a sheet's XML formatted with one of `styles`."""
    out: set[tuple[int, int]] = set()
    if not styles:
        return out
    for m in _CELL.finditer(xml):
        attrs = m.group(1)
        s = _STYLE.search(attrs)
        if s is None or int(s.group(1)) not in styles:
            continue
        t = _TYPE.search(attrs)
        if t is not None and t.group(1) != b"n":
            continue
        ref = _REF.search(attrs)
        if ref is not None:
            out.add((int(ref.group(2)), column_index(ref.group(1))))
    return out
