"""The `allot-xl` command line: help, exit codes, output paths, messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

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


BUYER_COMMANDS = {"regenerate", "check", "template", "export"}  # serve, addin: for IT


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
