"""Writing the close-out's files into a folder: `relance.xlsx` (the relaunch workbook),
`decp.json` (the essential data) and `avis-attribution-CODE.xml` (the award notice of each
dispositif at EU value); all into a temporary folder first, then moved into place."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..core.french import compte
from ..outputs.decp import decp_json
from .dce import Written, safe_name, write_files
from .xlsx.closeout import write_relaunch_file
from .xlsx.package import Package

RELAUNCH_FILE, DECP_FILE = "relance.xlsx", "decp.json"


def notice_file(code: str) -> str:
    """The award notice's file name of dispositif `code`."""
    return f"avis-attribution-{safe_name(code)}.xml"


def write_cloture(src: Package, cloture: Any, out_dir: Path) -> list[Written]:
    """Write the files of `cloture` (a `verbs.closeout.Cloture` of the workbook `src`) into
    `out_dir`: `relance.xlsx` when a lot is unsuccessful, `decp.json`, one award notice per
    dispositif at EU value. Raises WriteError (French); then nothing is moved."""
    docs: list[tuple[str, bytes, str]] = []
    c = cloture.closeout
    if cloture.relaunch is not None:
        with tempfile.TemporaryDirectory(prefix="allot-relance-") as tmp:
            path = Path(tmp) / RELAUNCH_FILE
            write_relaunch_file(src, path, cloture.relaunch)
            failed = compte(len(c.unsuccessful), "lot infructueux", "lots infructueux")
            docs.append((RELAUNCH_FILE, path.read_bytes(),
                         f"classeur de relance, {failed} ({compte(len(c.needs), 'besoin')}), "
                         f"numéros des lots attribués réservés"))
    marches = cloture.decp["marches"]["marche"]
    docs.append((DECP_FILE, decp_json(cloture.decp),
                 f"données essentielles (DECP 2.0.3), {compte(len(marches), 'marché')}, à "
                 f"publier dans les deux mois de la notification (R2196-1)"))
    docs += [(notice_file(code), xml, f"avis d'attribution européen eForms (can-social, "
              f"sous-type 33), {code}") for code, xml in cloture.notices.items()]
    return write_files(docs, out_dir)
