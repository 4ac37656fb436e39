"""Reading the optional `Commandes` sheet (purchase orders, issue 25) and the maxima of a
previous run's `Lots`: every malformed row is an Erreur of its row, the rest is kept.

Whether an order names a known lot and one of its holders, and falls within the term, is
the engine's to say (`engine/orders.py`): it needs the lots and holders of the run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..core import contract as C
from ..core.contract import BadNumber, clean_text, parse_yes_no
from ..core.model import ORDER_COLUMNS
from ..core.problems import Report
from .checks import Pending, name_column, number_column
from .grid import RawTable, SheetGrid, read_table
from .validation import parse_date

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's 1900 date system, serial 1 = 1900-01-01
_SERIALS = (1.0, 2_958_466.0)  # 1900-01-01 .. 9999-12-31


def order_date(value: Any) -> dt.date | None:
    """The date of an order's cell: a date, an Excel serial number (a date cell the route
    handed as a number) or text (`15/03/2027`); None when empty. BadNumber (French) when
    unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not _SERIALS[0] <= value < _SERIALS[1]:
            raise BadNumber("nombre au lieu d'une date (écrivez-la JJ/MM/AAAA)")
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    return parse_date(value)


def read_orders(t: RawTable, report: Report) -> pd.DataFrame:
    """The well-formed rows of `Commandes` as `model.ORDER_COLUMNS` (sheet order): numbers
    read the contract's way (`Montant (€ HT)` ≥ 0 and required, `Places` whole), the date
    parsed, `Refus du titulaire précédent` as a bool (empty: non). Each bad row is an Erreur
    naming its cell (missing text, unreadable or negative number, unreadable date, a
    `N° bon` used twice) and is left out."""
    pending = Pending()
    places, p_ok = number_column(t, "Places", pending, 3)
    hours, h_ok = number_column(t, "Heures", pending, 4)
    amount, a_ok = number_column(t, "Montant (€ HT)", pending, 5)
    ok = p_ok & h_ok & a_ok & name_column(t, "N° bon", pending, 0)
    seen: dict[str, int] = {}
    records = []
    for i, (row, vals) in enumerate(t.rows):
        good = bool(ok[i])
        texts = {c: clean_text(t.get(vals, c)) for c in ("N° bon", "N° lot", "Titulaire")}
        for col, v in texts.items():
            if not v:
                pending.add(0, "commande-incomplete", t.sheet, row, t.header(col), None,
                            colonne=t.header(col))
                good = False
        day = _date(t, row, vals, pending)
        good = good and day is not None
        if np.isnan(amount[i]) and a_ok[i]:
            pending.add(5, "commande-incomplete", t.sheet, row, t.header("Montant (€ HT)"),
                        None, colonne=t.header("Montant (€ HT)"))
            good = False
        bon = texts["N° bon"]
        if bon and C.fold(bon) in seen:
            pending.add(1, "commande-en-double", t.sheet, row, t.header("N° bon"), bon,
                        bon=bon, ligne=seen[C.fold(bon)])
            good = False
        elif bon:
            seen[C.fold(bon)] = row
        refus = _refus(t, row, vals, pending)
        if good:
            records.append((row, bon, day, texts["N° lot"], texts["Titulaire"], places[i],
                            hours[i], amount[i], refus))
    pending.flush(report)
    df = pd.DataFrame.from_records(records, columns=ORDER_COLUMNS)
    for c in ("places", "hours", "montant"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["row"] = df["row"].astype("int64")
    df["refus"] = df["refus"].astype(bool)
    return df


def _date(t: RawTable, row: int, vals: list[Any], pending: Pending) -> dt.date | None:
    raw = t.get(vals, "Date")
    header = t.header("Date")
    try:
        day = order_date(raw)
    except BadNumber as e:
        pending.add(2, "commande-date-invalide", t.sheet, row, header, raw, colonne=header,
                    raison=str(e))
        return None
    if day is None:
        pending.add(2, "commande-incomplete", t.sheet, row, header, None, colonne=header)
    return day


def _refus(t: RawTable, row: int, vals: list[Any], pending: Pending) -> bool:
    raw = t.get(vals, "Refus du titulaire précédent")
    flag = parse_yes_no(raw)
    if flag is None:
        header = t.header("Refus du titulaire précédent")
        pending.add(6, "commande-refus-illisible", t.sheet, row, header, raw, colonne=header)
        return False
    return flag


def read_previous_maxima(grid: SheetGrid | None) -> dict[str, float]:
    """From an earlier run's `Lots` sheet: N° lot -> `Montant maximum (€ HT)` (lots without
    a readable amount left out), to tell which ordered lots a regeneration changed."""
    if grid is None:
        return {}
    t = read_table(grid, C.LOTS)
    values = _maximum_column(grid, t.header_row)
    if values is None:
        return {}
    out: dict[str, float] = {}
    for row, vals in t.rows:
        num, x = clean_text(t.get(vals, "N° lot")), values.get(row)
        if num and isinstance(x, int | float) and not isinstance(x, bool):
            out[num] = float(x)
    return out


def _maximum_column(grid: SheetGrid, header_row: int) -> dict[int, Any] | None:
    """Excel row -> the cell under the `Montant maximum (€ HT)` header (not a contract
    column of `Lots`, which keeps only what lot numbers need)."""
    if not header_row:
        return None
    header = grid.values[header_row - 1]
    target = C.fold("Montant maximum (€ HT)")
    col = next((j for j, h in enumerate(header) if C.fold(h) == target), None)
    if col is None:
        return None
    return {r: (vals[col] if col < len(vals) else None)
            for r, vals in enumerate(grid.values[header_row:], start=header_row + 1)}
