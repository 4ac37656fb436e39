"""allot_xl: design the lots of vocational-training calls for tenders from a needs workbook."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import check, regenerate  # noqa: E402
from .excel import check_needs, main, prepare_for_email, regenerate_lots  # noqa: E402

__all__ = ["__version__", "check", "check_needs", "main", "prepare_for_email",
           "regenerate", "regenerate_lots"]
