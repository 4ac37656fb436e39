"""Step 2: every need in both places and hours, capped to its job outlets when the rule says so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.contract import fold
from ..core.french import heures, nombre
from ..core.model import EPS, Inputs
from ..core.problems import Report


def homogenise(inputs: Inputs, report: Report, sheet: str = "Besoins",
               headers: dict[str, str] | None = None) -> pd.DataFrame:
    """Add `places`, `hours`, `capped`, `excluded` to a copy of `inputs.needs`.

    Places only: hours = places × Heures par place. Hours only: places = ⌈hours ÷ Heures
    par place⌉. Both: kept, warned past the rule's tolerance. Then, when the rule caps to
    outlets, places above `Débouchés` are brought down to it (hours in proportion) and a
    need with 0 outlets is excluded."""
    headers = headers or {}
    df = inputs.needs.copy()
    rules = inputs.rules
    hpp, taux = durations_and_rates(inputs)
    tol = df["dispositif"].map({c: r.tolerance for c, r in rules.items()}).astype(float)
    cap = df["dispositif"].map({c: r.plafonner for c, r in rules.items()}).astype(bool)
    p, h = df["places_in"], df["hours_in"]
    df["hpp"], df["taux"] = hpp, taux
    places = p.where(p.notna(), np.ceil(h / hpp - EPS))
    hours = h.where(h.notna(), p * hpp)
    both = p.notna() & h.notna() & (p > 0)
    gap = ((h / p) - hpp).abs() / hpp * 100
    for i in df.index[both & (gap > tol + EPS)]:
        report.add(
            "tolerance-depassee", sheet, int(df.at[i, "row"]), headers.get("Heures", "Heures"),
            h[i], heures=heures(h[i]), places=nombre(p[i]), par_place=nombre(h[i] / p[i], 1),
            ecart=nombre(gap[i], 0), prevues=nombre(hpp[i]), source=_source(df, i, inputs),
            tolerance=nombre(tol[i]))
    deb = df["debouches"]
    excluded = cap & deb.notna() & (deb <= 0)
    deb_whole = np.floor(deb + EPS)
    capped = cap & deb.notna() & ~excluded & (places > deb_whole)
    before = places.copy()
    factor = (deb_whole / places).where(capped, 1.0)
    hours = (hours * factor).where(capped, hours)
    places = places.where(~capped, deb_whole)
    deb_col = headers.get("Débouchés", "Débouchés")
    for i in df.index[excluded]:
        report.add("debouches-nuls", sheet, int(df.at[i, "row"]), deb_col, deb[i])
    for i in df.index[capped]:
        report.add("places-plafonnees", sheet, int(df.at[i, "row"]), deb_col, deb[i],
                   avant=nombre(before[i]), apres=nombre(deb_whole[i]))
    df["places"] = places.fillna(0).round().astype("int64")
    df["hours"] = hours.fillna(0.0).astype(float)
    df["capped"] = capped.to_numpy()
    df["excluded"] = excluded.to_numpy()
    return df


def durations_and_rates(inputs: Inputs) -> tuple[pd.Series, pd.Series]:
    """Each need's hours per place and hourly rate (€ HT), by precedence: the need's own
    `Heures par place`, else its `Référentiel` row (by `Code ROME`, then `Métier`), else its
    `Règles` row. Index of `inputs.needs`."""
    df, ref, rules = inputs.needs, inputs.referentiel, inputs.rules
    rule_hpp = df["dispositif"].map({c: r.heures_par_place for c, r in rules.items()})
    rule_taux = df["dispositif"].map({c: r.taux for c, r in rules.items()})

    def lookup(i: int) -> tuple[float | None, float | None]:
        hit = ref.by_rome.get(fold(df.at[i, "rome"])) if df.at[i, "rome"] else None
        if hit is None and df.at[i, "metier"]:
            hit = ref.by_metier.get(fold(df.at[i, "metier"]))
        return hit or (None, None)

    if ref.by_rome or ref.by_metier:
        found = [lookup(i) for i in df.index]
        ref_hpp = pd.Series([f[0] for f in found], index=df.index, dtype="float64")
        ref_taux = pd.Series([f[1] for f in found], index=df.index, dtype="float64")
    else:
        ref_hpp = ref_taux = pd.Series(np.nan, index=df.index, dtype="float64")
    own = df["hpp_in"] if "hpp_in" in df else pd.Series(np.nan, index=df.index)
    hpp = own.where(own.notna(), ref_hpp.where(ref_hpp.notna(), rule_hpp)).astype(float)
    taux = ref_taux.where(ref_taux.notna(), rule_taux).astype(float)
    return hpp, taux


def _source(df: pd.DataFrame, i: int, inputs: Inputs) -> str:
    if "hpp_in" in df and pd.notna(df.at[i, "hpp_in"]):
        return "durée propre au besoin"
    rule = inputs.rules[df.at[i, "dispositif"]]
    if abs(df.at[i, "hpp"] - rule.heures_par_place) > EPS:
        return "durée du Référentiel"
    return f"durée de la règle {rule.code}"
