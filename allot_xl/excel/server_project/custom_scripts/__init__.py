"""The scripts xlwings Server exposes: allot_xl's ribbon buttons."""

from allot_xl.excel.scripts import (
    apply_proposed,
    check_needs,
    compare_scenarios,
    prepare_dce,
    prepare_for_email,
    regenerate_lots,
    track_orders,
)

__all__ = ["apply_proposed", "check_needs", "compare_scenarios", "prepare_dce",
           "prepare_for_email", "regenerate_lots", "track_orders"]
