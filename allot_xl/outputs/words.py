"""The words of the output sheets for the engine's typed values (flags, booleans)."""

from __future__ import annotations

import re
from collections import namedtuple
from typing import Any

import numpy as np
import pandas as pd

from ..core.french import NBSP, nombre
from ..engine.describe import Flag, reach_words

_ARTICLE = re.compile(r"(?:CCP )?R\d{4}-\d+(?: \d°)?")
_BEFORE = re.compile(r" (?=[;:%€?!»])")  # French puts a (no-break) space before these
_AFTER = re.compile(r"(?<=«) ")


def keep_together(text: str) -> str:
    """`text` whose legal references (`CCP R2123-1 3°`) and French punctuation (` ;`, ` :`,
    `« … »`, ` %`, ` €`) hold to their neighbours: their spaces become no-break spaces, so
    a wrapped cell never starts a line with `;` nor cuts an article."""
    text = _ARTICLE.sub(lambda m: m.group().replace(" ", NBSP), text)
    return _AFTER.sub(NBSP, _BEFORE.sub(NBSP, text))

_WHY_SHORT = {
    Flag.AUCUN: "regroupement « aucun »", Flag.SANS_ZONE: "aucun regroupement possible",
    Flag.SANS_VOISIN: "aucun regroupement possible",
    Flag.SANS_PARTENAIRE: "aucun regroupement possible",
    Flag.HORS_PORTEE: "aucun regroupement possible",
    Flag.INDIVISIBLE: "besoin indivisible", Flag.IMPOSE: "lot imposé",
}


def oui_non(flag: Any) -> str:
    return "oui" if bool(flag) else "non"


def statut(lot: Any) -> str:
    """The `Statut` of a lot (a row of the engine's lots frame), in French: its bounds and
    imposed needs (a mini-lot is said once, in the `Mini-lot` column)."""
    unit = "h" if lot.unite == "heures" else "places"
    why = [_WHY_SHORT[Flag(f)] for f in lot.flags]
    words = []
    if lot.below_min:
        reason = why.pop(0)
        if lot.nearest:
            reason = reach_words(lot.nearest, lot.nearest_hops, lot.sauts_max,
                                 Flag.SANS_VOISIN in lot.flags)
        words.append(f"Sous le minimum ({nombre(lot.volume)} < {nombre(lot.volume_min)} "
                     f"{unit} ; {reason})")
    if lot.above_max:
        words.append(f"Au-dessus du maximum ({nombre(lot.volume)} > {nombre(lot.volume_max)} "
                     f"{unit} ; {why.pop(0)})")
    if lot.imposes:
        s = "s" if lot.imposes >= 2 else ""
        words.append(f"{nombre(lot.imposes)} besoin{s} imposé{s}")
    return " ; ".join(words) if words else "Conforme"


_StatutRow = namedtuple("_StatutRow", ["unite", "flags", "below_min", "above_max", "volume",
                                       "volume_min", "volume_max", "imposes", "nearest",
                                       "nearest_hops", "sauts_max"])


def bounds_words(rule: Any) -> str:
    """A rule's volume bounds in words: `12 à 80 places`, `au moins 300 h`."""
    unit = "h" if rule.unite == "heures" else "places"
    if rule.volume_max is None:
        return f"au moins {nombre(rule.volume_min)} {unit}"
    return f"{nombre(rule.volume_min)} à {nombre(rule.volume_max)} {unit}"


def lots_shown(lots: pd.DataFrame, rules: dict[str, Any] | None = None,
               scenario: str = "") -> pd.DataFrame:
    """The engine's typed lots frame with the words of the `Lots` sheet. Under a
    `scenario` each `Statut` names the bounds it was judged against (the scenario's,
    which `Règles` does not show)."""
    shown = lots.copy()
    # the columns statut() reads, row by row (itertuples would convert all of them)
    rows = (zip(*(lots[c].tolist() for c in _StatutRow._fields), strict=True) if len(lots)
            else ())
    shown["statut"] = [statut(_StatutRow(*r)) for r in rows]
    if scenario and rules and len(lots):
        said = {code: f" (bornes du scénario « {scenario} » : {bounds_words(rule)})"
                for code, rule in rules.items()}
        shown["statut"] = [s + said.get(code, "") for s, code in
                           zip(shown["statut"].tolist(), lots["dispositif"].tolist(),
                               strict=True)]
    for c in ("petit_lot", "mini_lot"):
        shown[c] = lots[c].map(oui_non)
    # the price unit follows the design's unit: per place, or per trainee-hour
    per_place = (lots["unite"] == "places").to_numpy(dtype=bool)
    volume = np.where(per_place, lots["places"].to_numpy(dtype=float),
                      lots["hours"].to_numpy(dtype=float))
    amount = lots["montant"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shown["prix_unitaire"] = np.where(volume > 0, np.round(amount / volume, 2), np.nan)
    shown["unite_prix"] = np.where(per_place, PRICE_UNITS["places"], PRICE_UNITS["heures"])
    return shown


# the unit of a lot's price, by the rule's `Unité` (the founding note's « places ou heures ? »)
PRICE_UNITS = {"places": "€ HT par place", "heures": "€ HT par heure-stagiaire"}


