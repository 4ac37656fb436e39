"""Reading what the tender file needs beyond the lots: the `Critères` sheet (award criteria
and execution clauses per dispositif) and the buyer's identity in `Paramètres` (SIRET,
postcode, email, buyer profile), every failure collected as a Problem."""

from __future__ import annotations

import re
from typing import Any

from ..core import contract as C
from ..core.choices import CritereType
from ..core.contract import clean_text, fold
from ..core.french import nombre
from ..core.model import AwardCriterion, Params, Rule, Terms
from ..core.problems import Report
from .checks import read_cell
from .grid import RawTable

WEIGHT_TOTAL = 100.0  # % : the weights of a dispositif's criteria add up to it
_EPS = 0.005  # a hundredth of a point (weights typed with two decimals)


def luhn_ok(digits: str) -> bool:
    """Whether `digits` passes the Luhn check (the key of SIREN and SIRET numbers, INSEE);
    La Poste's SIRET (SIREN 356000000) uses a digit sum multiple of 5 instead."""
    if digits.startswith("356000000"):
        return sum(int(d) for d in digits) % 5 == 0
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def siret_reason(text: str) -> str:
    """Why `text` is not a SIRET (French), "" when it is one: 14 digits (spaces allowed)
    passing the Luhn check."""
    digits = re.sub(r"[\s\u00a0\u202f.]", "", text)
    if not digits.isdigit() or len(digits) != 14:
        return f"{nombre(len(digits))} caractères au lieu de 14 chiffres" if digits.isdigit() \
            else "il doit compter 14 chiffres"
    if not luhn_ok(digits):
        return "la clé de contrôle (algorithme de Luhn) ne correspond pas : un chiffre est faux"
    return ""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{5}$")


def check_buyer(params: Params, report: Report) -> Params:
    """The buyer's identity of `params` checked: a bad SIRET, postcode, email or buyer
    profile URL is an Erreur of its `Paramètres` row and is left out (None). A postcode
    Excel read as a number (1000) gets its leading zero back (`01000`)."""
    from dataclasses import replace

    changes: dict[str, Any] = {}
    if params.code_postal and params.code_postal.isdigit() and len(params.code_postal) == 4:
        changes["code_postal"] = params.code_postal.zfill(5)
    if params.siret:
        reason = siret_reason(params.siret)
        if reason:
            report.add("siret-invalide", params.sheet, params.rows.get("siret"), params.column,
                       params.siret, siret=params.siret, raison=reason)
            changes["siret"] = None
        else:
            changes["siret"] = re.sub(r"\D", "", params.siret)
    for field, label, pattern, reason in (
            ("code_postal", "Code postal de l'acheteur", _POSTCODE, "cinq chiffres attendus"),
            ("courriel", "Courriel de contact", _EMAIL, "une adresse nom@domaine.fr est "
             "attendue"),
            ("profil_acheteur", "Profil d'acheteur (URL)", _URL, "une adresse https://… est "
             "attendue")):
        value = changes.get(field, getattr(params, field))
        if value and not pattern.match(value):
            report.add("coordonnee-invalide", params.sheet, params.rows.get(field),
                       params.column, value, parametre=label, raison=reason)
            changes[field] = None
    return replace(params, **changes) if changes else params


def read_criteres(t: RawTable, rules: dict[str, Rule], report: Report) -> dict[str, Terms]:
    """`Critères` as the `Terms` of each dispositif (code as in `Règles`). A row naming an
    unknown dispositif, without a type or a criterion's weight, is an Erreur and left out;
    weights of a dispositif not adding up to 100 % are an Erreur on its first row (R2152-7:
    the weights are announced)."""
    by_fold = {fold(code): code for code in rules}
    rows: dict[str, list[tuple[int, str, str, float, bool]]] = {}
    kinds = C.column(C.CRITERES, "Type").choices
    weight_col = C.column(C.CRITERES, "Pondération (%)")
    for row, vals in t.rows:
        raw = clean_text(t.get(vals, "Dispositif"))
        code = by_fold.get(fold(raw))
        if code is None:
            report.add("dispositif-inconnu", t.sheet, row, t.header("Dispositif"), raw,
                       nom=raw)
            continue
        kind = C.canonical_choice(t.get(vals, "Type"), kinds) if not C.is_blank(
            t.get(vals, "Type")) else None
        text = clean_text(t.get(vals, "Critère"))
        if kind is None or not text:
            col = "Type" if kind is None else "Critère"
            report.add("critere-incomplet", t.sheet, row, t.header(col),
                       t.get(vals, col), colonne=col, dispositif=code)
            continue
        weight = 0.0
        if CritereType(kind).award:
            value, problems = read_cell(weight_col, t.header("Pondération (%)"),
                                        t.get(vals, "Pondération (%)"))
            for pcode, fields in problems:
                report.add(pcode, t.sheet, row, t.header("Pondération (%)"),
                           t.get(vals, "Pondération (%)"), **fields)
            if value is None:
                if not problems:
                    report.add("critere-incomplet", t.sheet, row,
                               t.header("Pondération (%)"), None,
                               colonne="Pondération (%)", dispositif=code)
                continue
            weight = value
        env = C.parse_yes_no(t.get(vals, "Environnemental"))
        rows.setdefault(code, []).append((row, kind, text, weight, bool(env)))
    return {code: _terms(code, items, t, report) for code, items in rows.items()}


def _terms(code: str, items: list[tuple[int, str, str, float, bool]], t: RawTable,
           report: Report) -> Terms:
    criteria = tuple(AwardCriterion(text, kind, weight, env, row)
                     for row, kind, text, weight, env in items if CritereType(kind).award)
    texts: dict[str, list[str]] = {}
    for _, kind, text, _, _ in items:
        texts.setdefault(kind, []).append(text)
    ok = True
    if criteria:
        total = sum(c.weight for c in criteria)
        ok = abs(total - WEIGHT_TOTAL) <= _EPS
        if not ok:
            report.add("ponderations-somme", t.sheet, criteria[0].row,
                       t.header("Pondération (%)"), total, dispositif=code,
                       total=nombre(total))
    return Terms(criteria=criteria,
                 clause_env=" ".join(texts.get(CritereType.CLAUSE_ENV, [])),
                 clause_sociale=" ".join(texts.get(CritereType.CLAUSE_SOCIALE, [])),
                 motif_sans_sociale=" ".join(texts.get(CritereType.MOTIF_SANS_SOCIALE, [])),
                 row=items[0][0], weights_ok=ok)
