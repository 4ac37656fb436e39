"""The workbook contract as code: sheet and column names, aliases, name folding, numbers."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

# --------------------------------------------------------------------------- names

_SPACES = re.compile(r"[\s_\u00a0\u202f\u2007\u2009]+")


def fold(text: Any) -> str:
    """Case-, accent- and spacing-insensitive form of a name (`Héures ` -> `heures`)."""
    if text is None:
        return ""
    return _fold_text(text if isinstance(text, str) else str(text))


@functools.lru_cache(maxsize=131072)  # names repeat on every row: fold each once
def _fold_text(text: str) -> str:
    s = text.replace("\u2019", "'").replace("\u2018", "'")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACES.sub(" ", s).strip().casefold()


@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> str:
    """Order of `Clé` values: case- and accent-insensitive (`Énergie` between `C` and `H`)."""
    s = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()


def clean_text(value: Any) -> str:
    """A cell as trimmed text; whole floats lose their `.0` (`1001.0` -> `1001`)."""
    if value is None or isinstance(value, CellError | NoCachedValue):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _SPACES.sub(" ", str(value)).strip()


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


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --------------------------------------------------------------------------- sheets and columns

BESOINS, ZONES, REGLES, PARAMETRES, OFFRES = "Besoins", "Zones", "Règles", "Paramètres", "Offres"
REFERENTIEL = "Référentiel"
INPUT_SHEETS = (BESOINS, ZONES, REGLES, PARAMETRES, OFFRES, REFERENTIEL)

LOTS, AFFECTATION, MULTI, SYNTHESE, CONTROLES, JOURNAL = (
    "Lots", "Affectation", "Multi-attribution", "Synthèse", "Contrôles", "Journal")
OUTPUT_SHEETS = (LOTS, AFFECTATION, MULTI, SYNTHESE, CONTROLES, JOURNAL)


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


def _cols(*spec: tuple) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


COLUMNS: dict[str, tuple[Column, ...]] = {
    BESOINS: _cols(
        ("ID besoin", ("ID", "Identifiant", "N° besoin"), True),
        ("Dispositif", ("Programme",), True),
        ("Zone", ("Zone de réalisation", "Lieu", "Localisation"), True),
        ("Domaine", ("Famille de métiers", "Domaine professionnel")),
        ("Métier", ("Metier", "Intitulé métier")),
        ("Code ROME", ("ROME",)),
        ("Places", ("Nombre de places", "Nb places")),
        ("Heures", ("Volume horaire", "Nb heures", "Heures stagiaires")),
        ("Heures par place", ("Durée (h)", "Durée par place")),
        ("Débouchés", ("Debouches", "Offres d'emploi")),
        ("Source", ("Origine",)),
        ("Lot imposé", ("Lot force", "Lot forcé", "Lot impose")),
        ("Commentaire", ("Observations",)),
    ),
    ZONES: _cols(
        ("Zone", (), True),
        ("Territoire", (), True),
        ("Département", ("Departement",), True),
        ("Région", ("Region",)),
        ("Voisines", ("Zones voisines",)),
        ("Pôle", ("Pole",)),
    ),
    REGLES: _cols(
        ("Dispositif", ("Programme",), True),
        ("Libellé", ("Libelle",)),
        ("Maille", (), True),
        ("Unité", ("Unite",), True),
        ("Heures par place", (), True),
        ("Tolérance (%)", ("Tolérance", "Tolerance (%)")),
        ("Taux horaire (€)", ("Taux horaire", "Coût horaire (€)")),
        ("Volume min", ("Volume minimum",)),
        ("Volume max", ("Volume maximum",)),
        ("Regroupement", ()),
        ("Plafonner aux débouchés", ("Plafonner aux debouches",)),
        ("Attributaires", ("Nb attributaires",)),
        ("Répartition", ("Repartition",)),
        ("Lots max par titulaire", ("Lots max",)),
        ("Régime", ("Regime",)),
        ("Code CPV", ("CPV",)),
        ("Besoins divisibles", ("Divisible",)),
    ),
    REFERENTIEL: _cols(
        ("Code ROME", ("ROME",)),
        ("Métier", ("Metier", "Intitulé métier")),
        ("Heures par place", ("Durée (h)", "Durée par place")),
        ("Taux horaire (€)", ("Taux horaire", "Coût horaire (€)")),
    ),
    PARAMETRES: _cols(("Paramètre", ("Parametre",), True), ("Valeur", (), True)),
    OFFRES: _cols(
        ("N° lot", ("Lot", "Numéro de lot"), True),
        ("Candidat", ("Soumissionnaire", "Organisme"), True),
        ("Note", ("Note finale",), True),
        ("Rang", ("Classement",)),
        ("Prix horaire (€)", ("Prix horaire",)),
        ("Capacité (places)", ("Capacité",)),
    ),
    # a previous run's output, read back to keep lot numbers
    LOTS: _cols(("N° lot", (), True), ("Clé", ("Cle",), True), ("Dispositif", ())),
}

# the columns of a sheet that identify its header row
HEADER_KEYS: dict[str, tuple[str, ...]] = {
    BESOINS: ("ID besoin", "Dispositif", "Zone"),
    ZONES: ("Zone", "Territoire"),
    REGLES: ("Dispositif", "Maille"),
    PARAMETRES: ("Paramètre", "Valeur"),
    OFFRES: ("N° lot", "Candidat"),
    LOTS: ("N° lot", "Clé"),
    REFERENTIEL: ("Heures par place",),
}

MAILLE_COMPONENTS = ("Zone", "Territoire", "Département", "Région", "Domaine", "Métier")

@dataclass(frozen=True)
class Param:
    """One row of `Paramètres`: its label, the `model.Params` field it fills, its kind
    (`text`, `choice`, `percent`, `amount`, `number`, `whole`, `date`) and its default (None:
    empty, or for a threshold the legal value in force on `Date de lancement`)."""

    label: str
    field: str
    kind: str
    default: Any = None


PARAMETERS: tuple[Param, ...] = (
    Param("Campagne", "campagne", "text"),
    Param("Région", "region", "text"),
    Param("Maximum bons de commande (%)", "max_bons_pct", "percent", 120.0),
    Param("Minimum bons de commande (%)", "min_bons_pct", "percent"),
    Param("Seuil petits lots (€ HT)", "seuil_petits_lots", "amount"),
    Param("Part max petits lots (%)", "part_max_petits_pct", "percent", 20.0),
    Param("Seuil mini-lots (€ HT)", "seuil_mini_lots", "amount"),
    Param("Seuil de publicité européenne (€ HT)", "seuil_publicite_ue", "amount"),
    Param("Seuil de procédure formalisée (€ HT)", "seuil_procedure_formalisee", "amount"),
    Param("Attribution", "attribution", "choice", "importance décroissante"),
    Param("Date de lancement", "date_lancement", "date"),
    Param("Durée de l'accord-cadre (mois)", "duree_mois", "number", 12.0),
    Param("Reconductions", "reconductions", "whole", 0.0),
)
PARAM_DEFAULTS: dict[str, Any] = {p.label: p.default for p in PARAMETERS}
TEXT_PARAMS = frozenset(p.label for p in PARAMETERS if p.kind in ("text", "choice"))

REGROUPEMENTS = ("voisines", "territoire", "pôle", "aucun")
REGIMES = ("SSS", "services")
REPARTITIONS = ("cascade", "prorata", "parts égales", "rotation")
ATTRIBUTIONS = ("importance décroissante", "optimale")
UNITES = ("heures", "places")


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

_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_NUM_SPACES = re.compile(r"[\s\u00a0\u202f\u2007\u2009]")
_EURO_SUFFIX = re.compile(r"(€|eur|ht)+$", re.IGNORECASE)  # `1 200,50 € HT`


class BadNumber(ValueError):
    """A cell that should hold a number but does not; the message is French."""


def parse_number(value: Any, *, percent: bool = False) -> float | None:
    """A contract number: None when empty, else a float; BadNumber (French) otherwise.

    Accepts numbers and text such as `16 000`, `3,5`, `1 200,50 €`, `12 %`."""
    if value is None:
        return None
    if isinstance(value, CellError):
        raise BadNumber(f"valeur d'erreur Excel {value.code}")
    if isinstance(value, NoCachedValue):
        raise BadNumber("formule sans valeur calculée (ouvrez et enregistrez le classeur dans "
                        "Excel)")
    if isinstance(value, bool):
        raise BadNumber("valeur VRAI/FAUX au lieu d'un nombre")
    if isinstance(value, PercentValue):
        return float(value) * 100 if percent else float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise BadNumber("date au lieu d'un nombre")
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            raise BadNumber("nombre non fini")
        return f
    if not isinstance(value, str):
        raise BadNumber("valeur non numérique")
    s = value.strip()
    if s == "":
        return None
    if s.upper() in ERROR_CODES:
        raise BadNumber(f"valeur d'erreur Excel {s.upper()}")
    s = _NUM_SPACES.sub("", s)
    if percent and s.endswith("%"):
        s = s[:-1]
    s = _EURO_SUFFIX.sub("", s)
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    else:
        s = s.replace(",", ".")
    if not _NUM_RE.match(s):
        raise BadNumber("texte non numérique")
    return float(s)


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
