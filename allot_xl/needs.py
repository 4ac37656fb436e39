"""Validation of the `Besoins` and `Offres` rows, and of a previous run's `Lots` and `Journal`."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .contract import clean_text, fold
from .grid import RawTable, SheetGrid, read_table
from .model import NEED_COLUMNS, OFFER_COLUMNS, Referentiel, Rule, Zone
from .problems import Report
from .validation import number_cell

_OPTIONAL_MAILLE = {"Domaine": "domaine", "Métier": "metier"}


def _id_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return clean_text(v)


def read_needs(t: RawTable, zones: dict[str, Zone], rules: dict[str, Rule],
               previous_numbers: dict[str, str], report: Report
               ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Valid needs as a DataFrame (NEED_COLUMNS) and the rows received per dispositif."""
    zone_by_fold = {fold(z): z for z in zones}
    rule_by_fold = {fold(c): c for c in rules}
    seen: dict[str, int] = {}
    spelling: dict[tuple[str, str], str] = {}  # one spelling per domaine/métier, the first seen
    received: dict[str, int] = {c: 0 for c in rules}
    records: list[tuple] = []
    has_places, has_hours = "Places" in t.columns, "Heures" in t.columns
    for row, vals in t.rows:
        ok = True
        nid = _id_text(t.get(vals, "ID besoin"))
        if not nid:
            report.error("id-manquant", t.sheet, row, t.header("ID besoin"), "",
                         "Identifiant du besoin manquant : donnez-lui un identifiant unique.")
            ok = False
        elif nid in seen:
            report.error("id-double", t.sheet, row, t.header("ID besoin"), nid,
                         f"Identifiant « {nid} » déjà utilisé ligne {seen[nid]} : cette ligne "
                         f"est écartée ; donnez-lui un identifiant unique.")
            ok = False
        else:
            seen[nid] = row
        raw_disp = t.get(vals, "Dispositif")
        disp = rule_by_fold.get(fold(raw_disp))
        if disp is None:
            report.error("dispositif-inconnu", t.sheet, row, t.header("Dispositif"), raw_disp,
                         f"Dispositif « {clean_text(raw_disp)} » absent de la feuille Règles : "
                         f"corrigez-le ou ajoutez sa règle.")
            ok = False
        else:
            received[disp] += 1
        raw_zone = t.get(vals, "Zone")
        zone = zone_by_fold.get(fold(raw_zone))
        if zone is None:
            report.error("zone-inconnue", t.sheet, row, t.header("Zone"), raw_zone,
                         f"Zone « {clean_text(raw_zone)} » absente de la feuille Zones : "
                         f"corrigez-la ou ajoutez la zone.")
            ok = False
        texts = {k: spelling.setdefault((k, fold(v)), v) if v else v
                 for k, v in ((k, clean_text(t.get(vals, k))) for k in ("Domaine", "Métier"))}
        if disp is not None:
            for comp in rules[disp].maille:
                if comp in texts and not texts[comp]:
                    report.error(f"{_OPTIONAL_MAILLE[comp]}-manquant", t.sheet, row,
                                 t.header(comp), "",
                                 f"« {comp} » manquant alors que la maille du dispositif "
                                 f"{disp} l'utilise : complétez la cellule.")
                    ok = False
        places, p_ok = number_cell(t, row, vals, "Places", report, whole=True)
        hours, h_ok = number_cell(t, row, vals, "Heures", report)
        deb, d_ok = number_cell(t, row, vals, "Débouchés", report)
        hpp, hpp_ok = number_cell(t, row, vals, "Heures par place", report)
        if hpp is not None and hpp <= 0:
            report.error("heures-par-place-nulle", t.sheet, row, t.header("Heures par place"),
                         t.get(vals, "Heures par place"),
                         "« Heures par place » doit être strictement positif (ou vide : la "
                         "durée du Référentiel ou de la règle s'applique).")
            hpp_ok = False
        ok = ok and p_ok and h_ok and d_ok and hpp_ok
        if p_ok and h_ok and places is None and hours is None:
            col = t.header("Places") if has_places else t.header("Heures")
            report.error("volume-manquant", t.sheet, row, col, "",
                         "Ni places ni heures : indiquez le volume du besoin.")
            ok = False
        lot = clean_text(t.get(vals, "Lot imposé"))
        if lot and ok:
            prev = previous_numbers.get(fold(lot))
            if prev is None:
                report.warning("lot-impose-inconnu", t.sheet, row, t.header("Lot imposé"), lot,
                               f"Lot imposé « {lot} » absent de la feuille Lots précédente : "
                               f"le besoin est alloti normalement.")
                lot = ""
            elif fold(prev.rsplit("-", 1)[0]) != fold(disp):
                report.warning("lot-impose-autre-dispositif", t.sheet, row,
                               t.header("Lot imposé"), lot,
                               f"Le lot imposé « {prev} » n'est pas un lot du dispositif "
                               f"{disp} : le besoin est alloti normalement.")
                lot = ""
            else:
                lot = prev
        if not ok:
            continue
        records.append((
            row, nid, disp, zone, texts["Domaine"], texts["Métier"],
            clean_text(t.get(vals, "Code ROME")),
            places if has_places else None, hours if has_hours else None, deb,
            clean_text(t.get(vals, "Source")), lot, clean_text(t.get(vals, "Commentaire")), hpp,
        ))
    df = pd.DataFrame.from_records(records, columns=NEED_COLUMNS)
    for c in ("places_in", "hours_in", "debouches", "hpp_in"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["row"] = df["row"].astype("int64")
    return df, received


def read_offers(t: RawTable, report: Report) -> pd.DataFrame:
    """Bids with parsed numbers; rows with an unreadable Note or value are reported, dropped."""
    records = []
    for row, vals in t.rows:
        lot = clean_text(t.get(vals, "N° lot"))
        cand = clean_text(t.get(vals, "Candidat"))
        ok = True
        for col, v in (("N° lot", lot), ("Candidat", cand)):
            if not v:
                report.error("offre-incomplete", t.sheet, row, t.header(col), "",
                             f"« {col} » manquant : complétez l'offre ou supprimez la ligne.")
                ok = False
        note, n_ok = number_cell(t, row, vals, "Note", report, minimum=None)
        if n_ok and note is None:
            report.error("note-manquante", t.sheet, row, t.header("Note"), "",
                         "Note manquante : chaque offre doit avoir une note.")
            n_ok = False
        rang, r_ok = number_cell(t, row, vals, "Rang", report, minimum=1.0, whole=True)
        prix, p_ok = number_cell(t, row, vals, "Prix horaire (€)", report)
        cap, c_ok = number_cell(t, row, vals, "Capacité (places)", report)
        if ok and n_ok and r_ok and p_ok and c_ok:
            records.append((row, lot, cand, note, rang, prix, cap))
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
    by_rome: dict[str, tuple[float | None, float | None]] = {}
    by_metier: dict[str, tuple[float | None, float | None]] = {}
    for row, vals in t.rows:
        rome, metier = clean_text(t.get(vals, "Code ROME")), clean_text(t.get(vals, "Métier"))
        if not rome and not metier:
            report.warning("referentiel-sans-cle", t.sheet, row, "", "",
                           "Ligne sans « Code ROME » ni « Métier » : elle est ignorée.")
            continue
        hpp, h_ok = number_cell(t, row, vals, "Heures par place", report)
        taux, t_ok = number_cell(t, row, vals, "Taux horaire (€)", report)
        if hpp is not None and hpp <= 0:
            report.error("heures-par-place-nulle", t.sheet, row, t.header("Heures par place"),
                         hpp, "« Heures par place » doit être strictement positif.")
            h_ok = False
        if not (h_ok and t_ok):
            continue
        if rome:
            by_rome.setdefault(fold(rome), (hpp, taux))
        if metier:
            by_metier.setdefault(fold(metier), (hpp, taux))
    return Referentiel(by_rome, by_metier)
