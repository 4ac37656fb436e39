"""The engine: pure pandas functions from validated inputs to results (no Excel here)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model import Inputs
from ..problems import Report
from .attribution import Attribution, attribute
from .homogenise import homogenise
from .lots import build_lots
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


def allot(inputs: Inputs, report: Report) -> Result:
    """Steps 2–7 of the contract, then multi-attribution and the summary figures."""
    needs = homogenise(inputs, report, inputs.besoins_sheet, inputs.besoins_headers)
    lots, affectation = build_lots(needs, inputs, report)
    lots_view = lots[["lot", "dispositif", "places", "hours", "montant", "montant_max"]]
    attribution = attribute(lots_view, inputs.rules, inputs.offers,
                            inputs.params.attribution, report, inputs.offers_sheet,
                            inputs.offers_headers)
    summary = summarise(inputs, needs, lots, affectation, report)
    return Result(inputs, report, needs, lots, affectation, attribution, summary)
