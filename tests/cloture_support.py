"""The bundled example with its bids for the close-out (issue 26): no bid on PSP, one bid on
PQ-03 and PQ-05 (three holders planned), every other lot fully bid; each bidder with a SIRET
(Luhn-valid), a size and an address."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from dce_support import example_workbook

from allot_xl import api
from allot_xl.inputs.dce import luhn_ok
from workbooks import offer, sheet_rows, write_table

SHORT = ("PQ-03", "PQ-05")  # one bid for three holders
NOTIFIED = "01/03/2027"


def siret(n: int) -> str:
    """A SIRET passing the Luhn check, made from `n`."""
    stem = f"{n:013d}"
    return next(stem + d for d in "0123456789" if luhn_ok(stem + d))


def bids(lots: list[dict], *, with_siret: bool = True) -> list[dict]:
    """The example's bids: none on PSP, one on each SHORT lot, as many as its holders on
    every other lot; each bidder with its SIRET, a size and its address."""
    rows, ids = [], {}
    sizes = ("micro", "petite", "moyenne", "grande")
    for x in lots:
        n = x["N° lot"]
        if x["Dispositif"] == "PSP":
            continue
        for j in range(1 if n in SHORT else int(x["Attributaires"])):
            name = f"Organisme {n} {j}"
            ids.setdefault(name, siret(31_000_000_000 + len(ids)))
            extra = {"SIRET": ids[name]} if with_siret else {}
            rows.append(offer(n, name, 15 - j, Taille=sizes[j % 4], Ville="Lyon",
                              **{"Code postal": "69003"}, **extra))
    return rows


def offres_book(tmp: Path, name: str, *, with_siret: bool = True,
                params: dict | None = None) -> tuple[Path, list[dict]]:
    src = example_workbook(tmp / f"{name}.src.xlsx",
                           params={"Date de notification": NOTIFIED, **(params or {})})
    lots = sheet_rows(api.regenerate(src, tmp / f"{name}.lots.xlsx").output_path, "Lots")
    wb = openpyxl.load_workbook(src)
    write_table(wb.create_sheet("Offres"), bids(lots, with_siret=with_siret),
                ["N° lot", "Candidat", "Note", "SIRET", "Taille", "Ville", "Code postal"])
    book = tmp / f"{name}.xlsx"
    wb.save(book)
    return book, lots
