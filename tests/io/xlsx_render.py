"""A second writer, for tests and benchmarks only: the output sheets rendered whole by
xlsxwriter, with the same look (outputs.look) as the package writer."""

from __future__ import annotations

from typing import BinaryIO

import xlsxwriter

from allot_xl.io.xlsx.charts import OPTIONS, Formats, xw_chart, xw_sheet
from allot_xl.outputs.model import Outputs


def render_outputs(outputs: Outputs, target: str | BinaryIO, *, reserved: set[str] | None = None,
                   active: str | None = None) -> None:
    """Write the output sheets (only them) as a new workbook, all through xlsxwriter.

    `reserved` holds casefolded names (tables, defined names) the new tables must avoid."""
    wb = xlsxwriter.Workbook(target, OPTIONS)
    fm, used = Formats(wb), set(reserved or ())
    sheets = {s.name: xw_sheet(wb, s, fm, used) for s in outputs.sheets}
    blocks = {b.name: (s, b) for s in outputs.sheets for b in s.blocks}
    for s in outputs.sheets:
        for c in s.charts:
            xw_chart(wb, sheets[s.name], c, blocks)
    if active in sheets:
        sheets[active].activate()
    wb.close()
