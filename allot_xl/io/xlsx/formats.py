"""Which cells of a sheet Excel shows as percentages (120 % is stored as 1.2 with a % format)."""

from __future__ import annotations

import re

from ...core.shown import padded_zeros
from .cells import column_index, positional, walk
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


def percent_cells(xml: bytes, styles: set[int]) -> set[tuple[int, int]]:
    """(row, col) of the numeric cells of a sheet's XML formatted with one of `styles`."""
    out: set[tuple[int, int]] = set()
    if not styles:
        return out
    if b"<c>" in xml or b":c>" in xml or positional(xml):  # cells placed by position
        return {(r, c) for r, c, attrs, _ in walk(xml) if _percent_attrs(attrs, styles)}
    for m in _CELL.finditer(xml):
        attrs = m.group(1)
        if not _percent_attrs(attrs, styles):
            continue
        ref = _REF.search(attrs)
        if ref is not None:
            out.add((int(ref.group(2)), column_index(ref.group(1))))
    return out


def _percent_attrs(attrs: bytes, styles: set[int]) -> bool:
    """Whether a cell's attributes give it a percentage style and a number type."""
    s = _STYLE.search(attrs)
    if s is None or int(s.group(1)) not in styles:
        return False
    t = _TYPE.search(attrs)
    return t is None or t.group(1) == b"n"


# built-in date formats as Excel shows them in a French locale (14 follows the system's
# short date, dd/mm/yyyy in France)
DATE_BUILTIN = {14: "dd/mm/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
                22: "dd/mm/yyyy hh:mm", 27: "dd/mm/yyyy", 30: "dd/mm/yyyy", 36: "dd/mm/yyyy",
                50: "dd/mm/yyyy", 57: "dd/mm/yyyy"}


def shown_styles(styles: bytes | None) -> dict[int, str]:
    """Cell format index (cellXfs) -> number format code, for the formats that show a date
    or a number padded with zeros (`00000`)."""
    if not styles:
        return {}
    root = parse(styles)
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
              for f in root.iter(q(NS_MAIN, "numFmt"))}
    xfs = root.find(q(NS_MAIN, "cellXfs"))
    out = {}
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0"))
        code = DATE_BUILTIN.get(fid) or custom.get(fid, "")
        if code and (_is_date(code) or padded_zeros(code)):
            out[i] = code
    return out


def _is_date(code: str) -> bool:
    bare = re.sub(r"\[[^\]]*\]", "", _QUOTED.sub("", code)).lower()
    return any(ch in bare for ch in "dmy")


def styled_cells(xml: bytes, styles: dict[int, str]) -> dict[tuple[int, int], str]:
    """(row, col) -> format code of the numeric cells of a sheet's XML whose style is one of
    `styles`."""
    out: dict[tuple[int, int], str] = {}
    if not styles:
        return out
    wanted = set(styles)
    if b"<c>" in xml or b":c>" in xml or positional(xml):
        for r, c, attrs, _ in walk(xml):
            if _percent_attrs(attrs, wanted):
                out[(r, c)] = styles[int(_STYLE.search(attrs).group(1))]
        return out
    for m in _CELL.finditer(xml):
        attrs = m.group(1)
        if not _percent_attrs(attrs, wanted):
            continue
        ref = _REF.search(attrs)
        if ref is not None:
            out[(int(ref.group(2)), column_index(ref.group(1)))] = styles[
                int(_STYLE.search(attrs).group(1))]
    return out
