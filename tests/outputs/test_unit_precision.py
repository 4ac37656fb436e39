"""No output cell holds a number with more decimals than its unit (issue 22): places and
counts whole, hours and amounts to the cent — on every output sheet of the acceptance,
example and real-data workbooks (never `4050.0000000000005` h)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.outputs.model import (
    FMT_EUR,
    FMT_EUR_WHOLE,
    FMT_HOURS,
    FMT_INT,
    Block,
    Column,
    Outputs,
    Sheet,
    at_unit_precision,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
WORKBOOKS = [SHARED / "acceptance" / "A1_petit.xlsx", SHARED / "acceptance" / "A2_offres.xlsx",
             ROOT / "workbooks" / "exemple_rhone_alpes.xlsx",
             SHARED / "realdata" / "real_ain_isere.xlsx"]
UNIT = {FMT_INT: 0, FMT_HOURS: 2, FMT_EUR: 2, FMT_EUR_WHOLE: 2}
OUTPUTS = ("Lots", "Affectation", "Multi-attribution", "Synthèse", "Contrôles", "Journal",
           "Comparaison des scénarios")


def _decimals(x: float) -> int:
    return max(0, -Decimal(repr(x)).normalize().as_tuple().exponent)


def _unit_of(cell, headers: dict[int, str]) -> int | None:
    """Decimals of the cell's unit: from its number format, else from its header."""
    if cell.number_format in UNIT:
        return UNIT[cell.number_format]
    head = headers.get(cell.column, "")
    if head in ("Places", "Nb besoins", "Lots"):
        return 0
    if head == "Heures" or "€" in head and "médian" not in head:
        return 2
    return None


def _too_precise(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    bad = []
    for ws in wb.worksheets:
        if ws.title not in OUTPUTS:
            continue
        headers: dict[int, str] = {}
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    headers[cell.column] = cell.value
                    continue
                if type(cell.value) is not float:
                    continue
                unit = _unit_of(cell, headers)
                if unit is not None and _decimals(cell.value) > unit:
                    bad.append(f"{ws.title}!{cell.coordinate} = {cell.value!r} "
                               f"({cell.number_format})")
    return bad


@pytest.mark.parametrize("source", [p for p in WORKBOOKS if p.exists()], ids=lambda p: p.name)
def test_no_output_number_has_more_decimals_than_its_unit(tmp_path, source: Path) -> None:
    src = tmp_path / source.name
    shutil.copy(source, src)
    src.chmod(0o644)
    out = api.regenerate(src, tmp_path / "sortie.xlsx").output_path
    assert _too_precise(out) == []
    if source.name == "A1_petit.xlsx":  # the comparison of scenarios too
        assert _too_precise(api.scenarios(src, tmp_path / "scenarios.xlsx")) == []


def test_rounding_keeps_exact_values_and_shows_whole_hours_without_decimals() -> None:
    block = Block("T", [Column("Places", FMT_INT), Column("Heures", FMT_HOURS),
                        Column("Montant", FMT_EUR), Column("Part (%)", "0.00_-")],
                  [[12.0, 4050.0000000000005, 1234.5600000000002, 33.333333333333336],
                   [3.0, 12.0, 0.1 + 0.2, 66.66666666666667]],
                  total=[15.0, 4062.0000000000005, 1234.8600000000001, 100.0])
    at_unit_precision(Outputs([Sheet("Lots", [block])]))
    assert block.rows == [[12.0, 4050.0, 1234.56, 33.333333333333336],
                          [3.0, 12.0, 0.3, 66.66666666666667]]
    assert block.total == [15.0, 4062.0, 1234.86, 100.0]
    assert block.columns[1].format == FMT_INT  # whole once rounded: no decimals shown
    kept = Block("T", [Column("Heures", FMT_HOURS)], [[12.5], [None], ["texte"]])
    at_unit_precision(Outputs([Sheet("Lots", [kept])]))
    assert kept.rows == [[12.5], [None], ["texte"]] and kept.columns[0].format == FMT_HOURS
