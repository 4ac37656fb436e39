"""Multi-attribution: check the bids, choose each lot's holders, share the lot among them."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..contract import fold, sort_key
from ..model import Rule
from ..problems import Report
from .selection import decreasing_selection, optimal_selection
from .shares import split_places, split_value

DECREASING, OPTIMAL = "importance décroissante", "optimale"
MODES = (DECREASING, OPTIMAL)
NO_BID = "Sans attributaire (aucune offre)"
CAPPED_OUT = "Sans attributaire (plafond de lots atteint)"
UNASSIGNED = "Non attribué"
TO_NAME = "À désigner {}"

ROW_COLUMNS = ["lot", "dispositif", "titulaire", "rang", "ordre", "part", "places", "hours",
               "montant", "note", "prix", "capacite", "placeholder"]
HOLDER_COLUMNS = ["titulaire", "nb_lots", "places", "hours", "montant", "part_total"]
COMPARISON_COLUMNS = ["dispositif", "regle", "places_pourvues", "note_totale",
                      "titulaires_par_lot", "retenue"]
_CANONICAL = ("N° lot", "Candidat", "Note", "Rang", "Capacité (places)")
_NAN = float("nan")


@dataclass
class Attribution:
    """The `Multi-attribution` tables, the holders' concentration and both rules compared."""

    rows: pd.DataFrame
    holders: pd.DataFrame
    hhi: dict[str, float]
    comparison: pd.DataFrame | None


@dataclass(frozen=True)
class Bid:
    """One valid bid; `key` identifies the bidder (folded name), `name` is how it is shown."""

    lot: str
    key: str
    name: str
    note: float
    prix: float
    capacite: float
    rang: float
    row: int


@dataclass(frozen=True)
class _Lot:
    lot: str
    dispositif: str
    places: int
    hours: float
    montant: float
    montant_max: float


class _Where:
    """Where problems about `Offres` go: the sheet and its headers as written."""

    def __init__(self, sheet: str, headers: dict[str, str] | None) -> None:
        self.sheet = sheet
        self.headers = {c: (headers or {}).get(c, c) for c in _CANONICAL}

    def col(self, canonical: str) -> str:
        return self.headers[canonical]


def attribute(lots: pd.DataFrame, rules: dict[str, Rule], offers: pd.DataFrame | None,
              mode: str, report: Report, offers_sheet: str = "Offres",
              headers: dict[str, str] | None = None) -> Attribution:
    """Holders and shares of every lot: the planned structure without bids, else the
    announced rule's choice (`mode`), with both rules compared per dispositif."""
    if mode not in MODES:
        raise ValueError(f"unknown attribution mode: {mode!r}")
    where = _Where(offers_sheet, headers)
    lot_list = sorted((_as_lot(r) for r in lots.itertuples(index=False)),
                      key=lambda x: lot_order_key(x.lot))
    if offers is None or len(offers) == 0:
        if offers is not None:
            report.info("offres-vides", offers_sheet, None, "", None,
                        "La feuille Offres ne contient aucune offre : la multi-attribution montre "
                        "la structure prévue (À désigner). Saisissez les offres puis relancez.")
        rows = [r for lot in lot_list for r in _planned_rows(lot, rules[lot.dispositif])]
        return Attribution(_frame(rows, ROW_COLUMNS), _frame([], HOLDER_COLUMNS), {}, None)
    bids = rank_bids(check_offers(lot_list, offers, report, where), report, where)
    chosen = {m: _choose(lot_list, rules, bids, m) for m in MODES}
    rows = []
    for lot in lot_list:
        rule = rules[lot.dispositif]
        rows += _awarded_rows(lot, rule, bids.get(lot.lot, []), chosen[mode][lot.lot],
                              report, where)
    table = _frame(rows, ROW_COLUMNS)
    return Attribution(table, holders_table(table), hhi_by_dispositif(table),
                       _comparison(lot_list, rules, chosen, mode))


# --------------------------------------------------------------------------- bids


def check_offers(lots: list[_Lot], offers: pd.DataFrame, report: Report,
                 where: _Where) -> list[Bid]:
    """Valid bids in sheet order: unknown lots and repeated bidders are errors, left out."""
    known = {fold(x.lot): x.lot for x in lots}
    names: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    out: list[Bid] = []
    for o in offers.sort values if False else offers.sort_values("row", kind="stable").itertuples(index=False):
        pass
    return out
