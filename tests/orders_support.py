"""Workbooks of the orders tests (issue 25): the example with its `Offres` and a year of
`Commandes`, `Commandes` rewritten, and the tables of `Suivi des commandes` read back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries

from allot_xl import api
from allot_xl.core.contract import COLUMNS, COMMANDES, SUIVI
from allot_xl.template import build_template

ORDER_HEADERS = [c.name for c in COLUMNS[COMMANDES]]


def example_with_orders(path: Path, psp_holders: int = 2) -> Path:
    """The example campaign with its `Offres` and `Commandes`, PSP (a `cascade`) with
    `psp_holders` holders per lot so that a rank 2 exists."""
    wb = build_template(example=True, orders=True)
    ws = wb["Règles"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[head.index("Dispositif")].value == "PSP":
            row[head.index("Attributaires")].value = psp_holders
    wb.save(path)
    return path


def table(path: Path, sheet: str, name: str) -> list[dict[str, Any]]:
    """The rows of Excel table `name` on `sheet`, as dicts by header."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[sheet]
    c1, r1, c2, r2 = range_boundaries(ws.tables[name].ref)
    rows = [[ws.cell(r, c).value for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def total_row(path: Path, name: str) -> dict[str, Any]:
    """The bold total line just under table `name` of `Suivi des commandes`."""
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[SUIVI]
    c1, r1, c2, r2 = range_boundaries(ws.tables[name].ref)
    head = [ws.cell(r1, c).value for c in range(c1, c2 + 1)]
    return dict(zip(head, [ws.cell(r2 + 1, c).value for c in range(c1, c2 + 1)], strict=True))


def orders_of(path: Path) -> list[dict[str, Any]]:
    return table(path, COMMANDES, "T_Commandes")


def with_orders(path: Path, rows: list[dict[str, Any]], out: Path) -> Path:
    """`path` saved as `out` with `Commandes` holding `rows` (its table resized)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[COMMANDES]
    ws.delete_rows(2, ws.max_row)
    for r in rows:
        ws.append([r.get(h) for h in ORDER_HEADERS])
    ws.tables["T_Commandes"].ref = (f"A1:{get_column_letter(len(ORDER_HEADERS))}"
                                    f"{max(2, len(rows) + 1)}")
    wb.save(out)
    return out


@dataclass
class Case:
    """The acceptance case: lot `near` ordered to 85 % of its maximum, `over` to 101 %
    (`crossing` the order that passes 100 %), rank 2 of cascade lot `cascade` ordered while
    rank 1 had not declined (`breach`)."""

    near: str
    over: str
    cascade: str
    crossing: str
    breach: str
    rows: list[dict[str, Any]]


def acceptance_case(regenerated: Path) -> Case:
    """The example's orders, those of three lots replaced by the acceptance case's."""
    lots = {r["N° lot"]: r for r in table(regenerated, "Lots", "T_Lots")}
    holders: dict[str, list[dict[str, Any]]] = {}
    for r in table(regenerated, "Multi-attribution", "T_Multi"):
        holders.setdefault(r["N° lot"], []).append(r)
    aof = [n for n in lots if n.startswith("AOF-")]
    near, over = aof[0], aof[1]
    cascade = next(n for n in lots if n.startswith("PSP-") and len(holders[n]) >= 2)
    rows = [r for r in orders_of(regenerated) if r["N° lot"] not in (near, over, cascade)]
    day = dt.datetime(2027, 6, 1)

    def order(bon: str, lot: str, rank: int, share: float, refus: str = "non") -> dict:
        return {"N° bon": bon, "Date": day, "N° lot": lot,
                "Titulaire": holders[lot][rank - 1]["Titulaire"], "Places": 3, "Heures": 300,
                "Montant (€ HT)": round(lots[lot]["Montant maximum (€ HT)"] * share, 2),
                "Refus du titulaire précédent": refus}

    for o in (order("T-NEAR-1", near, 1, 0.50), order("T-NEAR-2", near, 2, 0.35),
              order("T-OVER-1", over, 1, 0.60), order("T-OVER-2", over, 2, 0.41),
              order("T-CASC-1", cascade, 1, 0.10), order("T-CASC-2", cascade, 2, 0.05),
              order("T-CASC-3", cascade, 2, 0.05, refus="oui")):
        rows.append(o)
    return Case(near, over, cascade, "T-OVER-2", "T-CASC-2", rows)


def regenerate(src: Path, out: Path) -> api.Run:
    return api.regenerate(src, out, user="test")
