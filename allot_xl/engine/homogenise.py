"""Step 2: every need in both places and hours, capped to its job outlets when the rule says so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import Inputs
from ..problems import Report

EPS = 1e-9


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
    hpp = df["dispositif"].map({c: r.heures_par_place for c, r in rules.items()}).astype(float)
    tol = df["dispositif"].map({c: r.tolerance for c, r in rules.items()}).astype(float)
    cap = df["dispositif"].map({c: r.plafonner for c, r in rules.items()}).astype(bool)
    p, h = df["places_in"], df["hours_in"]
    places = p.where(p.notna(), np.ceil(h / hpp - EPS))
    hours = h.where(h.notna(), p * hpp)
    both = p.notna() & h.notna() & (p > 0)
    gap = ((h / p) - hpp).abs() / hpp * 100
    for i in df.index[both & (gap > tol + EPS)]:
        report.warning(
            "tolerance-depassee", sheet, int(df.at[i, "row"]), headers.get("Heures", "Heures"),
            h[i],
            f"{h[i]:g} h pour {p[i]:g} places, soit {h[i] / p[i]:.1f} h par place : écart de "
            f"{gap[i]:.0f} % avec les {hpp[i]:g} h par place de la règle {df.at[i, 'dispositif']}"
            f" (tolérance {tol[i]:g} %). Vérifiez le besoin ; il est retenu tel quel.")
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
        report.warning("debouches-nuls", sheet, int(df.at[i, "row"]), deb_col, deb[i],
                       "0 débouché alors que la règle plafonne aux débouchés : le besoin est "
                       "écarté des lots. Vérifiez les débouchés ou la règle.")
    for i in df.index[capped]:
        report.info("places-plafonnees", sheet, int(df.at[i, "row"]), deb_col, deb[i],
                    f"Places ramenées de {before[i]:g} à {deb_whole[i]:g} (débouchés), heures "
                    f"en proportion.")
    df["places"] = places.fillna(0).round().astype("int64")
    df["hours"] = hours.fillna(0.0).astype(float)
    df["capped"] = capped.to_numpy()
    df["excluded"] = excluded.to_numpy()
    return df
