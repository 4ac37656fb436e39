"""`--scenario Proposé` outputs pass the acceptance checker (contract v3, merges within reach
included). The checker reads the rules from the input's `Règles`: it is given a copy of the
input whose `Règles` rows hold the rules the scenario applied (what `Journal` names)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.engine.scenarios import PROPOSE
from allot_xl.inputs.read import read_inputs
from allot_xl.io.xlsx.read import read_grids
from allot_xl.verbs.scenarios import scenario_rules
from tests.workbooks import KIT, oracle

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SOURCES = {
    "A1": SHARED / "acceptance" / "A1_petit.xlsx",
    "A2": SHARED / "acceptance" / "A2_offres.xlsx",
    "example": ROOT / "workbooks" / "exemple_rhone_alpes.xlsx",
    "real": SHARED / "realdata" / "real_ain_isere.xlsx",
}
# the output's input sheets are the buyer's own, unchanged: not the copy given to the checker
ABOUT_INPUTS = ("inputs_unchanged", "inputs_formats")
FIELDS = {"Maille": lambda r: " + ".join(r.maille), "Unité": lambda r: r.unite,
          "Volume min": lambda r: r.volume_min, "Volume max": lambda r: r.volume_max,
          "Regroupement": lambda r: r.regroupement,
          "Besoins divisibles": lambda r: "oui" if r.divisible else "non",
          "Attributaires": lambda r: r.attributaires,
          "Lots max par titulaire": lambda r: r.lots_max}


def _as_applied(src: Path, dst: Path, name: str) -> Path:
    """A copy of `src` whose `Règles` rows hold scenario `name`'s rules."""
    inputs, _ = read_inputs(read_grids(src))
    rules = scenario_rules(read_grids(src), inputs, name)
    wb = openpyxl.load_workbook(src)
    ws = wb["Règles"]
    head = [c.value for c in ws[1]]
    for col in FIELDS:
        if col not in head:
            ws.cell(1, len(head) + 1, col)
            head.append(col)
    for r in range(2, ws.max_row + 1):
        rule = rules.get(ws.cell(r, 1).value)
        for col, value in FIELDS.items() if rule is not None else ():
            ws.cell(r, head.index(col) + 1, value(rule))
    wb.save(dst)
    return dst


@pytest.mark.skipif(not KIT.exists(), reason="../shared/acceptance absent")
@pytest.mark.parametrize("source", list(SOURCES))
def test_proposed_outputs_pass_the_checker(tmp_path: Path, source: str) -> None:
    src = SOURCES[source]
    if not src.exists():
        pytest.skip(f"{src.name} absent")
    inp = Path(shutil.copy(src, tmp_path / "in.xlsx"))
    out = api.regenerate(inp, tmp_path / "prop.xlsx", scenario=PROPOSE).output_path
    applied = _as_applied(inp, tmp_path / "applied.xlsx", PROPOSE)
    failed = [f for f in oracle(applied, out) if not f.startswith(ABOUT_INPUTS)]
    assert failed == []
