"""Times multi-attribution on 1,000 lots × 20 bids against baselines measured in the same run.

Run by hand (not a test):

    PYTHONPATH=. .venv/bin/python bench/bench_attribution.py

Prints the median of 5 runs of each step and its ratio to the baselines: building the bids
DataFrame, and scipy's linear_sum_assignment on a dense 1,000 × 1,000 matrix.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from allot_xl.core.model import Rule
from allot_xl.core.problems import Report
from allot_xl.engine.attribution import (
    DECREASING,
    OPTIMAL,
    attribute,
)
from allot_xl.engine.selection import decreasing_selection, optimal_selection

LOTS, BIDS_PER_LOT, BIDDERS, ATTRIBUTAIRES, LOTS_MAX, RUNS = 1000, 20, 60, 3, 45, 5


def make_lots(rng: np.random.Generator) -> pd.DataFrame:
    places = rng.integers(12, 81, LOTS)
    hours = places * 450.0
    return pd.DataFrame({"lot": [f"PQ-{i:04d}" for i in range(1, LOTS + 1)],
                         "dispositif": "PQ", "places": places, "hours": hours,
                         "montant": hours * 11.5, "montant_max": hours * 11.5 * 1.2})


def make_bids(rng: np.random.Generator) -> pd.DataFrame:
    bidders = np.concatenate([rng.choice(BIDDERS, BIDS_PER_LOT, replace=False)
                              for _ in range(LOTS)])
    n = LOTS * BIDS_PER_LOT
    capacity = np.where(rng.random(n) < 0.05, rng.integers(1, 10, n), np.nan)
    return pd.DataFrame({
        "row": np.arange(2, n + 2), "lot": np.repeat([f"PQ-{i:04d}" for i in range(1, LOTS + 1)],
                                                     BIDS_PER_LOT),
        "candidat": [f"Organisme {b:02d}" for b in bidders],
        "note": np.round(rng.uniform(50, 100, n), 1), "rang": np.nan,
        "prix": np.round(rng.uniform(8, 15, n), 2), "capacite": capacity})


def median_time(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(2025)
    lots, offers = make_lots(rng), make_bids(rng)
    rules = {"PQ": Rule("PQ", "Parcours qualifiants", ("Territoire", "Domaine"), "places",
                        450.0, attributaires=ATTRIBUTAIRES, repartition="prorata",
                        lots_max=LOTS_MAX)}
    lot_idx = np.repeat(np.arange(LOTS), BIDS_PER_LOT)
    bidder_idx = offers["candidat"].str[-2:].astype(int).to_numpy()
    notes = offers["note"].to_numpy()
    ranks = np.tile(np.arange(1, BIDS_PER_LOT + 1), LOTS)
    priority = np.argsort(np.argsort(-lots["montant_max"].to_numpy(), kind="stable"))
    square = rng.uniform(0, 100, (LOTS, LOTS))

    baselines = {
        "bids DataFrame (20,000 rows)": median_time(lambda: make_bids(np.random.default_rng(1))),
        "linear_sum_assignment 1000×1000": median_time(lambda: linear_sum_assignment(square)),
    }
    steps = {
        "optimal_selection (LP)": median_time(lambda: optimal_selection(
            lot_idx, bidder_idx, notes, ranks, ATTRIBUTAIRES, LOTS_MAX)),
        "decreasing_selection": median_time(lambda: decreasing_selection(
            lot_idx, bidder_idx, ranks, priority, ATTRIBUTAIRES, LOTS_MAX)),
        "attribute(optimale), whole": median_time(lambda: attribute(
            lots, rules, offers, OPTIMAL, Report())),
        "attribute(importance décroissante), whole": median_time(lambda: attribute(
            lots, rules, offers, DECREASING, Report())),
    }
    result = attribute(lots, rules, offers, OPTIMAL, Report())
    comp = result.comparison
    print(f"{LOTS} lots × {BIDS_PER_LOT} bids, {BIDDERS} bidders, Attributaires "
          f"{ATTRIBUTAIRES}, Lots max {LOTS_MAX}; median of {RUNS} runs")
    for name, t in baselines.items():
        print(f"  baseline  {name:<44} {t * 1000:8.1f} ms")
    (b1, t1), (b2, t2) = baselines.items()
    for name, t in steps.items():
        print(f"  step      {name:<44} {t * 1000:8.1f} ms   ×{t / t1:5.2f} {b1[:14]}"
              f"   ×{t / t2:5.2f} {b2[:21]}")
    for r in comp.itertuples():
        print(f"  {r.regle:<24} slots {r.places_pourvues}  total Note {r.note_totale:.1f}")


if __name__ == "__main__":
    main()
