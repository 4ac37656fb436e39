"""The `allot-xl` command line: help, exit codes, output paths, messages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest

import allot_xl
from allot_xl.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    dst = tmp_path / "campagne.xlsx"
    shutil.copy(EXAMPLE, dst)
    return dst


def _with_bad_row(path: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    wb["Besoins"]["H3"] = "beaucoup"  # Heures of the second need
    wb.save(path)
    return path


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_french_help_with_an_example(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : allot-xl")
    assert "Exemple : allot-xl " + command in out
    assert "usage:" not in out and "show this help" not in out


# serve, addin: for IT
BUYER_COMMANDS = {"regenerate", "check", "template", "export", "scenarios", "suivi", "dce"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_documented(command: str) -> None:
    assert f"allot-xl {command}" in (ROOT / "README.md").read_text(encoding="utf-8")
    if command in BUYER_COMMANDS:
        assert f"allot-xl {command}" in (ROOT / "docs" / "guide-acheteur.md").read_text(
            encoding="utf-8")
    else:
        assert f"allot-xl {command}" in (ROOT / "docs" / "deploiement.md").read_text(
            encoding="utf-8")


def test_regenerate_writes_beside_the_input_by_default(example: Path, capsys) -> None:
    before = example.read_bytes()
    assert main(["regenerate", str(example), "-q"]) == 0
    out = example.with_name("campagne.lots.xlsx")
    assert out.exists() and example.read_bytes() == before
    assert "lots générés" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[-6:] == [
        "Lots", "Affectation", "Multi-attribution", "Synthèse", "Contrôles", "Journal"]


def test_in_place_keeps_a_backup(example: Path) -> None:
    before = example.read_bytes()
    assert main(["regenerate", str(example), "--in-place", "-q"]) == 0
    assert example.with_name("campagne.bak.xlsx").read_bytes() == before
    assert "Lots" in openpyxl.load_workbook(example).sheetnames


def test_in_place_and_output_together_are_refused(example: Path, capsys) -> None:
    assert main(["regenerate", str(example), "--in-place", "-o", "x.xlsx"]) == 2
    assert "pas les deux" in capsys.readouterr().err


def test_strict_turns_errors_into_exit_code_1(example: Path) -> None:
    _with_bad_row(example)
    out = example.with_name("sortie.xlsx")
    assert main(["regenerate", str(example), "-o", str(out), "-q"]) == 0
    assert main(["regenerate", str(example), "-o", str(out), "-q", "--strict"]) == 1
    ctrl = [r for r in openpyxl.load_workbook(out)["Contrôles"].iter_rows(values_only=True)
            if r[0] == "Erreur"]
    assert [(r[1], r[2], r[3], r[4]) for r in ctrl] == [("Besoins", 3, "Heures", "beaucoup")]


def test_check_exit_codes(example: Path, capsys) -> None:
    assert main(["check", str(example), "-q"]) == 0
    _with_bad_row(example)
    assert main(["check", str(example), "-q"]) == 1
    out = capsys.readouterr().out
    assert "Erreur (Besoins, ligne" in out and "« Heures »" in out
    assert main(["check", str(example.with_name("absent.xlsx"))]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_template_blank_and_example(tmp_path: Path, capsys) -> None:
    blank, ex = tmp_path / "modele.xlsx", tmp_path / "exemple.xlsx"
    assert main(["template", str(blank)]) == 0
    assert main(["template", str(ex), "--exemple"]) == 0
    assert {"Besoins", "Zones", "Règles", "Paramètres"} <= set(
        openpyxl.load_workbook(blank).sheetnames)
    assert main(["template", str(blank)]) == 2  # never overwrites without --force
    assert "--force" in capsys.readouterr().err
    assert main(["regenerate", str(ex), "-q"]) == 0


def test_unknown_command_and_missing_argument_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["regenerate"])
    assert e.value.code == 2
    assert "Erreur : arguments requis" in capsys.readouterr().err


def test_output_must_be_an_excel_workbook(example: Path, capsys) -> None:
    assert main(["regenerate", str(example), "-o", str(example.with_suffix(".ods"))]) == 2
    assert ".xlsx ou .xlsm" in capsys.readouterr().err
    assert not example.with_suffix(".ods").exists()


@pytest.mark.parametrize("argv, message", [
    (["inconnue"], "Erreur : commande inconnue : « inconnue »"),
    (["check", "--inconnue", "a.xlsx"], "Erreur : option inconnue : --inconnue"),
    (["check", "--qui", "a.xlsx"], "(vouliez-vous dire --quiet ?)"),
    (["check"], "Erreur : arguments requis : CLASSEUR"),
    (["check", "a.xlsx", "b.xlsx"], "Erreur : argument en trop : b.xlsx"),
    (["regenerate", "a.xlsx", "-o"], "Erreur : l'option -o attend une valeur"),
    (["serve", "--port", "abc"], "Erreur : valeur invalide pour --port : « abc » n'est pas"),
    (["serve", "--workers", "0"], "Erreur : valeur invalide pour --workers : 0 est inférieur"),
])
def test_usage_errors_are_french_and_exit_2(argv: list[str], message: str, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert not [w for w in ("Usage", "Error", "Try ", "No such", "Missing", "Got ", "requires")
                if w in err]


def test_main_help_and_version_are_french(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Utilisation : allot-xl [OPTIONS] COMMANDE")
    assert "Commandes :" in out and "afficher cette aide et quitter" in out
    assert all(name in out for name in COMMANDS)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("allot-xl ")
    assert main([]) == 2  # no command: the help, and the code of a refused run


HEAVY = ("pandas", "numpy", "scipy", "openpyxl", "xlwings", "xlsxwriter", "python_calamine")


def test_help_imports_no_heavy_library() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "allot_xl.cli", "--help"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("Utilisation : allot-xl")
    imported = {line.split("|")[-1].strip().split(".")[0]
                for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported and "allot_xl" in imported  # the parse did see the imports
    assert not imported & set(HEAVY)


def test_the_package_verbs_load_on_first_use() -> None:
    code = ("import sys, allot_xl; assert 'pandas' not in sys.modules; "
            "from allot_xl import api, excel; "
            "assert allot_xl.regenerate is api.regenerate and allot_xl.check is api.check; "
            "assert allot_xl.main is excel.main and allot_xl.regenerate_lots is "
            "excel.regenerate_lots; assert allot_xl.check_needs and allot_xl.prepare_for_email;"
            "print(allot_xl.__version__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ,
                                                     "XLWINGS_LICENSE_KEY": "noncommercial"})
    assert out.returncode == 0, out.stderr
    with pytest.raises(AttributeError):
        allot_xl.nothing_here  # noqa: B018


def _readme_commands() -> dict[str, str]:
    """README's command table: command name -> its first cell."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `allot-xl (\S+)([^`]*)` \|", text, flags=re.M)
    return {name: f"allot-xl {name}{rest}" for name, rest in rows}


def test_readme_table_lists_every_command_and_option() -> None:
    table = _readme_commands()
    assert set(table) == set(COMMANDS)
    missing = [(name, opt) for name, cmd in COMMANDS.items() for p in cmd.params
               for opt in getattr(p, "opts", ()) if opt not in ("-h", "--help")
               and isinstance(p, click.Option) and not re.search(
                   rf"(?<![\w-]){re.escape(opt)}(?![\w-])", table[name])]
    assert missing == []
