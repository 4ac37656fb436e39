"""The legal thresholds of the Code de la commande publique, each with its source and the
dates it is in force: the one table every check reads (no pandas, no Excel here).

A buyer may be stricter than the law, never looser (contract v3): a value set in
`Paramètres` applies only when it is at or under the legal one (a lower threshold or share);
a looser value is refused (`Applied.looser`) and the legal value applies in its place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MINI_LOTS = "mini_lots"
PETITS_LOTS = "petits_lots"
PROCEDURE_FORMALISEE = "procedure_formalisee"
PUBLICITE_SSS = "publicite_sss"
CA_RATIO = "ca_ratio"
PART_MAX_PETITS = "part_max_petits"  # % of the total value: small lots, or mini-lots
MAX_TERM_MONTHS = 48  # L2125-1: a framework agreement lasts at most four years


@dataclass(frozen=True)
class Threshold:
    """One legal value, in force from `start` (inclusive) to `end` (exclusive; None: until a
    later text replaces it). Amounts in € HT; `CA_RATIO` is a multiplier."""

    key: str
    value: float
    start: dt.date | None
    end: dt.date | None
    article: str
    source: str
    percent: bool = False  # a share in points (`PART_MAX_PETITS`), not an amount

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


_D = dt.date
THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(MINI_LOTS, 40_000.0, None, _D(2026, 4, 1), "CCP R2122-8",
              "décret n° 2019-1344 du 12 décembre 2019"),
    Threshold(MINI_LOTS, 60_000.0, _D(2026, 4, 1), None, "CCP R2122-8",
              "décret n° 2025-1386 du 29 décembre 2025 (consultations lancées à partir du "
              "1er avril 2026)"),
    Threshold(PETITS_LOTS, 80_000.0, None, None, "CCP R2123-1 2°",
              "décret n° 2018-1075 du 3 décembre 2018"),
    Threshold(PROCEDURE_FORMALISEE, 215_000.0, _D(2022, 1, 1), _D(2024, 1, 1), "CCP R2124-1",
              "Règlement délégué (UE) 2021/1952"),
    Threshold(PROCEDURE_FORMALISEE, 221_000.0, _D(2024, 1, 1), _D(2026, 1, 1), "CCP R2124-1",
              "Règlement délégué (UE) 2023/2497"),
    Threshold(PROCEDURE_FORMALISEE, 216_000.0, _D(2026, 1, 1), None, "CCP R2124-1",
              "Règlement délégué (UE) 2025/2152 (2026-2027)"),
    Threshold(PUBLICITE_SSS, 750_000.0, None, None, "CCP R2123-1 3°",
              "directive 2014/24/UE, article 4 d)"),
    Threshold(CA_RATIO, 2.0, None, _D(2026, 1, 1), "CCP R2142-7",
              "décret n° 2018-1075 du 3 décembre 2018"),
    Threshold(CA_RATIO, 1.5, _D(2026, 1, 1), None, "CCP R2142-7",
              "décret n° 2025-1383 du 29 décembre 2025"),
    # lots let under either derogation stay within 20 % of the total value of all lots
    Threshold(PART_MAX_PETITS, 20.0, None, None, "CCP R2122-8 et R2123-1 2°",
              "décret n° 2018-1075 du 3 décembre 2018", percent=True),
)


def legal(key: str, day: dt.date) -> Threshold:
    """The row of `key` in force on `day`; before the first dated row, the earliest one.

    Raises KeyError for an unknown key."""
    rows = [t for t in THRESHOLDS if t.key == key]
    if not rows:
        raise KeyError(key)
    for t in rows:
        if t.in_force(day):
            return t
    return min(rows, key=lambda t: t.start or dt.date.min)


@dataclass(frozen=True)
class Applied:
    """A threshold as a run applies it: the legal row, and the buyer's own value if set.

    Every threshold and share here is a ceiling (a lower value is stricter): the buyer's
    value applies when it is at or under the legal one, never above (`looser`)."""

    legal: Threshold
    buyer: float | None = None

    @property
    def looser(self) -> bool:
        """The buyer's value is above the legal one: refused, the legal value applies."""
        return self.buyer is not None and self.buyer > self.legal.value + 1e-9

    @property
    def overridden(self) -> bool:
        """The buyer's stricter value applies in place of the legal one."""
        return (self.buyer is not None and not self.looser
                and abs(self.buyer - self.legal.value) > 1e-9)

    @property
    def value(self) -> float:
        return self.buyer if self.buyer is not None and self.overridden else self.legal.value


@dataclass(frozen=True)
class Thresholds:
    """Every threshold a run applies, chosen by the launch date (`Date de lancement`)."""

    day: dt.date
    mini_lots: Applied
    petits_lots: Applied
    procedure_formalisee: Applied
    publicite_sss: Applied
    ca_ratio: Applied
    part_max_petits: Applied

    @classmethod
    def on(cls, day: dt.date, *, mini_lots: float | None = None,
           petits_lots: float | None = None, procedure_formalisee: float | None = None,
           publicite_sss: float | None = None, part_max_petits: float | None = None
           ) -> Thresholds:
        """The legal thresholds on `day`, each replaced by the buyer's value where given
        and stricter (a looser one is kept in `Applied.buyer` but not applied)."""
        return cls(day, Applied(legal(MINI_LOTS, day), mini_lots),
                   Applied(legal(PETITS_LOTS, day), petits_lots),
                   Applied(legal(PROCEDURE_FORMALISEE, day), procedure_formalisee),
                   Applied(legal(PUBLICITE_SSS, day), publicite_sss),
                   Applied(legal(CA_RATIO, day)),
                   Applied(legal(PART_MAX_PETITS, day), part_max_petits))

    def buyer_set(self) -> dict[str, Applied]:
        """The thresholds a buyer may set in `Paramètres`, by key (`Params` field names
        differ; `engine.thresholds` maps them)."""
        return {MINI_LOTS: self.mini_lots, PETITS_LOTS: self.petits_lots,
                PART_MAX_PETITS: self.part_max_petits,
                PUBLICITE_SSS: self.publicite_sss,
                PROCEDURE_FORMALISEE: self.procedure_formalisee}

    def publicity(self, sss: bool) -> Applied:
        """The threshold the total of a dispositif is compared with, by regime: JOUE
        publication for social and specific services (750 000 €, R2123-1 3°), the EU
        formalised procedure for ordinary services (216 000 € in 2026–27, R2124-1)."""
        return self.publicite_sss if sss else self.procedure_formalisee

    def controlled(self, sss: bool) -> Applied:
        """The lots whose share is capped at `part_max_petits`, by regime: mini-lots (let
        without publicity, R2122-8) for social and specific services, small lots (adapted
        procedure, R2123-1 2°) for ordinary services."""
        return self.mini_lots if sss else self.petits_lots


# --------------------------------------------------------------------------- unsuccessful lots


@dataclass(frozen=True)
class Derogation:
    """A case where the code lets a buyer contract without publicity or competition: its
    article, the condition in words (French, as the buyer must check it) and its source."""

    key: str
    article: str
    condition: str
    source: str


_R2122_2 = ("aucune candidature ni aucune offre déposée dans les délais, ou seulement des "
            "candidatures irrecevables (R2144-7) ou des offres inappropriées (L2152-4), et "
            "conditions initiales du marché non substantiellement modifiées")
_R2122_2_SOURCE = ("CCP R2122-2, créé par le décret n° 2018-1075 du 3 décembre 2018 (partie "
                   "réglementaire du code de la commande publique)")
# R2122-2: after an unsuccessful consultation, by the procedure the lot followed
AFTER_NO_BID_SSS = Derogation(
    "infructueux_sss", "CCP R2122-2 4°",
    f"marché de services sociaux et autres services spécifiques (R2123-1 3°) : {_R2122_2} ; "
    "au-dessus du seuil européen de ces services, un rapport est communiqué à la Commission "
    "européenne si elle le demande", _R2122_2_SOURCE)
AFTER_NO_BID_ADAPTED = Derogation(
    "infructueux_mapa", "CCP R2122-2 3°",
    f"marché dont la valeur estimée est inférieure aux seuils de procédure formalisée : "
    f"{_R2122_2}", _R2122_2_SOURCE)
AFTER_NO_BID_TENDER = Derogation(
    "infructueux_ao", "CCP R2122-2 1°",
    f"appel d'offres lancé par un pouvoir adjudicateur : {_R2122_2} ; un rapport est "
    "communiqué à la Commission européenne si elle le demande", _R2122_2_SOURCE)


def after_no_bid(sss: bool, formalised: bool) -> Derogation:
    """The case of R2122-2 that lets a lot which received no bid be let without publicity:
    4° for social and specific services (the adapted procedure of R2123-1 3°, whatever the
    amount), else 3° under the formalised-procedure threshold (`formalised` False) or 1°
    after a call for tenders (`formalised` True)."""
    if sss:
        return AFTER_NO_BID_SSS
    return AFTER_NO_BID_TENDER if formalised else AFTER_NO_BID_ADAPTED


# --------------------------------------------------------------------------- articles cited


@dataclass(frozen=True)
class Article:
    """A rule of law a message cites (no threshold): its article, the text that made it and
    what it says, in French as a message quotes it."""

    article: str
    source: str
    rule: str

    def cited(self) -> str:
        """`CCP R2162-4 (source) : rule` — the citation a problem message carries."""
        return f"{self.article} ({self.source}) : {self.rule}"


# the framework's maximum binds its orders (issue 25)
MAXIMUM_ACCORD_CADRE = Article(
    "CCP R2162-4", "décret n° 2021-1111 du 23 août 2021",
    "l'accord-cadre fixe un montant maximum ; une fois atteint, il a épuisé ses effets et ne "
    "peut plus recevoir de bon de commande (CJUE, 17 juin 2021, Simonsen & Weel, C-23/20)")
# orders follow the split rule the agreement announced (cascade, shares, rotation)
REPARTITION_BONS = Article(
    "CCP R2162-13 et R2162-14", "décret n° 2018-1075 du 3 décembre 2018",
    "les bons de commande sont attribués aux titulaires selon les modalités prévues par "
    "l'accord-cadre (ordre de la cascade, parts, rotation)")


# --------------------------------------------------------------------------- strategic procurement

CLIMAT_START = _D(2026, 8, 21)  # consultations launched from this day (décret 2022-767 art. 4)
CLIMAT_SOURCE = ("loi n° 2021-1104 du 22 août 2021 (Climat et Résilience), article 35, et "
                 "décret n° 2022-767 du 2 mai 2022")


@dataclass(frozen=True)
class Obligation:
    """A clause of the tender file the law requires of consultations launched from `start`:
    its article(s) and source; `eu_value` when it applies only to a dispositif whose value
    reaches the EU threshold in force (`Thresholds.publicity`)."""

    key: str
    start: dt.date
    article: str
    source: str
    eu_value: bool = False

    def applies(self, day: dt.date, eu: bool) -> bool:
        """Whether a consultation launched on `day` (of EU value when `eu`) needs it."""
        return day >= self.start and (eu or not self.eu_value)


CRITERE_ENVIRONNEMENTAL = "critere_environnemental"
CLAUSE_ENVIRONNEMENTALE = "clause_environnementale"
CLAUSE_SOCIALE = "clause_sociale"
OBLIGATIONS: tuple[Obligation, ...] = (
    Obligation(CRITERE_ENVIRONNEMENTAL, CLIMAT_START, "CCP L2152-7 et R2152-7", CLIMAT_SOURCE),
    Obligation(CLAUSE_ENVIRONNEMENTALE, CLIMAT_START, "CCP L2112-2", CLIMAT_SOURCE),
    Obligation(CLAUSE_SOCIALE, CLIMAT_START, "CCP L2112-2-1", CLIMAT_SOURCE, eu_value=True),
)


def obligation(key: str) -> Obligation:
    """The row of `key` in `OBLIGATIONS`; KeyError when unknown."""
    for o in OBLIGATIONS:
        if o.key == key:
            return o
    raise KeyError(key)
