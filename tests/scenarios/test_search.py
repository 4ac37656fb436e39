"""The `Proposé` search ranks designs with `Search.figures`, a shortened run of the engine's
own steps: on every candidate of the example and of the real-data workbook it must give,
value for value, the figures of a whole run of that design (`run_scenario`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from allot_xl.adapters.xlsx_read import read_grids
from allot_xl.engine.proposal import candidates
from allot_xl.engine.scenarios import Search, figures, run_scenario
from allot_xl.inputs import read_inputs
from allot_xl.scenario_sheet import _lenient

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"example": ROOT / "workbooks" / "exemple_rhone_alpes.xlsx",
           "real": ROOT.parent / "shared" / "realdata" / "real_ain_isere.xlsx"}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_search_figures_equal_a_whole_run_of_every_candidate(source: str) -> None:
    path = SOURCES[source]
    if not path.exists():
        pytest.skip("workbook absent")
    grids = read_grids(path)
    inputs, _ = read_inputs(grids)
    loose = _lenient(grids, inputs)
    tried = 0
    for rule in inputs.rules.values():
        search = Search(loose, rule)
        for cand in candidates(loose, rule):
            whole = figures(run_scenario(loose, cand), rule.code)
            whole = dataclasses.replace(whole, bidders_per_lot=None, unsuccessful=None)
            assert search.figures(cand) == whole, (rule.code, cand)
            tried += 1
    assert tried >= 20


def test_searches_in_worker_processes_equal_the_searches_in_turn() -> None:
    """Each dispositif searched in its own process (real processes, spawned, as from
    `PARALLEL_FROM` needs on): the proposals are those searched one after the other."""
    from allot_xl import scenario_sheet

    grids = read_grids(SOURCES["example"])
    inputs, _ = read_inputs(grids)
    loose = _lenient(grids, inputs)
    in_turn = scenario_sheet.propose_all(loose, inputs.rules)  # 300 needs: one process
    assert scenario_sheet.propose_all(loose, inputs.rules, processes=2) == in_turn
