"""Outputs of the bundled example and of the public A1 workbook, written once per module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from allot_xl import api

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
A1 = ROOT / "tests" / "data" / "A1_petit.xlsx"


@pytest.fixture(scope="package")
def written(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """name -> (input copy, output) for the example and A1."""
    d = tmp_path_factory.mktemp("sorties")
    out = {}
    for name, src in (("exemple", EXAMPLE), ("A1", A1)):
        dst = d / f"{name}.xlsx"
        shutil.copy(src, dst)
        api.regenerate(dst, d / f"{name}.lots.xlsx")
        out[name] = (dst, d / f"{name}.lots.xlsx")
    return out
