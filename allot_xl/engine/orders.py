"""Purchase orders against each framework (issue 25): which orders are followed, each lot's
consumption of its maximum, each holder's orders against the share the split rule plans,
cascade breaches, the term's pace against the minimum, totals — typed values and Problems.

Rules followed: the maximum binds (CCP R2162-4; once reached the agreement has exhausted
its effects, CJEU 17 June 2021, Simonsen & Weel, C-23/20); orders follow the announced
split rule (CCP R2162-13/14: cascade order, shares, rotation)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from ..core import contract as C
from ..core.contract import fold
from ..core.french import euros, pct
from ..core.law import MAXIMUM_ACCORD_CADRE, REPARTITION_BONS
from ..core.model import Inputs, Params, Repartition
from ..core.problems import Report

# a lot that has had no order once this share of the term has passed gets an Info; so does
# a minimum the orders' pace would not reach (before, a projection says too little)
SILENT_SHARE = 0.25
CENT = 0.005  # € HT: amounts compare to the cent
# `places` and `hours`: planned over the whole term (a year of needs × the term in years)
LOT_COLUMNS = ["lot", "dispositif", "repartition", "montant_max", "montant_min", "commande",
               "part", "reste", "places", "places_cmd", "hours", "hours_cmd", "bons",
               "projection", "minimum_atteint", "alerte"]
HOLDER_COLUMNS = ["lot", "titulaire", "rang", "part_prevue", "prevu", "commande", "ecart",
                  "bons", "hors_cascade"]
FOLLOWED_COLUMNS = ["row", "bon", "date", "lot", "dispositif", "titulaire", "rang", "places",
                    "hours", "montant", "refus", "cumul", "hors_cascade"]


class Alert(StrEnum):
    """A lot's state against its maximum (the outputs word it)."""

    NONE = ""
    THRESHOLD = "seuil"  # at or beyond the alert threshold, within the maximum
    OVER = "depasse"  # beyond the maximum (R2162-4)


@dataclass(frozen=True)
class Term:
    """The framework's term: from `start` (inclusive) to `end` (exclusive), renewals
    included; `assumed` when no date of `Paramètres` gave the start (the first order did)."""

    start: dt.date
    end: dt.date
    assumed: bool = False

    def share(self, day: dt.date) -> float:
        """Share of the term elapsed at the end of `day`, within [0, 1]."""
        total = (self.end - self.start).days
        return min(max(((day - self.start).days + 1) / total, 0.0), 1.0) if total > 0 else 1.0


@dataclass
class Tracking:
    """What `Suivi des commandes` shows: the orders followed, per lot, per (lot, holder),
    per dispositif and per holder, with the term, the situation date (the latest order
    followed; None without any) and the alert threshold (%)."""

    orders: pd.DataFrame  # FOLLOWED_COLUMNS, by lot then date
    lots: pd.DataFrame  # LOT_COLUMNS, one row per lot of the run
    holders: pd.DataFrame  # HOLDER_COLUMNS, one row per (lot, holder)
    by_dispositif: pd.DataFrame
    by_holder: pd.DataFrame
    term: Term | None
    situation: dt.date | None
    threshold: float


def add_months(day: dt.date, months: float) -> dt.date:
    """`day` plus `months` calendar months (a fraction of a month as 30.44 days each); the
    day is kept, or the month's last day (31 January + 1 month = 28 or 29 February)."""
    whole = int(months)
    y, m = divmod(day.month - 1 + whole, 12)
    year, month = day.year + y, m + 1
    out = dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return out + dt.timedelta(days=round((months - whole) * 30.4375))


def term_of(inputs: Inputs, dates: pd.Series) -> Term | None:
    """The term: from `Date de notification`, else `Date de lancement`, else the first
    order (`assumed`), for `Durée de l'accord-cadre (mois)` × (1 + `Reconductions`)."""
    p = inputs.params
    start = p.date_notification or p.date_lancement
    assumed = start is None
    if start is None:
        if dates.empty:
            return None
        start = min(dates)
    return Term(start, add_months(start, p.duree_mois * (1 + p.reconductions)), assumed)


def track(inputs: Inputs, lots: pd.DataFrame, holders: pd.DataFrame,
          report: Report) -> Tracking | None:
    """Follow `inputs.orders` against `lots` (the run's lots frame) and `holders` (the
    run's `Multi-attribution` rows). None when the workbook has no order.

    An order naming an unknown lot (or one this regeneration removed), a non-holder or a
    date outside the term is an Erreur of its row, left out. Alerts: `Avertissement` when a
    lot's orders reach `Seuil d'alerte des commandes (%)` of its maximum, `Erreur` naming
    the order that crosses 100 % (R2162-4), `Avertissement` per cascade breach
    (R2162-13/14), per minimum the pace misses and per ordered lot whose maximum changed;
    `Info` per lot without order after `SILENT_SHARE` of the term."""
    if inputs.orders is None:
        return None
    where = _Where(inputs.orders_sheet or C.COMMANDES, inputs.orders_headers)
    named = holders[~holders["placeholder"].astype(bool)]
    term = term_of(inputs, inputs.orders["date"])
    if term is not None and term.assumed:
        report.add("commandes-debut-inconnu", inputs.params.sheet, None, "", None,
                   debut=f"{term.start:%d/%m/%Y}")
    followed = _followed(inputs, lots, named, term, where, report)
    followed = _cumulate(followed, lots)
    _alerts(followed, lots, inputs.params.alerte_commandes_pct, where, report)
    _changed(followed, inputs.previous_maxima, lots, where, report)
    situation = max(followed["date"]) if len(followed) else None
    per_lot = _per_lot(followed, lots, inputs.params, term, situation)
    _pace(per_lot, named, term, situation, report)
    return Tracking(followed, per_lot, _per_holder(followed, named, lots),
                    _by_dispositif(per_lot), _by_holder(followed), term, situation,
                    inputs.params.alerte_commandes_pct)


@dataclass(frozen=True)
class _Where:
    sheet: str
    headers: dict[str, str]

    def col(self, canonical: str) -> str:
        return self.headers.get(canonical) or canonical


def _followed(inputs: Inputs, lots: pd.DataFrame, named: pd.DataFrame, term: Term | None,
              where: _Where, report: Report) -> pd.DataFrame:
    """The orders that name a lot of the run, one of its holders, within the term."""
    known = {fold(x): x for x in lots["lot"]}
    disp = dict(zip(lots["lot"], lots["dispositif"], strict=True))
    gone = {fold(k): v for k, v in inputs.previous_cles.items()}
    holder: dict[tuple[str, str], tuple[str, int]] = {}
    names: dict[str, list[str]] = {}
    for r in named.itertuples(index=False):
        holder[(r.lot, fold(r.titulaire))] = (r.titulaire, int(r.rang))
        names.setdefault(r.lot, []).append(r.titulaire)
    out = []
    for o in inputs.orders.itertuples(index=False):
        lot = known.get(fold(o.lot))
        if lot is None:
            cle = gone.get(fold(o.lot))
            code = "commande-lot-disparu" if cle else "commande-lot-inconnu"
            report.add(code, where.sheet, o.row, where.col("N° lot"), o.lot, bon=o.bon,
                       lot=o.lot, cle=cle or "")
            continue
        found = holder.get((lot, fold(o.titulaire)))
        if found is None:
            listed = ", ".join(names.get(lot, [])) or ("aucun : saisissez les offres "
                                                       "(feuille Offres) et régénérez")
            report.add("commande-non-titulaire", where.sheet, o.row, where.col("Titulaire"),
                       o.titulaire, bon=o.bon, titulaire=o.titulaire, lot=lot,
                       titulaires=listed)
            continue
        if term is not None and not term.start <= o.date < term.end:
            report.add("commande-hors-duree", where.sheet, o.row, where.col("Date"), o.date,
                       bon=o.bon, date=f"{o.date:%d/%m/%Y}", debut=f"{term.start:%d/%m/%Y}",
                       fin=f"{term.end - dt.timedelta(days=1):%d/%m/%Y}")
            continue
        out.append((o.row, o.bon, o.date, lot, disp[lot], found[0], found[1], o.places,
                    o.hours, o.montant, bool(o.refus)))
    df = pd.DataFrame.from_records(out, columns=FOLLOWED_COLUMNS[:-2])
    return df.astype({"row": "int64", "rang": "int64", "places": "float64",
                      "hours": "float64", "montant": "float64", "refus": bool})


def _cumulate(followed: pd.DataFrame, lots: pd.DataFrame) -> pd.DataFrame:
    """`followed` in lot order then date (then row), with each lot's running total and the
    cascade breaches (an order to rank k > 1 whose better-ranked holder had not declined)."""
    order = {x: i for i, x in enumerate(lots["lot"])}
    df = followed.assign(_o=followed["lot"].map(order)).sort_values(
        ["_o", "date", "row"], kind="stable").drop(columns="_o").reset_index(drop=True)
    df["cumul"] = df.groupby("lot", sort=False)["montant"].cumsum().round(2)
    cascade = set(lots.loc[lots["repartition"] == Repartition.CASCADE, "lot"])
    df["hors_cascade"] = df["lot"].isin(cascade) & (df["rang"] > 1) & ~df["refus"]
    return df


def _alerts(df: pd.DataFrame, lots: pd.DataFrame, threshold: float, where: _Where,
            report: Report) -> None:
    """The threshold warning, the order crossing the maximum and the cascade breaches
    (found column-wise: only the orders that raise an alert are visited)."""
    maxima = dict(zip(lots["lot"], lots["montant_max"], strict=True))
    top = df["lot"].map(maxima).to_numpy(dtype="float64")
    cumul = df["cumul"].to_numpy(dtype="float64")
    totals = df.groupby("lot", sort=False)["cumul"].last()
    col = where.col("Montant (€ HT)")
    over = df[cumul > top + CENT].drop_duplicates("lot")
    for o in over.itertuples(index=False):
        top_ = float(maxima[o.lot])
        report.add("commandes-maximum-depasse", where.sheet, int(o.row), col, o.montant,
                   lot=o.lot, bon=o.bon, date=f"{o.date:%d/%m/%Y}", cumul=euros(o.cumul),
                   maximum=euros(top_), part=_share(o.cumul, top_),
                   loi=MAXIMUM_ACCORD_CADRE.cited())
    near = df[(top > 0) & (cumul >= top * threshold / 100 - CENT)
              & ~df["lot"].isin(set(over["lot"]))].drop_duplicates("lot")
    for o in near.itertuples(index=False):
        top_, total = float(maxima[o.lot]), float(totals[o.lot])
        report.add("commandes-seuil-alerte", where.sheet, int(o.row), col, o.montant,
                   lot=o.lot, part=_share(total, top_), commande=euros(total),
                   maximum=euros(top_), seuil=pct(threshold), bon=o.bon)
    breaches = df[df["hors_cascade"]]
    if breaches.empty:
        return
    by_rank = {(r.lot, r.rang): r.titulaire for r in df.itertuples(index=False)}
    for o in breaches.itertuples(index=False):
        better = by_rank.get((o.lot, o.rang - 1), f"rang {o.rang - 1}")
        report.add("commandes-cascade", where.sheet, o.row, where.col("Titulaire"),
                   o.titulaire, lot=o.lot, bon=o.bon, rang=o.rang, titulaire=o.titulaire,
                   mieux=o.rang - 1, meilleur=better, loi=REPARTITION_BONS.cited())


def _share(x: float, top: float) -> str:
    return pct(round(100 * x / top, 2)) if top > 0 else "maximum nul"


def _changed(df: pd.DataFrame, before: dict[str, float], lots: pd.DataFrame, where: _Where,
             report: Report) -> None:
    """Ordered lots whose maximum differs from the previous `Lots` sheet's (a regeneration
    changed them since the orders were issued)."""
    if not before or df.empty:
        return
    now = dict(zip(lots["lot"], lots["montant_max"], strict=True))
    for lot, g in df.groupby("lot", sort=False):
        old = before.get(lot)
        if old is not None and abs(old - float(now[lot])) > CENT:
            bons = list(g["bon"])
            shown = (f"le bon {bons[0]}" if len(bons) == 1 else
                     f"les bons {', '.join(bons[:10])}" + (" …" if len(bons) > 10 else ""))
            report.add("commande-lot-modifie", where.sheet, int(g["row"].min()),
                       where.col("N° lot"), lot, lot=lot, bons=shown, avant=euros(old),
                       apres=euros(float(now[lot])))


def _per_lot(df: pd.DataFrame, lots: pd.DataFrame, params: Params, term: Term | None,
             situation: dt.date | None) -> pd.DataFrame:
    """One row per lot: ordered against the maximum, the rest, the volumes planned over the
    whole term (a year of needs × the term in years) and ordered, the pace."""
    threshold = params.alerte_commandes_pct
    sums = df.groupby("lot", sort=False).agg(
        commande=("montant", "sum"), places_cmd=("places", "sum"), hours_cmd=("hours", "sum"),
        bons=("bon", "size"))
    out = lots[["lot", "dispositif", "repartition", "montant_max", "montant_min", "places",
                "hours"]].merge(sums, how="left", left_on="lot", right_index=True)
    out[["commande", "places_cmd", "hours_cmd"]] = out[
        ["commande", "places_cmd", "hours_cmd"]].fillna(0.0).round(2)
    out["bons"] = out["bons"].fillna(0).astype("int64")
    out["places"] = (out["places"] * params.term_years).round(2)
    out["hours"] = (out["hours"] * params.term_years).round(2)
    top = out["montant_max"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["part"] = np.where(top > 0, (100 * out["commande"] / top).round(2), np.nan)
    out["reste"] = (top - out["commande"]).round(2)
    elapsed = term.share(situation) if term and situation else 0.0
    out["projection"] = (out["commande"] / elapsed).round(2) if elapsed > 0 else np.nan
    low = pd.to_numeric(out["montant_min"], errors="coerce")
    reached = (out["commande"] >= low - CENT) | (out["projection"] >= low - CENT)
    out["minimum_atteint"] = pd.Series([None if pd.isna(x) else bool(ok) for x, ok in
                                        zip(low, reached, strict=True)], dtype=object,
                                       index=out.index)
    out["alerte"] = np.where(out["commande"] > top + CENT, Alert.OVER.value,
                             np.where((top > 0) & (out["commande"] >= top * threshold / 100
                                                   - CENT) & (out["commande"] > 0),
                                      Alert.THRESHOLD.value, Alert.NONE.value))
    return out[LOT_COLUMNS].reset_index(drop=True)


def _pace(per_lot: pd.DataFrame, named: pd.DataFrame, term: Term | None,
          situation: dt.date | None, report: Report) -> None:
    """Past `SILENT_SHARE` of the term: an Info per awarded lot without order, a warning
    per minimum the pace would not reach."""
    if term is None or situation is None:
        return
    elapsed = term.share(situation)
    if elapsed < SILENT_SHARE:
        return
    awarded = set(named["lot"])
    for r in per_lot.itertuples(index=False):
        if r.bons == 0 and r.lot in awarded:
            report.add("commandes-lot-sans-bon", C.LOTS, None, "N° lot", r.lot, lot=r.lot,
                       part=pct(round(100 * elapsed)))
        elif r.minimum_atteint is False:
            report.add("commandes-minimum-hors-rythme", C.LOTS, None,
                       "Montant minimum (€ HT)", r.lot, lot=r.lot, commande=euros(r.commande),
                       part=pct(round(100 * elapsed)), minimum=euros(r.montant_min),
                       projection=euros(r.projection))


def _per_holder(df: pd.DataFrame, named: pd.DataFrame, lots: pd.DataFrame) -> pd.DataFrame:
    """One row per (lot, holder): the planned share of what the lot's orders total, and
    what went to the holder."""
    base = named[["lot", "titulaire", "rang", "part"]].rename(columns={"part": "part_prevue"})
    sums = df.groupby(["lot", "titulaire"], sort=False).agg(
        commande=("montant", "sum"), bons=("bon", "size"), hors_cascade=("hors_cascade", "sum"))
    out = base.merge(sums, how="left", left_on=["lot", "titulaire"], right_index=True)
    lot_total = df.groupby("lot", sort=False)["montant"].sum()
    out["prevu"] = (out["part_prevue"].astype("float64") / 100
                    * out["lot"].map(lot_total).fillna(0.0)).round(2)
    out["commande"] = out["commande"].fillna(0.0).round(2)
    out["ecart"] = (out["commande"] - out["prevu"]).round(2)
    out[["bons", "hors_cascade"]] = out[["bons", "hors_cascade"]].fillna(0).astype("int64")
    out["rang"] = out["rang"].astype("int64")
    return out[HOLDER_COLUMNS].reset_index(drop=True)


def _by_dispositif(per_lot: pd.DataFrame) -> pd.DataFrame:
    """Per dispositif (in lot order): lots, orders, maximum, ordered, share, volumes."""
    g = per_lot.groupby("dispositif", sort=False).agg(
        lots=("lot", "size"), bons=("bons", "sum"), montant_max=("montant_max", "sum"),
        commande=("commande", "sum"), places_cmd=("places_cmd", "sum"),
        hours_cmd=("hours_cmd", "sum")).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        g["part"] = np.where(g["montant_max"] > 0,
                             (100 * g["commande"] / g["montant_max"]).round(2), np.nan)
    return g.round({"montant_max": 2, "commande": 2, "places_cmd": 2, "hours_cmd": 2})


def _by_holder(df: pd.DataFrame) -> pd.DataFrame:
    """Per holder (by name): lots ordered from, orders, amount, places, hours."""
    g = df.groupby("titulaire", sort=False).agg(
        lots=("lot", "nunique"), bons=("bon", "size"), commande=("montant", "sum"),
        places_cmd=("places", "sum"), hours_cmd=("hours", "sum")).reset_index()
    g = g.sort_values("titulaire", key=lambda s: s.map(C.sort_key), kind="stable")
    return g.round({"commande": 2, "places_cmd": 2, "hours_cmd": 2}).reset_index(drop=True)
