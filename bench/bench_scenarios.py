"""Times the `Proposé` search (every dispositif) against one allotment of the same inputs,
measured in the same run.

Run by hand (not a test):

    PYTHONPATH=. .venv/bin/python bench/bench_scenarios.py [N ...]

For each N (default 1,000 and 10,000 needs of the example campaign,
`template.build_template(example=True, n_needs=N)`): (a) `proposal.propose` for every
dispositif in one process (the designs tried, each through the engine's steps); (a')
`verbs.scenarios.propose_all` with one worker process per core (what a campaign from 5,000
needs gets); (b) the baseline: one `engine.allot` of the whole campaign; the median of 3
runs of (b), one run of (a) and (a'); the ratios and the designs tried.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from allot_xl.core.problems import Report
from allot_xl.engine import allot
from allot_xl.engine.proposal import propose
from allot_xl.inputs.read import read_inputs
from allot_xl.io.xlsx.read import read_grids
from allot_xl.template import build_template
from allot_xl.verbs.scenarios import _lenient, propose_all


def measure(n: int) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"exemple_{n}.xlsx"
        build_template(example=True, n_needs=n).save(path)
        grids = read_grids(path)
    inputs, _ = read_inputs(grids)
    loose = _lenient(grids, inputs)
    base = []
    for _ in range(3):
        t = time.perf_counter()
        allot(inputs, Report())
        base.append(time.perf_counter() - t)
    b = statistics.median(base)
    t = time.perf_counter()
    tried, per = 0, []
    for code, rule in inputs.rules.items():
        t0 = time.perf_counter()
        scenario, _ = propose(loose, rule)
        tried += scenario.searched
        per.append(f"{code} {scenario.searched} in {time.perf_counter() - t0:.2f} s")
    a = time.perf_counter() - t
    t = time.perf_counter()
    cores = os.cpu_count() or 1
    parallel = propose_all(loose, inputs.rules, processes=cores)
    p = time.perf_counter() - t
    assert len(parallel) == len(inputs.rules)
    print(f"| {n:,} | {len(inputs.needs):,} | {tried} | {a:.2f} s | {p:.2f} s ({cores}) | "
          f"{b:.2f} s | {a / b:.1f} | {p / b:.1f} | {'; '.join(per)} |")


if __name__ == "__main__":
    print("| needs | valid | designs tried | (a) search, one process | (a') search, processes "
          "(cores) | (b) one allot | (a) ÷ (b) | (a') ÷ (b) | per dispositif, one process |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[1:] or ["1000", "10000"]:
        measure(int(arg))
