"""The `Proposé` search ranks designs with `Search.figures`, a shortened run of the engine's
own steps: on every candidate of the example and of the real-data workbook it must give,
value for value, the figures of a whole run of that design (`run_scenario`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from allot_xl.engine.proposal import candidates
from allot_xl.engine.scenarios import Search, figures, run_scenario
from allot_xl.inputs.read import read_inputs
from allot_xl.io.xlsx.read import read_grids
from allot_xl.verbs.scenarios import _lenient

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
        for cand in candidates(loose, rule, search.largest()):
            whole = figures(run_scenario(loose, cand), rule.code)
            whole = dataclasses.replace(whole, bidders_per_lot=None, unsuccessful=None)
            assert search.figures(cand) == whole, (rule.code, cand)
            tried += 1
    assert tried >= 20


def test_searches_in_worker_processes_equal_the_searches_in_turn() -> None:
    """Each dispositif searched in its own process (real processes, spawned, as from
    `PARALLEL_FROM` needs on): the proposals are those searched one after the other."""
    from allot_xl.verbs import scenarios as scenario_sheet

    grids = read_grids(SOURCES["example"])
    inputs, _ = read_inputs(grids)
    loose = _lenient(grids, inputs)
    in_turn = scenario_sheet.propose_all(loose, inputs.rules)  # 300 needs: one process
    assert scenario_sheet.propose_all(loose, inputs.rules, processes=2) == in_turn


def test_the_guide_worked_example_is_what_the_tool_computes() -> None:
    """The buyer's guide answers « places ou heures ? » with a table of the example
    campaign's PQ scenarios: each row's figures are those the comparison computes."""
    from allot_xl.core.french import nombre as french
    from allot_xl.engine.scenarios import Scenario

    def nombre(x: float) -> str:  # the guide's tables use plain spaces
        return french(x).replace("\xa0", " ")
    from allot_xl.verbs.scenarios import compare

    guide = (ROOT / "docs" / "guide-acheteur.md").read_text("utf-8")
    table = guide.split("**Exemple : places ou heures")[1].split("\n\n")[1]
    shown = {line.split(" | ")[0].strip("| ").split(" (")[0]: line.strip("|").split(" | ")
             for line in table.splitlines()[2:]}
    grids = read_grids(SOURCES["example"])
    inputs, _ = read_inputs(grids)
    hours = dataclasses.replace(inputs.rules["PQ"], unite="heures", volume_min=12 * 450.0,
                                volume_max=80 * 450.0)
    rows = {s.name: (s, f) for s, f in compare(grids, inputs) if s.dispositif == "PQ"}
    loose = _lenient(grids, inputs)
    rows["En heures"] = (Scenario("En heures", "PQ", hours),
                         figures(run_scenario(loose, hours), "PQ"))
    for name, (s, f) in rows.items():
        cells = [c.strip() for c in shown[name]]
        if name == "Proposé":
            maille = " + ".join(s.rule.maille)
            assert f"Proposé ({maille}, {s.rule.regroupement})" == cells[0]
        assert cells[1] == s.rule.unite
        assert cells[2] == f"{nombre(s.rule.volume_min)} – {nombre(s.rule.volume_max)}"
        assert cells[3] == str(f.lots)
        assert cells[4] == " / ".join(nombre(v) for v in f.places)
        assert cells[5] == str(f.out_of_bounds)
        assert cells[6] == f"{nombre(f.share)} %"
        assert cells[7] == str(f.small_for_smes)
