"""The buttons are listed once, by the code: the Office.js manifest's ribbon (the same seven
in the VBA add-in), and the xlwings Lite task pane; the buyer's guide, the deployment
guide, README and `--help` name exactly those."""

from __future__ import annotations

import re
from pathlib import Path

from allot_xl.cli import COMMANDS
from allot_xl.excel.addin import BUTTONS as VBA_BUTTONS
from allot_xl.lite import BUTTONS as LITE_BUTTONS

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "allot_xl" / "excel" / "server_project" / "templates" / "manifest.xml"
GUIDE = ROOT / "docs" / "guide-acheteur.md"
DEPLOY = ROOT / "docs" / "deploiement.md"
README = ROOT / "README.md"
_QUOTED = re.compile(r"«\s*([^»]+?)\s*»")


def ribbon() -> list[str]:
    """The ribbon's button labels, in the manifest's order."""
    xml = MANIFEST.read_text(encoding="utf-8")
    ids = re.findall(r'^\s*\("(\w+)", "allot-', xml, re.M)
    labels = dict(re.findall(r'<bt:String id="(\w+)\.Label" DefaultValue="([^"]+)"', xml))
    return [labels[i] for i in ids]


def _section(text: str, start: str, end: str) -> str:
    a = text.index(start)
    return text[a:text.index(end, a + len(start))]


def _first_cells(table: str) -> list[str]:
    """The first column of a Markdown table's rows (header and rule left out)."""
    rows = [r for r in table.splitlines() if r.startswith("|")][2:]
    return [r.split("|")[1].strip().strip("*") for r in rows]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_vba_addin_has_the_manifests_buttons() -> None:
    assert len(ribbon()) == 7
    assert [b[1] for b in VBA_BUTTONS] == ribbon()


def test_the_buyers_guide_lists_the_buttons() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    ribbon_part = _section(text, "## 8. Depuis Excel", "## 8 bis.")
    assert _first_cells(ribbon_part[ribbon_part.index("| bouton |"):]) == ribbon()
    assert "en a sept" in ribbon_part and "six autres" in ribbon_part
    lite_part = _section(text, "## 8 bis.", "## 9.")
    table = lite_part[lite_part.index("| bouton |"):]
    assert _first_cells(table[:table.index("\n\n")]) == list(LITE_BUTTONS)
    assert re.findall(r"\[ ▶ ([^\]]+?)\s*\]", lite_part) == list(LITE_BUTTONS)


def test_the_deployment_guide_lists_the_buttons() -> None:
    text = DEPLOY.read_text(encoding="utf-8")
    part = _section(text, "Les boutons du ruban", "\n\n## ")
    table = part[part.index("| bouton |"):]
    assert _first_cells(table[:table.index("\n\n")]) == ribbon()
    overview = next(r for r in text.splitlines() if r.startswith("| boutons |"))
    assert _QUOTED.findall(overview.split("|")[2]) == list(LITE_BUTTONS)
    assert "sept boutons" in overview.split("|")[3] and "sept" in overview.split("|")[4]
    vba = _section(text, "### Étape VBA unique pour les autres boutons", "\n\n")
    assert _QUOTED.findall(vba) == ribbon()[1:]
    for _, _, callback, _, _ in VBA_BUTTONS[1:]:  # each pasted macro is given
        assert f"Sub {callback.rsplit('.', 1)[1]}(control As IRibbonControl)" in text


def test_readme_and_help_list_the_buttons() -> None:
    readme = _flat(README.read_text(encoding="utf-8"))
    sentence = readme[readme.index("The ribbon's buttons"):]
    sentence = sentence[:sentence.index(".", sentence.index("»"))]
    assert _QUOTED.findall(sentence) == ribbon()
    serve = _flat(COMMANDS["serve"].help or "")
    assert _QUOTED.findall(serve[serve.index("scripts de ses boutons"):])[:7] == ribbon()
    addin = _flat(COMMANDS["addin"].help or "")
    assert _QUOTED.findall(addin[addin.index("son bouton"):])[:7] == ribbon()
    lite = _flat(COMMANDS["lite"].help or "")  # points to the guide's list, names none
    assert not set(_QUOTED.findall(lite)) & set(LITE_BUTTONS) and "§ 8 bis" in lite
