"""How a contract table's header is found in a sheet, and found again: columns matched by
name or alias (two answering one column stop the run), the header repeated mid-sheet,
Excel tables stacked on one sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.contract import COLUMNS, HEADER_KEYS, clean_header, column_letter, fold, is_blank
from ..core.problems import StructuralError

if TYPE_CHECKING:
    from .grid import SheetGrid, TableRef


def match_header(cells: list[Any], lookup: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, v in enumerate(cells):
        if isinstance(v, str):
            canon = lookup.get(fold(v))
            if canon and canon not in out:
                out[canon] = i
    return out


def answering(cells: list[Any], lookup: dict[str, str]) -> dict[str, list[int]]:
    """Contract column -> every index of `cells` whose header names it (name or alias)."""
    out: dict[str, list[int]] = {}
    for i, v in enumerate(cells):
        if isinstance(v, str):
            canon = lookup.get(fold(v))
            if canon:
                out.setdefault(canon, []).append(i)
    return out


def refuse_duplicates(sheet: str, header_row: int, first_col: int, cells: list[Any],
                       lookup: dict[str, str]) -> None:
    """StructuralError (one French sentence) when two header cells answer one contract
    column (`Heures` twice, or `Places` beside its alias `Nb places`): reading either one
    would be a guess."""
    for canon, where in answering(cells, lookup).items():
        if len(where) > 1:
            named = " et ".join(f"{column_letter(first_col + i)} « {clean_header(cells[i])} »"
                                for i in where)
            raise StructuralError(
                f"Feuille « {sheet} » : les colonnes {named} (en-têtes en ligne {header_row}) "
                f"répondent toutes à « {canon} » : allot_xl ne choisit pas entre elles. "
                f"Supprimez celle qui ne vaut plus, ou renommez-la (par exemple "
                f"« {clean_header(cells[where[0]])} (ancien) »), puis relancez.")


def stacked_tables(grid: SheetGrid, kind: str, lookup: dict[str, str], first: str
                    ) -> list[TableRef]:
    """The other Excel tables of the sheet whose header is a `kind` header (one table per
    département stacked on one sheet), refused like one table when two of their columns
    answer one contract column."""
    out = []
    for t in grid.tables:
        if t.name == first:
            continue
        cells = [grid.cell(t.first_row, c) for c in range(t.first_col, t.last_col + 1)]
        if all(k in match_header(cells, lookup) for k in HEADER_KEYS[kind]):
            refuse_duplicates(grid.name, t.first_row, t.first_col, cells, lookup)
            out.append(t)
    return out


class Repeats:
    """The header row found again among the data rows: blocks pasted one under another
    (one per département), or tables stacked on one sheet. Such a row is skipped, and so is
    a one-cell title just above it; when the new header orders the columns otherwise, the
    rows below it are read in its order (`remap`)."""

    def __init__(self, kind: str, columns: dict[str, int], cells: list[Any],
                 lookup: dict[str, str]):
        self.keys = HEADER_KEYS[kind]
        self.columns, self.lookup = columns, lookup
        key = columns.get(self.keys[0], -1)
        self.at = key
        self.texts = {cells[key]} if 0 <= key < len(cells) else set()
        # the first two letters a header may start with, folded or as the contract spells
        # it, lower case: a cheap check on the key cell of each row before folding it
        self.starts = {k[:2] for k in lookup} | {
            n.lower()[:2] for c in COLUMNS[kind] for n in (c.name, *c.aliases)}
        self.rows: list[int] = []
        self.layout = columns
        self.moved = False

    def header(self, vals: list[Any]) -> dict[str, int] | None:
        found = match_header(vals, self.lookup)
        if not all(k in found for k in self.keys):
            return None
        self.layout = found
        self.moved = any(found.get(k) != i for k, i in self.columns.items())
        return found

    def skip(self, r: int, rows: list[tuple[int, list[Any]]], header_row: int) -> None:
        last = self.rows[-1] if self.rows else header_row
        if rows and rows[-1][0] > last and sum(not is_blank(v) for v in rows[-1][1]) == 1:
            title = rows.pop()
            self.rows.append(title[0])
        self.rows.append(r)

    def remap(self, vals: list[Any]) -> list[Any]:
        """A row under a header in another order, in the first header's order."""
        out: list[Any] = [None] * (max(self.columns.values(), default=-1) + 1)
        for k, i in self.columns.items():
            j = self.layout.get(k)
            if j is not None and j < len(vals):
                out[i] = vals[j]
        return out
