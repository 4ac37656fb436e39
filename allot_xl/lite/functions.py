"""The in-cell what-ifs behind the xlwings Lite custom functions: the legal threshold in
force on a date (`allot_xl.core.law`), a lot's maximum over a framework term (the engine's
formula), and the lots and mini-lots share that given bounds would give for a dispositif
(the whole pipeline on the sheets' values, with those bounds typed into `Règles`).

Excel hands custom functions plain values: dates as serial numbers, ranges as lists of
rows. Bad arguments give a French sentence in the cell, never an exception."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.utils.datetime import from_excel

from ..core import law
from ..core.contract import BESOINS, PARAMETRES, REGLES, ZONES, clean_header, fold, parse_number
from ..core.model import Params
from ..core.problems import AllotError
from ..engine.describe import term_maximum
from ..inputs.grid import SheetGrid, read_table
from ..inputs.validation import parse_date
from ..verbs import pipeline


def _key(text: Any) -> str:
    return " ".join(fold(text).replace("-", " ").split())


# what a buyer may type as the threshold's name (folded) -> the key of allot_xl.core.law
THRESHOLD_NAMES = {_key(k): v for k, v in {
    "mini-lots": law.MINI_LOTS, "mini lots": law.MINI_LOTS,
    "petits lots": law.PETITS_LOTS,
    "procedure formalisee": law.PROCEDURE_FORMALISEE,
    "publicite": law.PUBLICITE_SSS, "publicite sss": law.PUBLICITE_SSS,
    "ratio CA": law.CA_RATIO, "chiffre d'affaires": law.CA_RATIO,
}.items()}
CHOICES = ("« mini-lots », « petits lots », « procédure formalisée », « publicité SSS », "
           "« ratio CA »")


class BadArgument(ValueError):
    """An argument the function cannot use; its message is the French text shown."""


def to_date(value: Any) -> dt.date:
    """A date from a cell: an Excel serial number, a date, or text (`01/04/2026`).

    Raises BadArgument (French)."""
    if isinstance(value, bool):
        raise BadArgument("date illisible : écrivez-la JJ/MM/AAAA")
    if isinstance(value, int | float):
        if not 1 <= value < 2_958_466:  # 1900-01-01 .. 9999-12-31
            raise BadArgument(f"{value} n'est pas une date Excel")
        return from_excel(int(value)).date()  # Excel's 1900 date system (openpyxl)
    try:
        day = parse_date(value)
    except ValueError as e:
        raise BadArgument(str(e)) from None
    if day is None:
        raise BadArgument("date manquante")
    return day


def _number(value: Any, what: str, default: float | None = None) -> float:
    if value is None or value == "":
        if default is None:
            raise BadArgument(f"{what} manquant")
        return default
    try:
        number = parse_number(value)
    except ValueError as e:
        raise BadArgument(f"{what} : {e}") from None
    if number is None or number < 0:
        raise BadArgument(f"{what} doit être un nombre positif")
    return number


def legal_threshold(day: Any, which: Any = "mini-lots") -> float | str:
    """The legal value of threshold `which` in force on `day` (€ HT; `ratio CA` is a
    multiplier), from allot_xl.core.law: 40 000 before 2026-04-01 and 60 000 from that day for
    the mini-lots. A French sentence for a bad argument."""
    key = THRESHOLD_NAMES.get(_key(which or "mini-lots"))
    if key is None:
        return f"Seuil inconnu « {which} » : choisissez {CHOICES}."
    try:
        return law.legal(key, to_date(day)).value
    except BadArgument as e:
        return f"Date : {e}."


def lot_maximum(annual_amount: Any, max_pct: Any = 120, term_months: Any = 12,
                renewals: Any = 0) -> float | str:
    """A lot's maximum over the framework's whole term (€ HT): `annual_amount` (€ HT a
    year) at `max_pct` % (`Maximum bons de commande (%)`), over `term_months` × (1 +
    `renewals`) months, as the Lots sheet computes it. A French sentence beyond the
    48 months of CCP L2125-1 or for a bad argument."""
    try:
        amount = _number(annual_amount, "Montant annuel")
        pct = _number(max_pct, "Maximum (%)", 120.0)
        months = _number(term_months, "Durée (mois)", 12.0)
        again = _number(renewals, "Reconductions", 0.0)
    except BadArgument as e:
        return f"{e}."
    if not again.is_integer():
        return "Reconductions : un nombre entier."
    params = Params(max_bons_pct=pct, duree_mois=months, reconductions=int(again))
    total = months * (1 + int(again))
    if total > law.MAX_TERM_MONTHS + 1e-9:
        return (f"Durée totale de {total:g} mois : un accord-cadre ne peut dépasser "
                f"{law.MAX_TERM_MONTHS} mois (CCP L2125-1).")
    return term_maximum(amount, params)


HEADERS = ("Lots", "Part des mini-lots (%)")


def lots_for_bounds(code: Any, volume_min: Any, volume_max: Any, besoins: Any, zones: Any,
                    regles: Any, parametres: Any = None) -> list[list[Any]]:
    """What `Volume min` and `Volume max` would give for dispositif `code`: one row
    [number of lots, share of the mini-lots in the total maximum (%)], from the whole
    pipeline run on the ranges given (each with its header row) with those bounds typed
    into `Règles`. `volume_max` empty: no maximum. A French sentence (one cell) for a bad
    argument or a workbook the run refuses."""
    try:
        low = _number(volume_min, "Volume min", 0.0)
        high = None if volume_max in (None, "") else _number(volume_max, "Volume max")
        grids = {BESOINS: _grid(BESOINS, besoins), ZONES: _grid(ZONES, zones),
                 REGLES: _grid(REGLES, regles)}
        if parametres not in (None, ""):
            grids[PARAMETRES] = _parameters(_grid(PARAMETRES, parametres))
        _set_bounds(grids[REGLES], str(code or "").strip(), low, high)
        result = pipeline.run(grids, pipeline.Context(campaign="simulation"),
                              outputs=False).result
    except BadArgument as e:
        return [[f"{e}."]]
    except AllotError as e:
        return [[str(e)]]
    row = result.summary[result.summary["dispositif"].map(fold) == fold(code)]
    return [[int(row["lots"].iloc[0]), float(row["part_mini"].iloc[0])]]


def _grid(name: str, values: Any) -> SheetGrid:
    """A range as a sheet from A1: a single cell or row becomes a grid of rows."""
    if not isinstance(values, list | tuple) or not values:
        raise BadArgument(f"{name} : donnez la plage de la feuille, ligne d'en-tête comprise")
    if not isinstance(values[0], list | tuple):
        values = [values]  # one row handed as a flat list
    rows = [list(r) if isinstance(r, list | tuple) else [r] for r in values]
    return SheetGrid(name, [[None if v == "" else v for v in r] for r in rows])


def _parameters(grid: SheetGrid) -> SheetGrid:
    """`Date de lancement` handed as a serial number (Excel passes dates so) read as a date."""
    target = fold("Date de lancement")
    for row in grid.values:
        for i, v in enumerate(row[:-1]):
            nxt = row[i + 1]
            if fold(v) == target and isinstance(nxt, int | float) and not isinstance(nxt, bool):
                row[i + 1] = to_date(nxt)
    return grid


def _set_bounds(grid: SheetGrid, code: str, low: float, high: float | None) -> None:
    """Type the bounds into the dispositif's row of `Règles`, as a buyer would."""
    table = read_table(grid, REGLES)
    if not table.header_row or "Dispositif" not in table.columns:
        raise BadArgument("Règles : en-tête « Dispositif » introuvable dans la plage")
    header = grid.values[table.header_row - 1]
    at = {clean_header(h): c for c, h in enumerate(header)}
    cols = {}
    for name in ("Dispositif", "Volume min", "Volume max"):
        written = table.headers.get(name)
        if written is None or written not in at:
            raise BadArgument(f"Règles : colonne « {name} » introuvable dans la plage")
        cols[name] = at[written]
    rows = [r for r, _ in table.rows
            if fold(grid.cell(r, cols["Dispositif"] + 1)) == fold(code)]
    if not rows:
        raise BadArgument(f"Dispositif « {code} » absent de Règles")
    for r in rows:
        line = grid.values[r - 1]
        line.extend([None] * (max(cols.values()) + 1 - len(line)))
        line[cols["Volume min"]] = low
        line[cols["Volume max"]] = high
