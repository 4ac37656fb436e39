"""Multi-attribution: check the bids, choose each lot's holders, share the lot among them."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..core.contract import fold, sort_key
from ..core.model import Rule
from ..core.problems import Report
from .selection import decreasing_selection, optimal_selection
from .shares import (
    HOLDER_COLUMNS,
    hhi_by_dispositif,
    holders_table,
    nominal_shares,
    split_places,
    split_value,
    split_values,
    spread,
)

DECREASING, OPTIMAL = "importance décroissante", "optimale"
MODES = (DECREASING, OPTIMAL)
NO_BID = "Sans attributaire (aucune offre)"
CAPPED_OUT = "Sans attributaire (plafond de lots atteint)"
UNASSIGNED = "Non attribué"
ROW_COLUMNS = ["lot", "dispositif", "titulaire", "rang", "ordre", "part", "places", "hours",
               "montant", "note", "prix", "capacite", "placeholder"]
COMPARISON_COLUMNS = ["dispositif", "regle", "places_pourvues", "note_totale",
                      "titulaires_par_lot", "retenue"]
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
class Lot:
    lot: str
    dispositif: str
    places: int
    hours: float
    montant: float
    montant_max: float


@dataclass(frozen=True)
class _Where:
    """Where problems about the bids go: the sheet and its headers as written."""

    sheet: str
    headers: dict[str, str]

    def col(self, canonical: str) -> str:
        return self.headers.get(canonical) or canonical


def attribute(lots: pd.DataFrame, rules: dict[str, Rule], offers: pd.DataFrame | None,
              mode: str, report: Report, offers_sheet: str = "Offres",
              headers: dict[str, str] | None = None) -> Attribution:
    """Holders and shares of every lot: the planned structure without bids, else the
    announced rule's choice (`mode`), with both rules compared per dispositif."""
    if mode not in MODES:
        raise ValueError(f"unknown attribution mode: {mode!r}")
    where = _Where(offers_sheet, dict(headers or {}))
    lot_list = sorted((_as_lot(r) for r in lots.to_dict("records")),
                      key=lambda x: lot_order_key(x.lot))
    if offers is None or len(offers) == 0:
        if offers is not None:
            report.add("offres-vides", offers_sheet, None, "", None)
        return Attribution(_planned_table(lot_list, rules), _frame([], HOLDER_COLUMNS), {},
                           None)
    bids = rank_bids(check_offers(lot_list, offers, report, where), report, where)
    chosen = {m: choose_holders(lot_list, rules, bids, m) for m in MODES}
    rows: list[dict] = []
    for lot in lot_list:
        rows += _awarded_rows(lot, rules[lot.dispositif], bids.get(lot.lot, []),
                              chosen[mode][lot.lot], report, where)
    table = _frame(rows, ROW_COLUMNS)
    return Attribution(table, holders_table(table), hhi_by_dispositif(table),
                       _comparison(lot_list, rules, chosen, mode))


def lot_order_key(lot: str) -> tuple[str, int, str]:
    """Lot-number order: `PQ-2` before `PQ-10`, case- and accent-insensitive."""
    m = re.match(r"^(.*?)(\d+)$", lot)
    if m is None:
        return (sort_key(lot), -1, lot)
    return (sort_key(m.group(1)), int(m.group(2)), lot)


# --------------------------------------------------------------------------- bids


def check_offers(lots: list[Lot], offers: pd.DataFrame, report: Report,
                 where: _Where) -> list[Bid]:
    """Valid bids in sheet order: unknown lots and repeated bidders are errors, left out."""
    known = {fold(x.lot): x.lot for x in lots}
    folded: dict[str, str] = {}
    shown: dict[str, str] = {}
    seen: dict[tuple[str, str], int] = {}
    out: list[Bid] = []
    table = offers.sort_values("row", kind="stable")
    columns = [table[c].tolist() if c in table else [None] * len(table) for c in
               ("row", "lot", "candidat", "note", "prix", "capacite", "rang")]
    for row, typed, name, note, prix, capacite, rang in zip(*columns, strict=True):
        row, typed, name = int(row), _text(typed), _text(name)
        lot = known.get(_memo(folded, typed, fold))
        if lot is None:
            if typed:
                report.add("lot-inconnu", where.sheet, row, where.col("N° lot"), typed,
                           lot=typed)
            else:
                report.add("offre-incomplete", where.sheet, row, where.col("N° lot"), typed,
                           colonne=where.col("N° lot"))
            continue
        key = _memo(folded, name, fold)
        if not key:
            report.add("candidat-manquant", where.sheet, row, where.col("Candidat"), None,
                       lot=lot)
            continue
        if (lot, key) in seen:
            report.add("offre-en-double", where.sheet, row, where.col("Candidat"), name,
                       candidat=name, lot=lot, ligne=seen[lot, key])
            continue
        seen[lot, key] = row
        shown.setdefault(key, name)
        out.append(Bid(lot, key, shown[key], _num(note, 0.0), _num(prix), _num(capacite),
                       _num(rang), row))
    return out


def rank_bids(bids: list[Bid], report: Report, where: _Where) -> dict[str, list[Bid]]:
    """Each lot's bids, best first: `Rang` when it is consistent, else Note (higher first),
    then `Prix horaire` (lower first, none last), then name."""
    by_lot: dict[str, list[Bid]] = defaultdict(list)
    for b in bids:
        by_lot[b.lot].append(b)
    names = {name: sort_key(name) for name in {b.name for b in bids}}
    out = {}
    for lot, group in by_lot.items():
        use_rang = _ranks_ok(lot, group, report, where)
        out[lot] = sorted(group, key=lambda b: _rank_key(b, use_rang, names[b.name]))
    return out


def _rank_key(b: Bid, use_rang: bool, name: str) -> tuple:
    if use_rang and not math.isnan(b.rang):
        return (0, b.rang, 0.0, math.inf, "", b.row)
    prix = math.inf if math.isnan(b.prix) else b.prix
    return (1, 0.0, -b.note, prix, name, b.row)


def _ranks_ok(lot: str, group: list[Bid], report: Report, where: _Where) -> bool:
    """Given ranks must run 1, 2, … without gap or repeat (bids without one come after)."""
    given = [b for b in group if not math.isnan(b.rang)]
    values = sorted(b.rang for b in given)
    if values == list(range(1, len(values) + 1)):
        return True
    counts = Counter(values)
    bad = next(b for b in sorted(given, key=lambda b: b.row)
               if counts[b.rang] > 1 or not b.rang.is_integer() or b.rang > len(values)
               or b.rang < 1)
    shown = ", ".join(f"{v:g}" for v in values)
    report.add("rang-incoherent", where.sheet, bad.row, where.col("Rang"), bad.rang, lot=lot,
               rangs=shown)
    return False


# --------------------------------------------------------------------------- holders


def choose_holders(lots: list[Lot], rules: dict[str, Rule], bids: dict[str, list[Bid]],
                   mode: str) -> dict[str, list[Bid]]:
    """Each lot's holders in rank order under `mode`, dispositif by dispositif."""
    out: dict[str, list[Bid]] = {x.lot: [] for x in lots}
    by_code: dict[str, list[Lot]] = defaultdict(list)
    for x in lots:
        by_code[x.dispositif].append(x)
    for code, group in by_code.items():
        rule = rules[code]
        flat = [(i, pos, b) for i, x in enumerate(group)
                for pos, b in enumerate(bids.get(x.lot, []), start=1)]
        if not flat:
            continue
        bidder = {k: j for j, k in enumerate(sorted({b.key for _, _, b in flat}))}
        lot_idx = np.array([i for i, _, _ in flat])
        ranks = np.array([pos for _, pos, _ in flat])
        who = np.array([bidder[b.key] for _, _, b in flat])
        if mode == OPTIMAL:
            notes = np.array([b.note for _, _, b in flat], dtype=float)
            mask = optimal_selection(lot_idx, who, notes, ranks, rule.attributaires,
                                     rule.lots_max)
        else:
            order = sorted(range(len(group)),
                           key=lambda i: (-_or0(group[i].montant_max), lot_order_key(group[i].lot)))
            priority = np.empty(len(group), dtype=int)
            priority[order] = np.arange(len(group))
            mask = decreasing_selection(lot_idx, who, ranks, priority, rule.attributaires,
                                        rule.lots_max)
        for (_, _, b), keep in zip(flat, mask, strict=True):
            if keep:
                out[b.lot].append(b)
    return out


# --------------------------------------------------------------------------- rows


def _planned_rows(lot: Lot, rule: Rule) -> list[dict]:
    """Without bids: `Attributaires` slots `À désigner 1…k` with the rule's expected shares
    (one lot; `_planned_table` gives the same rows for all lots at once)."""
    k = max(rule.attributaires, 1)
    split = split_places(rule.repartition, [_NAN] * k, [None] * k, lot.places)
    return [_row(lot, f"À désigner {i}", i, i, part, places, hours, amount, placeholder=True)
            for i, part, places, hours, amount in spread(split, lot.hours, lot.montant)]


def _planned_table(lots: list[Lot], rules: dict[str, Rule]) -> pd.DataFrame:
    """`_planned_rows` of every lot, in lot order, built column-wise: the lots of one rule
    share their weights, so each rule's hours and amounts are split in one array operation
    (`shares.split_values`) and its places once per distinct lot size. Equal, value for
    value, to the rows `_planned_rows` gives (a test holds it)."""
    if not lots:
        return _frame([], ROW_COLUMNS)
    # counts and offsets are numpy's index type (intp: int32 on WebAssembly), as repeat wants
    ks = np.array([max(rules[x.dispositif].attributaires, 1) for x in lots], dtype=np.intp)
    start = np.concatenate(([0], np.cumsum(ks)[:-1])).astype(np.intp)
    total = int(ks.sum())
    part, hours, amount = np.zeros(total), np.zeros(total), np.zeros(total)
    places = np.zeros(total, dtype=np.int64)
    by_shape: dict[tuple[str, int], list[int]] = defaultdict(list)
    for j, x in enumerate(lots):
        by_shape[(rules[x.dispositif].repartition, int(ks[j]))].append(j)
    for (repartition, k), js in by_shape.items():
        weights = [*nominal_shares(repartition, [_NAN] * k), Fraction(0)]
        at = (start[js][:, None] + np.arange(k)).ravel()
        part[at] = np.tile(split_value(100.0, weights)[:k], len(js))
        hours[at] = split_values(np.array([lots[j].hours for j in js]), weights)[:, :k].ravel()
        amount[at] = split_values(np.array([lots[j].montant for j in js]),
                                  weights)[:, :k].ravel()
        sizes: dict[int, tuple[int, ...]] = {}
        for j in js:
            p = lots[j].places
            if p not in sizes:
                sizes[p] = split_places(repartition, [_NAN] * k, [None] * k, p).places
            places[start[j]:start[j] + k] = sizes[p]
    ordre = (np.arange(total) - np.repeat(start, ks) + 1).tolist()
    df = pd.DataFrame({
        "lot": np.repeat([x.lot for x in lots], ks).tolist(),
        "dispositif": np.repeat([x.dispositif for x in lots], ks).tolist(),
        "titulaire": [f"À désigner {i}" for i in ordre], "rang": ordre, "ordre": ordre,
        "part": part, "places": places, "hours": hours, "montant": amount,
        "note": np.full(total, _NAN), "prix": np.full(total, _NAN),
        "capacite": np.full(total, _NAN), "placeholder": np.ones(total, dtype=bool)},
        columns=ROW_COLUMNS)
    df["rang"] = pd.Series(ordre, dtype=object, index=df.index)
    return df


def _awarded_rows(lot: Lot, rule: Rule, bids: list[Bid], holders: list[Bid], report: Report,
                  where: _Where) -> list[dict]:
    """The chosen holders' rows of one lot (warnings when slots or capacities fall short)."""
    k = rule.attributaires
    if len(holders) < k:
        _warn_short(lot, rule, bids, holders, report, where)
    if not holders:
        name = NO_BID if not bids else CAPPED_OUT
        return [_row(lot, name, None, 1, 100.0, lot.places, lot.hours, lot.montant,
                     placeholder=True)]
    caps = [None if math.isnan(b.capacite) else b.capacite for b in holders]
    split = split_places(rule.repartition, [b.note for b in holders], caps, lot.places)
    rows = []
    for i, part, places, hours, amount in spread(split, lot.hours, lot.montant):
        if i <= len(holders):
            b = holders[i - 1]
            rows.append(_row(lot, b.name, i, i, part, places, hours, amount, b.note, b.prix,
                             b.capacite))
        elif places or part:
            rows.append(_row(lot, UNASSIGNED, None, i, part, places, hours, amount,
                             placeholder=True))
            report.add("capacite-insuffisante", where.sheet, None,
                       where.col("Capacité (places)"), lot.lot, lot=lot.lot,
                       couvertes=lot.places - places, places=lot.places, restent=places,
                       feuille=where.sheet)
    return rows


def _warn_short(lot: Lot, rule: Rule, bids: list[Bid], holders: list[Bid], report: Report,
                where: _Where) -> None:
    if not bids:
        why = ("n'a reçu aucune offre : il reste sans attributaire. Vérifiez le N° lot des "
               f"offres de la feuille {where.sheet} ou relancez la consultation pour ce lot.")
    else:
        cause = (f"seulement {len(bids)} offre(s) reçue(s)" if len(bids) < rule.attributaires
                 else "les autres candidats ont atteint « Lots max par titulaire » "
                      f"({rule.lots_max})")
        why = (f"n'a que {len(holders)} attributaire(s) pour {rule.attributaires} prévu(s) "
               f"({cause}) : ajoutez des offres, relevez « Lots max par titulaire » ou "
               "réduisez « Attributaires » dans Règles.")
    report.add("attributaires-insuffisants", where.sheet, None, where.col("N° lot"),
               lot.lot, lot=lot.lot, situation=why)


def _row(lot: Lot, name: str, rang: int | None, ordre: int, part: float, places: int,
         hours: float, amount: float, note: float = _NAN, prix: float = _NAN,
         capacite: float = _NAN, placeholder: bool = False) -> dict:
    return {"lot": lot.lot, "dispositif": lot.dispositif, "titulaire": name, "rang": rang,
            "ordre": ordre, "part": part, "places": int(places), "hours": hours,
            "montant": amount, "note": note, "prix": prix, "capacite": capacite,
            "placeholder": placeholder}


# --------------------------------------------------------------------------- summaries


def _comparison(lots: list[Lot], rules: dict[str, Rule], chosen: dict[str, dict[str, list[Bid]]],
                mode: str) -> pd.DataFrame:
    """Both rules per dispositif: slots filled, total Note, mean holders per lot."""
    codes = [c for c in rules if any(x.dispositif == c for x in lots)]
    rows = []
    for code in codes:
        mine = [x.lot for x in lots if x.dispositif == code]
        for regle in MODES:
            picked = [b for lot in mine for b in chosen[regle][lot]]
            rows.append({"dispositif": code, "regle": regle, "places_pourvues": len(picked),
                         "note_totale": round(math.fsum(b.note for b in picked), 6),
                         "titulaires_par_lot": round(len(picked) / len(mine), 2),
                         "retenue": regle == mode})
    return _frame(rows, COMPARISON_COLUMNS)


# --------------------------------------------------------------------------- helpers


def _as_lot(r: dict) -> Lot:
    return Lot(str(r["lot"]), str(r["dispositif"]), int(_num(r.get("places"), 0.0)),
               _num(r.get("hours"), 0.0), _num(r.get("montant"), 0.0),
               _num(r.get("montant_max"), 0.0))


def _num(v: object, default: float = _NAN) -> float:
    if v is None or v is pd.NA:
        return default
    f = float(v)
    return default if math.isnan(f) else f


def _memo(cache: dict[str, str], text: str, fn: Callable[[str], str]) -> str:
    if text not in cache:
        cache[text] = fn(text)
    return cache[text]


def _or0(v: float) -> float:
    return 0.0 if math.isnan(v) else v


def _text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return " ".join(str(v).split())


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    if "rang" in df:
        df["rang"] = pd.Series([r["rang"] for r in rows], dtype=object, index=df.index)
    return df
