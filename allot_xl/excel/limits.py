"""What the add-in server accepts in one request: body size, payload shape, work caps.

Checked on the raw body before xlwings builds a Book, so a forged or oversized request
costs a parse at most, never a run. Every refusal is a `Refused(status, French message)`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..core.contract import REGLES, BadNumber, column, column_lookup, fold, parse_number
from ..inputs.validation import holders_problem
from .settings import Settings

HEADER_ROWS = 11  # the contract allows up to 10 title rows above a header
SCALARS = (str, int, float, bool, type(None))


class Refused(Exception):
    """A request the server answers with `status` and a French message, without running."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Limits:
    """Caps on one request. Sizes in bytes, cells and rows; `seconds` of wall time."""

    body_bytes: int = 16 * 1024 * 1024
    cells: int = 2_000_000
    rows: int = 200_000
    columns: int = 500
    sheets: int = 50
    # `Attributaires` of one rule (holders per lot): the contract's own cap, so that the
    # server and the command line refuse the same workbooks
    holders: int = int(column(REGLES, "Attributaires").maximum or 100)
    seconds: int = 120

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The defaults, with the body size and time limit the settings give."""
        return cls(body_bytes=settings.body_mb * 1024 * 1024, seconds=settings.seconds)


def parse_body(body: bytes) -> Any:
    """The JSON of `body`; Refused(400) when it is not UTF-8 JSON."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "Requête refusée : le corps n'est pas du texte UTF-8.") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise Refused(400, "Requête refusée : JSON trop imbriqué.") from None
    except ValueError as e:
        raise Refused(400, f"Requête refusée : JSON invalide (ligne {getattr(e, 'lineno', '?')}"
                           f", colonne {getattr(e, 'colno', '?')}).") from None


def check_object(payload: Any) -> dict:
    """`payload` as a JSON object; Refused(400) otherwise."""
    if not isinstance(payload, dict):
        kind = "null" if payload is None else type(payload).__name__
        raise Refused(400, f"Requête refusée : un objet JSON (le classeur) est attendu, "
                           f"reçu : {kind}.")
    return payload


def check_book(payload: Any, limits: Limits) -> None:
    """Refuse a workbook payload that is malformed (400) or would drive too much work (413,
    422), before any of it is read. The shape is the one xlwings' Office.js client sends."""
    book = check_object(payload)
    missing = [k for k in ("version", "book", "sheets") if k not in book]
    if missing:
        raise Refused(400, f"Requête refusée : il manque {', '.join(map(repr, missing))} : "
                           f"le classeur doit être envoyé par le complément Excel.")
    if not isinstance(book["version"], str) or not isinstance(book["book"], dict):
        raise Refused(400, "Requête refusée : « version » doit être un texte et « book » un "
                           "objet.")
    sheets = book["sheets"]
    if not isinstance(sheets, list) or len(sheets) > limits.sheets:
        raise Refused(400 if not isinstance(sheets, list) else 413,
                      f"Requête refusée : « sheets » doit être une liste d'au plus "
                      f"{limits.sheets} feuilles.")
    cells = 0
    for i, sheet in enumerate(sheets, 1):
        name, values = _sheet(sheet, i)
        if len(values) > limits.rows:
            raise Refused(413, f"Requête refusée : la feuille « {name} » a {len(values)} lignes "
                               f"(au plus {limits.rows}).")
        for row in values:
            if not isinstance(row, list) or len(row) > limits.columns:
                raise Refused(400 if not isinstance(row, list) else 413,
                              f"Requête refusée : chaque ligne de « {name} » doit être une liste "
                              f"d'au plus {limits.columns} cellules.")
            if not all(isinstance(v, SCALARS) for v in row):
                raise Refused(400, f"Requête refusée : une cellule de « {name} » n'est pas une "
                                   f"valeur simple.")
            cells += len(row)
        if cells > limits.cells:
            raise Refused(413, f"Requête refusée : plus de {limits.cells} cellules envoyées ; "
                               f"n'envoyez que les feuilles d'entrée.")
        if fold(name) == fold(REGLES):
            _check_holders(name, values, limits.holders)


def _sheet(sheet: Any, i: int) -> tuple[str, list]:
    if not isinstance(sheet, dict) or not isinstance(sheet.get("name"), str) \
            or not isinstance(sheet.get("values"), list):
        raise Refused(400, f"Requête refusée : la feuille n° {i} doit être un objet avec "
                           f"« name » (texte) et « values » (liste de lignes).")
    return sheet["name"], sheet["values"]


def _check_holders(name: str, values: list[list], cap: int) -> None:
    """Refuse (422) a rule asking for more than `cap` holders per lot: it would size the
    multi-attribution's tables by that number."""
    lookup = column_lookup(REGLES)
    for top, header in enumerate(values[:HEADER_ROWS]):
        cols = [j for j, h in enumerate(header) if lookup.get(fold(h)) == "Attributaires"]
        if not cols:
            continue
        for r, row in enumerate(values[top + 1:], top + 2):
            for j in cols:
                try:
                    number = parse_number(row[j]) if j < len(row) else None
                except BadNumber:
                    continue  # the run reports it in Contrôles with its row
                if number is not None and number > cap:
                    raise Refused(422, f"Feuille « {name} » : "
                                       f"{holders_problem(r, 'Attributaires', header[j], number)}.")
        return
