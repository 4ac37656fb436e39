"""The file side of the email copy: values only, no macros, no external links, outputs
first (openpyxl, loaded only when a copy is made)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from .._version import __version__
from ..contract import OUTPUT_SHEETS, SYNTHESE, fold
from ..model import Inputs
from ..problems import UnreadableFile
from .xlsx_write import atomic_write


def _values_only(wb: Workbook) -> None:
    """Drop what still computes or points outside: table column formulas, names that refer
    to other workbooks or to nothing."""
    for ws in wb.worksheets:
        for table in ws.tables.values():
            for col in table.tableColumns:
                col.calculatedColumnFormula = None
                col.totalsRowFormula = None
    scopes = [wb.defined_names] + [ws.defined_names for ws in wb.worksheets]
    for names in scopes:
        for key in [k for k, n in names.items() if "[" in (n.value or "") or "#REF!" in
                    (n.value or "")]:
            del names[key]


def _outputs_first(wb: Workbook) -> None:
    """Output sheets first, in the contract's order, then the others; opens on Synthèse."""
    order = {fold(s): i for i, s in enumerate(OUTPUT_SHEETS)}
    wb._sheets.sort(key=lambda ws: order.get(fold(ws.title), len(order)))  # stable
    shown = next((i for i, ws in enumerate(wb.worksheets) if fold(ws.title) == fold(SYNTHESE)),
                 0)
    wb.active = shown
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == shown


def _properties(wb: Workbook, inputs: Inputs, src: Path) -> None:
    p = wb.properties
    p.title = f"Allotissement — {inputs.campaign or src.stem}"
    p.subject = "Lots de l'appel d'offres de formation : copie pour envoi"
    p.creator = p.lastModifiedBy = f"allot_xl {__version__}"
    p.keywords = "allotissement; formation; lots; marchés publics"
    p.description = (f"Copie de « {src.name} » : valeurs seules, sans macros ni liaisons "
                     f"externes. Empreinte des entrées : {inputs.fingerprint}.")
    p.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def load_for_email(src: Path) -> Workbook:
    """`src` with cached values instead of formulas, without macros or external links.

    Raises UnreadableFile (French) when openpyxl cannot load it."""
    try:
        return openpyxl.load_workbook(src, data_only=True, keep_links=False, keep_vba=False,
                                      rich_text=True)
    except Exception as e:  # openpyxl's errors are technical: one sentence for the buyer
        raise UnreadableFile(f"« {src.name} » ne peut pas être copié ({type(e).__name__}) : "
                             f"enregistrez-le à nouveau dans Excel au format .xlsx.") from None


def write_email_copy(wb: Workbook, inputs: Inputs, src: Path, out: Path) -> Path:
    """Values only, outputs first, properties naming the source; written atomically."""
    _values_only(wb)
    _outputs_first(wb)
    _properties(wb, inputs, src)
    atomic_write(out, wb.save)
    return out
