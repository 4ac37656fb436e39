"""The public acceptance workbooks pass the contract checker after `allot-xl regenerate`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from allot_xl.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "acceptance"
KIT = SHARED / "kit" / "check_output.py"
EXAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "exemple_rhone_alpes.xlsx"

needs_kit = pytest.mark.skipif(not KIT.exists(), reason="../shared/acceptance absent")


def _check(inp: Path, out: Path, expected: Path | None = None) -> str:
    cmd = [sys.executable, str(KIT), str(inp), str(out)]
    if expected is not None:
        cmd += ["--expected", str(expected)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@needs_kit
@pytest.mark.parametrize("case", ["A1_petit", "A2_offres"])
def test_acceptance_workbook_passes_every_check(case: str, tmp_path: Path) -> None:
    inp = tmp_path / f"{case}.xlsx"
    shutil.copy(SHARED / f"{case}.xlsx", inp)
    before = inp.read_bytes()
    out = tmp_path / f"{case}.out.xlsx"
    assert main(["regenerate", str(inp), "-o", str(out), "-q"]) == 0
    assert inp.read_bytes() == before
    report = _check(inp, out, SHARED / f"{case}.expected.json")
    assert report.strip().endswith("0 failed")


@needs_kit
def test_example_workbook_passes_the_contract_checks(tmp_path: Path) -> None:
    out = tmp_path / "exemple.lots.xlsx"
    assert main(["regenerate", str(EXAMPLE), "-o", str(out), "-q"]) == 0
    assert _check(EXAMPLE, out).strip().endswith("0 failed")


REAL = SHARED.parent / "realdata" / "real_ain_isere.xlsx"


@needs_kit
@pytest.mark.skipif(not REAL.exists(), reason="../shared/realdata absent")
def test_real_data_workbook_passes_the_contract_checks(tmp_path: Path) -> None:
    """112 needs over ten real employment areas of Ain and Isère: the checker passes, and
    the only warnings are single needs above the maximum (the rule keeps needs whole)."""
    inp = tmp_path / "real.xlsx"
    shutil.copy(REAL, inp)
    out = tmp_path / "real.lots.xlsx"
    assert main(["regenerate", str(inp), "-o", str(out), "-q"]) == 0
    assert _check(inp, out).strip().endswith("0 failed")
    import openpyxl

    ws = openpyxl.load_workbook(out, read_only=True)["Contrôles"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Avertissement"]
    assert rows and all("Besoins divisibles" in r[5] for r in rows)


@needs_kit
def test_regenerating_the_output_keeps_every_number(tmp_path: Path) -> None:
    """The output, regenerated in place, keeps its lots, numbers and a second Journal row."""
    work = tmp_path / "A1.xlsx"
    shutil.copy(SHARED / "A1_petit.xlsx", work)
    work.chmod(0o644)  # the shared file is read-only, and --in-place refuses such a file
    assert main(["regenerate", str(work), "--in-place", "-q"]) == 0
    assert (tmp_path / "A1.bak.xlsx").exists()
    first = work.read_bytes()
    assert main(["regenerate", str(work), "-o", str(tmp_path / "again.xlsx"), "-q"]) == 0
    assert work.read_bytes() == first
    _check(work, tmp_path / "again.xlsx")
    import openpyxl

    a = openpyxl.load_workbook(work)["Lots"]
    b = openpyxl.load_workbook(tmp_path / "again.xlsx")["Lots"]
    rows = lambda ws: [r[:1] + r[18:19] for r in ws.iter_rows(min_row=2, values_only=True)]  # noqa: E731
    assert rows(a) == rows(b)
    journal = openpyxl.load_workbook(tmp_path / "again.xlsx")["Journal"]
    assert journal.max_row == 3  # header + two runs
