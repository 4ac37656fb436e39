"""The engine: pure pandas functions from validated inputs to results (no Excel here)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..french import euros, nombre
from ..law import MAX_TERM_MONTHS, Thresholds
from ..model import Inputs
from ..problems import Report
from .attribution import Attribution, attribute
from .homogenise import homogenise
from .lots import build_lots
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


_LABELS = {"mini_lots": "Seuil mini-lots (€ HT)", "petits_lots": "Seuil petits lots (€ HT)",
           "procedure_formalisee": "Seuil de procédure formalisée (€ HT)",
           "publicite_sss": "Seuil de publicité européenne (€ HT)"}


def thresholds(inputs: Inputs, report: Report) -> Thresholds:
    """The thresholds in force on the launch date, the buyer's own values winning, each
    override stated with the legal value (Info); a term over 48 months warned (L2125-1)."""
    p = inputs.params
    law = Thresholds.on(inputs.launch_date, mini_lots=p.seuil_mini_lots,
                        petits_lots=p.seuil_petits_lots,
                        procedure_formalisee=p.seuil_procedure_formalisee,
                        publicite_sss=p.seuil_publicite_ue)
    for key, label in _LABELS.items():
        applied = getattr(law, key)
        if applied.overridden:
            report.info("seuil-acheteur", "Paramètres", None, label, applied.buyer,
                        f"« {label} » fixé à {euros(applied.value)} par l'acheteur ; la valeur "
                        f"légale au {law.day:%d/%m/%Y} est {euros(applied.legal.value)} "
                        f"({applied.legal.article}, {applied.legal.source}).")
    months = p.duree_mois * (1 + p.reconductions)
    if months > MAX_TERM_MONTHS + 1e-9:
        report.warning("duree-accord-cadre", "Paramètres", None,
                       "Durée de l'accord-cadre (mois)", months,
                       f"Durée totale de l'accord-cadre : {nombre(months)} mois, reconductions "
                       f"comprises ; elle ne peut dépasser {MAX_TERM_MONTHS} mois (CCP L2125-1)."
                       f" Réduisez la durée ou le nombre de reconductions.")
    return law


def allot(inputs: Inputs, report: Report) -> Result:
    """Steps 2–7 of the contract, then multi-attribution and the summary figures."""
    law = thresholds(inputs, report)
    needs = homogenise(inputs, report, inputs.besoins_sheet, inputs.besoins_headers)
    check_needs(needs, inputs)  # Excel's row limit, before the work it would drive
    lots, affectation = build_lots(needs, inputs, law, report)
    check_holders(lots)
    lots_view = lots[["lot", "dispositif", "places", "hours", "montant", "montant_max"]]
    attribution = attribute(lots_view, inputs.rules, inputs.offers,
                            inputs.params.attribution, report, inputs.offers_sheet,
                            inputs.offers_headers)
    summary = summarise(inputs, needs, lots, affectation, law, report)
    return Result(inputs, report, needs, lots, affectation, attribution, summary, law)
