"""Input sheets (grids) to validated `Inputs`: bad rows become Problems, bad structure stops."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..core import contract as C
from ..core import law
from ..core.contract import BadNumber, clean_text, fold
from ..core.french import euros, nombre
from ..core.model import Params, Rule, Zone
from ..core.problems import CODES, ERREUR, Report, StructuralError, render
from .checks import (
    Finding,
    read_cell,
    read_choice,
    read_yes_no,
    row_list,
    short,
    shown,
    text_problem,
)
from .grid import RawTable, SheetGrid, find_sheet, read_table


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
        report.add("ligne-total", t.sheet, r, "", "Total")
    for r, header, where in t.merged:
        report.add("cellule-fusionnee", t.sheet, r, header, where, plage=where)
    for r in t.outside:
        report.add("hors-tableau", t.sheet, r, "", "", tableau=t.table)
    for cell, text in t.odd_headers:
        report.add("caractere-invisible", t.sheet, t.header_row, C.clean_header(text), cell,
                   sujet=f"L'en-tête en {cell}", caracteres=C.odd_characters(text), autres="",
                   effet=f"il est lu « {C.clean_header(text)} »", quoi="l'en-tête")
    if t.repeated:
        what = ("ligne d'en-tête répétée (ou titre de bloc juste au-dessus), ignorée"
                if len(t.repeated) == 1 else "lignes d'en-tête répétées (ou titres de bloc "
                "juste au-dessus), ignorées")
        report.add("en-tete-repete", t.sheet, t.repeated[0], "", "",
                   lignes=row_list(t.repeated, capital=True), quoi=what)
    if t.hidden:
        one = len(t.hidden) == 1
        report.add("lignes-masquees", t.sheet, t.hidden[0], "", "",
                   lignes=row_list(t.hidden, capital=True),
                   masquees="masquée" if one else "masquées",
                   lues="elle est lue" if one else "elles sont lues",
                   les="la" if one else "les")


# --------------------------------------------------------------------------- Zones


def read_zones(t: RawTable, report: Report) -> dict[str, Zone]:
    raw: dict[str, tuple[str, str, str, list[str], bool]] = {}
    seen: dict[str, int] = {}
    for row, vals in t.rows:
        name = clean_text(t.get(vals, "Zone"))
        terr = clean_text(t.get(vals, "Territoire"))
        dep = clean_text(t.get(vals, "Département"))
        if not name:
            report.add("zone-manquante", t.sheet, row, t.header("Zone"), "")
            continue
        if fold(name) in seen:
            report.add("zone-double", t.sheet, row, t.header("Zone"), name, zone=name,
                       ligne=seen[fold(name)])
            continue
        bad = [c for c, v in (("Territoire", terr), ("Département", dep)) if not v]
        if bad:
            for c in bad:
                report.add("zone-incomplete", t.sheet, row, t.header(c), "", colonne=c,
                           zone=name)
            continue
        named = [(c, v) for c, v in (("Zone", name), ("Territoire", terr), ("Département", dep),
                                      ("Région", clean_text(t.get(vals, "Région")))) if v]
        problems = [(c, v, text_problem(C.column(C.ZONES, c), t.header(c), v)) for c, v in named]
        if any(p for _, _, p in problems):
            for c, v, p in problems:
                if p:
                    report.add(p[0], t.sheet, row, t.header(c), v, **p[1],
                               suite="La zone est ignorée.")
            continue
        seen[fold(name)] = row
        vois = [clean_text(x) for x in clean_text(t.get(vals, "Voisines")).split(";")]
        pole = C.parse_yes_no(t.get(vals, "Pôle"))
        if pole is None:
            report.add("pole-illisible", t.sheet, row, t.header("Pôle"), t.get(vals, "Pôle"),
                       zone=name)
        raw[name] = (terr, dep, clean_text(t.get(vals, "Région")), [x for x in vois if x],
                     bool(pole), nuts_code(t, row, vals, name, report))
    by_fold = {fold(n): n for n in raw}
    links: dict[str, set[str]] = {n: set() for n in raw}
    for name, (_, _, _, vois, _, _) in raw.items():
        for v in vois:
            other = by_fold.get(fold(v))
            if other is None:
                hint = ""
                if "," in v and any(fold(x) in by_fold for x in v.split(",")):
                    hint = (" Séparez les zones voisines par « ; » (point-virgule), pas par "
                            "des virgules.")
                report.add("voisine-inconnue", t.sheet, seen[fold(name)],
                           t.header("Voisines"), v, voisine=short(v), zone=short(name),
                           conseil=hint)
            elif other != name:
                links[name].add(other)
                links[other].add(name)  # the relation is symmetric
    return {n: Zone(n, terr, dep, reg, frozenset(links[n]), pole, nuts)
            for n, (terr, dep, reg, _, pole, nuts) in raw.items()}


_NUTS3 = re.compile(r"^FR[A-Z0-9]{3}$")


def nuts_code(t: RawTable, row: int, vals: list[Any], zone: str, report: Report) -> str:
    """A zone's own `NUTS` code (upper case), "" when empty or not a NUTS 3 code (an Erreur
    of its row: the code derived from `Département` applies)."""
    v = clean_text(t.get(vals, "NUTS")).upper()
    if v and not _NUTS3.match(v):
        report.add("nuts-invalide", t.sheet, row, t.header("NUTS"), v, nuts=v, zone=zone)
        return ""
    return v


# --------------------------------------------------------------------------- Règles


def _bad(row: int, finding: Finding) -> str:
    """A `Règles` cell's problem as one item of the structural error's list."""
    return f"ligne {row}, {render(finding[0], **finding[1]).rstrip('.')}"


def _choice(t: RawTable, row: int, vals: list[Any], col: str, default: str,
            bad: list[str]) -> str:
    c, problem = read_choice(C.column(C.REGLES, col), t.header(col), t.get(vals, col))
    if problem:
        bad.append(_bad(row, problem))
    return c or default


_HOLDER_RANGE = ("nombre-negatif", "nombre-hors-bornes", "places-non-entieres")


def _rule_number(t: RawTable, row: int, vals: list[Any], col: str, bad: list[str],
                 report: Report, *, default: float | None = None) -> float | None:
    """A number of `Règles` read by the declarations' backend (`checks.read_cell`): a bad
    cell is added to `bad`, a warning (an ambiguous number) to `report`."""
    decl, v, header = C.column(C.REGLES, col), t.get(vals, col), t.header(col)
    x, findings = read_cell(decl, header, v)
    for code, fields in findings:
        if CODES[code].severity != ERREUR:
            report.add(code, t.sheet, row, header, v, **fields)
        elif col in ("Attributaires", "Lots max par titulaire",
                     "Lots max par candidat") and code in _HOLDER_RANGE:
            bad.append(holders_problem(row, col, header, C.parse_number(v) or 0.0))
        else:
            bad.append(_bad(row, (code, fields)))
    return default if x is None else x


def holders_problem(row: int, col: str, header: str, value: float) -> str:
    """The words of a `Règles` row whose `Attributaires` or `Lots max par titulaire` (`col`,
    written `header`) holds `value`, not a whole number within its declared range
    (`contract`), for every route: the add-in server refuses such a workbook with the same
    sentence as the command line."""
    cap = C.column(C.REGLES, col).maximum or 0
    return (f"ligne {row}, « {header} » vaut {nombre(value)} : un nombre entier de 1 à "
            f"{nombre(cap)} est attendu")


def _yes_no(t: RawTable, row: int, vals: list[Any], col: str, bad: list[str]) -> bool:
    x, problem = read_yes_no(t.header(col), t.get(vals, col))
    if problem:
        bad.append(_bad(row, problem))
    return bool(x)


def _maille(t: RawTable, row: int, vals: list[Any], bad: list[str]) -> tuple[str, ...]:
    text = clean_text(t.get(vals, "Maille"))
    if not text:
        bad.append(f"ligne {row}, « {t.header('Maille')} » manquante (composants parmi "
                   f"{', '.join(C.MAILLE_COMPONENTS)}, joints par « + »)")
        return ()
    maille: list[str] = []
    for part in text.split("+"):
        comp = C.canonical_component(part)
        if comp is None or comp in maille:
            bad.append(f"ligne {row}, « {t.header('Maille')} » : « {part.strip()} » n'est pas "
                       f"un composant reconnu ou est répété (composants : "
                       f"{', '.join(C.MAILLE_COMPONENTS)}, joints par « + »)")
            return ()
        maille.append(comp)
    return tuple(maille)


def read_rules(t: RawTable, report: Report) -> dict[str, Rule]:
    """`Règles` as typed rules. Every bad cell of the sheet is listed in one StructuralError
    (a rule that cannot apply stops the run)."""
    rules: dict[str, Rule] = {}
    bad: list[str] = []
    dispositif = C.column(C.REGLES, "Dispositif")
    for row, vals in t.rows:
        code = clean_text(t.get(vals, "Dispositif"))
        if not code:
            report.add("regle-sans-dispositif", t.sheet, row, t.header("Dispositif"), "")
            continue
        n_bad = len(bad)
        problem = text_problem(dispositif, t.header("Dispositif"), code)
        if problem:
            bad.append(_bad(row, problem))
        if any(fold(code) == fold(c) for c in rules):
            bad.append(f"ligne {row}, le dispositif « {code} » a déjà une règle : gardez une "
                       f"seule ligne par dispositif")
        maille = _maille(t, row, vals, bad)
        unite = _choice(t, row, vals, "Unité", "", bad)
        if not unite and C.is_blank(t.get(vals, "Unité")):
            bad.append(f"ligne {row}, « {t.header('Unité')} » manquante (heures ou places)")
        n_hpp = len(bad)
        hpp = _rule_number(t, row, vals, "Heures par place", bad, report)
        if not hpp and len(bad) == n_hpp:
            bad.append(f"ligne {row}, « {t.header('Heures par place')} » doit être un nombre "
                       f"strictement positif")
        vmin = _rule_number(t, row, vals, "Volume min", bad, report, default=0.0) or 0.0
        vmax = _rule_number(t, row, vals, "Volume max", bad, report)
        if vmax is not None and vmax <= 0:
            vmax = None
        if vmax is not None and vmax < vmin:
            bad.append(f"ligne {row}, « Volume max » ({nombre(vmax)}) est inférieur à « Volume "
                       f"min » ({nombre(vmin)})")
        plafonner = _yes_no(t, row, vals, "Plafonner aux débouchés", bad)
        att = _rule_number(t, row, vals, "Attributaires", bad, report, default=1.0)
        lmax = _rule_number(t, row, vals, "Lots max par titulaire", bad, report)
        lcand = _rule_number(t, row, vals, "Lots max par candidat", bad, report)
        if lcand is not None and lmax is not None and lcand < lmax:
            bad.append(f"ligne {row}, « Lots max par candidat » ({nombre(lcand)}) est "
                       f"inférieur à « Lots max par titulaire » ({nombre(lmax)}) : un candidat "
                       f"ne peut remporter plus de lots qu'il n'en présente (CCP R2113-1)")
        tolerance = _rule_number(t, row, vals, "Tolérance (%)", bad, report, default=25.0)
        taux = _rule_number(t, row, vals, "Taux horaire (€)", bad, report, default=0.0)
        regroupement = _choice(t, row, vals, "Regroupement", "voisines", bad)
        repartition = _choice(t, row, vals, "Répartition", "cascade", bad)
        regime = _choice(t, row, vals, "Régime", "SSS", bad)
        divisible = _yes_no(t, row, vals, "Besoins divisibles", bad)
        if len(bad) > n_bad:
            continue
        rules[code] = Rule(
            code=code, libelle=clean_text(t.get(vals, "Libellé")) or code,
            maille=maille, unite=unite, heures_par_place=float(hpp or 0),
            tolerance=float(tolerance or 0), taux=float(taux or 0),
            volume_min=vmin, volume_max=vmax, regroupement=regroupement,
            plafonner=plafonner, attributaires=int(att or 1), repartition=repartition,
            lots_max=int(lmax) if lmax is not None else None,
            lots_max_candidat=int(lcand) if lcand is not None else None, regime=regime,
            cpv=clean_text(t.get(vals, "Code CPV")) or "80530000", divisible=divisible,
            row=row)
    if bad:
        raise _structural(t.sheet, " ; ".join(bad) + ".")
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


# a number's problem (`checks.read_cell`) as the clause of a `Paramètres` sentence
_CLAUSES = {
    "nombre-invalide": "illisible ({raison})",
    "nombre-negatif": "ne peut pas être négatif",
    "nombre-non-positif": "doit être strictement positif",
    "places-non-entieres": "doit être un nombre entier",
    "nombre-hors-bornes": "vaut {valeur}, hors de la plage plausible ({minimum} à {maximum})",
    "nombre-ambigu-implausible": "se lit {lecture} ou {autre}, aucune des deux valeurs "
                                 "n'étant plausible",
}


def _clause(finding: Finding) -> str:
    code, fields = finding
    return _CLAUSES[code].format(**fields)


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
    rows: dict[str, int] = {}
    for row, vals in t.rows:
        raw_key = t.get(vals, "Paramètre")
        par = spec.get(fold(raw_key))
        v = t.get(vals, "Valeur")
        if par is None:
            report.add("parametre-inconnu", t.sheet, row, t.header("Paramètre"), raw_key,
                       parametre=clean_text(raw_key))
            continue
        key = par.label
        if par.kind == "choice":
            choice, problem = read_choice(par.column, key, v)
            if problem:
                allowed = " ou ".join(f"« {x} »" for x in par.choices)
                report.add("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                           parametre=key, raison=f"doit valoir {allowed}",
                           repli="la valeur par défaut est appliquée")
            if choice is not None:
                values[par.field] = choice
        elif par.kind == "text":
            values[par.field] = clean_text(v) or None
            rows[par.field] = row
        elif par.kind == "date":
            try:
                values[par.field] = parse_date(v)
                rows[par.field] = row
            except BadNumber as e:
                report.add("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                           parametre=key, raison=f"illisible ({e})",
                           repli="la date du jour est appliquée")
        else:
            x, findings = read_cell(par.column, key, v)
            for code, fields in findings:
                if CODES[code].severity != ERREUR:
                    report.add(code, t.sheet, row, t.header("Valeur"), v, **fields)
            errors = [f for f in findings if CODES[f[0]].severity == ERREUR]
            if errors:
                report.add("parametre-invalide", t.sheet, row, t.header("Valeur"), v,
                           parametre=key, raison=_clause(errors[0]), repli=_default_text(key))
                continue
            if x is not None:
                values[par.field] = int(x) if par.kind == "whole" else x
                rows[par.field] = row
            _check_percentage(t, row, key, x if x is not None else par.default, v, report)
    return Params(**values, sheet=t.sheet, column=t.header("Valeur"), rows=rows)


def _check_percentage(t: RawTable, row: int, key: str, x: float | None, raw: Any,
                      report: Report) -> None:
    """Warn on percentages that look typed as fractions (0,2 for 20 %)."""
    suspicious = ((key == "Maximum bons de commande (%)" and x is not None and x < 100) or
                  (key == "Part max petits lots (%)" and x is not None and 0 < x <= 1))
    if suspicious:
        report.add("parametre-suspect", t.sheet, row, t.header("Valeur"), raw, parametre=key,
                   valeur=shown(x))
