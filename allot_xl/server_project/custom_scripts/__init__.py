"""The scripts xlwings Server exposes: allot_xl's ribbon buttons."""

from allot_xl.excel.scripts import check_needs, prepare_for_email, regenerate_lots

__all__ = ["check_needs", "prepare_for_email", "regenerate_lots"]
