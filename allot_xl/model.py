"""Validated inputs of a run: zones, rules, parameters, needs and bids, ready for the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .contract import PARAM_DEFAULTS


@dataclass(frozen=True)
class Zone:
    name: str
    territoire: str
    departement: str
    region: str
    voisines: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """One row of `Règles`, with the contract's defaults applied."""

    code: str
    libelle: str
    maille: tuple[str, ...]
    unite: str  # "heures" | "places"
    heures_par_place: float
    tolerance: float = 25.0
    taux: float = 0.0
    volume_min: float = 0.0
    volume_max: float | None = None
    regroupement: str = "voisines"  # voisines | territoire | aucun
    plafonner: bool = False
    attributaires: int = 1
    repartition: str = "cascade"  # cascade | prorata | parts égales | rotation
    lots_max: int | None = None
    row: int | None = None  # Excel row in Règles


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=lambda: dict(PARAM_DEFAULTS))

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key, PARAM_DEFAULTS.get(key))

    def number(self, key: str, default: float | None = None) -> float | None:
        v = self.values.get(key)
        return default if v is None else float(v)


# Columns of Inputs.needs (one row per valid need, in sheet order):
NEED_COLUMNS = [
    "row", "id", "dispositif", "zone", "domaine", "metier", "rome", "places_in", "hours_in",
    "debouches", "source", "lot_impose", "commentaire",
]
# Columns of Inputs.offers (one row per valid bid):
OFFER_COLUMNS = ["row", "lot", "candidat", "note", "rang", "prix", "capacite"]


@dataclass
class Inputs:
    """What the engine needs, already validated; bad rows are not here (they are Problems)."""

    zones: dict[str, Zone]
    rules: dict[str, Rule]
    params: Params
    needs: pd.DataFrame
    needs_received: dict[str, int]  # dispositif -> rows of Besoins naming it (valid or not)
    offers: pd.DataFrame | None = None
    previous_lots: dict[str, str] = field(default_factory=dict)  # folded Clé -> N° lot
    previous_numbers: dict[str, str] = field(default_factory=dict)  # folded N° lot -> N° lot
    previous_cles: dict[str, str] = field(default_factory=dict)  # N° lot -> Clé as written
    offers_sheet: str = "Offres"
    offers_headers: dict[str, str] = field(default_factory=dict)
    besoins_sheet: str = "Besoins"
    besoins_headers: dict[str, str] = field(default_factory=dict)
    previous_journal: list[list[Any]] = field(default_factory=list)
    fingerprint: str = ""
    campaign: str = ""
