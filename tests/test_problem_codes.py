"""Every problem code is declared once (`problems.CODES`) with its severity, documented
(template and fix), and asserted by the test suite; a call site names the code, never the
severity."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from allot_xl.core.problems import CODES, Report, UnknownProblemCode

PACKAGE = Path(__file__).resolve().parents[1] / "allot_xl"
TESTS = Path(__file__).resolve().parent


def _package_strings() -> set[str]:
    """Registered codes written as string constants in the package (outside the registry)."""
    out: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "problems.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in CODES:
                out.add(node.value)
    return out


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_documented_in_french(code: str) -> None:
    entry = CODES[code]
    assert entry.template.strip() and entry.fix.strip()
    assert entry.fix.rstrip().endswith("."), code


def test_every_code_the_package_reports_is_asserted_by_a_test() -> None:
    texts = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("*.py")
                      if p.name != Path(__file__).name)
    emitted = [c for c in _package_strings() if c in CODES]
    missing = [c for c in emitted if f'"{c}"' not in texts and f"'{c}'" not in texts]
    assert missing == []


def test_report_refuses_an_unregistered_code() -> None:
    report = Report()
    with pytest.raises(UnknownProblemCode):
        report.add("code-invente", "Besoins", 2, "Heures", 1)
    report.add("hors-tableau", "Besoins", 2, "", "", tableau="Besoins_T")
    report.add("zone-inconnue", "Besoins", 3, "Zone", "Paris", nom="Paris",
               suite="La ligne est écartée.")
    assert [(p.code, p.severity, p.message) for p in report.problems] == [
        ("hors-tableau", "Avertissement", "Ligne sous le tableau Excel « Besoins_T » : elle "
         "n'est pas lue. Étendez le tableau (poignée en bas à droite) pour l'inclure."),
        ("zone-inconnue", "Erreur", "Zone « Paris » absente de la feuille Zones : corrigez-la "
         "ou ajoutez la zone. La ligne est écartée.")]


def test_a_missing_template_field_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        Report().add("zone-inconnue", "Besoins", 3, "Zone", "Paris")


def _template_fields(code: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(CODES[code].template) if f}


def test_every_call_site_gives_its_templates_fields() -> None:
    """A call site names the code and its fields; the wording is the registry's: a call
    that gives a field the template lacks, or lacks one it needs, is caught here, before a
    run meets it."""
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add"):
                continue
            codes = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)
                     and a.value in CODES]
            if not codes or any(k.arg is None for k in node.keywords):
                continue  # a code chosen at run time, or fields passed as a mapping
            given = {k.arg for k in node.keywords} - {"suite"}
            if given != _template_fields(codes[0]):
                wrong.append((path.name, node.lineno, codes[0], sorted(given)))
    assert wrong == []
