"""The engine: pure pandas functions from validated inputs to results (no Excel here)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.contract import PARAMETERS
from ..core.french import euros, nombre, pct
from ..core.law import (
    MAX_TERM_MONTHS,
    MINI_LOTS,
    PART_MAX_PETITS,
    PETITS_LOTS,
    PROCEDURE_FORMALISEE,
    PUBLICITE_SSS,
    Threshold,
    Thresholds,
)
from ..core.model import Inputs
from ..core.problems import Report
from .attribution import Attribution, attribute
from .dce import report_terms
from .holders import HolderCheck, holder_checks
from .homogenise import homogenise
from .lots import build_lots
from .orders import Tracking, track
from .sizes import check_holders, check_needs
from .summary import summarise


@dataclass
class Result:
    """Everything the output sheets show, for one run."""

    inputs: Inputs
    report: Report
    needs: pd.DataFrame  # homogenised needs
    lots: pd.DataFrame
    affectation: pd.DataFrame
    attribution: Attribution
    summary: pd.DataFrame
    thresholds: Thresholds
    holders: list[HolderCheck] = field(default_factory=list)  # caps that can bind
    orders: Tracking | None = None  # the orders of `Commandes` followed (issue 25)


# the thresholds a buyer may set in `Paramètres`: `Params` field -> key of `allot_xl.core.law`
_BUYER_SET = {"seuil_mini_lots": MINI_LOTS, "seuil_petits_lots": PETITS_LOTS,
              "part_max_petits_pct": PART_MAX_PETITS, "seuil_publicite_ue": PUBLICITE_SSS,
              "seuil_procedure_formalisee": PROCEDURE_FORMALISEE}
_LABELS = {p.field: p.label for p in PARAMETERS}


def _shown(t: Threshold, x: float) -> str:
    return pct(x) if t.percent else euros(x)


def thresholds(inputs: Inputs, report: Report) -> Thresholds:
    """The thresholds in force on the launch date. A buyer may be stricter than the law,
    never looser (contract v3): a stricter value in `Paramètres` applies, with an Info
    stating the legal value; a looser one is an Erreur on its row naming the legal value,
    its article and the date it is in force, and the legal value applies (`law.Applied`).
    A term over 48 months is warned (L2125-1)."""
    p = inputs.params
    day = inputs.launch_date
    law = Thresholds.on(day, mini_lots=p.seuil_mini_lots, petits_lots=p.seuil_petits_lots,
                        procedure_formalisee=p.seuil_procedure_formalisee,
                        publicite_sss=p.seuil_publicite_ue,
                        part_max_petits=p.part_max_petits_pct)
    applied = law.buyer_set()
    for name, key in _BUYER_SET.items():
        a, label = applied[key], _LABELS[name]
        t, row = a.legal, p.rows.get(name)
        if a.looser and a.buyer is not None:
            since = (f"en vigueur depuis le {t.start:%d/%m/%Y}" if t.start and t.start <= day
                     else f"en vigueur au {day:%d/%m/%Y}")
            report.add("seuil-plus-souple", p.sheet, row, p.column, a.buyer, parametre=label,
                       valeur=_shown(t, a.buyer), date=f"{day:%d/%m/%Y}",
                       legal=_shown(t, t.value), article=t.article, depuis=since,
                       source=t.source)
        elif a.overridden and a.buyer is not None:
            report.add("seuil-acheteur", p.sheet, row, p.column, a.buyer, parametre=label,
                       valeur=_shown(t, a.buyer), date=f"{day:%d/%m/%Y}",
                       legal=_shown(t, t.value), article=t.article, source=t.source)
    months = p.duree_mois * (1 + p.reconductions)
    if months > MAX_TERM_MONTHS + 1e-9:
        row = p.rows.get("reconductions") if p.reconductions else None
        report.add("duree-accord-cadre", p.sheet, row or p.rows.get("duree_mois"),
                   p.column, months, mois=nombre(months), maximum=MAX_TERM_MONTHS)
    return law


def allot(inputs: Inputs, report: Report) -> Result:
    """Steps 2–7 of the contract, then multi-attribution, the summary figures and, when
    `Commandes` has orders, their follow-up (which never changes the lots)."""
    law = thresholds(inputs, report)
    needs = homogenise(inputs, report, inputs.besoins_sheet, inputs.besoins_headers)
    check_needs(needs, inputs)  # Excel's row limit, before the work it would drive
    lots, affectation = build_lots(needs, inputs, law, report)
    check_holders(lots)
    lots_view = lots[["lot", "dispositif", "places", "hours", "montant", "montant_max"]]
    attribution = attribute(lots_view, inputs.rules, inputs.offers,
                            inputs.params.attribution, report, inputs.offers_sheet,
                            inputs.offers_headers)
    holders = holder_checks(inputs, lots, attribution, report)
    summary = summarise(inputs, needs, lots, affectation, law, report)
    report_terms(inputs, lots, law, report)
    orders = track(inputs, lots, attribution.rows, report)
    return Result(inputs, report, needs, lots, affectation, attribution, summary, law, holders,
                  orders)
