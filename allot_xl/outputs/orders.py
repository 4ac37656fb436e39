"""The `Suivi des commandes` output sheet (issue 25): alerts, totals per dispositif and per
holder, each lot's consumption of its maximum (with a chart), each holder's orders against
its planned share; and the consumption block of `Synthèse`. Owned by the tool, rewritten
whole; it carries no time of run, so that the same orders give the same sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..core.contract import SUIVI
from ..core.french import compte, pct
from ..core.problems import Problem
from ..engine import Result
from ..engine.orders import SILENT_SHARE, Alert, Tracking
from .model import FMT_EUR, FMT_GENERAL, FMT_INT, FMT_PCT, Block, Chart, Column, Page, Sheet, Text

ALERT_WORDS = {Alert.NONE: None, Alert.THRESHOLD: "seuil d'alerte atteint",
               Alert.OVER: "maximum dépassé (CCP R2162-4)"}
MINIMUM_WORDS = {None: "sans minimum", True: "oui", False: "non"}
PRINT_SCALE = 70  # % : the lots table is wide
ALERT_COLUMNS = [Column("Gravité"), Column("Feuille"), Column("Ligne", FMT_INT),
                 Column("Colonne"), Column("Valeur", FMT_GENERAL, width=18),
                 Column("Message", width=90, wrap=True)]
LOT_SPEC = [
    ("N° lot", "lot", None), ("Dispositif", "dispositif", None),
    ("Répartition", "repartition", None), ("Montant maximum (€ HT)", "montant_max", FMT_EUR),
    ("Commandé (€ HT)", "commande", FMT_EUR), ("Consommé (%)", "part", FMT_PCT),
    ("Reste (€ HT)", "reste", FMT_EUR), ("Places prévues sur la durée", "places", FMT_INT),
    ("Places commandées", "places_cmd", FMT_INT),
    ("Heures prévues sur la durée", "hours", FMT_INT),
    ("Heures commandées", "hours_cmd", FMT_INT), ("Bons", "bons", FMT_INT),
    ("Montant minimum (€ HT)", "montant_min", FMT_EUR),
    ("Projection en fin de durée (€ HT)", "projection", FMT_EUR),
    ("Minimum atteint au rythme actuel", "minimum_atteint", None), ("Alerte", "alerte", None),
]
HOLDER_SPEC = [
    ("N° lot", "lot", None), ("Titulaire", "titulaire", None), ("Rang", "rang", FMT_INT),
    ("Part prévue (%)", "part_prevue", FMT_PCT), ("Commandé prévu (€ HT)", "prevu", FMT_EUR),
    ("Commandé (€ HT)", "commande", FMT_EUR), ("Écart (€ HT)", "ecart", FMT_EUR),
    ("Bons", "bons", FMT_INT), ("Bons hors cascade", "hors_cascade", FMT_INT),
]
DISPOSITIF_SPEC = [
    ("Dispositif", "dispositif", None), ("Lots", "lots", FMT_INT), ("Bons", "bons", FMT_INT),
    ("Montant maximum (€ HT)", "montant_max", FMT_EUR),
    ("Commandé (€ HT)", "commande", FMT_EUR), ("Consommé (%)", "part", FMT_PCT),
    ("Places commandées", "places_cmd", FMT_INT), ("Heures commandées", "hours_cmd", FMT_INT),
]
TOTAL_HOLDER_SPEC = [
    ("Titulaire", "titulaire", None), ("Lots", "lots", FMT_INT), ("Bons", "bons", FMT_INT),
    ("Commandé (€ HT)", "commande", FMT_EUR), ("Places commandées", "places_cmd", FMT_INT),
    ("Heures commandées", "hours_cmd", FMT_INT),
]


def _value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    return v.item() if hasattr(v, "item") else v


def _block(name: str, df: pd.DataFrame, spec: list[tuple[str, str, str | None]],
           title: str, **kw: Any) -> Block:
    rows = [[_value(v) for v in r] for r in
            df.reindex(columns=[k for _, k, _ in spec]).itertuples(index=False, name=None)]
    return Block(name, [Column(h, f) for h, _, f in spec], rows, title=title, **kw)


def order_problems(result: Result) -> list[Problem]:
    """The problems of the orders: those of the `Commandes` sheet and the follow-up's
    alerts, errors first (`Report.sorted`)."""
    sheet = result.inputs.orders_sheet
    return [p for p in result.report.sorted()
            if (sheet and p.sheet == sheet) or p.code.startswith("commande")]


def _alerts(result: Result) -> Block:
    rows = [[p.severity, p.sheet, p.row, p.column, _value(p.value), p.message]
            for p in order_problems(result)]
    if not rows:
        rows = [["Info", None, None, None, None, "Aucune alerte : les bons suivent les lots, "
                 "leurs titulaires et leurs maxima."]]
    return Block("T_SuiviAlertes", ALERT_COLUMNS, rows, title="Alertes", top=True)


def _with_total(b: Block, df: pd.DataFrame, sums: dict[str, str]) -> Block:
    """`b` with a total line summing the columns `sums` (header -> frame column)."""
    total: list[Any] = []
    for c in b.columns:
        key = sums.get(c.header)
        x = df[key].sum() if key else None
        total.append(None if x is None else int(x) if df[key].dtype.kind in "iu"
                     else round(float(x), 2))
    total[0] = "Total"
    if "Consommé (%)" in [c.header for c in b.columns] and float(df["montant_max"].sum()) > 0:
        at = [c.header for c in b.columns].index("Consommé (%)")
        total[at] = round(100 * float(df["commande"].sum()) / float(df["montant_max"].sum()), 2)
    b.total = total
    return b


def suivi_sheet(result: Result, campaign: str = "") -> Sheet:
    """The `Suivi des commandes` of `result` (which has orders): texts saying the situation
    date, the term and the threshold; then the alerts, the totals per dispositif and per
    holder, each lot (with a chart of the share of its maximum ordered) and each holder of
    each lot, stacked."""
    t = result.orders
    assert t is not None
    lots = t.lots.assign(
        alerte=t.lots["alerte"].map(lambda a: ALERT_WORDS[Alert(a)]),
        minimum_atteint=t.lots["minimum_atteint"].map(lambda m: MINIMUM_WORDS[m]))
    per_disp = _with_total(
        _block("T_SuiviDispositifs", t.by_dispositif, DISPOSITIF_SPEC, "Par dispositif"),
        t.by_dispositif, {"Lots": "lots", "Bons": "bons", "Montant maximum (€ HT)":
                          "montant_max", "Commandé (€ HT)": "commande",
                          "Places commandées": "places_cmd", "Heures commandées": "hours_cmd"})
    per_holder = _with_total(
        _block("T_SuiviTotauxTitulaires", t.by_holder, TOTAL_HOLDER_SPEC, "Par titulaire"),
        t.by_holder, {"Bons": "bons", "Commandé (€ HT)": "commande",
                      "Places commandées": "places_cmd", "Heures commandées": "hours_cmd"})
    blocks = [_alerts(result), per_disp, per_holder,
              _block("T_SuiviLots", lots, LOT_SPEC, "Par lot : commandé et maximum"),
              _block("T_SuiviLotsTitulaires", t.holders, HOLDER_SPEC,
                     "Par titulaire de chaque lot : commandé et part prévue par la "
                     "répartition")]
    texts = _texts(result, t, campaign)
    row = len(texts) + 2
    for b in blocks:
        b.row = row + 1
        row = b.last_row + 2
    lots_block = blocks[3]
    chart = Chart("column", "Part du montant maximum commandée, par lot (%)", "T_SuiviLots",
                  "N° lot", ("Consommé (%)",), row=lots_block.row,
                  col=lots_block.last_col + 2, width_cm=24, height_cm=9, y_title="%")
    day = f"{t.situation:%d/%m/%Y}" if t.situation else "sans bon"
    return Sheet(SUIVI, blocks, texts, [chart], freeze=None,
                 page=Page(header=campaign or "Allotissement", header_center=SUIVI,
                           header_right=f"Situation au {day}", title_rows=None,
                           scale=PRINT_SCALE))


def _texts(result: Result, t: Tracking, campaign: str) -> list[Text]:
    followed, rejected = len(t.orders), rejected_orders(result)
    title = f"Suivi des commandes — {campaign or 'campagne'}"
    situation = (f"Situation au {t.situation:%d/%m/%Y} (date du dernier bon suivi)"
                 if t.situation else "Aucun bon suivi")
    last = t.term.end - dt.timedelta(days=1) if t.term else None
    term = (f"accord-cadre du {t.term.start:%d/%m/%Y} au {last:%d/%m/%Y}, reconductions "
            f"comprises" if t.term else "durée de l'accord-cadre inconnue")
    lines = [
        f"{situation} ; {term} ; {compte(followed, 'bon suivi', 'bons suivis')}"
        + (f", {compte(rejected, 'ligne écartée', 'lignes écartées')} de la feuille "
           f"{result.inputs.orders_sheet} (voir Alertes)" if rejected else "") + ".",
        f"Seuil d'alerte : {pct(t.threshold)} du montant maximum d'un lot ; au-delà de 100 %, "
        f"le bon qui franchit le maximum est une erreur (CCP R2162-4). Un lot sans bon après "
        f"{pct(round(100 * SILENT_SHARE))} de la durée est signalé ; la projection prolonge "
        f"le rythme des bons jusqu'à la fin de la durée. Places et heures prévues : une année "
        f"de besoins × la durée en années ; montants en € HT.",
    ]
    return [Text(1, 1, title, bold=True, size=14),
            *(Text(2 + i, 1, x, last_col=16) for i, x in enumerate(lines))]


# errors of an order that is still followed (it counts against its lot's maximum)
FOLLOWED = frozenset({"commandes-maximum-depasse"})


def rejected_orders(result: Result) -> int:
    """Rows of `Commandes` left out of the follow-up for an error."""
    sheet = result.inputs.orders_sheet
    return len({p.row for p in result.report.problems if p.severity == "Erreur"
                and p.sheet == sheet and p.row is not None and p.code not in FOLLOWED})


def suivi_line(result: Result) -> str:
    """What the buyer is told after a follow-up."""
    t = result.orders
    assert t is not None
    over = int((t.lots["alerte"] == Alert.OVER.value).sum())
    near = int((t.lots["alerte"] == Alert.THRESHOLD.value).sum())
    rejected = rejected_orders(result)
    return (f"{compte(len(t.orders), 'bon suivi', 'bons suivis')} sur "
            f"{compte(len(t.lots), 'lot')}"
            + (f", {compte(rejected, 'ligne écartée', 'lignes écartées')}" if rejected else "")
            + f", {compte(near, 'lot')} au seuil d'alerte, {compte(over, 'lot')} au-delà du "
            f"maximum — voir « {SUIVI} ».")


def consumption_block(result: Result) -> Block | None:
    """`Synthèse`'s block when orders are followed: per dispositif, lots, orders, maximum,
    ordered and its share, lots at the alert threshold and beyond the maximum."""
    t = result.orders
    if t is None:
        return None
    alerts = t.lots.groupby("dispositif", sort=False)["alerte"]
    df = t.by_dispositif.assign(
        seuil=t.by_dispositif["dispositif"].map(alerts.agg(
            lambda a: int((a == Alert.THRESHOLD.value).sum()))).fillna(0).astype(int),
        depasse=t.by_dispositif["dispositif"].map(alerts.agg(
            lambda a: int((a == Alert.OVER.value).sum()))).fillna(0).astype(int))
    spec = [*DISPOSITIF_SPEC[:6], ("Lots au seuil d'alerte", "seuil", FMT_INT),
            ("Lots au-delà du maximum", "depasse", FMT_INT)]
    day = f" au {t.situation:%d/%m/%Y}" if t.situation else ""
    return _with_total(_block("T_Consommation", df, spec,
                              f"Consommation des accords-cadres{day} (bons de commande)"),
                       df, {"Lots": "lots", "Bons": "bons",
                            "Montant maximum (€ HT)": "montant_max",
                            "Commandé (€ HT)": "commande", "Lots au seuil d'alerte": "seuil",
                            "Lots au-delà du maximum": "depasse"})


def consumption_notes(result: Result) -> list[str]:
    return [f"Bons de commande de la feuille {result.inputs.orders_sheet} suivis contre le "
            f"montant maximum de chaque lot (CCP R2162-4) : détail, titulaires et alertes "
            f"dans la feuille « {SUIVI} »."]
