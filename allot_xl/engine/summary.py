"""Figures of `Synthèse`: volumes per dispositif, fragmentation avoided, and the procurement
checks of each dispositif's regime (typed; the outputs word them)."""

from __future__ import annotations

import pandas as pd

from ..core.french import euros, pct
from ..core.law import Thresholds
from ..core.model import Inputs, Regime
from ..core.problems import Report

SUMMARY_COLUMNS = [
    "dispositif", "libelle", "regime", "recus", "allotis", "lots", "fragmentes", "reduction",
    "reduction_pct", "places", "hours", "montant", "montant_max", "petits_lots",
    "montant_petits", "part_petits", "mini_lots", "montant_mini", "part_mini",
    "part_controlee", "conforme", "seuil_procedure", "au_dela_seuil",
]


def percent(part: float, total: float) -> float:
    """`part` as a percentage of `total`, rounded to 2 decimals (0 when `total` is 0)."""
    return round(100.0 * part / total, 2) if total else 0.0


def summarise(inputs: Inputs, needs: pd.DataFrame, lots: pd.DataFrame,
              affectation: pd.DataFrame, law: Thresholds, report: Report) -> pd.DataFrame:
    """One row per dispositif (SUMMARY_COLUMNS).

    `fragmentes` is the number of contracts a need-by-need practice would have let: one per
    distinct (zone, domaine, métier) among the allotted needs. The share checked against
    `Part max petits lots (%)` follows the rule's regime: for `SSS` the mini-lots (maximum
    under the mini-lots threshold, let without publicity, CCP R2122-8), for `services` the
    small lots (under 80 000 €, R2123-1 2°). `seuil_procedure` is the JOUE threshold
    (750 000 €, R2123-1 3°) for `SSS` and the EU formalised-procedure threshold for
    `services`; `au_dela_seuil` compares the total maximum over the term with it."""
    cap = law.part_max_petits.value  # the buyer's share only when stricter than 20 %
    ids = set(affectation["id"]) if len(affectation) else set()
    allotted = needs[needs["id"].isin(ids)]
    rows = []
    for code, rule in inputs.rules.items():
        lo = lots[lots["dispositif"] == code]
        ne = allotted[allotted["dispositif"] == code]
        frag = len(ne[["zone", "domaine", "metier"]].drop_duplicates())
        small = lo[lo["petit_lot"].astype(bool)]
        mini = lo[lo["mini_lot"].astype(bool)]
        total_max = float(lo["montant_max"].sum())
        part_small = percent(float(small["montant_max"].sum()), total_max)
        part_mini = percent(float(mini["montant_max"].sum()), total_max)
        sss = rule.regime == Regime.SSS
        controlled = part_mini if sss else part_small
        threshold = law.publicity(sss).value
        rows.append({
            "dispositif": code, "libelle": rule.libelle, "regime": rule.regime,
            "recus": inputs.needs_received.get(code, 0), "allotis": len(ne), "lots": len(lo),
            "fragmentes": frag, "reduction": frag - len(lo),
            "reduction_pct": percent(frag - len(lo), frag),
            "places": int(lo["places"].sum()), "hours": round(float(lo["hours"].sum()), 2),
            "montant": round(float(lo["montant"].sum()), 2), "montant_max": round(total_max, 2),
            "petits_lots": len(small),
            "montant_petits": round(float(small["montant_max"].sum()), 2),
            "part_petits": part_small, "mini_lots": len(mini),
            "montant_mini": round(float(mini["montant_max"].sum()), 2), "part_mini": part_mini,
            "part_controlee": controlled, "conforme": controlled <= cap + 1e-9,
            "seuil_procedure": threshold, "au_dela_seuil": total_max >= threshold,
        })
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for r in df.itertuples():
        if r.conforme:
            continue
        if r.regime == Regime.SSS:
            report.add("mini-lots-plafond", "Synthèse", None, "Part des mini-lots (%)",
                       r.part_mini, dispositif=r.dispositif, seuil=euros(law.mini_lots.value),
                       part=pct(r.part_mini), plafond=pct(cap))
        else:
            beyond = (f"; le total ({euros(r.montant_max)}) dépasse le seuil européen de "
                      f"{euros(r.seuil_procedure)} : ces lots relèvent alors de la procédure "
                      f"formalisée" if r.au_dela_seuil else "")
            report.add("petits-lots-plafond", "Synthèse", None, "Part des petits lots (%)",
                       r.part_petits, dispositif=r.dispositif,
                       seuil=euros(law.petits_lots.value), part=pct(r.part_petits),
                       plafond=pct(cap), au_dela=beyond)
    return df
