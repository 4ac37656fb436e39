"""Paths of the xlwings Lite tests: the example, the public acceptance and real-data
workbooks (beside the repository when present), this folder."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
ACCEPTANCE = ROOT.parent / "shared" / "acceptance"
REAL = ROOT.parent / "shared" / "realdata" / "real_ain_isere.xlsx"
