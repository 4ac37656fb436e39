"""The workbook contract as code: sheet and column names, aliases, name folding, numbers."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from . import descriptions
from .choices import (
    AttributionRule,
    CritereType,
    Objectif,
    Regime,
    Regroupement,
    Repartition,
    Unite,
)

# --------------------------------------------------------------------------- names

_SPACES = re.compile(r"[\s_\u00a0\u202f\u2007\u2009]+")  # folding names only
_WHITESPACE = re.compile(r"\s+")  # Python's \s covers the no-break and thin spaces
# invisible format characters a copy from the web, Word or a CSV export leaves in a cell:
# byte order mark, zero-width spaces and joiners, soft hyphen, word joiner, direction marks
INVISIBLE = re.compile("[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u2064\u2066-\u206f\ufeff]")
# look-alike punctuation: hyphens and minus signs, curly and modifier apostrophes
_LOOK_ALIKE = str.maketrans({**dict.fromkeys("\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d", "-"),
                             **dict.fromkeys("\u2018\u2019\u201b\u02bc\u2032\u00b4", "'")})


def fold(text: Any) -> str:
    """Case-, accent- and spacing-insensitive form of a name (`Héures ` -> `heures`)."""
    if text is None:
        return ""
    return _fold_text(text if isinstance(text, str) else str(text))


@functools.lru_cache(maxsize=131072)  # names repeat on every row: fold each once
def _fold_text(text: str) -> str:
    s = INVISIBLE.sub("", text).translate(_LOOK_ALIKE)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACES.sub(" ", s).strip().casefold()


def lot_prefix(lot: Any) -> str:
    """The dispositif code of a lot name, folded (`PQ-05` -> `pq`): lots are named
    `CODE-NN`."""
    return fold(str(lot).rsplit("-", 1)[0])


@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> str:
    """Order of `Clé` values: case- and accent-insensitive (`Énergie` between `C` and `H`)."""
    s = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()


def clean_text(value: Any) -> str:
    """A cell as trimmed text, runs of spaces made one, invisible format characters
    (`INVISIBLE`) removed; whole floats lose their `.0` (`1001.0` -> `1001`). Underscores,
    case and accents are kept: a value is written out as the buyer sees it (folding is for
    matching names only)."""
    if value is None or isinstance(value, CellError | NoCachedValue):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    return _WHITESPACE.sub(" ", text).strip()


def clean_header(value: Any) -> str:
    """A header as shown in messages: trimmed, runs of spaces and underscores made one
    space, invisible characters removed (headers are names, matched folded)."""
    return "" if value is None else _SPACES.sub(" ", INVISIBLE.sub("", str(value))).strip()


def odd_characters(text: str) -> str:
    """The invisible characters of `text` (and no-break hyphens), named for a message
    (`espace de largeur nulle (U+200B)`); "" when it has none."""
    if text.isascii():
        return ""
    found = dict.fromkeys(ch for ch in text if INVISIBLE.match(ch) or ch == "\u2011")
    return ", ".join(f"{_CHAR_NAMES.get(ch, 'caractère invisible')} (U+{ord(ch):04X})"
                     for ch in found)


_CHAR_NAMES = {"\ufeff": "marque d'ordre des octets", "\u200b": "espace de largeur nulle",
               "\u200c": "antiliant sans chasse", "\u200d": "liant sans chasse",
               "\u00ad": "trait d'union conditionnel", "\u2060": "gluon de mots",
               "\u2011": "trait d'union insécable", "\u200e": "marque gauche-à-droite",
               "\u200f": "marque droite-à-gauche"}


# --------------------------------------------------------------------------- special cells


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell (`#N/A`, `#DIV/0!`, ...)."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class NoCachedValue:
    """A formula cell saved without a computed value."""

    formula: str = ""

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "(formule sans valeur)"


class PercentValue(float):
    """A number Excel shows as a percentage: `120 %` is stored as 1.2 with a % format."""


ERROR_CODES = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#DATA!",
})


def column_letter(index: int) -> str:
    """Excel column letters of a 1-based index (`28` -> `AB`)."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --------------------------------------------------------------------------- sheets and columns

BESOINS, ZONES, REGLES, PARAMETRES, OFFRES = "Besoins", "Zones", "Règles", "Paramètres", "Offres"
REFERENTIEL = "Référentiel"
# the lots of an earlier consultation awarded already (a relaunch workbook, `relance.xlsx`):
# their numbers are reserved, never given to a lot of this workbook
LOTS_ATTRIBUES = "Lots attribués"
CRITERES = "Critères"  # award criteria and execution clauses per dispositif (the DCE)
INPUT_SHEETS = (BESOINS, ZONES, REGLES, PARAMETRES, OFFRES, REFERENTIEL, LOTS_ATTRIBUES,
                CRITERES)

LOTS, AFFECTATION, MULTI, SYNTHESE, CONTROLES, JOURNAL = (
    "Lots", "Affectation", "Multi-attribution", "Synthèse", "Contrôles", "Journal")
OUTPUT_SHEETS = (LOTS, AFFECTATION, MULTI, SYNTHESE, CONTROLES, JOURNAL)


# value kinds of a column: `text` (kept as written), `name` (a name matched folded, part of a
# lot's `Clé`: key separators refused, length bounded), `number`, `whole`, `percent`,
# `yes_no`, `choice` (one of `choices`)
TEXT, NAME, NUMBER, WHOLE, PERCENT, YES_NO, CHOICE = (
    "text", "name", "number", "whole", "percent", "yes_no", "choice")
NAME_MAX = 200  # characters of a name: six names and the separators stay far below 32 767


@dataclass(frozen=True)
class Column:
    """One contract column: its name, aliases and whether it is required, then what its
    cells may hold — kind, plausible range `[minimum, maximum]` (`positive`: strictly above
    `minimum`), choices. `validation` applies these declarations; nothing else re-states
    them."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    kind: str = TEXT
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    help: str = ""  # the French help shown on the template's header (`descriptions`)
    number_format: str = ""  # the Excel format of its cells in the template

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, WHOLE, PERCENT)


def _cols(*spec: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) if isinstance(s, tuple) else s for s in spec)


def _num(name: str, aliases: tuple[str, ...] = (), lo: float | None = 0.0,
         hi: float | None = None, *, kind: str = NUMBER, positive: bool = False,
         required: bool = False) -> Column:
    return Column(name, aliases, required, kind, lo, hi, positive)


def _name(name: str, aliases: tuple[str, ...] = (), required: bool = False) -> Column:
    return Column(name, aliases, required, NAME, max_length=NAME_MAX)


REGROUPEMENTS = tuple(x.value for x in Regroupement)
REGIMES = tuple(x.value for x in Regime)
REPARTITIONS = tuple(x.value for x in Repartition)
ATTRIBUTIONS = tuple(x.value for x in AttributionRule)
# what `Proposé` seeks first (issue « Lots within reach »): the founding note's gain, fewer
# contracts within the caps, or the most lots a small organisation can take
OBJECTIFS = tuple(x.value for x in Objectif)
UNITES = tuple(x.value for x in Unite)
CRITERE_TYPES = tuple(x.value for x in CritereType)

VOLUME_MAX = 1e8  # trainee-hours (or places) of one need, one lot or one bound
HPP_MAX = 5000.0  # hours per place: a three-year course is about 4 000 h
RATE_MAX = 1000.0  # € HT per trainee-hour
PCT_MAX = 1000.0  # percentages in points
AMOUNT_MAX = 1e10  # € HT

COLUMNS: dict[str, tuple[Column, ...]] = {
    BESOINS: _cols(
        Column("ID besoin", ("ID", "Identifiant", "N° besoin"), True, max_length=NAME_MAX),
        _name("Dispositif", ("Programme",), True),
        _name("Zone", ("Zone de réalisation", "Lieu", "Localisation"), True),
        _name("Domaine", ("Famille de métiers", "Domaine professionnel")),
        _name("Métier", ("Metier", "Intitulé métier")),
        ("Code ROME", ("ROME",)),
        _num("Places", ("Nombre de places", "Nb places"), 0, 1e6, kind=WHOLE),
        _num("Heures", ("Volume horaire", "Nb heures", "Heures stagiaires"), 0, VOLUME_MAX),
        _num("Heures par place", ("Durée (h)", "Durée par place"), 0, HPP_MAX),
        _num("Débouchés", ("Debouches", "Offres d'emploi"), 0, 1e7),
        ("Source", ("Origine",)),
        ("Lot imposé", ("Lot force", "Lot forcé", "Lot impose")),
        ("Commentaire", ("Observations",)),
    ),
    ZONES: _cols(
        _name("Zone", (), True),
        _name("Territoire", (), True),
        _name("Département", ("Departement",), True),
        _name("Région", ("Region",)),
        ("Voisines", ("Zones voisines",)),
        Column("Pôle", ("Pole",), kind=YES_NO),
        # the NUTS 3 code of the place of performance (eForms BT-5071); empty: derived
        # from `Département` (core/nuts.py)
        Column("NUTS", ("Code NUTS", "NUTS 3"), max_length=5),
    ),
    REGLES: _cols(
        _name("Dispositif", ("Programme",), True),
        ("Libellé", ("Libelle",)),
        ("Maille", (), True),
        Column("Unité", ("Unite",), True, CHOICE, choices=UNITES),
        _num("Heures par place", (), 0, HPP_MAX, positive=True, required=True),
        _num("Tolérance (%)", ("Tolérance", "Tolerance (%)"), 0, PCT_MAX, kind=PERCENT),
        _num("Taux horaire (€)", ("Taux horaire", "Coût horaire (€)"), 0, RATE_MAX),
        _num("Volume min", ("Volume minimum",), 0, VOLUME_MAX),
        _num("Volume max", ("Volume maximum",), 0, VOLUME_MAX),
        Column("Regroupement", (), kind=CHOICE, choices=REGROUPEMENTS),
        Column("Plafonner aux débouchés", ("Plafonner aux debouches",), kind=YES_NO),
        _num("Attributaires", ("Nb attributaires",), 1, 100, kind=WHOLE),
        Column("Répartition", ("Repartition",), kind=CHOICE, choices=REPARTITIONS),
        _num("Lots max par titulaire", ("Lots max",), 1, 10000, kind=WHOLE),
        # R2113-1: the lots one tenderer may bid for (eForms BT-31); empty: no cap
        _num("Lots max par candidat", ("Lots max par soumissionnaire",), 1, 10000,
             kind=WHOLE),
        Column("Régime", ("Regime",), kind=CHOICE, choices=REGIMES),
        ("Code CPV", ("CPV",)),
        Column("Besoins divisibles", ("Divisible",), kind=YES_NO),
    ),
    REFERENTIEL: _cols(
        ("Code ROME", ("ROME",)),
        ("Métier", ("Metier", "Intitulé métier")),
        _num("Heures par place", ("Durée (h)", "Durée par place"), 0, HPP_MAX),
        _num("Taux horaire (€)", ("Taux horaire", "Coût horaire (€)"), 0, RATE_MAX),
    ),
    PARAMETRES: _cols(("Paramètre", ("Parametre",), True), ("Valeur", (), True)),
    OFFRES: _cols(
        ("N° lot", ("Lot", "Numéro de lot"), True),
        ("Candidat", ("Soumissionnaire", "Organisme"), True),
        _num("Note", ("Note finale",), -1000, 1000, required=True),
        _num("Rang", ("Classement",), 1, 1e5, kind=WHOLE),
        _num("Prix horaire (€)", ("Prix horaire",), 0, RATE_MAX),
        _num("Capacité (places)", ("Capacité",), 0, 1e6),
    ),
    # the awarded lots of the consultation a relaunch follows: their numbers stay reserved
    LOTS_ATTRIBUES: _cols(
        ("N° lot", ("Lot", "Numéro de lot"), True),
        ("Dispositif", ("Programme",)),
        ("Titulaires", ("Attributaires", "Titulaire")),
    ),
    # a previous run's output, read back to keep lot numbers
    LOTS: _cols(("N° lot", (), True), ("Clé", ("Cle",), True), ("Dispositif", ())),
    # the tender file (issue 24): per dispositif, its award criteria (R2152-7) with their
    # weights, and rows typed as its execution clauses (L2112-2, L2112-2-1) whose text is
    # in `Critère`
    CRITERES: _cols(
        _name("Dispositif", ("Programme",), True),
        Column("Critère", ("Critere", "Libellé", "Clause", "Texte"), True, max_length=2000),
        Column("Type", (), True, CHOICE, choices=CRITERE_TYPES),
        _num("Pondération (%)", ("Pondération", "Ponderation (%)", "Poids (%)"), 0, 100,
             kind=PERCENT),
        Column("Environnemental", ("Critère environnemental",), kind=YES_NO),
    ),
}

# the optional `Commandes` input sheet (issue 25): the purchase orders issued to each lot's
# holders, followed against the framework's maximum in the output sheet `Suivi des
# commandes`. Not one of INPUT_SHEETS: an order never changes the lots (nor the inputs'
# fingerprint, so that outputs stay « à jour » while orders come in)
COMMANDES = "Commandes"
SUIVI = "Suivi des commandes"
COLUMNS[COMMANDES] = (
    Column("N° bon", ("N° de bon", "Numéro de bon", "Bon de commande", "N° BC", "Bon"), True,
           max_length=NAME_MAX),
    Column("Date", ("Date du bon", "Date de commande", "Date d'émission"), True),
    Column("N° lot", ("Lot", "Numéro de lot"), True),
    Column("Titulaire", ("Attributaire", "Organisme", "Candidat"), True),
    _num("Places", ("Nombre de places", "Nb places"), 0, 1e6, kind=WHOLE),
    _num("Heures", ("Volume horaire", "Nb heures", "Heures stagiaires"), 0, VOLUME_MAX),
    _num("Montant (€ HT)", ("Montant", "Montant HT", "Montant du bon"), 0, AMOUNT_MAX,
         required=True),
    Column("Refus du titulaire précédent", ("Refus précédent", "Refus du mieux classé",
                                            "Refus"), kind=YES_NO),
)

# the optional `Scénarios` input sheet: variants overriding some `Règles` columns of one
# dispositif (each override declared as in `Règles`); its comparison is written to its own
# output sheet (an input sheet is never rewritten, so the two cannot share a name)
SCENARIOS = "Scénarios"
COMPARAISON = "Comparaison des scénarios"
# each `Règles` column and the `model.Rule` field it fills: stated once, so that writing a
# rule back as cells (a scenario's `Règles` row), naming what a scenario changes and the
# fields a scenario may override all derive from it
RULE_FIELDS: dict[str, str] = {
    "Dispositif": "code", "Libellé": "libelle", "Maille": "maille", "Unité": "unite",
    "Heures par place": "heures_par_place", "Tolérance (%)": "tolerance",
    "Taux horaire (€)": "taux", "Volume min": "volume_min", "Volume max": "volume_max",
    "Regroupement": "regroupement", "Plafonner aux débouchés": "plafonner",
    "Attributaires": "attributaires", "Répartition": "repartition",
    "Lots max par titulaire": "lots_max", "Lots max par candidat": "lots_max_candidat",
    "Régime": "regime", "Code CPV": "cpv",
    "Besoins divisibles": "divisible",
}
SCENARIO_OVERRIDES = ("Maille", "Unité", "Volume min", "Volume max", "Regroupement",
                      "Attributaires", "Lots max par titulaire", "Besoins divisibles")
COLUMNS[SCENARIOS] = (
    Column("Scénario", ("Scenario", "Variante", "Nom"), True, max_length=NAME_MAX),
    _name("Dispositif", ("Programme",), True),
    # a variant states only what it changes: every override column is optional
    *(replace(c, required=False) for c in COLUMNS[REGLES] if c.name in SCENARIO_OVERRIDES),
)


def column(sheet: str, name: str) -> Column:
    """The declaration of column `name` (canonical) of `sheet`; KeyError when unknown."""
    return _COLUMN_INDEX[(sheet, name)]


# the columns of a sheet that identify its header row
HEADER_KEYS: dict[str, tuple[str, ...]] = {
    BESOINS: ("ID besoin", "Dispositif", "Zone"),
    ZONES: ("Zone", "Territoire"),
    REGLES: ("Dispositif", "Maille"),
    PARAMETRES: ("Paramètre", "Valeur"),
    OFFRES: ("N° lot", "Candidat"),
    LOTS: ("N° lot", "Clé"),
    LOTS_ATTRIBUES: ("N° lot",),
    REFERENTIEL: ("Heures par place",),
    SCENARIOS: ("Scénario", "Dispositif"),
    COMMANDES: ("N° bon", "N° lot"),
    CRITERES: ("Dispositif", "Type"),
}

MAILLE_COMPONENTS = ("Zone", "Territoire", "Département", "Région", "Domaine", "Métier")

@dataclass(frozen=True)
class Param:
    """One row of `Paramètres`: its label, the `model.Params` field it fills, its kind
    (`text`, `choice`, `percent`, `amount`, `number`, `whole`, `date`), its default (None:
    empty, or for a threshold the legal value in force on `Date de lancement`) and, for a
    number, its plausible range (`positive`: strictly above `minimum`)."""

    label: str
    field: str
    kind: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] = ()  # `choice`: the values allowed
    help: str = ""  # the French help shown on the template's row (`descriptions`)

    @property
    def column(self) -> Column:
        """The value cell as a column declaration, so that `Paramètres` is read by the same
        backend as the other sheets (`inputs.checks`)."""
        kind = {"percent": PERCENT, "whole": WHOLE, "amount": NUMBER, "number": NUMBER,
                "choice": CHOICE}.get(self.kind, TEXT)
        return Column(self.label, (), False, kind, self.minimum, self.maximum, self.positive,
                      self.choices)


PARAMETERS: tuple[Param, ...] = (
    Param("Campagne", "campagne", "text"),
    Param("Région", "region", "text"),
    Param("Maximum bons de commande (%)", "max_bons_pct", "percent", 120.0, 0, PCT_MAX),
    Param("Minimum bons de commande (%)", "min_bons_pct", "percent", None, 0, PCT_MAX),
    Param("Seuil petits lots (€ HT)", "seuil_petits_lots", "amount", None, 0, AMOUNT_MAX),
    Param("Part max petits lots (%)", "part_max_petits_pct", "percent", 20.0, 0, 100),
    Param("Seuil mini-lots (€ HT)", "seuil_mini_lots", "amount", None, 0, AMOUNT_MAX),
    Param("Seuil de publicité européenne (€ HT)", "seuil_publicite_ue", "amount", None, 0,
          AMOUNT_MAX),
    Param("Seuil de procédure formalisée (€ HT)", "seuil_procedure_formalisee", "amount",
          None, 0, AMOUNT_MAX),
    Param("Attribution", "attribution", "choice", "importance décroissante",
          choices=ATTRIBUTIONS),
    Param("Date de lancement", "date_lancement", "date"),
    Param("Durée de l'accord-cadre (mois)", "duree_mois", "number", 12.0, 0, 240,
          positive=True),
    Param("Reconductions", "reconductions", "whole", 0.0, 0, 50),
    Param("Sauts max", "sauts_max", "whole", 2.0, 0, 50),
    Param("Objectif", "objectif", "choice", "moins de contrats", choices=OBJECTIFS),
    # following the orders (issue 25): the start of the framework's term (default: `Date de
    # lancement`) and the share of a lot's maximum ordered that raises a warning
    Param("Date de notification", "date_notification", "date"),
    Param("Seuil d'alerte des commandes (%)", "alerte_commandes_pct", "percent", 80.0, 0, 100,
          positive=True),
    # the buyer's identity, for the tender file and its notice (issue 24); text, checked
    # by inputs/dce.py (SIRET: 14 digits, Luhn)
    Param("Acheteur", "acheteur", "text"),
    Param("SIRET de l'acheteur", "siret", "text"),
    Param("Adresse de l'acheteur", "adresse", "text"),
    Param("Code postal de l'acheteur", "code_postal", "text"),
    Param("Ville de l'acheteur", "ville", "text"),
    Param("Courriel de contact", "courriel", "text"),
    Param("Téléphone de contact", "telephone", "text"),
    Param("Profil d'acheteur (URL)", "profil_acheteur", "text"),
    # the tender deadline (eForms BT-131), at noon local time
    Param("Date limite de remise des offres", "date_limite", "date"),
)
PARAMETERS = tuple(replace(p, help=descriptions.PARAM_HELP.get(p.label, ""))
                   for p in PARAMETERS)
PARAM_DEFAULTS: dict[str, Any] = {p.label: p.default for p in PARAMETERS}
COLUMNS = {sheet: tuple(replace(c, help=descriptions.HELP.get(sheet, {}).get(c.name, ""),
                                number_format=descriptions.NUMBER_FORMATS.get(sheet, {}).get(
                                    c.name, "")) for c in cols)
           for sheet, cols in COLUMNS.items()}

_COLUMN_INDEX = {(sheet, c.name): c for sheet, cols in COLUMNS.items() for c in cols}


def column_lookup(sheet: str) -> dict[str, str]:
    """Folded header or alias -> canonical column name for `sheet`."""
    out: dict[str, str] = {}
    for col in COLUMNS[sheet]:
        out.setdefault(fold(col.name), col.name)
        for alias in col.aliases:
            out.setdefault(fold(alias), col.name)
    return out


def _singular(text: str) -> str:
    return re.sub(r"s\b", "", fold(text))


def canonical_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    """The choice matching `value` once folded, singular or plural (`Part egale` ->
    `parts égales`)."""
    f = _singular(value)
    for c in choices:
        if _singular(c) == f:
            return c
    return None


def canonical_component(name: str) -> str | None:
    return canonical_choice(name, MAILLE_COMPONENTS)


# --------------------------------------------------------------------------- numbers

_EURO = re.compile(r"^€|(€|eur|ht)+$", re.IGNORECASE)  # `1 200,50 € HT`, `€ 12`
_EXPONENT = re.compile(r"^(.*?)(e[+-]?\d+)$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d*$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")  # `1.234.567`
_EN_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+$")  # `1,234,567`


_SPACED_DIGITS = re.compile(r"\d+(?:\s+\d+)+")  # digits with spaces between them


def as_shown(x: float) -> float:
    """`x` as Excel shows it: 15 significant digits (a formula's cached
    `40.000000000000007` is the 40 the buyer sees)."""
    if x == 0 or not math.isfinite(x):
        return x
    r = float(f"{x:.15g}")
    return r if r != x else x


class BadNumber(ValueError):
    """A cell that should hold a number but does not; the message is French."""


@dataclass(frozen=True)
class Reading:
    """A number read from a cell: `value` (None when empty) and, for text whose separators
    allow two readings (`5.600`, `12,000`, `1.234,5`), `ambiguous` with `other` the second
    reading (None when only one reading is well formed)."""

    value: float | None
    ambiguous: bool = False
    other: float | None = None


_EMPTY = Reading(None)


def _mantissa(s: str) -> tuple[float, bool, float | None]:
    """(French reading, ambiguous, other reading) of digits with `.`/`,` separators; the
    French convention: `,` decimal, `.` thousands. BadNumber when no reading fits."""
    def num(text: str) -> float:
        if not text or text in (".",) or not re.fullmatch(r"\d*(\.\d*)?", text) or text == ".":
            raise BadNumber("texte non numérique")
        return float(text)

    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", s):
        raise BadNumber("texte non numérique")
    dots, commas = s.count("."), s.count(",")
    if not dots and not commas:
        return num(s), False, None
    if dots and commas:
        ip, _, dec = s.rpartition(",")
        french = (num(ip.replace(".", "") + "." + dec)
                  if commas == 1 and _GROUPED.match(ip) and _DIGITS.match(dec) else None)
        ip2, _, dec2 = s.rpartition(".")
        english = (num(ip2.replace(",", "") + "." + dec2)
                   if dots == 1 and (_EN_GROUPED.match(ip2) or _DIGITS.match(ip2))
                   and _DIGITS.match(dec2) else None)
        if french is None and english is None:
            raise BadNumber("texte non numérique")
        if french is None:
            return english, True, None  # type: ignore[return-value]
        return french, True, english
    if commas:
        if commas > 1:
            raise BadNumber("texte non numérique")
        ip, _, dec = s.partition(",")
        value = num(ip + "." + dec)
        if len(dec) == 3 and 1 <= len(ip) <= 3 and ip[0] != "0":
            return value, True, float(ip + dec)
        return value, False, None
    if dots > 1:
        if not _GROUPED.match(s):
            raise BadNumber("texte non numérique")
        return float(s.replace(".", "")), False, None
    ip, _, dec = s.partition(".")
    if len(dec) == 3 and 1 <= len(ip) <= 3 and ip[0] != "0":
        return float(ip + dec), True, num(s)
    return num(s), False, None


def read_number(value: Any, *, percent: bool = False) -> Reading:
    """A contract number read from a cell value, with its ambiguity; BadNumber (French)
    when the cell holds no number.

    Accepts numbers and text such as `16 000`, `3,5`, `1 200,50 €`, `-1,5e3`, `12 %`
    (where `percent`). Text is read the French way (`,` decimal, `.` or spaces thousands);
    `5.600`, `12,000` and text with both `.` and `,` are `ambiguous`."""
    if value is None:
        return _EMPTY
    if isinstance(value, CellError):
        raise BadNumber(f"valeur d'erreur Excel {value.code}")
    if isinstance(value, NoCachedValue):
        raise BadNumber("formule sans valeur calculée (ouvrez et enregistrez le classeur dans "
                        "Excel)")
    if isinstance(value, bool):
        raise BadNumber("valeur VRAI/FAUX au lieu d'un nombre")
    if isinstance(value, PercentValue):
        return Reading(as_shown(float(value)) * 100 if percent else as_shown(float(value)))
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise BadNumber("date au lieu d'un nombre")
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            raise BadNumber("nombre non fini")
        return Reading(as_shown(f))
    if not isinstance(value, str):
        raise BadNumber("valeur non numérique")
    s = value.strip()
    if s == "":
        return _EMPTY
    if s.upper() in ERROR_CODES:
        raise BadNumber(f"valeur d'erreur Excel {s.upper()}")
    if not s.isascii():
        s = INVISIBLE.sub("", s)
    for run in _SPACED_DIGITS.finditer(s):
        groups = run.group(0).split()
        if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
            raise BadNumber(f"espace au milieu du nombre (« {run.group(0)} ») : les chiffres "
                            f"ne se groupent que par trois (16 000)")
    s = _WHITESPACE.sub("", s).replace("\u2212", "-")
    if percent and s.endswith("%"):
        s = s[:-1]
    s = _EURO.sub("", s)
    sign = -1.0 if s[:1] == "-" else 1.0
    s = s[1:] if s[:1] in "+-" else s
    exp = _EXPONENT.match(s)
    e = ""
    if exp and exp.group(1) and exp.group(1)[-1:].isdigit():
        s, e = exp.group(1), exp.group(2)
    if not s or not s[0].isdigit() and s[0] not in ".,":
        raise BadNumber("texte non numérique")
    value_, ambiguous, other = _mantissa(s)
    x = sign * float(f"{value_!r}{e}")
    if math.isnan(x) or math.isinf(x):
        raise BadNumber("nombre non fini")
    return Reading(x, ambiguous, None if other is None else sign * float(f"{other!r}{e}"))


def parse_number(value: Any, *, percent: bool = False) -> float | None:
    """A contract number: None when empty, else a float; BadNumber (French) otherwise.
    The French reading of ambiguous text (see `read_number`)."""
    return read_number(value, percent=percent).value


YES = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x"})
NO = frozenset({"non", "n", "no", "false", "faux", "0", ""})


def parse_yes_no(value: Any) -> bool | None:
    """`oui`/`non` (and the usual variants) as a bool; None when unreadable."""
    if isinstance(value, bool):
        return value
    f = fold(value)
    if f in YES:
        return True
    if f in NO:
        return False
    return None
