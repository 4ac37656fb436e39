"""Every problem code is declared once (`problems.CODES`), documented (template and fix),
used with its declared severity, and asserted by the test suite."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from allot_xl.core.problems import CODES, ERREUR, Report, UnknownProblemCode

PACKAGE = Path(__file__).resolve().parents[1] / "allot_xl"
TESTS = Path(__file__).resolve().parent
_SEVERITY_OF_CALL = {"error": ERREUR, "warning": "Avertissement", "info": "Info"}


def _package_strings() -> dict[str, set[str]]:
    """Registered codes written as string constants in the package (outside the registry),
    with the severities of the report calls naming them."""
    out: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "problems.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in CODES:
                out.setdefault(node.value, set())
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _SEVERITY_OF_CALL and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                out.setdefault(node.args[0].value, set()).add(
                    _SEVERITY_OF_CALL[node.func.attr])
    return out


def test_every_code_the_package_reports_is_registered_with_its_severity() -> None:
    for code, severities in _package_strings().items():
        if "-" not in code or " " in code:
            continue  # not a problem code
        assert code in CODES, f"{code} is reported but not registered"
        assert severities <= {CODES[code].severity}, (code, severities)


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
        report.error("code-invente", "Besoins", 2, "Heures", 1, "Message.")
    report.warning("hors-tableau", "Besoins", 2, "", "", "Ligne non lue.")
    report.report("nombre-ambigu", "Besoins", 3, "Heures", "5.600", "Lu 5 600.")
    assert [(p.code, p.severity) for p in report.problems] == [
        ("hors-tableau", "Avertissement"), ("nombre-ambigu", "Avertissement")]
