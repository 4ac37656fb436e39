"""The sheet writer's column-wise data rows give, cell for cell, what `_Cells.cell` gives one
value at a time; texts escaped in bulk are escaped as `inline` escapes them one by one."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allot_xl.io.xlsx.sheet import _CHUNK, MAX_TEXT, _Cells, _data_rows, inline, letter
from allot_xl.outputs.look import Look
from allot_xl.outputs.model import Block, Column

COLUMNS = [Column("N", "#,##0_-"), Column("T", None, wrap=True), Column("G"),
           Column("H", "0.0_-", wrap=True), Column("D", "dd/mm/yyyy")]
XF = {Look(num="#,##0_-"): 3, Look(num=None, wrap=True): 4, Look(num="0.0_-", wrap=True): 5,
      Look(num="dd/mm/yyyy"): 6, Look(num="dd/mm/yyyy hh:mm:ss"): 7}
ODD = [None, "", "x", "A & <b>", " lead", "_x0041_", "\x01", 1, 2.5, math.nan, math.inf,
       -0.0, 10**20, True, False, np.float64(3.0), np.float64("nan"), np.int64(4),
       np.bool_(True), np.str_("s"), dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4), (1, 2)]


def _one_by_one(block: Block, cells: _Cells) -> dict[int, str]:
    """Row -> XML of its cells, each made by `_Cells.cell` (rows without a cell left out):
    texts and numbers with their column's look, other values (converted by `cell`) with
    its number format only."""
    out = {}
    for r, rec in enumerate(block.rows, start=block.row + 1):
        xml = "".join(
            cells.cell(f"{letter(block.col + j)}{r}", v, c.format,
                       wrap=c.wrap and type(v) in (str, int, float))
            for j, (c, v) in enumerate(zip(block.columns, rec, strict=False)))
        if xml:
            out[r] = xml
    return out


def _written(block: Block, cells: _Cells) -> dict[int, str]:
    rows = list(_data_rows(block, cells))
    assert [r for r, _, _ in rows] == sorted({r for r, _, _ in rows})
    assert all(c == block.col for _, c, _ in rows)
    return {r: xml for r, _, xml in rows if xml}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(ODD), max_size=7), max_size=30),
       st.integers(1, 5), st.integers(1, 4))
def test_data_rows_are_the_cells_one_by_one(rows: list[list], row: int, col: int) -> None:
    block = Block("T", COLUMNS, rows, row=row, col=col)
    assert _written(block, _Cells(XF, False)) == _one_by_one(block, _Cells(XF, False))


def test_columns_of_one_type_across_chunks() -> None:
    n = _CHUNK + 5
    rows = [[float(i), f"texte {i % 7}", None if i % 3 else "g", i, None] for i in range(n)]
    rows[7][0], rows[8][1], rows[_CHUNK][3] = math.nan, "", math.inf
    block = Block("T", COLUMNS, rows, row=4, col=2)
    assert _written(block, _Cells(XF, True)) == _one_by_one(block, _Cells(XF, True))


def test_a_row_whose_only_value_makes_no_cell_is_still_a_row() -> None:
    block = Block("T", COLUMNS, [[np.float64("nan")], [None]])
    assert [(r, xml) for r, _, xml in _data_rows(block, _Cells(XF, False))] == [(2, "")]


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab &<_x0041F\x01\t\n\r\ud800é",
                                             max_size=8)), max_size=40))
def test_texts_in_bulk_are_escaped_as_one_by_one(values: list[str | None]) -> None:
    known = _Cells({}, False).texts([*values, "y" * (MAX_TEXT + 3)])
    assert all(known[v] == inline(v) for v in values if v)
    assert known["y" * (MAX_TEXT + 3)] == inline("y" * (MAX_TEXT + 3))
