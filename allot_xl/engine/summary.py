"""Figures of `Synthèse`: volumes per dispositif, fragmentation avoided, procurement thresholds."""

from __future__ import annotations

import pandas as pd

from ..model import Inputs
from ..problems import Report

SUMMARY_COLUMNS = [
    "dispositif", "libelle", "recus", "allotis", "lots", "fragmentes", "reduction",
    "reduction_pct", "places", "hours", "montant", "montant_max", "petits_lots",
    "montant_petits", "part_petits", "mini_lots", "part_mini", "petits_conforme",
    "publicite_ue",
]


def _share(part: float, total: float) -> float:
    return round(100.0 * part / total, 2) if total else 0.0


def summarise(inputs: Inputs, needs: pd.DataFrame, lots: pd.DataFrame,
              affectation: pd.DataFrame, report: Report) -> pd.DataFrame:
    """One row per dispositif, then a `Total` row.

    `fragmentes` is the number of contracts a need-by-need practice would have let: one per
    distinct (zone, domaine, métier) among the allotted needs. The small-lots check compares
    the maximum value of lots under `Seuil petits lots` with `Part max petits lots (%)` of
    the dispositif's total (CCP R2123-1 2°); mini-lots use `Seuil mini-lots` (R2122-8)."""
    p = inputs.params
    cap = p.part_max_petits_pct
    eu = p.seuil_publicite_ue or 750_000.0
    allotted = needs[needs["id"].isin(set(affectation["id"]))] if len(affectation) else needs[:0]
    rows = []
    for code, rule in inputs.rules.items():
        lo = lots[lots["dispositif"] == code]
        ne = allotted[allotted["dispositif"] == code]
        frag = len(ne[["zone", "domaine", "metier"]].drop_duplicates())
        small = lo[lo["petit_lot"] == "oui"]
        mini = lo[lo["mini_lot"] == "oui"]
        total_max = float(lo["montant_max"].sum())
        part_small = _share(float(small["montant_max"].sum()), total_max)
        rows.append({
            "dispositif": code, "libelle": rule.libelle,
            "recus": inputs.needs_received.get(code, 0), "allotis": len(ne), "lots": len(lo),
            "fragmentes": frag, "reduction": frag - len(lo),
            "reduction_pct": _share(frag - len(lo), frag),
            "places": int(lo["places"].sum()), "hours": round(float(lo["hours"].sum()), 2),
            "montant": round(float(lo["montant"].sum()), 2), "montant_max": round(total_max, 2),
            "petits_lots": len(small),
            "montant_petits": round(float(small["montant_max"].sum()), 2),
            "part_petits": part_small, "mini_lots": len(mini),
            "part_mini": _share(float(mini["montant_max"].sum()), total_max),
            "petits_conforme": "oui" if part_small <= cap + 1e-9 else "non",
            "publicite_ue": "obligatoire" if total_max >= eu else "non requise",
        })
    df = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for r in df.itertuples():
        if r.petits_conforme == "non":
            report.warning(
                "petits-lots-plafond", "Synthèse", None, "Part des petits lots (%)",
                r.part_petits,
                f"{r.dispositif} : les petits lots pèsent {r.part_petits:g} % de la valeur "
                f"totale, au-delà des {cap:g} % permis (CCP R2123-1 2°). Relevez « Volume min » "
                f"ou passez ces lots en procédure formalisée.")
    return df
