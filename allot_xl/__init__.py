"""allot_xl: design the lots of vocational-training calls for tenders from a needs workbook.

`import allot_xl` is light: the library verbs load pandas, openpyxl or xlwings only when
first used (module `__getattr__`), so `allot-xl --help` starts at once."""

from __future__ import annotations

import importlib
import os
from typing import Any

from ._version import __version__

# openpyxl switches to lxml whenever lxml is importable (the tests' eForms validator and
# python-docx bring it); its lxml path reads and writes differently (whole sheets in memory,
# lxml's own I/O errors, namespaces declared per element). allot_xl keeps openpyxl on the
# standard library's XML, as in Pyodide, whatever else is installed; a program that imported
# openpyxl before allot_xl keeps its own choice (docs/decisions.md, "openpyxl without lxml").
os.environ.setdefault("OPENPYXL_LXML", "False")

# public name -> module that defines it (imported on first use)
_LAZY = {
    "check": ".api", "regenerate": ".api",
    "check_needs": ".excel", "main": ".excel", "prepare_for_email": ".excel",
    "regenerate_lots": ".excel",
}

__all__ = ["__version__", "check", "check_needs", "main", "prepare_for_email",
           "regenerate", "regenerate_lots"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'allot_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
