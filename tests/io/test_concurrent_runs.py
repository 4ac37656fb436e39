"""Two `--in-place` runs at once on one workbook, in real processes: they take turns (a lock
beside the file), so no update is lost and each `.bak` is the workbook its run read."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import openpyxl

from allot_xl import api

DATA = Path(__file__).resolve().parents[1] / "data"
ROUNDS = 20


def _journal_rows(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for _ in wb["Journal"].iter_rows()) - 1
    finally:
        wb.close()


def _worker(path: str, start, done, errors) -> None:  # noqa: ANN001 (multiprocessing objects)
    for _ in range(ROUNDS):
        start.wait()
        try:
            api.regenerate(path, in_place=True)
        except Exception as e:  # reported to the parent, which fails the test
            errors.put(f"{type(e).__name__}: {e}")
        done.wait()


def test_twenty_rounds_of_two_concurrent_in_place_runs_lose_no_update(tmp_path) -> None:
    path = tmp_path / "classeur.xlsx"
    path.write_bytes((DATA / "A1_petit.xlsx").read_bytes())
    api.regenerate(path, in_place=True)
    ctx = mp.get_context("spawn")  # real, fresh processes
    start, done, errors = ctx.Barrier(3), ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(path), start, done, errors))
             for _ in range(2)]
    for p in procs:
        p.start()
    try:
        for k in range(ROUNDS):
            before = _journal_rows(path)
            start.wait(timeout=600)
            done.wait(timeout=600)
            assert errors.empty(), errors.get()
            after = _journal_rows(path)
            assert after == before + 2, f"tour {k + 1} : une mise à jour perdue"
            # the backup is the workbook the second run read: the first run's result
            assert _journal_rows(path.with_name("classeur.bak.xlsx")) == before + 1
            assert sorted(x.name for x in tmp_path.iterdir()) == [
                "classeur.bak.xlsx", "classeur.xlsx"]
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
