"""Validation of the `Besoins` and `Offres` rows, and of a previous run's `Lots` and `Journal`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..core import contract as C
from ..core.contract import clean_text, fold, lot_prefix
from ..core.model import NEED_COLUMNS, OFFER_COLUMNS, Referentiel, Rule, Zone
from ..core.problems import Report
from ..core.shown import SHORT_DATE, date_text, padded_text, padded_zeros
from .checks import Pending, name_column, number_column, short
from .grid import RawTable, SheetGrid, read_table

_MISSING_CODE = {"Domaine": "domaine-manquant", "Métier": "metier-manquant"}
_NAMES = ("Dispositif", "Zone", "Domaine", "Métier")


def _id_text(v: Any) -> str:
    """An identifier exactly as written, trimmed (`X_1` and `X 1` are two identifiers);
    invisible characters left out (`A1\u200b` is `A1`: they show nothing)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if not isinstance(v, str):
        return clean_text(v)
    return v.strip() if v.isascii() else C.INVISIBLE.sub("", v).strip()


def _dates_as_shown(t: RawTable, ids: list[str], pending: Pending) -> None:
    """IDs as their cells show them: dates Excel made of IDs (`1-3` typed, `01-mars` shown)
    become that text, each with an Avertissement naming the cell (never `2025-03-01`);
    numbers shown padded with zeros (`00123` under the format `00000`) keep their zeros."""
    raw = t.column_values("ID besoin")
    kinds = set(map(type, raw))
    col = t.first_col + t.columns.get("ID besoin", 0)
    shown = t.shown_format
    if float in kinds and shown is not None and getattr(shown, "padded", False):
        for i, v in enumerate(raw):
            if type(v) is float and v.is_integer() and v >= 0:
                code = shown(t.rows[i][0], col)
                if code is not None and padded_zeros(code):
                    ids[i] = padded_text(v, code)
    if not kinds & {dt.date, dt.datetime}:
        return
    for i, v in enumerate(raw):
        if not isinstance(v, dt.date):
            continue
        row = t.rows[i][0]
        code = shown(row, col) if shown else None
        text = ids[i] = date_text(v, code or SHORT_DATE)
        pending.add(0, "id-en-date", t.sheet, row, t.header("ID besoin"), text,
                    cellule=t.cell_name(row, "ID besoin"), texte=text)


def _unknown(pending: Pending, rank: int, code: str, t: RawTable, row: int, col: str,
             raw: Any) -> None:
    """`code` for a name absent from its sheet; `cellule-manquante` for an empty cell."""
    if C.is_blank(raw):
        pending.add(rank, "cellule-manquante", t.sheet, row, t.header(col), raw,
                    colonne=t.header(col))
    else:
        pending.add(rank, code, t.sheet, row, t.header(col), raw, nom=short(clean_text(raw)))


def _per_value(values: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """`fn` of each value, computed once per distinct text (columns repeat their names)."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:  # then equal values are the same value: map distinct ones
        memo: dict[Any, Any] = {v: fn(v) for v in set(values)}
        return list(map(memo.__getitem__, values))
    memo = {}
    out = []
    for v in values:
        if type(v) is str:
            r = memo.get(v, memo)
            if r is memo:
                r = memo[v] = fn(v)
        else:
            r = fn(v)
        out.append(r)
    return out


def _first_spelling(texts: list[str]) -> list[str]:
    """Each text as first spelled in the column (`métier` and `Métier` are one name)."""
    first: dict[str, str] = {}
    memo: dict[str, str] = {}
    out = []
    for v in texts:
        if v:
            w = memo.get(v)
            if w is None:
                w = memo[v] = first.setdefault(fold(v), v)
            v = w
        out.append(v)
    return out


def _imposed_lot(t: RawTable, row: int, lot: str, disp: str, previous_numbers: dict[str, str],
                 pending: Pending) -> str:
    """The previous run's number of an imposed lot, or "" (reported) when it is unknown or
    belongs to another dispositif."""
    prev = previous_numbers.get(fold(lot))
    if prev is None:
        pending.add(11, "lot-impose-inconnu", t.sheet, row, t.header("Lot imposé"), lot,
                    lot=lot)
        return ""
    if lot_prefix(prev) != fold(disp):
        pending.add(11, "lot-impose-autre-dispositif", t.sheet, row,
                    t.header("Lot imposé"), lot, lot=prev, dispositif=disp)
        return ""
    return prev


def read_needs(t: RawTable, zones: dict[str, Zone], rules: dict[str, Rule],
               previous_numbers: dict[str, str], report: Report
               ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Valid needs as a DataFrame (NEED_COLUMNS) and the rows received per dispositif.

    Numbers and names are checked column by column against their declarations in
    `contract.COLUMNS`; every failure is reported (Erreur: the row is left out)."""
    pending = Pending()
    places, p_ok = number_column(t, "Places", pending, 5)
    hours, h_ok = number_column(t, "Heures", pending, 6)
    deb, d_ok = number_column(t, "Débouchés", pending, 7)
    hpp, hpp_ok = number_column(t, "Heures par place", pending, 8)
    ok = p_ok & h_ok & d_ok & hpp_ok
    names_ok = {name: name_column(t, name, pending, 3) for name in _NAMES}
    for name_ok in names_ok.values():
        ok &= name_ok
    for i in np.flatnonzero(hpp == 0).tolist():
        row, vals = t.rows[i]
        pending.add(9, "heures-par-place-nulle", t.sheet, row, t.header("Heures par place"),
                    t.get(vals, "Heures par place"),
                    repli=" (ou vide : la durée du Référentiel ou de la règle s'applique)")
        ok[i] = False
    has_places, has_hours = "Places" in t.columns, "Heures" in t.columns
    no_volume = p_ok & h_ok & np.isnan(places) & np.isnan(hours)
    volume_col = t.header("Places") if has_places else t.header("Heures")
    for i in np.flatnonzero(no_volume).tolist():
        pending.add(10, "volume-manquant", t.sheet, t.rows[i][0], volume_col, "")
        ok[i] = False
    zone_by_fold = {fold(z): z for z in zones}
    rule_by_fold = {fold(c): c for c in rules}
    ids = _per_value(t.column_values("ID besoin"), _id_text)
    _dates_as_shown(t, ids, pending)
    raw_disps, raw_zones = t.column_values("Dispositif"), t.column_values("Zone")
    disps = _per_value(raw_disps, lambda v: rule_by_fold.get(fold(v)))
    zone_of = _per_value(raw_zones, lambda v: zone_by_fold.get(fold(v)))
    texts = {k: _first_spelling(_per_value(t.column_values(k), clean_text))
             for k in ("Domaine", "Métier")}
    romes, sources, lots, comments = (_per_value(t.column_values(k), clean_text) for k in
                                      ("Code ROME", "Source", "Lot imposé", "Commentaire"))
    disp_ok, zone_ok = names_ok["Dispositif"], names_ok["Zone"]
    oks = ok.tolist()
    named = {d: [c for c in r.maille if c in texts] for d, r in rules.items()}  # per maille
    seen: dict[str, int] = {}
    received: dict[str, int] = {c: 0 for c in rules}
    records: list[tuple] = []
    for i, (row, _) in enumerate(t.rows):
        good = oks[i]
        nid = ids[i]
        if not nid:
            pending.add(0, "id-manquant", t.sheet, row, t.header("ID besoin"), "")
            good = False
        elif nid in seen:
            pending.add(0, "id-double", t.sheet, row, t.header("ID besoin"), nid, id=nid,
                        ligne=seen[nid])
            good = False
        else:
            seen[nid] = row
        disp = disps[i]
        if disp is None and disp_ok[i]:
            raw_disp = raw_disps[i]
            _unknown(pending, 1, "dispositif-inconnu", t, row, "Dispositif", raw_disp)
            good = False
        elif disp is not None:
            received[disp] += 1
        zone = zone_of[i]
        if zone is None and zone_ok[i]:
            raw_zone = raw_zones[i]
            _unknown(pending, 2, "zone-inconnue", t, row, "Zone", raw_zone)
        good = good and zone is not None and disp is not None
        if disp is not None:
            for comp in named[disp]:
                if not texts[comp][i]:
                    pending.add(4, _MISSING_CODE[comp], t.sheet, row, t.header(comp), "",
                                dispositif=disp)
                    good = False
        lot = lots[i]
        if lot and good:
            lot = _imposed_lot(t, row, lot, disp, previous_numbers, pending)
        if not good:
            continue
        records.append((
            row, nid, disp, zone, texts["Domaine"][i], texts["Métier"][i], romes[i], i, i, i,
            sources[i], lot, comments[i], i,
        ))
    pending.flush(report)
    df = pd.DataFrame.from_records(records, columns=NEED_COLUMNS)
    at = df["places_in"].to_numpy(dtype=np.intp)  # row positions: numpy's index type
    nan = np.full(len(at), np.nan)
    df["places_in"] = places[at] if has_places else nan
    df["hours_in"] = hours[at] if has_hours else nan
    df["debouches"] = deb[at]
    df["hpp_in"] = hpp[at]
    df["row"] = df["row"].astype("int64")
    return df, received


def read_offers(t: RawTable, report: Report) -> pd.DataFrame:
    """Bids with parsed numbers; rows with an unreadable Note or value are reported, dropped."""
    pending = Pending()
    note, n_ok = number_column(t, "Note", pending, 1)
    rang, r_ok = number_column(t, "Rang", pending, 2)
    prix, p_ok = number_column(t, "Prix horaire (€)", pending, 3)
    cap, c_ok = number_column(t, "Capacité (places)", pending, 4)
    ok = n_ok & r_ok & p_ok & c_ok
    records = []
    for i, (row, vals) in enumerate(t.rows):
        lot = clean_text(t.get(vals, "N° lot"))
        cand = clean_text(t.get(vals, "Candidat"))
        good = bool(ok[i])
        for col, v in (("N° lot", lot), ("Candidat", cand)):
            if not v:
                pending.add(0, "offre-incomplete", t.sheet, row, t.header(col), "", colonne=col)
                good = False
        if n_ok[i] and np.isnan(note[i]):
            pending.add(1, "note-manquante", t.sheet, row, t.header("Note"), "")
            good = False
        if good:
            records.append((row, lot, cand, note[i], rang[i], prix[i], cap[i]))
    pending.flush(report)
    df = pd.DataFrame.from_records(records, columns=OFFER_COLUMNS)
    for c in ("note", "rang", "prix", "capacite"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    return df


def read_previous_lots(grid: SheetGrid | None
                       ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """From an earlier run's `Lots` sheet: folded Clé -> N° lot, folded N° lot -> N° lot,
    N° lot -> Clé."""
    if grid is None:
        return {}, {}, {}
    t = read_table(grid, "Lots")
    by_cle, by_num, cle_of = {}, {}, {}
    for _, vals in t.rows:
        num, cle = clean_text(t.get(vals, "N° lot")), clean_text(t.get(vals, "Clé"))
        if num:
            by_num[fold(num)] = num
            if cle:
                by_cle[fold(cle)] = num
                cle_of[num] = cle
    return by_cle, by_num, cle_of


def read_previous_journal(grid: SheetGrid | None, columns: list[str]) -> list[list[Any]]:
    """Earlier rows of `Journal`, aligned on `columns` (matched by folded header)."""
    if grid is None:
        return []
    for r, row in enumerate(grid.values[:10]):
        folded = [fold(v) if isinstance(v, str) else "" for v in row]
        if fold("Horodatage") in folded:
            idx = [folded.index(fold(c)) if fold(c) in folded else None for c in columns]
            out = []
            for vals in grid.values[r + 1:]:
                rec = [vals[i] if i is not None and i < len(vals) else None for i in idx]
                if rec and rec[0] not in (None, ""):
                    out.append(rec)
            return out
    return []


def read_referentiel(t: RawTable, report: Report) -> Referentiel:
    """`Référentiel` rows keyed by folded `Code ROME` and by folded `Métier`; a row with an
    unreadable or non-positive value is reported and ignored."""
    pending = Pending()
    hpp, h_ok = number_column(t, "Heures par place", pending, 1)
    taux, t_ok = number_column(t, "Taux horaire (€)", pending, 2)
    by_rome: dict[str, tuple[float | None, float | None]] = {}
    by_metier: dict[str, tuple[float | None, float | None]] = {}
    for i, (row, vals) in enumerate(t.rows):
        rome, metier = clean_text(t.get(vals, "Code ROME")), clean_text(t.get(vals, "Métier"))
        if not rome and not metier:
            pending.add(0, "referentiel-sans-cle", t.sheet, row, "", "")
            continue
        if hpp[i] == 0:
            pending.add(3, "heures-par-place-nulle", t.sheet, row, t.header("Heures par place"),
                        0.0, repli="")
            continue
        if not (h_ok[i] and t_ok[i]):
            continue
        pair = (None if np.isnan(hpp[i]) else float(hpp[i]),
                None if np.isnan(taux[i]) else float(taux[i]))
        if rome:
            by_rome.setdefault(fold(rome), pair)
        if metier:
            by_metier.setdefault(fold(metier), pair)
    pending.flush(report)
    return Referentiel(by_rome, by_metier)
