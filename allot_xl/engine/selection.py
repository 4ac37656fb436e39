"""Choosing holders exactly: `importance décroissante` in lot order, `optimale` by LP/MILP."""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from ..core.problems import StructuralError

if TYPE_CHECKING:  # SciPy is imported by the functions that solve: the engine loads light
    import scipy.sparse as sp


def decreasing_selection(lot_idx: np.ndarray, bidder_idx: np.ndarray, ranks: np.ndarray,
                         lot_priority: np.ndarray, attributaires: int,
                         lots_max: int | None) -> np.ndarray:
    """`importance décroissante` (CE 20 févr. 2013, n° 363656): lots in `lot_priority`
    order (0 first) each take their best-ranked bidders not yet at `lots_max` lots."""
    mask = np.zeros(len(lot_idx), dtype=bool)
    per_lot: Counter = Counter()
    per_bidder: Counter = Counter()
    for i in np.lexsort((ranks, np.asarray(lot_priority)[lot_idx])):
        lot, who = lot_idx[i], bidder_idx[i]
        if per_lot[lot] >= attributaires or (lots_max is not None and per_bidder[who] >= lots_max):
            continue
        mask[i] = True
        per_lot[lot] += 1
        per_bidder[who] += 1
    return mask


def optimal_selection(lot_idx: np.ndarray, bidder_idx: np.ndarray, notes: np.ndarray,
                      ranks: np.ndarray, attributaires: int, lots_max: int | None) -> np.ndarray:
    """`optimale`, exact: the most filled slots, then the highest total Note, then (among
    equal optima) the lowest sum of ranks. One bid per (lot, bidder) pair."""
    n = len(lot_idx)
    if n == 0 or attributaires <= 0 or lots_max == 0:
        return np.zeros(n, dtype=bool)
    lot_idx = np.unique(lot_idx, return_inverse=True)[1]
    bidder_idx = np.unique(bidder_idx, return_inverse=True)[1]
    if lots_max is None or np.bincount(bidder_idx).max() <= lots_max:
        return _best_per_lot(lot_idx, notes, ranks, attributaires)
    _need_scipy()
    return _lp_selection(lot_idx, bidder_idx, np.asarray(notes, dtype=float),
                         np.asarray(ranks, dtype=float), attributaires, lots_max)


SCIPY_NEEDED = (
    "Attribution « optimale » : un candidat est classé sur plus de lots que « Lots max par "
    "titulaire » ne le permet, et ce choix exact demande la bibliothèque scipy, absente ici. "
    "Dans xlwings Lite, ajoutez la ligne « scipy » à l'onglet requirements.txt puis "
    "rechargez le complément ; ailleurs, installez allot_xl[cli] (ou scipy). Vous pouvez "
    "aussi choisir « importance décroissante » dans Paramètres. Rien n'a été écrit.")


def _need_scipy() -> None:
    """StructuralError (French, naming what to add) when SciPy cannot be imported: the one
    step of the engine that needs a compiled solver (xlwings Lite installs SciPy only when
    its requirements.txt names it)."""
    try:
        import scipy.optimize  # noqa: F401
    except ImportError:
        raise StructuralError(SCIPY_NEEDED) from None


def _best_per_lot(lot_idx: np.ndarray, notes: np.ndarray, ranks: np.ndarray,
                  k: int) -> np.ndarray:
    """No cap can bind: each lot keeps its k best notes (better rank first on ties)."""
    order = np.lexsort((ranks, -np.asarray(notes, dtype=float), lot_idx))
    sorted_lots = lot_idx[order]
    first = np.searchsorted(sorted_lots, sorted_lots, side="left")
    mask = np.zeros(len(lot_idx), dtype=bool)
    mask[order[np.arange(len(order)) - first < k]] = True
    return mask


def _lp_selection(lot_idx: np.ndarray, bidder_idx: np.ndarray, notes: np.ndarray,
                  ranks: np.ndarray, k: int, cap: int) -> np.ndarray:
    """The constraint matrix is a bipartite incidence matrix (totally unimodular), so a
    simplex vertex is integral. One LP with weight M + note per bid, M > C·min(lots,
    bidders) (C = note range), is exact: an augmenting path adds a slot and removes at
    most min(lots, bidders) − 1 bids. A second LP on the optimal face (fixed by the
    reduced costs) takes the lowest sum of ranks. Checked; else an exact MILP."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n_lots, n_bidders = lot_idx.max() + 1, bidder_idx.max() + 1
    cols = np.arange(len(lot_idx))
    a = sp.vstack([sp.csr_matrix((np.ones(len(cols)), (lot_idx, cols)), shape=(n_lots, len(cols))),
                   sp.csr_matrix((np.ones(len(cols)), (bidder_idx, cols)),
                                 shape=(n_bidders, len(cols)))]).tocsr()
    b = np.r_[np.full(n_lots, k), np.full(n_bidders, cap)].astype(float)
    slots = _max_slots(lot_idx, bidder_idx, k, cap)
    shifted = notes - notes.min()
    weight = float(shifted.max()) * min(n_lots, n_bidders) + 1.0
    first = linprog(-(weight + shifted), A_ub=a, b_ub=b, bounds=(0, 1), method="highs-ds")
    if first.status != 0 or not _valid(first.x, a, b, slots):
        return _milp_selection(a, b, notes, ranks)
    best = np.round(first.x).astype(bool)
    eps = 1e-9 * (weight + float(shifted.max()))
    lower = np.where(first.upper.marginals < -eps, 1.0, 0.0)
    upper = np.where(first.lower.marginals > eps, 0.0, 1.0)
    tight = first.ineqlin.marginals < -eps
    second = linprog(ranks, A_ub=a[~tight] if (~tight).any() else None,
                     b_ub=b[~tight] if (~tight).any() else None,
                     A_eq=a[tight] if tight.any() else None, b_eq=b[tight] if tight.any() else None,
                     bounds=np.c_[lower, upper], method="highs-ds")
    if second.status == 0 and _valid(second.x, a, b, slots):
        tied = np.round(second.x).astype(bool)
        if math.fsum(notes[tied]) >= math.fsum(notes[best]) - 1e-9 * max(1.0, notes.max()):
            return tied
    return best


def _valid(x: np.ndarray | None, a: sp.csr_matrix, b: np.ndarray, slots: int) -> bool:
    if x is None or np.abs(x - np.round(x)).max(initial=0.0) > 1e-6:
        return False
    xi = np.round(x)
    return bool((a @ xi <= b + 1e-9).all()) and int(xi.sum()) == slots


def _max_slots(lot_idx: np.ndarray, bidder_idx: np.ndarray, k: int, cap: int) -> int:
    """Most (lot, bidder) pairs: a maximum flow source → bidders → lots → sink."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_flow

    n_lots, n_bidders = lot_idx.max() + 1, bidder_idx.max() + 1
    sink = n_bidders + n_lots + 1
    heads = np.r_[np.arange(n_bidders) + 1, lot_idx + n_bidders + 1, np.full(n_lots, sink)]
    tails = np.r_[np.zeros(n_bidders, int), bidder_idx + 1, np.arange(n_lots) + n_bidders + 1]
    caps = np.r_[np.full(n_bidders, cap), np.ones(len(lot_idx)), np.full(n_lots, k)]
    graph = sp.csr_matrix((caps.astype(np.int32), (tails, heads)), shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, 0, sink).flow_value)


def _milp_selection(a: sp.csr_matrix, b: np.ndarray, notes: np.ndarray,
                    ranks: np.ndarray) -> np.ndarray:
    """Fallback, exact and slower: slots, then notes, then ranks, each a MILP (as the kit)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = a.shape[1]
    cons = [LinearConstraint(a, -np.inf, b)]
    ones, integ, box = np.ones(n), np.ones(n), Bounds(0, 1)
    x = milp(-ones, constraints=cons, integrality=integ, bounds=box).x
    cons.append(LinearConstraint(ones[None, :], round(x.sum()), round(x.sum())))
    x = milp(-notes, constraints=cons, integrality=integ, bounds=box).x
    best = np.round(x).astype(bool)
    floor = math.fsum(notes[best]) - 1e-9 * max(1.0, notes.max())
    cons.append(LinearConstraint(notes[None, :], floor, np.inf))
    res = milp(ranks, constraints=cons, integrality=integ, bounds=box)
    tied = np.round(res.x).astype(bool) if res.x is not None else best
    return tied if math.fsum(notes[tied]) >= floor else best
