"""Test set-up: `tests/workbooks.py` importable from every folder; xlwings' licence key."""

import os
import sys
from pathlib import Path

# xlwings' remote engine needs its key before xlwings is first imported, by any test;
# `noncommercial` is the PolyForm Noncommercial key (public bodies are a permitted purpose).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
# openpyxl on the standard library's XML even though lxml is installed (the eForms
# validator needs it), as `import allot_xl` sets it; tests build workbooks with openpyxl
# before they import allot_xl
os.environ.setdefault("OPENPYXL_LXML", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent))
