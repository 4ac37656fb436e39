"""Validated inputs of a run: zones, rules, parameters, needs and bids, ready for the engine.

Everything here is typed (numbers, booleans, enums, dates); French labels stay in
`contract` (names read) and `outputs` (names written)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .choices import (  # noqa: F401  (the choices, re-exported with the model)
    AttributionRule,
    Objectif,
    Regime,
    Regroupement,
    Repartition,
    Unite,
)

EPS = 1e-9  # tolerance of every comparison of volumes (hours, places) and amounts


@dataclass(frozen=True)
class Zone:
    name: str
    territoire: str
    departement: str
    region: str
    voisines: frozenset[str] = frozenset()
    pole: bool = False  # a hub town with training sites (`Pôle = oui`)
    nuts: str = ""  # the zone's own NUTS 3 code (`NUTS`); empty: derived from `departement`


@dataclass(frozen=True)
class Rule:
    """One row of `Règles`, with the contract's defaults applied."""

    code: str
    libelle: str
    maille: tuple[str, ...]
    unite: str  # Unite
    heures_par_place: float
    tolerance: float = 25.0  # %
    taux: float = 0.0  # € HT per trainee-hour
    volume_min: float = 0.0
    volume_max: float | None = None
    regroupement: str = Regroupement.VOISINES
    plafonner: bool = False
    attributaires: int = 1
    repartition: str = Repartition.CASCADE
    lots_max: int | None = None
    lots_max_candidat: int | None = None  # R2113-1: lots one tenderer may bid for
    regime: str = Regime.SSS
    cpv: str = "80530000"
    divisible: bool = False  # `Besoins divisibles = oui`
    row: int | None = None  # Excel row in Règles


@dataclass(frozen=True)
class Params:
    """`Paramètres` after validation. A threshold left `None` is the legal one in force on
    `date_lancement` (see `allot_xl.core.law`); a value is the buyer's own."""

    campagne: str | None = None
    region: str | None = None
    max_bons_pct: float = 120.0  # maximum of the framework, % of the annual estimate
    min_bons_pct: float | None = None
    seuil_petits_lots: float | None = None  # € HT
    part_max_petits_pct: float = 20.0
    seuil_mini_lots: float | None = None  # € HT
    seuil_publicite_ue: float | None = None  # € HT (JOUE, social and specific services)
    seuil_procedure_formalisee: float | None = None  # € HT (ordinary services)
    attribution: str = AttributionRule.IMPORTANCE
    date_lancement: dt.date | None = None  # None: the day of the run
    duree_mois: float = 12.0  # term of the framework agreement, months
    reconductions: int = 0  # renewals of that term
    sauts_max: int = 2  # reach of a merge, in `Voisines` hops (contract v3, step 4)
    objectif: str = Objectif.CONTRATS  # what `Proposé` seeks first
    date_notification: dt.date | None = None  # start of the term (None: `date_lancement`)
    alerte_commandes_pct: float = 80.0  # % of a lot's maximum ordered: warning (issue 25)
    # the buyer's identity (the tender file and its notice); None where left empty
    acheteur: str | None = None
    siret: str | None = None  # 14 digits, Luhn-checked when read
    adresse: str | None = None
    code_postal: str | None = None
    ville: str | None = None
    courriel: str | None = None
    telephone: str | None = None
    profil_acheteur: str | None = None  # URL of the buyer profile
    date_limite: dt.date | None = None  # tender deadline (noon), for the notice
    # where each value was read: the sheet and `Valeur` header as written, and the Excel
    # row of each field set (problems found later, e.g. a threshold looser than the law)
    sheet: str = "Paramètres"
    column: str = "Valeur"
    rows: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def term_years(self) -> float:
        """The framework's whole term in years, renewals included (its maximum covers it)."""
        return self.duree_mois * (1 + self.reconductions) / 12.0


@dataclass(frozen=True)
class Referentiel:
    """`Référentiel` rows: hours per place and hourly rate per job, keyed by folded
    `Code ROME` and by folded `Métier` (values None where the row leaves them empty)."""

    by_rome: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    by_metier: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class AwardCriterion:
    """One award criterion of a dispositif (`Critères`, R2152-7): its name, kind
    (`CritereType` qualité, prix or coût), weight in % and whether it takes the offer's
    environmental characteristics into account (L2152-7 from 21 August 2026)."""

    name: str
    kind: str
    weight: float
    environmental: bool = False
    row: int | None = None


@dataclass(frozen=True)
class Terms:
    """What `Critères` says of one dispositif: its award criteria, its environmental
    execution clause (L2112-2), its social clause (L2112-2-1) or the recorded reason for
    none; texts as written ("" when absent). `row` is the dispositif's first Excel row."""

    criteria: tuple[AwardCriterion, ...] = ()
    clause_env: str = ""
    clause_sociale: str = ""
    motif_sans_sociale: str = ""
    row: int | None = None
    weights_ok: bool = True  # the weights add up to 100 %

    @property
    def environmental(self) -> bool:
        """Whether one award criterion is environmental."""
        return any(c.environmental for c in self.criteria)


# Columns of Inputs.needs (one row per valid need, in sheet order); `hpp_in` is the need's
# own `Heures par place` (NaN when empty):
NEED_COLUMNS = [
    "row", "id", "dispositif", "zone", "domaine", "metier", "rome", "places_in", "hours_in",
    "debouches", "source", "lot_impose", "commentaire", "hpp_in",
]
# Columns of Inputs.offers (one row per valid bid):
OFFER_COLUMNS = ["row", "lot", "candidat", "note", "rang", "prix", "capacite"]
# Columns of Inputs.orders (one row per well-formed purchase order of `Commandes`; `date` a
# datetime.date, `refus` the better-ranked holder declined, `places`/`hours` NaN if empty):
ORDER_COLUMNS = ["row", "bon", "date", "lot", "titulaire", "places", "hours", "montant",
                 "refus"]


@dataclass
class Inputs:
    """What the engine needs, already validated; bad rows are not here (they are Problems)."""

    zones: dict[str, Zone]
    rules: dict[str, Rule]
    params: Params
    needs: pd.DataFrame
    needs_received: dict[str, int]  # dispositif -> rows of Besoins naming it (valid or not)
    offers: pd.DataFrame | None = None
    referentiel: Referentiel = field(default_factory=Referentiel)
    previous_lots: dict[str, str] = field(default_factory=dict)  # folded Clé -> N° lot
    previous_numbers: dict[str, str] = field(default_factory=dict)  # folded N° lot -> N° lot
    previous_cles: dict[str, str] = field(default_factory=dict)  # N° lot -> Clé as written
    # `Lots attribués`: folded N° lot -> N° lot of the lots awarded already (a relaunch);
    # their numbers are never given to a lot of this workbook
    reserved_lots: dict[str, str] = field(default_factory=dict)
    offers_sheet: str = "Offres"
    offers_headers: dict[str, str] = field(default_factory=dict)
    besoins_sheet: str = "Besoins"
    besoins_headers: dict[str, str] = field(default_factory=dict)
    regles_sheet: str = "Règles"  # the sheet and headers as written, for problems on a rule
    regles_headers: dict[str, str] = field(default_factory=dict)
    previous_journal: list[list[Any]] = field(default_factory=list)
    # `Commandes` (issue 25): its well-formed orders (None: no sheet, or no row), the sheet
    # and headers as written, and each previous lot's `Montant maximum (€ HT)` (N° lot ->)
    orders: pd.DataFrame | None = None
    orders_sheet: str = ""  # "" when the workbook has no `Commandes` sheet
    orders_headers: dict[str, str] = field(default_factory=dict)
    previous_maxima: dict[str, float] = field(default_factory=dict)
    fingerprint: str = ""
    campaign: str = ""
    run_date: dt.date | None = None  # the day of the run (for `Date de lancement`)
    # `Critères` by dispositif code; None when the workbook has no `Critères` sheet
    terms: dict[str, Terms] | None = None
    criteres_sheet: str = "Critères"

    @property
    def launch_date(self) -> dt.date:
        """`Date de lancement`, or the day of the run."""
        return self.params.date_lancement or self.run_date or dt.date.today()
