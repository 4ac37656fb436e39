"""Set-up of the scenario tests: the Book-route test uses xlwings' real remote engine, which
needs its licence key before xlwings is first imported (as in tests/excel)."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_PROJECT_DIR", str(Path(__file__).resolve().parents[2] / "allot_xl"
                                                  / "excel" / "server_project"))
