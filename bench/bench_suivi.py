"""Times `suivi` (following the purchase orders, issue 25) against the regeneration of the
same workbook, measured in the same run.

Run by hand (not a test):

    PYTHONPATH=. .venv/bin/python bench/bench_suivi.py [NEEDS] [ORDERS]

Input: the example campaign with its `Offres` (`template.build_template(example=True,
n_needs=NEEDS, orders=True)`, default 5,700 needs: about 1,000 lots), regenerated once so
that it holds its `Lots`, `Multi-attribution` and `Journal`; then `Commandes` replaced by
ORDERS orders (default 10,000) spread over every awarded lot and its holders, dated within
the term, each small enough that no lot passes its maximum. Measured, interleaved, median
of 3 runs each: (a) `api.regenerate(IN, OUT)`, which with `Commandes` also follows the
orders (the baseline); (b) `api.suivi(IN, OUT)`. The ratio (b) ÷ (a) goes to
docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from allot_xl import api
from allot_xl.core.contract import COLUMNS, COMMANDES
from allot_xl.template import build_template

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdoc import write_section  # noqa: E402

HEADING = "## Suivi des commandes (`bench/bench_suivi.py`)"


def _rows(ws) -> list[dict]:
    """The rows of the table at A1 (up to its first blank header: `Multi-attribution` has
    a second table beside it)."""
    it = ws.iter_rows(values_only=True)
    first = list(next(it))
    head = first[:first.index(None)] if None in first else first
    return [dict(zip(head, r[:len(head)], strict=True)) for r in it if r and r[0] is not None]


def with_many_orders(src: Path, n_orders: int, dst: Path) -> tuple[int, int]:
    """`src` (regenerated) saved as `dst` with `n_orders` orders; (lots, lots ordered)."""
    wb = openpyxl.load_workbook(src)
    lots = {r["N° lot"]: r for r in _rows(wb["Lots"])}
    holders: dict[str, list[str]] = {}
    for r in _rows(wb["Multi-attribution"]):
        if r["Rang"] is not None and r["Titulaire"]:
            holders.setdefault(r["N° lot"], []).append(r["Titulaire"])
    awarded = [n for n in lots if n in holders]
    ws = wb[COMMANDES]
    ws.delete_rows(2, ws.max_row)
    start = dt.datetime(2027, 1, 4)
    per_lot = -(-n_orders // len(awarded))
    for i in range(n_orders):
        lot = awarded[i % len(awarded)]
        amount = round(float(lots[lot]["Montant maximum (€ HT)"]) * 0.7 / per_lot, 2)
        ws.append([f"BC-{i + 1:06d}", start + dt.timedelta(days=(i * 7) % 360), lot,
                   holders[lot][0], 1, 10, amount, "non"])
    width = len(COLUMNS[COMMANDES])
    ws.tables["T_Commandes"].ref = f"A1:{get_column_letter(width)}{n_orders + 1}"
    wb.save(dst)
    return len(lots), len(awarded)


def measure(n_needs: int, n_orders: int, runs: int = 3) -> str:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        src = folder / "exemple.xlsx"
        build_template(example=True, n_needs=n_needs, orders=True).save(src)
        base = api.regenerate(src, folder / "base.xlsx").output_path
        path = folder / "commandes.xlsx"
        n_lots, n_awarded = with_many_orders(base, n_orders, path)
        regen, suivi = [], []
        for _ in range(runs):
            t = time.perf_counter()
            run = api.regenerate(path, folder / "regen.xlsx")
            regen.append(time.perf_counter() - t)
            t = time.perf_counter()
            api.suivi(path, folder / "suivi.xlsx")
            suivi.append(time.perf_counter() - t)
        followed = len(run.result.orders.orders)
    a, b = statistics.median(regen), statistics.median(suivi)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{HEADING}\n\n"
        f"{dt.date.today():%Y-%m-%d}. Input: the example campaign with its `Offres` "
        f"(`build_template(example=True, n_needs={n_needs:,}, orders=True)`), regenerated "
        f"once, then `Commandes` replaced by {n_orders:,} orders spread over its "
        f"{n_awarded:,} awarded lots ({n_lots:,} lots), none past its maximum. Median of "
        f"{runs} runs each, interleaved, one process. Baseline: the regeneration itself "
        f"(`api.regenerate`, which with `Commandes` also follows the orders). Machine: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average at the "
        f"end {load}.\n\n"
        f"| orders followed | lots | (a) `api.regenerate` | (b) `api.suivi` | (b) ÷ (a) |\n"
        f"|---|---|---|---|---|\n"
        f"| {followed:,} | {n_lots:,} | {a:.2f} s | {b:.2f} s | {b / a:.2f} |\n\n"
        f"`suivi` reads the same sheets and runs the same allotment (the lots and holders "
        f"the orders name are the run's), but describes and writes one sheet instead of "
        f"seven; following the orders themselves is a small share of either.\n")


def main() -> None:
    n_needs = int(sys.argv[1]) if len(sys.argv) > 1 else 5700
    n_orders = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    text = measure(n_needs, n_orders)
    print(text)
    write_section(HEADING, text)


if __name__ == "__main__":
    main()
