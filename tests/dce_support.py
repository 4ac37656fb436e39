"""The bundled example campaign as a tender-file workbook: its `Critères` sheet, its buyer,
a launch date; variants drop the environmental criterion or the clauses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from allot_xl.template import build_template


def example_workbook(path: Path, *, launch: str = "07/12/2026", n_needs: int | None = None,
                     environmental: bool = True, clauses: bool = True,
                     params: dict[str, Any] | None = None,
                     criteres: bool = True) -> Path:
    """The example campaign at `path`, `Date de lancement` = `launch`; without
    `environmental` no criterion is environmental (the 10 % moves to the price); without
    `clauses` no execution clause nor reason; `params` overrides `Paramètres` values (None
    empties one); without `criteres` the `Critères` sheet is removed."""
    wb = build_template(example=True, n_needs=n_needs)
    values = {"Date de lancement": launch, **(params or {})}
    for row in wb["Paramètres"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    ws = wb["Critères"]
    if not criteres:
        wb.remove(ws)
    else:
        for row in ws.iter_rows(min_row=2):
            kind = row[2].value
            if not environmental and row[4].value == "oui":
                row[4].value = "non"
            if not clauses and kind and kind.startswith(("clause", "motif")):
                for c in row:
                    c.value = None
    wb.save(path)
    return path
