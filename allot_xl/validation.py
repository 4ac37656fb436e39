"""Input sheets (grids) to validated `Inputs`: bad rows become Problems, bad structure stops."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from . import contract as C
from . import law
from .contract import BadNumber, clean_text, fold, parse_number
from .french import euros, nombre
from .grid import RawTable, SheetGrid, find_sheet, read_table
from .model import Params, Rule, Zone
from .problems import Report, StructuralError


def _structural(sheet: str, message: str) -> StructuralError:
    return StructuralError(f"Feuille « {sheet} » : {message}")


def required_table(grids: dict[str, SheetGrid], kind: str) -> RawTable:
    title = find_sheet(list(grids), kind)
    if title is None:
        raise StructuralError(
            f"La feuille « {kind} » est absente du classeur : ajoutez-la "
            f"(allot-xl template modele.xlsx crée un classeur modèle).")
    t = read_table(grids[title], kind)
    if t.header_row == 0:
        partial = _partial_header(grids[title], kind)
        if partial:
            row, missing = partial
            cols = ", ".join(f"« {k} »" for k in missing)
            raise _structural(title, f"colonne(s) obligatoire(s) absente(s) : {cols} "
                                     f"(en-têtes en ligne {row}).")
        keys = ", ".join(f"« {k} »" for k in C.HEADER_KEYS[kind])
        raise _structural(title, f"ligne d'en-tête introuvable dans les 10 premières lignes "
                                 f"(colonnes attendues : {keys}).")
    if t.missing:
        cols = ", ".join(f"« {k} »" for k in t.missing)
        raise _structural(title, f"colonne(s) obligatoire(s) absente(s) : {cols} "
                                 f"(en-têtes en ligne {t.header_row}).")
    return t


def _partial_header(grid: SheetGrid, kind: str) -> tuple[int, list[str]] | None:
    """(row, missing required columns) of the likeliest header among the first 10 rows: the
    one naming most of the sheet's columns, at least two. None when no row looks like one."""
    lookup = C.column_lookup(kind)
    best: tuple[int, int, set[str]] = (1, 0, set())
    for r, cells in enumerate(grid.values[:10], 1):
        found = {lookup[fold(v)] for v in cells if isinstance(v, str) and fold(v) in lookup}
        if len(found) > best[1]:
            best = (r, len(found), found)
    row, n, found = best
    if n < 2:
        return None
    return row, [c.name for c in C.COLUMNS[kind] if c.required and c.name not in found]


def report_totals(t: RawTable, report: Report) -> None:
    """Info lines for totals rows; warnings for rows left outside the sheet's Excel table."""
    for r in t.total_rows:
        report.info("ligne-total", t.sheet, r, "", "Total",
                    "Ligne de total ignorée (elle n'est pas un besoin).")
    for r in t.outside:
        report.warning("hors-tableau", t.sheet, r, "", "",
                       f"Ligne sous le tableau Excel « {t.table} » : elle n'est pas lue. "
                       f"Étendez le tableau (poignée en bas à droite) pour l'inclure.")


def number_cell(t: RawTable, row: int, vals: list[Any], col: str, report: Report, *,
            percent: bool = False, minimum: float | None = 0.0,
            whole: bool = False) -> tuple[float | None, bool]:
    """(value, ok). Reports an Erreur when the cell is not a valid number."""
    v = t.get(vals, col)
    if v is None or (isinstance(v, float) and not math.isnan(v) and not isinstance(v, bool)):
        x = v
    else:
        try:
            x = parse_number(v, percent=percent)
        except BadNumber as e:
            report.error("nombre-invalide", t.sheet, row, t.header(col), v,
                         f"« {t.header(col)} » doit être un nombre : {e}. Corrigez la cellule.")
            return None, False
    if x is None:
        return None, True
    if minimum is not None and x < minimum:
        report.error("nombre-negatif", t.sheet, row, t.header(col), v,
                     f"« {t.header(col)} » ne peut pas être négatif : saisissez une valeur "
                     f"≥ {minimum:g}.")
        return None, False
    if whole and not float(x).is_integer():
        report.error("places-non-entieres", t.sheet, row, t.header(col), v,
                     f"« {t.header(col)} » doit être un nombre entier de places.")
        return None, False
    return x, True


# --------------------------------------------------------------------------- Zones


def read_zones(t: RawTable, report: Report) -> dict[str, Zone]:
    raw: dict[str, tuple[str, str, str, list[str], bool]] = {}
    seen: dict[str, int] = {}
    for row, vals in t.rows:
        name = clean_text(t.get(vals, "Zone"))
        terr = clean_text(t.get(vals, "Territoire"))
        dep = clean_text(t.get(vals, "Département"))
        if not name:
            report.error("zone-manquante", t.sheet, row, t.header("Zone"), "",
                         "Nom de zone manquant : complétez la cellule ou supprimez la ligne.")
            continue
        if fold(name) in seen:
            report.error("zone-double", t.sheet, row, t.header("Zone"), name,
                         f"Zone « {name} » déjà définie ligne {seen[fold(name)]} : "
                         f"cette ligne est ignorée.")
            continue
        bad = [c for c, v in (("Territoire", terr), ("Département", dep)) if not v]
        if bad:
            for c in bad:
                report.error("zone-incomplete", t.sheet, row, t.header(c), "",
                             f"« {c} » manquant pour la zone « {name} » : complétez-le "
                             f"(la zone est ignorée).")
            continue
        seen[fold(name)] = row
        vois = [clean_text(x) for x in clean_text(t.get(vals, "Voisines")).split(";")]
        pole = C.parse_yes_no(t.get(vals, "Pôle"))
        if pole is None:
            report.warning("pole-illisible", t.sheet, row, t.header("Pôle"),
                           t.get(vals, "Pôle"), f"« Pôle » de la zone « {name} » doit valoir "
                           f"oui ou non : la zone n'est pas traitée comme un pôle.")
        raw[name] = (terr, dep, clean_text(t.get(vals, "Région")), [x for x in vois if x],
                     bool(pole))
    by_fold = {fold(n): n for n in raw}
    links: dict[str, set[str]] = {n: set() for n in raw}
    for name, (_, _, _, vois, _) in raw.items():
        for v in vois:
            other = by_fold.get(fold(v))
            if other is None:
                report.warning("voisine-inconnue", t.sheet, seen[fold(name)],
                               t.header("Voisines"), v,
                               f"La zone voisine « {v} » de « {name} » n'est pas dans la "
                               f"feuille Zones : elle est ignorée.")
            elif other != name:
                links[name].add(other)
                links[other].add(name)  # the relation is symmetric
    return {n: Zone(n, terr, dep, reg, frozenset(links[n]), pole)
            for n, (terr, dep, reg, _, pole) in raw.items()}


# --------------------------------------------------------------------------- Règles


def _choice(t: RawTable, row: int, vals: list[Any], col: str, choices: tuple[str, ...],
            default: str) -> str:
    v = t.get(vals, col)
    if C.is_blank(v):
        return default
    c = C.canonical_choice(v, choices)
    if c is None:
        allowed = ", ".join(f"« {x} »" for x in choices)
        raise _structural(t.sheet, f"ligne {row}, « {t.header(col)} » = « {clean_text(v)} » "
                                   f"n'est pas reconnu (valeurs possibles : {allowed}).")
    return c


def _rule_number(t: RawTable, row: int, vals: list[Any], col: str, *, percent: bool = False,
                 default: float | None = None) -> float | None:
    v = t.get(vals, col)
    try:
        x = parse_number(v, percent=percent)
    except BadNumber as e:
        raise _structural(t.sheet, f"ligne {row}, « {t.header(col)} » illisible ({e}) : "
                                   f"la règle ne peut pas s'appliquer.") from None
    if x is not None and x < 0:
        raise _structural(t.sheet, f"ligne {row}, « {t.header(col)} » est négatif.")
    return default if x is None else x


def _yes_no(t: RawTable, row: int, vals: list[Any], col: str) -> bool:
    x = C.parse_yes_no(t.get(vals, col))
    if x is None:
        raise _structural(t.sheet, f"ligne {row}, « {t.header(col)} » doit valoir oui ou non.")
    return x


def read_rules(t: RawTable, report: Report) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for row, vals in t.rows:
        code = clean_text(t.get(vals, "Dispositif"))
        if not code:
            report.warning("regle-sans-dispositif", t.sheet, row, t.header("Dispositif"), "",
                           "Règle sans code de dispositif : ligne ignorée.")
            continue
        if any(fold(code) == fold(c) for c in rules):
            raise _structural(t.sheet, f"ligne {row}, le dispositif « {code} » a déjà une "
                                       f"règle : gardez une seule ligne par dispositif.")
        maille = []
        if not clean_text(t.get(vals, "Maille")):
            raise _structural(t.sheet, f"ligne {row}, « {t.header('Maille')} » manquante "
                                       f"(composants parmi {', '.join(C.MAILLE_COMPONENTS)}, "
                                       f"joints par « + »).")
        for part in clean_text(t.get(vals, "Maille")).split("+"):
            comp = C.canonical_component(part)
            if comp is None or comp in maille:
                allowed = ", ".join(C.MAILLE_COMPONENTS)
                raise _structural(t.sheet, f"ligne {row}, « {t.header('Maille')} » : "
                                           f"« {part.strip()} » n'est pas un composant reconnu "
                                           f"ou est répété (composants : {allowed}, joints "
                                           f"par « + »).")
            maille.append(comp)
        unite = _choice(t, row, vals, "Unité", C.UNITES, "")
        if not unite:
            raise _structural(t.sheet, f"ligne {row}, « {t.header('Unité')} » manquante "
                                       f"(heures ou places).")
        hpp = _rule_number(t, row, vals, "Heures par place")
        if not hpp:
            raise _structural(t.sheet, f"ligne {row}, « {t.header('Heures par place')} » doit "
                                       f"être un nombre strictement positif.")
        vmin = _rule_number(t, row, vals, "Volume min", default=0.0) or 0.0
        vmax = _rule_number(t, row, vals, "Volume max")
        if vmax is not None and vmax <= 0:
            vmax = None
        if vmax is not None and vmax < vmin:
            raise _structural(t.sheet, f"ligne {row}, « Volume max » ({vmax:g}) est inférieur "
                                       f"à « Volume min » ({vmin:g}).")
        plafonner = _yes_no(t, row, vals, "Plafonner aux débouchés")
        att = _rule_number(t, row, vals, "Attributaires", default=1.0)
        lmax = _rule_number(t, row, vals, "Lots max par titulaire")
        if not float(att).is_integer() or att < 1 or (lmax is not None and
                                                      (not float(lmax).is_integer() or lmax < 1)):
            raise _structural(t.sheet, f"ligne {row}, « Attributaires » et « Lots max par "
                                       f"titulaire » doivent être des entiers ≥ 1.")
        rules[code] = Rule(
            code=code, libelle=clean_text(t.get(vals, "Libellé")) or code,
            maille=tuple(maille), unite=unite, heures_par_place=hpp,
            tolerance=_rule_number(t, row, vals, "Tolérance (%)", percent=True, default=25.0),
            taux=_rule_number(t, row, vals, "Taux horaire (€)", default=0.0),
            volume_min=vmin, volume_max=vmax,
            regroupement=_choice(t, row, vals, "Regroupement", C.REGROUPEMENTS, "voisines"),
            plafonner=plafonner, attributaires=int(att),
            repartition=_choice(t, row, vals, "Répartition", C.REPARTITIONS, "cascade"),
            lots_max=int(lmax) if lmax is not None else None,
            regime=_choice(t, row, vals, "Régime", C.REGIMES, "SSS"),
            cpv=clean_text(t.get(vals, "Code CPV")) or "80530000",
            divisible=_yes_no(t, row, vals, "Besoins divisibles"), row=row)
    if not rules:
        raise _structural(t.sheet, "aucune règle : ajoutez une ligne par dispositif.")
    return rules


# --------------------------------------------------------------------------- Paramètres


_LEGAL_KEYS = {"seuil_petits_lots": law.PETITS_LOTS, "seuil_mini_lots": law.MINI_LOTS,
               "seuil_publicite_ue": law.PUBLICITE_SSS,
               "seuil_procedure_formalisee": law.PROCEDURE_FORMALISEE}


def _default_text(key: str) -> str:
    par = next(p for p in C.PARAMETERS if p.label == key)
    if par.field in _LEGAL_KEYS:
        today = law.legal(_LEGAL_KEYS[par.field], dt.date.today())
        return (f"la valeur légale en vigueur à la date de lancement est appliquée "
                f"({euros(today.value)} à ce jour, {today.article})")
    if par.default is None:
        return "le paramètre reste vide"
    return f"la valeur par défaut {nombre(par.default)} est appliquée"


def parse_date(value: Any) -> dt.date | None:
    """A date cell or text (`01/04/2026`, `2026-04-01`); None when empty; BadNumber
    (French) otherwise."""
    if C.is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise BadNumber("date illisible (écrivez-la JJ/MM/AAAA)")


def read_params(t: RawTable | None, report: Report) -> Params:
    """`Paramètres` as typed `Params`; a bad value is an Erreur and its default applies."""
    values: dict[str, Any] = {}
    if t is None:
        return Params()
    spec = {fold(p.label): p for p in C.PARAMETERS}
    for row, vals in t.rows:
        raw_key = t.get(vals, "Paramètre")
        par = spec.get(fold(raw_key))
        v = t.get(vals, "Valeur")
        if par is None:
            report.warning("parametre-inconnu", t.sheet, row, t.header("Paramètre"), raw_key,
                           f"Paramètre « {clean_text(raw_key)} » inconnu : il est ignoré.")
            continue
        key = par.label
        if par.kind == "choice":
            choice = C.canonical_choice(v, C.ATTRIBUTIONS) if not C.is_blank(v) else None
            if choice is None and not C.is_blank(v):
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             "« Attribution » doit valoir « importance décroissante » ou "
                             "« optimale » : la valeur par défaut est appliquée.")
            if choice is not None:
                values[par.field] = choice
        elif par.kind == "text":
            values[par.field] = clean_text(v) or None
        elif par.kind == "date":
            try:
                values[par.field] = parse_date(v)
            except BadNumber as e:
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             f"« {key} » : {e} ; la date du jour est appliquée.")
        else:
            try:
                x = parse_number(v, percent=par.kind == "percent")
            except BadNumber as e:
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             f"« {key} » illisible ({e}) : {_default_text(key)}.")
                continue
            if x is not None and x < 0:
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             f"« {key} » ne peut pas être négatif : {_default_text(key)}.")
                continue
            if x is not None and par.kind == "whole" and not float(x).is_integer():
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             f"« {key} » doit être un nombre entier : {_default_text(key)}.")
                continue
            if x is not None and par.field == "duree_mois" and x <= 0:
                report.error("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                             f"« {key} » doit être strictement positif : "
                             f"{_default_text(key)}.")
                continue
            if x is not None:
                values[par.field] = int(x) if par.kind == "whole" else x
            _check_percentage(t, row, key, x if x is not None else par.default, v, report)
    return Params(**values)


def _check_percentage(t: RawTable, row: int, key: str, x: float | None, raw: Any,
                      report: Report) -> None:
    """Warn on percentages that look typed as fractions (0,2 for 20 %)."""
    suspicious = ((key == "Maximum bons de commande (%)" and x is not None and x < 100) or
                  (key == "Part max petits lots (%)" and x is not None and 0 < x <= 1))
    if suspicious:
        report.warning("parametre-suspect", t.sheet, row, t.header("Valeur"), raw,
                       f"« {key} » vaut {x:g} % : est-ce voulu ? Un pourcentage s'écrit en "
                       f"points (120 pour 120 %, 20 pour 20 %).")
