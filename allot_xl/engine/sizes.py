"""Excel's row limit checked on the sizes that drive output rows, before the work they drive:
needs and their divided pieces (`Affectation`, and `Lots`, which cannot outnumber them), and
lots × holders per lot (`Multi-attribution`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.french import nombre
from ..core.model import EPS, Inputs
from ..core.problems import StructuralError

EXCEL_ROWS = 1_048_576  # rows of an Excel sheet, the header row included


def _refuse(sheet: str, rows: int, what: str, fix: str) -> StructuralError:
    return StructuralError(
        f"La feuille {sheet} aurait {nombre(rows)} lignes ({what}) : Excel en accepte au plus "
        f"{nombre(EXCEL_ROWS)}. {fix} Rien n'a été écrit.")


def affectation_rows(needs: pd.DataFrame, inputs: Inputs) -> int:
    """The rows `Affectation` will have: one per allotted need, or per piece of a need that
    `Besoins divisibles = oui` shares under `Volume max` (needs: the homogenised frame)."""
    active = needs[~needs["excluded"]]
    total = 0
    for code, sub in active.groupby("dispositif", sort=False):
        rule = inputs.rules.get(code)
        if rule is None:
            continue
        if rule.divisible and rule.volume_max:
            vol = sub["places"] if rule.unite == "places" else sub["hours"]
            pieces = np.ceil(vol.to_numpy(dtype=float) / float(rule.volume_max) - EPS)
            total += int(np.maximum(pieces, 1).sum())
        else:
            total += len(sub)
    return total


def check_needs(needs: pd.DataFrame, inputs: Inputs) -> None:
    """StructuralError (French) when `Affectation` (hence `Lots`) would pass Excel's rows."""
    rows = affectation_rows(needs, inputs) + 1
    if rows > EXCEL_ROWS:
        raise _refuse("Affectation", rows, "une par besoin ou part de besoin divisé",
                      "Relevez « Volume max » des règles à besoins divisibles, ou répartissez "
                      "les besoins entre plusieurs classeurs.")


def check_holders(lots: pd.DataFrame) -> None:
    """StructuralError (French) when `Multi-attribution` would pass Excel's rows: one row
    per lot and holder (`Attributaires` of its rule)."""
    rows = int(pd.to_numeric(lots["attributaires"], errors="coerce").fillna(1).sum()) + 1
    if rows > EXCEL_ROWS:
        raise _refuse("Multi-attribution", rows, f"{nombre(len(lots))} lots × leurs "
                      f"attributaires", "Réduisez « Attributaires » dans Règles ou le nombre "
                      "de lots (« Volume min », « Maille »).")
