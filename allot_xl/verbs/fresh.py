"""Whether a workbook's output sheets still match its input sheets (Journal fingerprint)."""

from __future__ import annotations

import datetime as dt

from ..core.contract import CONTROLES, OUTPUT_SHEETS
from ..core.model import Inputs
from ..core.problems import StaleOutputs
from ..inputs.grid import SheetGrid, find_sheet
from ..inputs.read import JOURNAL_COLUMNS
from .pipeline import Context, validate

REGENERATE = "« Générer les lots » (ou allot-xl regenerate)"


def ensure_fresh(grids: dict[str, SheetGrid], sheet_names: list[str]) -> Inputs:
    """The validated inputs, once sure the outputs were generated from these very inputs.

    `grids` are the sheets read_inputs reads, `sheet_names` every sheet of the workbook.
    Raises StaleOutputs (French) when an output sheet is missing, `Journal` has no row, or
    the fingerprint of the input sheets differs from the last `Journal` row's."""
    missing = [s for s in OUTPUT_SHEETS if find_sheet(sheet_names, s) is None]
    if missing:
        what = "Feuille de résultats absente" if len(missing) < 2 else (
            "Feuilles de résultats absentes")
        raise StaleOutputs(f"{what} : {', '.join(missing)}. "
                           f"Lancez d'abord {REGENERATE}.")
    inputs, _ = validate(grids, Context())
    if not inputs.previous_journal:
        raise StaleOutputs(f"La feuille Journal est vide : lancez d'abord {REGENERATE}.")
    last = inputs.previous_journal[-1]
    recorded = last[JOURNAL_COLUMNS.index("Empreinte des entrées")]
    if str(recorded or "").strip() != inputs.fingerprint:
        when = last[JOURNAL_COLUMNS.index("Horodatage")]
        since = f" du {when:%d/%m/%Y à %H:%M}" if isinstance(when, dt.datetime) else ""
        scenario = str(last[JOURNAL_COLUMNS.index("Scénario")] or "").strip()
        if scenario:
            raise StaleOutputs(
                f"Les lots de la dernière génération{since} ont été générés avec le scénario "
                f"« {scenario} », pas avec la feuille Règles : un classeur envoyé "
                f"doit montrer les règles qui ont fait ses lots. Recopiez les valeurs du "
                f"scénario (colonne « Lancé depuis » du Journal) dans Règles, relancez "
                f"{REGENERATE}, puis recommencez.")
        raise StaleOutputs(
            f"Les résultats ne sont plus à jour : les feuilles d'entrée ont changé depuis la "
            f"dernière génération{since}. Relancez {REGENERATE}, vérifiez {CONTROLES}, "
            f"puis recommencez.")
    return inputs


def refuse_stale_lots(inputs: Inputs) -> None:
    """For a document made from the lots (tender file, close-out): StaleOutputs (French)
    when the workbook holds lots (a `Journal` row) made from other input sheets than these
    — the documents would disagree with its `Lots` sheet. A workbook never generated is
    not refused: its documents come from this very run."""
    if not inputs.previous_journal:
        return
    last = inputs.previous_journal[-1]
    if str(last[JOURNAL_COLUMNS.index("Empreinte des entrées")] or "").strip() != \
            inputs.fingerprint:
        raise StaleOutputs(
            f"La feuille Lots n'est plus à jour : les feuilles d'entrée ont changé depuis la "
            f"dernière génération, et les documents ne correspondraient pas aux lots du "
            f"classeur. Relancez {REGENERATE}, vérifiez {CONTROLES}, puis recommencez. Rien "
            f"n'a été écrit.")
