"""Every problem code is declared once (`problems.CODES`) with its severity, documented
(template and fix), and asserted by the test suite; a call site names the code, never the
severity."""

from __future__ import annotations

import ast
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
        report.add("code-invente", "Besoins", 2, "Heures", 1, "Message.")
    report.add("hors-tableau", "Besoins", 2, "", "", "Ligne non lue.")
    report.add("nombre-ambigu", "Besoins", 3, "Heures", "5.600", "Lu 5 600.")
    assert [(p.code, p.severity) for p in report.problems] == [
        ("hors-tableau", "Avertissement"), ("nombre-ambigu", "Avertissement")]
