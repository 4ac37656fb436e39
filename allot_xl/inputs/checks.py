"""The validation backend: applies the column declarations of `contract` to a table, column
by column, and collects every failure (lazy) with its Excel row and the header as written."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core import contract as C
from ..core.contract import BadNumber, Column, read_number
from ..core.french import nombre
from ..core.problems import CODES, Report
from .grid import RawTable

_FAST = (float, int)
_SEPARATOR = re.compile(r"\s\|\s|\s\+\s|=")


def shown(x: float) -> str:
    """A number for a message, French style; huge values in scientific notation."""
    if abs(x) >= 1e15:
        return f"{x:.3g}".replace(".", ",")
    return nombre(x)


@dataclass
class Pending:
    """Problems of one sheet, kept aside then added in row order (then check order)."""

    items: list[tuple[int, int, tuple, dict]] = field(default_factory=list)

    def add(self, rank: int, code: str, sheet: str, row: int, column: str, value: Any,
            **fields: Any) -> None:
        """Keep a problem aside; `fields` as in `Report.add`."""
        self.items.append((row, rank, (code, sheet, row, column, value), fields))

    def flush(self, report: Report) -> None:
        for _, _, p, fields in sorted(self.items, key=lambda x: (x[0], x[1])):
            report.add(*p, **fields)
        self.items.clear()


Finding = tuple[str, dict[str, Any]]
"""A problem found before it is placed: its registered code and its template's fields."""


def range_problem(col: Column, header: str, x: float) -> Finding | None:
    """(code, fields) when `x` breaks `col`'s declared range or whole rule."""
    lo, hi = col.minimum, col.maximum
    if lo is not None and x < lo and lo >= 0:
        return "nombre-negatif", {"colonne": header, "minimum": f"{lo:g}"}
    if col.positive and x <= (lo or 0):
        return "nombre-non-positif", {"colonne": header}
    if (lo is not None and x < lo) or (hi is not None and x > hi):
        return "nombre-hors-bornes", {"colonne": header, "valeur": shown(x),
                                      "minimum": shown(lo or 0), "maximum": shown(hi or 0)}
    if col.kind == C.WHOLE and not float(x).is_integer():
        return "places-non-entieres", {"colonne": header,
                                       "quoi": " de places" if col.name == "Places" else ""}
    return None


def _plausible(col: Column, x: float | None) -> bool:
    return x is not None and range_problem(col, "", x) is None


def read_cell(col: Column, header: str, value: Any) -> tuple[float | None, list[Finding]]:
    """One numeric cell against its declaration: (value or None, [(code, fields)]). The
    value is None when a problem of severity Erreur was found."""
    try:
        r = read_number(value, percent=col.kind == C.PERCENT)
    except BadNumber as e:
        return None, [("nombre-invalide", {"colonne": header, "raison": str(e)})]
    if r.value is None:
        return None, []
    out: list[Finding] = []
    if r.ambiguous:
        text = C.clean_text(value)
        if r.other is not None and not _plausible(col, r.value) and not _plausible(col, r.other):
            return None, [("nombre-ambigu-implausible", {
                "texte": text, "lecture": shown(r.value), "autre": shown(r.other),
                "colonne": header})]
        if r.other is not None:
            why = (f"convention française : la virgule sépare les décimales, le point ou "
                   f"l'espace les milliers ; il pourrait aussi se lire {shown(r.other)}")
        else:
            why = "seule lecture possible de ces séparateurs"
        out.append(("nombre-ambigu", {"texte": text, "lecture": shown(r.value),
                                      "raison": why}))
    bad = range_problem(col, header, r.value)
    if bad:
        return None, [*out, bad]
    return r.value, out


def read_choice(col: Column, header: str, value: Any) -> tuple[str | None, Finding | None]:
    """One choice cell against its declaration (`col.choices`): (the canonical choice, or
    None when empty or unknown; the problem of an unknown value)."""
    if C.is_blank(value):
        return None, None
    choice = C.canonical_choice(value, col.choices)
    if choice is None:
        return None, ("choix-invalide", {
            "colonne": header, "valeur": short(C.clean_text(value)),
            "choix": ", ".join(f"« {x} »" for x in col.choices)})
    return choice, None


def read_yes_no(header: str, value: Any) -> tuple[bool | None, Finding | None]:
    """One oui/non cell: (the bool, or None when empty or unreadable; its problem)."""
    if C.is_blank(value):
        return None, None
    x = C.parse_yes_no(value)
    return x, None if x is not None else ("oui-non-invalide", {"colonne": header})


def shown_values(values: np.ndarray) -> np.ndarray:
    """`values` as Excel shows them (`contract.as_shown`: 15 significant digits), each
    distinct value formatted once; `values` itself when none changes."""
    some = np.isfinite(values) & (values != 0)
    if not some.any():
        return values
    distinct, where = np.unique(values[some], return_inverse=True)
    shown_ = np.array([C.as_shown(x) for x in distinct.tolist()], dtype="float64")
    if np.array_equal(shown_, distinct):
        return values
    out = values.copy()
    out[some] = shown_[where]
    return out


def number_column(t: RawTable, name: str, pending: Pending, rank: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(values, ok) for column `name` of `t`, one entry per data row: NaN where empty or
    bad; `ok` False where the cell has an Erreur (reported into `pending`). Cells holding
    plain numbers are checked in bulk; only text and odd cells are read one by one."""
    n = len(t.rows)
    idx = t.columns.get(name)
    if idx is None:
        return np.full(n, np.nan), np.ones(n, bool)
    col, header = C.column(t.kind, name), t.header(name)
    raw = t.column_values(name)
    values = shown_values(np.array([v if type(v) in _FAST else np.nan for v in raw],
                                   dtype="float64"))
    ok = np.ones(n, bool)
    slow = [i for i, v in enumerate(raw) if v is not None and (
        type(v) not in _FAST or not math.isfinite(v))]
    flagged = np.zeros(n, bool)
    with np.errstate(invalid="ignore"):
        if col.minimum is not None:
            flagged |= (values <= col.minimum) if col.positive else (values < col.minimum)
        if col.maximum is not None:
            flagged |= values > col.maximum
        if col.kind == C.WHOLE:
            flagged |= np.isfinite(values) & (values != np.floor(values))
    rows = [r for r, _ in t.rows]
    for i in sorted({*slow, *np.flatnonzero(flagged).tolist()}):
        x, problems = read_cell(col, header, raw[i])
        values[i] = np.nan if x is None else x
        for code, fields in problems:
            pending.add(rank, code, t.sheet, rows[i], header, raw[i], **fields)
            if CODES[code].severity == "Erreur":
                ok[i] = False
    return values, ok


def name_column(t: RawTable, name: str, pending: Pending, rank: int) -> np.ndarray:
    """`ok` per data row for a text column: a name holding a key separator (` | `, ` + `,
    `=`) or longer than its declared maximum is an Erreur of its row."""
    n = len(t.rows)
    ok = np.ones(n, bool)
    idx = t.columns.get(name)
    if idx is None:
        return ok
    col, header = C.column(t.kind, name), t.header(name)
    values = t.column_values(name)
    if set(map(type, values)) <= {str, type(None)} and not any(
            text_problem(col, header, v) for v in set(values) if v is not None):
        return ok  # names repeat: each distinct one checked once, and all are good
    checked: dict[str, Finding | None] = {}
    for i, v in enumerate(values):
        if not isinstance(v, str):
            continue
        if v in checked:
            problem = checked[v]
        else:
            problem = checked[v] = text_problem(col, header, v)
        if problem:
            pending.add(rank, problem[0], t.sheet, t.rows[i][0], header, v, **problem[1])
            ok[i] = False
    return ok


def short(text: str, limit: int = 60) -> str:
    """`text` cut to `limit` characters for a message (`…` marks the cut)."""
    return text if len(text) <= limit else text[:limit] + "…"


def text_problem(col: Column, header: str, v: str) -> Finding | None:
    """(code, fields) when text `v` breaks `col`'s declaration, else None."""
    if col.max_length is not None and len(v) > col.max_length:
        return "texte-trop-long", {"colonne": header, "longueur": nombre(len(v)),
                                   "maximum": nombre(col.max_length)}
    if col.kind == C.NAME:
        m = _SEPARATOR.search(v)
        if m:
            return "separateur-de-cle", {"texte": short(C.clean_text(v)),
                                         "separateur": m.group(0).strip() or m.group(0)}
    return None


_NAMED_TEXTS = {"ID besoin", "Voisines", "Code ROME", "Lot imposé", "N° lot", "Candidat",
                "Paramètre"}
_ODD = re.compile(C.INVISIBLE.pattern[:-1] + "\u2011]")  # the invisible ones, no-break hyphen


def report_invisible(t: RawTable, report: Report) -> None:
    """One Info per text column and distinct value holding an invisible character (or a
    no-break hyphen), naming its first cell: such characters never make two names differ
    (`contract.fold`), but the buyer may want them out."""
    for canon in sorted(t.columns, key=t.columns.__getitem__):
        if C.column(t.kind, canon).kind != C.NAME and canon not in _NAMED_TEXTS:
            continue  # free text (Commentaire, Source) is written as typed, never matched
        values = t.column_values(canon)
        try:  # one search over the whole column (most columns are all text)
            joined = "\n".join(values)
        except TypeError:
            joined = "\n".join([v for v in values if type(v) is str])
        if joined.isascii() or _ODD.search(joined) is None:
            continue
        odd = {v for v in set(values) if type(v) is str and C.odd_characters(v)}
        first: dict[str, list[int]] = {}
        for (row, _), v in zip(t.rows, values, strict=True):
            if v in odd:
                first.setdefault(v, []).append(row)
        for v, rows in first.items():
            n = len(rows) - 1
            others = (f", comme {nombre(n)} autre{'s' if n > 1 else ''} cellule"
                      f"{'s' if n > 1 else ''} de la colonne" if n else "")
            report.add("caractere-invisible", t.sheet, rows[0], t.header(canon), v,
                       sujet=f"« {short(C.clean_text(v))} »", caracteres=C.odd_characters(v),
                       autres=others, effet="il est ignoré pour comparer les noms",
                       quoi="la cellule")


def row_list(rows: list[int], capital: bool = False) -> str:
    """Excel rows for a message, runs shortened: `lignes 10 à 12 et 20`, `ligne 4`; at
    most 20 items, then `…`."""
    runs: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    items = [x for a, b in runs for x in ([str(a)] if a == b else [str(a), str(b)]
                                          if b == a + 1 else [f"{a} à {b}"])]
    if len(items) > 20:
        items = [*items[:20], "…"]
    text = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]
    word = "ligne" if len(rows) == 1 else "lignes"
    return f"{word.capitalize() if capital else word} {text}"
