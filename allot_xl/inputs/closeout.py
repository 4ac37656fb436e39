"""The `Lots attribués` sheet of a relaunch workbook: the lots of the earlier consultation
that were awarded, whose numbers stay reserved (never given to a lot of this workbook); and
the bidders' identities of `Offres` (SIRET, size) that the close-out publishes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..core import contract as C
from ..core.contract import clean_text, fold
from ..core.problems import Report, StructuralError
from .dce import siret_reason
from .grid import SheetGrid, read_table

# `Taille` of `Offres` -> eForms `economic-operator-size` (BT-165)
SIZES = {"micro": "micro", "petite": "small", "moyenne": "medium", "grande": "large"}


@dataclass(frozen=True)
class Bidder:
    """A bidder of `Offres` as named there (`name`), its SIRET (14 digits, "" when none was
    given), its eForms size (`micro`, `small`, `medium`, `large`; "" when none), its
    `city` and `postcode` ("" when none), with one French sentence per bad value met
    (`problems`)."""

    name: str
    siret: str = ""
    size: str = ""
    city: str = ""
    postcode: str = ""
    problems: tuple[str, ...] = ()


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a SIRET typed as a number
    return re.sub(r"[\s\u00a0\u202f.]", "", clean_text(value)) if value is not None else ""


def read_bidders(grid: SheetGrid) -> dict[str, Bidder]:
    """Folded `Candidat` -> `Bidder`, from the `SIRET`, `Taille`, `Ville` and `Code postal`
    columns of `Offres` (optional; a bidder's values may sit on any of its rows, the first
    given is kept). A
    SIRET that is not 14 digits passing the Luhn check, or two different SIRETs for one
    bidder, is a sentence of its `problems` (row and column named)."""
    t = read_table(grid, C.OFFRES)
    out: dict[str, Bidder] = {}
    for row, vals in t.rows:
        name = clean_text(t.get(vals, "Candidat"))
        if not name:
            continue
        b = out.get(fold(name), Bidder(name))
        siret = _text(t.get(vals, "SIRET")) if "SIRET" in t.headers else ""
        size = SIZES.get(fold(clean_text(t.get(vals, "Taille")) or ""), "") \
            if "Taille" in t.headers else ""
        problems = list(b.problems)
        why = siret_reason(siret) if siret else ""
        where = f"Offres, ligne {row}, colonne « {t.header('SIRET')} »"
        if why:
            problems.append(f"{where} : le SIRET de « {name} » n'est pas valide ({why}) : "
                            f"corrigez-le.")
        elif siret and b.siret and siret != b.siret:
            problems.append(f"{where} : « {name} » a deux SIRET ({b.siret} et {siret}) : "
                            f"gardez le bon.")
        city = clean_text(t.get(vals, "Ville")) if "Ville" in t.headers else ""
        post = _text(t.get(vals, "Code postal")) if "Code postal" in t.headers else ""
        out[fold(name)] = Bidder(name, b.siret or ("" if why else siret), b.size or size,
                                 b.city or city or "", b.postcode or post, tuple(problems))
    return out

_LOT_NUMBER = re.compile(r"^.+-\d+$")  # `CODE-NN`, as `engine.lots.lot_label` writes them


def read_awarded(grid: SheetGrid, report: Report) -> dict[str, str]:
    """Folded N° lot -> N° lot as written, for each row of `Lots attribués`. A row whose
    N° lot is not a lot number (`CODE-NN`) is an Erreur of its row (`lot-attribue-illisible`)
    and reserves nothing; an empty N° lot is skipped like a blank row, an empty sheet
    reserves nothing. Raises StructuralError (French) when a filled sheet has no `N° lot`
    header."""
    if not any(not C.is_blank(v) for row in grid.values for v in row):
        return {}  # an empty sheet reserves nothing
    t = read_table(grid, C.LOTS_ATTRIBUES)
    if t.header_row == 0 or t.missing:
        raise StructuralError(f"Feuille « {grid.name} » : colonne « N° lot » introuvable "
                              f"dans les 10 premières lignes.")
    out: dict[str, str] = {}
    for row, vals in t.rows:
        lot = clean_text(t.get(vals, "N° lot"))
        if not lot:
            continue
        if not _LOT_NUMBER.match(lot):
            report.add("lot-attribue-illisible", t.sheet, row, t.header("N° lot"), lot,
                       lot=lot)
            continue
        out.setdefault(fold(lot), lot)
    return out


def free_imposed(needs: pd.DataFrame, reserved: dict[str, str], sheet: str, column: str,
                 report: Report) -> pd.DataFrame:
    """`needs` with every `Lot imposé` naming a reserved (awarded) lot emptied, each
    reported (`lot-impose-attribue`): an awarded lot's number is never reused, so such a
    need is allotted like the others."""
    if not reserved or needs.empty:
        return needs
    hit = needs["lot_impose"].map(lambda v: bool(v) and fold(v) in reserved).astype(bool)
    if not hit.any():
        return needs
    for row, lot in needs.loc[hit, ["row", "lot_impose"]].itertuples(index=False):
        report.add("lot-impose-attribue", sheet, int(row), column, lot, lot=lot,
                   feuille=C.LOTS_ATTRIBUES)
    needs = needs.copy()
    needs.loc[hit, "lot_impose"] = ""
    return needs
