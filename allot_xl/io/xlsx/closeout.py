"""Write the relaunch workbook (`relance.xlsx`): a copy of the input workbook whose needs,
awarded lots and relaunch sheets are replaced, its bids and output sheets left out."""

from __future__ import annotations

from pathlib import Path

from ...core.contract import COMMANDES, COMPARAISON, OFFRES, SUIVI
from ...outputs.closeout import DECP_SHEET
from ...outputs.dce import DQE_SHEET, RC_SHEET
from ...outputs.model import Outputs
from .package import Package
from .read import open_package
from .splice import rebuild
from .write import atomic_write

# left out of a relaunch: its bids and purchase orders are the earlier consultation's, and
# so are the sheets other commands wrote from them (follow-up, tender file, DECP preview);
# the output sheets go as `rebuild` replaces them all (`Lots` is written anew)
DROPPED = (OFFRES, COMMANDES, COMPARAISON, SUIVI, RC_SHEET, DQE_SHEET, DECP_SHEET)


def write_relaunch_file(src: Path | Package, dst: Path, outputs: Outputs) -> None:
    """Copy workbook `src` to `dst` with the sheets of `outputs` in place of its own (the
    input `Besoins` among them), `Offres`, `Commandes` and every output sheet left out; the
    other sheets (`Zones`, `Règles`, `Paramètres`, `Critères`, `Référentiel`, `Scénarios`)
    copied as stored.
    Atomic (temp file, then os.replace); `src` is never changed. Raises UnreadableFile or
    WriteError (French sentence)."""
    source = open_package(src)
    macro = Path(dst).suffix.lower() == ".xlsm"
    atomic_write(Path(dst), lambda tmp: rebuild(source, tmp, outputs, macro, DROPPED))
