"""Bounded fuzz of the reading (fixed seed, a few seconds): cells of the public A1 workbook
mutated into what buyers type; every run ends with exit code 0, 1 or 2 and a French line,
every valid row is allotted, and what is written back is what was read."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from allot_xl.cli import main
from workbooks import controles, sheet_rows

DATA = Path(__file__).resolve().parent / "data"
SEED, RUNS, MUTATIONS = 20_260_401, 5, 8
COLUMNS = ["ID besoin", "Dispositif", "Zone", "Domaine", "Métier", "Places", "Heures",
           "Débouchés", "Commentaire"]
POOL: list[Any] = [
    None, "", "   ", "#N/A", "#DIV/0!", "  AOF  ", "A1_999", "1 200", "1\u202f200", "1,5",
    "5.600", "12,000", "-3", -3, 0, 1e21, 9.99e307, "=SOMME(A1:A2)", "+33 4", "@x",
    "Zone inconnue", True, dt.datetime(2026, 4, 1), "x" * 300, "A1 | B", "A1+B", "\u00a0",
    "800 h", "12 %", 3.5, 70, 16000, "É_té", "'0123",
]


def _mutate(src: Path, dst: Path, rng: random.Random) -> None:
    wb = openpyxl.load_workbook(src)
    ws = wb["Besoins"]
    cols = {c.value: c.column for c in ws[1] if c.value in COLUMNS}
    for _ in range(MUTATIONS):
        row = rng.randint(2, ws.max_row)
        cell = ws.cell(row, cols[rng.choice(sorted(cols))])
        v = rng.choice(POOL)
        cell.value = v
        if isinstance(v, str) and v.startswith("#") and v.endswith(("!", "A")):
            cell.data_type = "e"
        elif isinstance(v, str) and v[:1] in "=+@":
            cell.data_type = "s"  # typed as text, not a formula
    wb.save(dst)


def _text(v: Any) -> str:
    """A cell as the text written back, by the documented normalisation alone (guide,
    section 9): trimmed, a whole number without `.0` (1001.0 is 1001), VRAI/FAUX as
    oui/non."""
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


@pytest.mark.parametrize("k", range(RUNS))
def test_mutated_a1_never_breaks(tmp_path, capsys, k: int) -> None:
    rng = random.Random(SEED + k)
    src = tmp_path / "A1.xlsx"
    shutil.copy(DATA / "A1_petit.xlsx", src)
    path = tmp_path / "mute.xlsx"
    _mutate(src, path, rng)
    out = tmp_path / "out.xlsx"
    code = main(["regenerate", str(path), "-o", str(out), "-q"])
    captured = capsys.readouterr()
    assert code in (0, 1, 2) and "Traceback" not in captured.err + captured.out
    if code == 2:
        assert captured.err.startswith("Erreur : ") and not out.exists()
        return
    inputs = {i + 2: r for i, r in enumerate(sheet_rows(path, "Besoins"))}
    bad = {row for sheet, row, _, _ in controles(out, "Erreur") if sheet == "Besoins"}
    written = {r["Ligne Besoins"]: r for r in sheet_rows(out, "Affectation")}
    valid = {r for r, v in inputs.items() if r not in bad and any(
        x not in (None, "") and not (isinstance(x, str) and not x.strip()) for x in v.values())
        and not str(next(x for x in v.values() if x not in (None, ""))).lower()
        .startswith("total")}
    assert valid <= set(written), sorted(valid - set(written))
    for row, a in written.items():
        assert row in inputs and row not in bad
        given = inputs[row]
        assert _text(a["ID besoin"]) == _text(given["ID besoin"])
        assert a["Dispositif"] == _text(given["Dispositif"])
