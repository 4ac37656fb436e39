"""Property: no number text is read as a value other than a French reader's, unless the
reading is flagged ambiguous (a message then names the cell)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from allot_xl.core.contract import BadNumber, read_number

SPACES = [" ", "\u00a0", "\u202f", "\u2009", "\u2007"]


@st.composite
def french_text(draw) -> tuple[str, float]:
    whole = draw(st.integers(0, 10**9))
    cents = draw(st.integers(0, 99))
    decimals = draw(st.sampled_from([0, 1, 2]))
    sep = draw(st.sampled_from([*SPACES, ".", ""]))
    digits = f"{whole:,}".replace(",", sep)
    value = whole + (round(cents / 10**(2 - decimals)) / 10**decimals if decimals else 0)
    frac = f"{value - whole:.{decimals}f}"[2:] if decimals else ""
    text = digits + ("," + frac if decimals else "")
    sign = draw(st.sampled_from(["", "-", "+"]))
    suffix = draw(st.sampled_from(["", " €", "€ HT", " %"]))
    value = float(f"{whole}.{frac or 0}") * (-1 if sign == "-" else 1)
    return sign + text + suffix, value


@given(french_text())
def test_french_texts_read_as_written_or_flagged(case: tuple[str, float]) -> None:
    text, value = case
    r = read_number(text, percent=True)
    assert r.value == value or r.ambiguous, (text, r)


@given(st.text(alphabet="0123456789.,  \u00a0e+-%€", max_size=14))
def test_any_text_is_unambiguous_only_when_single_reading(text: str) -> None:
    try:
        r = read_number(text, percent=True)
    except BadNumber:
        return
    if r.value is None or r.ambiguous:
        return
    assert not ("." in text and "," in text), text
