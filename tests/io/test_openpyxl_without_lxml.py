"""openpyxl stays on the standard library's XML after `import allot_xl`, even with lxml
installed (the eForms validator of the tests and python-docx bring it)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_import_allot_xl_keeps_openpyxl_off_lxml() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENPYXL_LXML"}
    code = "import allot_xl, openpyxl.xml; print(openpyxl.xml.LXML)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    assert done.stdout.strip() == "False"
