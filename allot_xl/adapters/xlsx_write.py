"""Write output sheets into a copy of a workbook file, atomically (temp file, then os.replace)."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from ..contract import OUTPUT_SHEETS, fold
from ..outputs.model import Outputs
from ..problems import UnreadableFile, WriteError
from .openpyxl_render import render_charts, render_sheet


def atomic_write(dst: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temp file beside `dst`, then move it into place.

    A failure at any point leaves `dst` as it was and removes the temp file."""
    dst = dst.resolve()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.stem}.", suffix=dst.suffix + ".tmp",
                                        dir=dst.parent)
    except OSError as e:
        raise WriteError(_write_message(dst, e)) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    except OSError as e:
        raise WriteError(_write_message(dst, e)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_message(dst: Path, e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return (f"Disque plein : impossible d'écrire « {dst.name} ». Libérez de la place puis "
                f"relancez ; le classeur d'origine n'a pas été modifié.")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"Écriture refusée dans « {dst.parent} » (droits insuffisants, ou fichier "
                f"ouvert dans Excel) : fermez le fichier ou choisissez un autre dossier avec -o.")
    if e.errno == errno.ENOENT:
        return f"Le dossier « {dst.parent} » n'existe pas : créez-le ou choisissez-en un autre."
    return f"Impossible d'écrire « {dst.name} » ({e.strerror}) ; rien n'a été modifié."


def write_outputs(src: Path, dst: Path, outputs: Outputs) -> None:
    """Copy `src` to `dst` with the output sheets replaced by `outputs`; inputs untouched."""
    keep_vba = src.suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(src, keep_vba=keep_vba, keep_links=True, rich_text=True)
    except Exception as e:  # openpyxl's errors are technical: one sentence for the buyer
        raise UnreadableFile(f"« {src.name} » ne peut pas être réécrit ({type(e).__name__}) : "
                             f"enregistrez-le à nouveau dans Excel au format .xlsx.") from None
    owned = {fold(s) for s in OUTPUT_SHEETS}
    for ws in list(wb.worksheets):
        if fold(ws.title) in owned:
            wb.remove(ws)
    used = {n.casefold() for ws in wb.worksheets for n in ws.tables}
    for sheet in outputs.sheets:
        render_sheet(wb.create_sheet(sheet.name), sheet, used)
    render_charts(wb, outputs.sheets)
    wb.active = wb.sheetnames.index(outputs.sheets[3].name) if len(outputs.sheets) > 3 else 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == wb.active.title
    atomic_write(dst, wb.save)
