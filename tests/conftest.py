"""Makes `tests/workbooks.py` importable from every test folder, whatever the rootdir."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
