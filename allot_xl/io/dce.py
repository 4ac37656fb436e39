"""Writing the tender file's documents: the RC lot table (.xlsx and Word annex .docx), the
DQE workbooks (sheet protection, the unit-price cells unlocked), the notice; all into a
temporary folder first, then moved into place, so that a failure leaves no half folder."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.problems import WriteError, system_message
from ..outputs import dce as words
from ..outputs.model import Sheet, cell_value, fitted_width

_UNSAFE = re.compile(r"[^\w.-]+")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def safe_name(code: str) -> str:
    """A dispositif code usable in a file name (`PQ`, `A_B` for `A/B`)."""
    return _UNSAFE.sub("_", code).strip("._") or "dispositif"


def xlsx_bytes(sheets: list[Sheet], unlocked: str | None = None) -> bytes:
    """A workbook of `sheets` (values only, no formula: text is written as text), each
    block's header bold, number formats and widths as described. With `unlocked` (a column
    header), every sheet is protected and only that column's data cells stay editable."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for sh in sheets:
        ws = wb.create_sheet(_SHEET_UNSAFE.sub("_", sh.name)[:31])
        for t in sh.texts:
            c = ws.cell(t.row, t.col)
            c.value = t.value
            c.data_type = "s"
            c.font = Font(bold=t.bold, size=t.size or 11)
        for b in sh.blocks:
            for j, col in enumerate(b.columns):
                c = ws.cell(b.row, b.col + j, col.header)
                c.data_type = "s"
                c.font = Font(bold=True)
                c.alignment = Alignment(wrap_text=True, vertical="top")
                ws.column_dimensions[get_column_letter(b.col + j)].width = fitted_width(b, j)
            for i, r in enumerate(b.rows, 1):
                for j, col in enumerate(b.columns):
                    c = ws.cell(b.row + i, b.col + j)
                    v = cell_value(r[j] if j < len(r) else None)
                    c.value = v
                    if isinstance(v, str):
                        c.data_type = "s"  # never a formula, whatever it starts with
                    if col.format:
                        c.number_format = col.format
                    if col.wrap or b.top:
                        c.alignment = Alignment(wrap_text=col.wrap, vertical="top")
                    if unlocked is not None and col.header == unlocked:
                        c.protection = Protection(locked=False)
        if sh.freeze:
            ws.freeze_panes = ws.cell(*sh.freeze)
        if unlocked is not None:
            ws.protection.sheet = True
            ws.protection.formatCells = False  # the tenderer may widen a column
            ws.protection.formatColumns = False
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def docx_bytes(sheet: Sheet, note: str = "") -> bytes:
    """The Word annex of a sheet: its title, `note`, then its first block as a Word table
    (landscape A4, 8-point text), the same headers and values as the workbook, numbers
    written the French way. python-docx is imported here only (the `dce` extra)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    for t in sheet.texts:
        doc.add_heading(t.value, level=1 if t.bold else 2)
    if note:
        doc.add_paragraph(note)
    block = sheet.blocks[0]
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.columns))
    table.style = "Table Grid"
    for j, col in enumerate(block.columns):
        table.cell(0, j).text = col.header
    for i, r in enumerate(block.rows, 1):
        for j, col in enumerate(block.columns):
            table.cell(i, j).text = shown_text(r[j], col.format)
    for row in table.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                for run in par.runs:
                    run.font.size = Pt(7)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def shown_text(v: Any, fmt: str | None) -> str:
    """A cell's value as the annex writes it: amounts `1 234,50 €`, numbers `16 000`."""
    from ..core.french import nombre

    v = cell_value(v)
    if v is None:
        return ""
    if isinstance(v, int | float):
        if fmt and "€" in fmt:
            return f"{nombre(v, 2)}\u00a0€"
        return nombre(v)
    return str(v)


@dataclass(frozen=True)
class Written:
    """One file of the tender file: its path and what it is (French, for the summary)."""

    path: Path
    what: str

    @property
    def line(self) -> str:
        return f"{self.path.name} : {self.what}"


def documents(dossier: Any, notice_xml: Callable[[Any], bytes]) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, what it is) of every document of `dossier`; `notice_xml` turns a
    `Notice` into its eForms XML (`outputs.eforms.contract_notice`)."""
    out: list[tuple[str, bytes, str]] = []
    for f in dossier.files:
        code, n = safe_name(f.rule.code), len(f.lots)
        rc = words.rc_file_sheet(f, dossier)
        lots = f"{n} lot{'s' if n > 1 else ''}"
        out.append((f"rc-{code}.xlsx", xlsx_bytes([rc]),
                    f"tableau des lots du règlement de consultation, {f.rule.code} ({lots})"))
        out.append((f"rc-{code}.docx", docx_bytes(rc, words.caps_words(
            f.rule, dossier.params.attribution)),
                    f"annexe Word du règlement de consultation, {f.rule.code} ({lots})"))
        dqe = [words.dqe_lot_sheet(lot, f, dossier) for lot in f.lots]
        out.append((f"dqe-{code}.xlsx", xlsx_bytes(dqe, unlocked=words.PRICE_HEADER),
                    f"détail quantitatif estimatif, {f.rule.code} (une feuille par lot, "
                    f"{lots}, prix unitaires à compléter)"))
        if f.eu:
            out.append((f"avis-{code}.xml", notice_xml(f.notice),
                        f"avis de marché européen eForms (cn-social, sous-type 20), "
                        f"{f.rule.code}"))
        else:
            out.append((f"avis-{code}.txt", words.national_notice(f, dossier).encode("utf-8"),
                        f"section « Lots » de l'avis national, {f.rule.code} (sous le seuil "
                        f"européen)"))
    return out


def write_dossier(dossier: Any, out_dir: Path,
                  notice_xml: Callable[[Any], bytes]) -> list[Written]:
    """Write every document of `dossier` into `out_dir` (created if needed): all are
    written to a temporary folder beside it first, then moved in (a file of the same name
    is replaced). Raises WriteError (French) when that fails; then nothing is moved."""
    docs = documents(dossier, notice_xml)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    except OSError as e:
        raise WriteError(system_message(e, out_dir.name)) from None
    try:
        for name, data, _ in docs:
            (tmp / name).write_bytes(data)
        if not out_dir.exists():
            os.replace(tmp, out_dir)
        else:
            if not out_dir.is_dir():
                raise WriteError(f"« {out_dir} » existe et n'est pas un dossier : choisissez "
                                 f"un autre nom. Rien n'a été écrit.")
            for name, _, _ in docs:
                os.replace(tmp / name, out_dir / name)
    except OSError as e:
        raise WriteError(system_message(e, out_dir.name)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [Written(out_dir / name, what) for name, _, what in docs]
