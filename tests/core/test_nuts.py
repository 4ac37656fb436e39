"""The département -> NUTS 3 table (core/nuts.py) agrees with the eForms SDK's codelist."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from allot_xl.core.nuts import DEPARTEMENTS, NUTS3, departement_code, nuts3

CODELIST = (Path(__file__).resolve().parents[2].parent / "shared" / "publication"
            / "eforms-sdk" / "codelists" / "nuts_nuts-fra-lvl3.gc")


def _codelist() -> dict[str, str]:
    rows = ET.parse(CODELIST).getroot().iter("Row")
    out = {}
    for row in rows:
        vals = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.findall("Value")}
        out[vals["code"]] = vals["fra_label"]
    return out


@pytest.mark.skipif(not CODELIST.exists(), reason="../shared/publication absent")
def test_every_code_is_in_the_sdk_codelist_with_the_departements_name() -> None:
    codes = _codelist()
    for dep, code, name in DEPARTEMENTS:
        assert codes.get(code) == name, (dep, code)
    # every French NUTS 3 region but Extra-Regio is some département's
    assert set(codes) - {"FRZZZ"} == set(NUTS3.values())


def test_the_table_covers_every_departement_once() -> None:
    deps = [d for d, _, _ in DEPARTEMENTS]
    assert len(deps) == len(set(deps)) == 101  # 96 in mainland France and Corsica, 5 overseas
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(deps)
    assert "20" not in deps and "975" not in deps


@pytest.mark.parametrize(("cell", "code"), [(1, "01"), (1.0, "01"), ("1", "01"), (" 01 ", "01"),
                                            ("2a", "2A"), (974, "974"), ("69M", "69")])
def test_a_cell_gives_the_insee_code(cell: object, code: str) -> None:
    assert departement_code(cell) == code


def test_nuts3() -> None:
    assert nuts3("01") == "FRK21"
    assert nuts3(1) == "FRK21"
    assert nuts3("2B") == "FRM02"
    assert nuts3("975") is None
    assert nuts3("Ain") is None
