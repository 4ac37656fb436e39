"""The fingerprint computed row by row in one pass is the hash of the canonical values as
the contract defines them; the collector pause restores the collector's state."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allot_xl.core.contract import CellError, NoCachedValue, fold
from allot_xl.inputs.grid import (
    SheetGrid,
    _canonical_value,
    fingerprint,
    paused_gc,
    read_table,
)

VALUES = st.one_of(
    st.none(), st.text(alphabet=" \x1fabcé\t", max_size=4), st.floats(), st.booleans(),
    st.integers(-10**20, 10**20), st.sampled_from([dt.date(2026, 1, 2),
                                                   dt.datetime(2026, 1, 2, 3, 4),
                                                   CellError("#N/A"), NoCachedValue("A1")]))


def _reference(grids: list[SheetGrid]) -> str:
    """The definition: per sheet (by folded name) its folded name, then each row's canonical
    texts without the trailing empty ones, trailing empty rows left out."""
    h = hashlib.sha256()
    for g in sorted(grids, key=lambda g: fold(g.name)):
        h.update(fold(g.name).encode() + b"\x1e")
        rows = [[_canonical_value(v) for v in r] for r in g.values]
        for r in rows:
            while r and r[-1] == "":
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        for r in rows:
            h.update("\x1f".join(r).encode() + b"\x1d")
    return h.hexdigest()[:16]


@given(st.lists(st.tuples(st.sampled_from(["Besoins", "Zones", "Règles"]),
                          st.lists(st.lists(VALUES, max_size=4), max_size=5)), max_size=3))
def test_fingerprint_is_the_hash_of_the_canonical_values(sheets: list) -> None:
    grids = [SheetGrid(name, rows) for name, rows in sheets]
    assert fingerprint(grids) == _reference(grids)


def test_column_values_pad_short_rows() -> None:
    g = SheetGrid("Zones", [["Zone", "Département", "Territoire"], ["Lyon", "69"], ["Ain"]])
    t = read_table(g, "Zones")
    assert t.column_values("Département") == ["69", None]
    assert t.column_values("Zone") == ["Lyon", "Ain"]
    assert t.column_values("Absente") == [None, None]


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_gc_restores_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), paused_gc():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_overlapping_pauses_in_threads_leave_the_collector_on() -> None:
    """Regenerations overlap in the add-in server's threads: the collector stays off while
    any of them runs and is on again once the last one ends, whatever the order."""
    import threading

    assert gc.isenabled()
    inside, release = threading.Barrier(4), threading.Event()
    seen: list[bool] = []

    def step(i: int) -> None:
        with paused_gc():
            inside.wait()
            if i % 2:
                release.wait()
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=step, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads[::2]:
        t.join()
    assert not gc.isenabled()  # two steps still running
    release.set()
    for t in threads:
        t.join()
    assert seen == [False] * 4 and gc.isenabled()
