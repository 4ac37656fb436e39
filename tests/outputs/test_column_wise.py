"""The column-wise shortcuts of the outputs description give what the value-by-value rules
give: `column_values` is `cell_value` of each element, `_lines` is textwrap's count."""

from __future__ import annotations

import datetime as dt
import textwrap

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from allot_xl.outputs.build import LOTS_SPEC, column_values, frame_block
from allot_xl.outputs.look import _lines
from allot_xl.outputs.model import cell_value


def _same(a: object, b: object) -> bool:
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _by_value(series: pd.Series) -> list[object]:
    return [cell_value(v) for v in series]  # the rule, one value at a time


SERIES = {
    "floats": pd.Series([1.5, np.nan, np.inf, -0.0, 16000.0]),
    "ints": pd.Series([1, 0, -7], dtype="int64"),
    "unsigned": pd.Series([1, 2], dtype="uint8"),
    "booleans": pd.Series([True, False]),
    "texts": pd.Series(["AOF", "", None, " x "], dtype="str"),
    "objects": pd.Series([np.float64(2.0), None, "", np.str_("z"), np.int64(3), (1, 2),
                          True, np.nan, dt.date(2026, 1, 2)], dtype=object),
    "dates": pd.Series(pd.to_datetime(["2026-01-01", None])),
    "nullable ints": pd.Series([1, None], dtype="Int64"),
    "categories": pd.Series(pd.Categorical(["u", "", None])),
    "empty": pd.Series([], dtype="float64"),
}


def test_column_values_are_cell_value_of_each_element() -> None:
    for name, series in SERIES.items():
        got, want = column_values(series), _by_value(series)
        assert len(got) == len(want), name
        assert all(_same(g, w) for g, w in zip(got, want, strict=True)), (name, got, want)


@given(st.lists(st.one_of(st.none(), st.floats(), st.integers(-2**60, 2**60), st.booleans(),
                          st.text(max_size=5)), max_size=20))
def test_column_values_of_any_object_column(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    got = column_values(series)
    assert all(_same(g, w) for g, w in zip(got, _by_value(series), strict=True))


def test_frame_block_drops_an_empty_optional_column_and_keeps_row_lists() -> None:
    df = pd.DataFrame({"lot": ["AOF-01", "AOF-02"], "hours": [12.0, 16.0],
                       "montant_min": [None, None], "petit_lot": [True, False]})
    block = frame_block("T_Lots", df, LOTS_SPEC)
    headers = [c.header for c in block.columns]
    assert "Montant minimum (€ HT)" not in headers and len(headers) == len(LOTS_SPEC) - 1
    assert block.rows[0][:2] == ["AOF-01", None] and isinstance(block.rows[0], list)
    assert block.columns[headers.index("Heures")].format == "#,##0_-"  # whole hours


@given(st.text(alphabet="ab c-\t\n\u00a0é\u200b|_", max_size=60),
       st.sampled_from([0.5, 1, 2, 3.5, 7, 14.0, 40, 44]))
def test_lines_is_textwraps_count(text: str, chars: float) -> None:
    width = max(1, int(chars))
    assert _lines(text, chars) == max(1, len(textwrap.wrap(text, width,
                                                           break_on_hyphens=False)))


@given(st.lists(st.text(alphabet="abcdéfgh", min_size=1, max_size=12), max_size=20),
       st.integers(1, 50))
def test_lines_of_plain_words_is_textwraps_count(words: list[str], width: int) -> None:
    text = " ".join(words)
    assert _lines(text, width) == max(1, len(textwrap.wrap(text, width,
                                                           break_on_hyphens=False)))
