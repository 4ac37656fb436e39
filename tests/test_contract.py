"""The contract as code: name folding, choices, and the numbers it accepts (and no others)."""

from __future__ import annotations

import datetime as dt

import pytest

from allot_xl.core.contract import (
    REGROUPEMENTS,
    REPARTITIONS,
    BadNumber,
    CellError,
    NoCachedValue,
    PercentValue,
    canonical_choice,
    fold,
    parse_number,
    sort_key,
)


@pytest.mark.parametrize("name", ["heures", "HEURES", "Heures ", "Héures", "heures\u00a0",
                                  "  Heures"])
def test_names_fold_alike(name: str) -> None:
    assert fold(name) == fold("Heures")


def test_cle_order_ignores_case_and_accents() -> None:
    assert sorted(["Hôtellerie", "Énergie", "commerce"], key=sort_key) == [
        "commerce", "Énergie", "Hôtellerie"]


@pytest.mark.parametrize("text, choices, expected", [
    ("Parts egales", REPARTITIONS, "parts égales"), ("part égale", REPARTITIONS, "parts égales"),
    ("Voisine", REGROUPEMENTS, "voisines"), ("TERRITOIRE", REGROUPEMENTS, "territoire"),
    ("au hasard", REPARTITIONS, None),
])
def test_choices_match_folded_singular_or_plural(text, choices, expected) -> None:
    assert canonical_choice(text, choices) == expected


@pytest.mark.parametrize("value, expected", [
    (16000, 16000.0), (3.5, 3.5), ("16 000", 16000.0), ("16\u00a0000", 16000.0),
    ("16\u202f000", 16000.0), ("3,5", 3.5), ("3.5", 3.5), ("1 200,50 €", 1200.5),
    ("1 200,50 € HT", 1200.5), ("1.200,50", 1200.5), ("1,200.50", 1200.5), ("1,200", 1.2),
    ("", None), (None, None), ("  ", None),
])
def test_accepted_numbers(value, expected) -> None:
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", [
    "abc", "3 000 h", "1,200,000", "1'000", "12 %", "#N/A", "#DIV/0!", True,
    dt.date(2027, 1, 1), dt.datetime(2027, 1, 1, 8), float("nan"), CellError("#REF!"),
    NoCachedValue("SUM(A1:A3)"),
])
def test_anything_else_is_an_error_with_a_french_reason(value) -> None:
    with pytest.raises(BadNumber) as e:
        parse_number(value)
    assert any(w in str(e.value) for w in ("texte", "Excel", "date", "VRAI", "fini", "formule"))


def test_percentages_where_a_percentage_is_expected() -> None:
    assert parse_number("12 %", percent=True) == 12.0
    assert parse_number(PercentValue(1.2), percent=True) == pytest.approx(120.0)
    assert parse_number(PercentValue(1.2)) == pytest.approx(1.2)


def test_every_regles_column_names_its_rule_field_once() -> None:
    """`RULE_FIELDS` maps each `Règles` column to a `model.Rule` field, every field but the
    Excel row; the scenario overrides and their labels derive from it."""
    import dataclasses

    from allot_xl.core.contract import COLUMNS, REGLES, RULE_FIELDS, SCENARIO_OVERRIDES
    from allot_xl.core.model import Rule
    from allot_xl.engine.scenarios import FIELDS
    from allot_xl.outputs.scenarios import RULE_LABELS

    assert list(RULE_FIELDS) == [c.name for c in COLUMNS[REGLES]]
    assert sorted(RULE_FIELDS.values()) == sorted(
        f.name for f in dataclasses.fields(Rule) if f.name != "row")
    assert FIELDS == tuple(RULE_FIELDS[c] for c in SCENARIO_OVERRIDES)
    assert [label for _, label in RULE_LABELS] == list(SCENARIO_OVERRIDES)


def test_every_input_column_and_parameter_carries_its_help() -> None:
    """The template's help comes from the declarations (`core/descriptions.py`, attached by
    the contract): every input column and parameter has a French help, and every help or
    format names a declared column (a renamed column cannot leave its help behind)."""
    from allot_xl.core import contract as C
    from allot_xl.core import descriptions as D

    for sheet in (C.BESOINS, C.ZONES, C.REGLES, C.PARAMETRES, C.OFFRES):
        assert [c.name for c in C.COLUMNS[sheet] if not c.help] == [], sheet
    assert [p.label for p in C.PARAMETERS if not p.help] == []
    declared = {(s, c.name) for s, cols in C.COLUMNS.items() for c in cols}
    for table in (D.HELP, D.NUMBER_FORMATS):
        assert {(s, n) for s, cols in table.items() for n in cols} <= declared
    assert set(D.PARAM_HELP) <= {p.label for p in C.PARAMETERS}
    assert C.column(C.REGLES, "Taux horaire (€)").number_format == D.EURO
