"""The law's requirements on a dispositif's tender file (strategic procurement, in force for
consultations launched from 21 August 2026): what `Critères` lacks, as typed values that
`regenerate`/`check` report as Avertissements and that stop `allot-xl dce`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..core import law as L
from ..core.choices import Regime
from ..core.french import euros
from ..core.model import EPS, Inputs, Terms
from ..core.problems import CODES, Report

_CODES = {L.CRITERE_ENVIRONNEMENTAL: "critere-environnemental-manquant",
          L.CLAUSE_ENVIRONNEMENTALE: "clause-environnementale-manquante",
          L.CLAUSE_SOCIALE: "clause-sociale-manquante"}


@dataclass(frozen=True)
class Missing:
    """One clause the law requires of a dispositif's tender file and `Critères` lacks: the
    dispositif, the obligation (`law.OBLIGATIONS` key), its problem code and fields, and
    the Excel row of `Critères` it concerns (None: the dispositif has no row there)."""

    dispositif: str
    key: str
    code: str
    fields: dict[str, Any] = field(default_factory=dict)
    row: int | None = None

    @property
    def sentence(self) -> str:
        """The French sentence of the problem code, the same in `Contrôles` and in `dce`'s
        refusal."""
        return CODES[self.code].render(**self.fields)


def dispositif_values(lots: pd.DataFrame) -> dict[str, float]:
    """Value of each dispositif's consultation, € HT: the sum of its lots' `montant_max`
    (CCP R2121-8: a framework agreement counts at its maximum, every lot together)."""
    if lots.empty:
        return {}
    return {str(k): float(v) for k, v in lots.groupby("dispositif")["montant_max"].sum().items()}


def reaches_eu(inputs: Inputs, law: L.Thresholds, code: str, value: float) -> bool:
    """Whether dispositif `code` of value `value` (€ HT) reaches the EU threshold of its
    regime in force (`Thresholds.publicity`: 750 000 € for social and specific services)."""
    rule = inputs.rules[code]
    return value >= law.publicity(rule.regime == Regime.SSS).value - EPS


def missing_terms(inputs: Inputs, lots: pd.DataFrame, law: L.Thresholds) -> list[Missing]:
    """What each dispositif with lots lacks of the clauses the law requires on the launch
    date (`law.OBLIGATIONS`): an environmental award criterion (L2152-7, R2152-7), an
    environmental execution clause (L2112-2) and, at EU value, a social clause or the
    recorded reason for none (L2112-2-1). Empty before 21 August 2026."""
    day = inputs.launch_date
    out: list[Missing] = []
    terms_of = inputs.terms or {}
    for code, value in dispositif_values(lots).items():
        if code not in inputs.rules:
            continue
        terms = terms_of.get(code, Terms())
        eu = reaches_eu(inputs, law, code, value)
        seuil = law.publicity(inputs.rules[code].regime == Regime.SSS).value
        have = {L.CRITERE_ENVIRONNEMENTAL: terms.environmental,
                L.CLAUSE_ENVIRONNEMENTALE: bool(terms.clause_env),
                L.CLAUSE_SOCIALE: bool(terms.clause_sociale or terms.motif_sans_sociale)}
        for ob in L.OBLIGATIONS:
            if ob.applies(day, eu) and not have[ob.key]:
                out.append(Missing(code, ob.key, _CODES[ob.key],
                                   {"dispositif": code, "debut": f"{ob.start:%d/%m/%Y}",
                                    "article": ob.article, "seuil": euros(seuil)},
                                   terms.row))
    return out


def report_terms(inputs: Inputs, lots: pd.DataFrame, law: L.Thresholds,
                 report: Report) -> None:
    """Avertissements for what `missing_terms` finds (the lots are still designed). A
    workbook without a `Critères` sheet gets one Info instead, from the date the law
    applies: the buyer has not reached the tender file yet."""
    day = inputs.launch_date
    if inputs.terms is None:
        ob = L.obligation(L.CRITERE_ENVIRONNEMENTAL)
        if day >= ob.start and not lots.empty:
            report.add("criteres-absents", inputs.criteres_sheet, None, "", "",
                       article=ob.article, debut=f"{ob.start:%d/%m/%Y}")
        return
    for m in missing_terms(inputs, lots, law):
        report.add(m.code, inputs.criteres_sheet, m.row, "", m.dispositif, **m.fields)
