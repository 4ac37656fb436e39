"""Step 7 and the lot's flags: price a lot over the framework's term, judge it against the
thresholds in force, and say why it is out of bounds (typed; the outputs word it)."""

from __future__ import annotations

import itertools
import math
from enum import StrEnum

import numpy as np
import pandas as pd

from ..core.contract import sort_key
from ..core.french import nombre
from ..core.law import Thresholds
from ..core.model import Inputs, Params, Regroupement, Rule
from ..core.problems import Report
from .grouping import EPS, Group, NeedArrays


class Flag(StrEnum):
    """Why a lot is out of its bounds."""

    AUCUN = "regroupement-aucun"  # Regroupement = aucun
    SANS_ZONE = "maille-sans-zone"  # voisines / pôle without Zone in the Maille
    SANS_VOISIN = "sans-voisin"  # no neighbouring zone holds a partner
    SANS_PARTENAIRE = "sans-partenaire"  # no other group of the same key at all
    HORS_PORTEE = "hors-de-portee"  # groups of the same key exist, none within reach
    INDIVISIBLE = "besoin-indivisible"  # one need alone above the maximum
    IMPOSE = "lot-impose"  # needs imposed by `Lot imposé` push it past a bound


_FIX = {
    Flag.AUCUN: "le regroupement est « aucun » : choisissez voisines, territoire ou pôle dans "
                "Règles pour le regrouper",
    Flag.SANS_ZONE: "la maille ne contient pas Zone, le regroupement par voisines ne peut pas "
                    "s'appliquer : choisissez « territoire »",
    Flag.SANS_VOISIN: "déclarez dans Zones les voisines qui touchent cette zone, ou choisissez "
                      "le regroupement « territoire » (« voisines » ne réunit que des zones "
                      "qui se touchent)",
    Flag.SANS_PARTENAIRE: "aucun autre besoin de même clé dans la région : baissez « Volume "
                          "min » ou élargissez la maille",
    Flag.HORS_PORTEE: "baissez « Volume min », relevez « Sauts max » dans Paramètres si les "
                      "stagiaires peuvent se déplacer, ou choisissez une maille plus large "
                      "(par exemple Région + Métier pour un métier rare)",
    Flag.INDIVISIBLE: "un seul besoin dépasse le maximum : mettez « Besoins divisibles » à oui "
                      "dans Règles ou relevez « Volume max »",
    Flag.IMPOSE: "des besoins y sont imposés (Lot imposé) : retirez l'imposition ou ajustez "
                 "les bornes",
}


def reach_words(nearest: str, hops: float, sauts_max: int, neighbours: bool) -> str:
    """Why a lot stays under the minimum though groups of its key exist, naming the nearest
    candidate (`nearest`: its units) and the hops the two would span together (`hops`, inf
    when `Voisines` does not connect them): beyond `Sauts max` « aucun lot à portée »;
    within it, not a neighbour (`neighbours`: `voisines`/`pôle`), or in a territoire or
    département whose needs make their own lots (`territoire`)."""
    far = ("non relié par les voisines" if math.isinf(hops)
           else f"à {nombre(hops)} saut{'s' if hops > 1 else ''}")
    if math.isinf(hops) or hops > sauts_max:
        return f"aucun lot à portée : le plus proche, {nearest}, {far} (Sauts max {sauts_max})"
    if neighbours:
        return f"aucune zone voisine n'a de besoin de même clé : le plus proche, {nearest}, {far}"
    return (f"aucun lot à portée dans son territoire ou son département : le plus proche, "
            f"{nearest}, {far}, relève d'un territoire ou d'un département dont les besoins "
            f"forment leurs propres lots")


def fix_hint(flag: str) -> str:
    """What the buyer can change so that a lot flagged `flag` falls within its bounds."""
    return _FIX[Flag(flag)]


def flags(g: Group, rule: Rule, imposed: int, sauts_max: int
          ) -> tuple[bool, bool, tuple[str, ...]]:
    """(under `Volume min`, over `Volume max`, why) for the lot of group `g`; `sauts_max`
    is the reach of a merge (`Paramètres`), to tell a partner out of reach from one within
    reach that is not a neighbour (`voisines`, `pôle`)."""
    v = g.volume(rule)
    below = v < rule.volume_min - EPS
    above = rule.volume_max is not None and v > rule.volume_max + EPS
    why: list[str] = []
    if below:
        neighbours = rule.regroupement in (Regroupement.VOISINES, Regroupement.POLE)
        if rule.regroupement == Regroupement.AUCUN:
            why.append(Flag.AUCUN)
        elif imposed:
            why.append(Flag.IMPOSE)
        elif neighbours and "Zone" not in rule.maille:
            why.append(Flag.SANS_ZONE)
        elif g.nearest is not None:
            within = g.nearest[1] <= sauts_max
            why.append(Flag.SANS_VOISIN if neighbours and within else Flag.HORS_PORTEE)
        else:
            why.append(Flag.SANS_PARTENAIRE)
    if above:
        single = g.single_over_max or len(g.needs) == 1
        why.append(Flag.INDIVISIBLE if single and not imposed else Flag.IMPOSE)
    return below, above, tuple(why)


def term_maximum(montant: float, p: Params) -> float:
    """A lot's maximum over the framework's whole term (€ HT, rounded to the cent): the
    annual amount at `Maximum bons de commande (%)`, times `Durée` × (1 + `Reconductions`)
    ÷ 12 years (CCP R2121-8: a framework agreement's value is its maximum)."""
    return round(montant * p.max_bons_pct / 100 * p.term_years, 2)


def price(g: Group, a: NeedArrays, p: Params) -> tuple[float, float]:
    """(`montant`, `montant_max`) of the lot of group `g`, € HT: Σ hours × each need's hourly
    rate for one year (from the hours shown, rounded to the cent, when every need has the
    same rate), and the maximum over the whole term (`term_maximum`)."""
    rate = a.one_rate
    if rate is None:
        rates = a.taux[g.needs]
        if not (len(rates) and (rates == rates[0]).all()):
            montant = round(float((a.hours[g.needs] * rates).sum()), 2)
            return montant, term_maximum(montant, p)
        rate = float(rates[0])
    montant = round(round(g.hours, 2) * rate, 2)  # one rate: priced from the hours shown
    return montant, term_maximum(montant, p)


SHOWN = ("Zone", "Territoire", "Département", "Domaine", "Métier")


def component_texts(groups: list[Group], a: NeedArrays, columns: tuple[str, ...]
                    ) -> list[dict[str, str]]:
    """Per group, for each of `columns` (Maille components): its needs' distinct non-empty
    values in Clé order, joined by « + » (`Zone(s)`, `Territoire`, … and the title's key).
    Column-wise: each column is coded once, and only groups holding several values are
    sorted in Python."""
    # indices and counts are numpy's index type, intp: int32 on WebAssembly (Pyodide), where
    # reduceat refuses int64 offsets
    sizes = np.array([len(g.needs) for g in groups], dtype=np.intp)
    out: list[dict[str, str]] = [{} for _ in groups]
    if not len(groups):
        return out
    pos = np.fromiter(itertools.chain.from_iterable(g.needs for g in groups), dtype=np.intp,
                      count=int(sizes.sum()))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
    full = sizes > 0
    for col in columns:
        vals = a.column(col)
        codes, uniques = pd.factorize(vals[pos], use_na_sentinel=False)
        codes = codes.astype(np.intp, copy=False)
        lo = np.zeros(len(groups), dtype=np.intp)
        hi = np.ones(len(groups), dtype=np.intp)
        if len(pos):
            lo[full] = np.minimum.reduceat(codes, starts[full])
            hi[full] = np.maximum.reduceat(codes, starts[full])
        shown = [str(u) if u else "" for u in uniques]
        for i, d in enumerate(out):
            if lo[i] == hi[i]:
                d[col] = shown[lo[i]]
            else:
                d[col] = " + ".join(sorted({v for v in vals[groups[i].needs] if v},
                                           key=sort_key))
    return out


def describe(g: Group, name: str, cle: str, imposed: int, rule: Rule, a: NeedArrays,
             inputs: Inputs, law: Thresholds, report: Report, texts: dict[str, str]) -> dict:
    """One row of the lots frame (`lots.LOT_COLUMNS`).

    `montant` is Σ hours × each need's hourly rate (€ HT, one year of needs); `montant_max`
    covers the framework's whole term (`Durée` × (1 + `Reconductions`) ÷ 12 years) at
    `Maximum bons de commande (%)`; `petit_lot` and `mini_lot` compare that maximum with the
    thresholds in force (CCP R2121-8: a framework agreement's value is its maximum); `ca_max`
    is the most annual turnover a buyer may require, `ca_ratio` × the annual maximum
    (R2142-7). `texts` holds the group's values of each shown and Maille component
    (`component_texts`)."""
    p = inputs.params

    hours = round(g.hours, 2)
    montant, maximum = price(g, a, p)
    annual_max = montant * p.max_bons_pct / 100
    shown = texts  # the lot's values of each shown component
    key_text = " — ".join(v for v in (texts[c] for c in rule.maille) if v)
    title = f"{rule.libelle} — {key_text}" if key_text else rule.libelle
    if g.part:
        title += f" (partie {g.part[0]}/{g.part[1]})"
    below, above, why = flags(g, rule, imposed, p.sauts_max)
    volume = g.volume(rule)
    row = {
        "lot": name, "intitule": title, "dispositif": rule.code, "zones": shown["Zone"],
        "territoire": shown["Territoire"], "departement": shown["Département"],
        "domaine": shown["Domaine"], "metier": shown["Métier"], "nb_besoins": len(g.needs),
        "places": int(round(g.places)), "hours": hours,
        "hpp": round(g.hours / g.places, 1) if g.places else 0.0,
        "montant": montant, "montant_max": maximum,
        "attributaires": rule.attributaires, "repartition": rule.repartition,
        "petit_lot": maximum < law.petits_lots.value - EPS,
        "cle": cle, "mini_lot": maximum < law.mini_lots.value - EPS,
        "montant_min": (round(montant * p.min_bons_pct / 100 * p.term_years, 2)
                        if p.min_bons_pct is not None else None),
        "cpv": rule.cpv, "ca_max": round(law.ca_ratio.value * annual_max, 2),
        "below_min": below, "above_max": above, "flags": why, "volume": volume,
        "imposes": imposed, "regime": rule.regime, "unite": rule.unite,
        "volume_min": rule.volume_min, "volume_max": rule.volume_max,
        "nearest": g.nearest[0] if g.nearest and below else "",
        "nearest_hops": g.nearest[1] if g.nearest and below else math.nan,
        "sauts_max": p.sauts_max,
    }
    if below or above:
        unit = "h" if rule.unite == "heures" else "places"
        bound = (f"est sous le minimum ({nombre(volume)} < {nombre(rule.volume_min)} {unit})"
                 if below else
                 f"dépasse le maximum ({nombre(volume)} > {nombre(rule.volume_max or 0)} "
                 f"{unit})")
        if below and g.nearest:
            bound += f", {reach_words(*g.nearest, p.sauts_max, Flag.SANS_VOISIN in why)}"
        hints = " ; ".join(fix_hint(f) for f in why)
        report.add("lot-hors-bornes", "Lots", None, "N° lot", name, lot=name, borne=bound,
                   conseils=hints)
    return row
