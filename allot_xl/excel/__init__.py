"""allot_xl inside Excel: ribbon functions taking an xlwings Book, add-in builders, export."""

from __future__ import annotations

from .entry import check_needs, main, prepare_for_email, regenerate_lots, run

__all__ = ["check_needs", "main", "prepare_for_email", "regenerate_lots", "run"]
