"""The Excel commands: `allot-xl addin`, `allot-xl export`, `allot-xl serve` (options only)."""

from __future__ import annotations

import inspect
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
from excel_support import EXAMPLE

from allot_xl.cli import COMMANDS, main
from allot_xl.core.contract import OUTPUT_SHEETS
from allot_xl.core.problems import AllotError, StaleOutputs
from allot_xl.excel.addin import ADDIN_NAME, BUTTONS, GROUP, TAB, template_path
from allot_xl.excel.server import check_auth, check_options, server_environment

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"


def _run(command: str, argv: list[str]) -> int:
    """The command's callback itself, so that the library's exceptions reach the test."""
    with COMMANDS[command].make_context(command, argv) as ctx:
        return COMMANDS[command].invoke(ctx)


@pytest.mark.parametrize("command", ["serve", "addin", "export"])
def test_every_command_has_french_help_with_an_example(command):
    doc = inspect.cleandoc(COMMANDS[command].help or "")
    assert doc and "\nExemple : allot-xl " + command in doc
    assert all(len(line) <= 100 for line in doc.splitlines())


def test_library_errors_become_one_french_line_and_exit_2(tmp_path, capsys):
    assert main(["addin", "-o", str(tmp_path / "lots.xlam")]) == 2
    assert capsys.readouterr().err.startswith("Erreur : Le complément doit s'appeler")


def _ribbon(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read("customUI/customUI.xml"))


def test_addin_is_the_xlwings_template_with_our_tab(tmp_path, capsys):
    assert _run("addin", ["-o", str(tmp_path)]) == 0
    path = tmp_path / ADDIN_NAME
    assert f"xlwings addin install --file \"{path}\"" in capsys.readouterr().out
    ui = _ribbon(path)
    tab = ui.find(f".//{UI}tab")
    assert tab.get("label") == TAB and tab.find(f"{UI}group").get("label") == GROUP
    (button,) = tab.iter(f"{UI}button")
    assert (button.get("label"), button.get("onAction")) == ("Générer les lots",
                                                              "RibbonMyAddin.RunMain")
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(template_path()) as t:
        assert z.namelist() == t.namelist()
        assert z.read("xl/vbaProject.bin") == t.read("xl/vbaProject.bin")  # RunMain kept


def test_addin_with_all_buttons_and_its_name_rule(tmp_path):
    path = tmp_path / ADDIN_NAME
    _run("addin", ["-o", str(path), "--complet"])
    labels = [b.get("label") for b in _ribbon(path).iter(f"{UI}button")]
    assert labels == [b[1] for b in BUTTONS]
    with pytest.raises(AllotError, match="existe déjà"):
        _run("addin", ["-o", str(path)])
    assert _run("addin", ["-o", str(path), "--force"]) == 0
    with pytest.raises(AllotError, match="doit s'appeler allot_xl.xlam"):
        _run("addin", ["-o", str(tmp_path / "lots.xlam")])


def test_export_writes_the_email_copy(regenerated, tmp_path, capsys):
    out = tmp_path / "envoi.xlsx"
    assert _run("export", [str(regenerated), "-o", str(out)]) == 0
    assert f"Copie pour envoi écrite : {out}" in capsys.readouterr().out
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
    assert not [n for n in names if "vbaProject" in n or "externalLink" in n]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:6] == list(OUTPUT_SHEETS)
    assert wb.active.title == "Synthèse"
    assert not [c for ws in wb.worksheets for r in ws.iter_rows() for c in r
                if c.data_type == "f"]
    p = wb.properties
    assert p.title.startswith("Allotissement — ") and p.creator.startswith("allot_xl ")
    assert "valeurs seules" in p.description and "Lots de l'appel d'offres" in p.subject
    src = openpyxl.load_workbook(regenerated)
    assert _values(wb["Lots"]) == _values(src["Lots"])


def _values(ws) -> list[list]:
    return [[None if c.value == "" else c.value for c in r] for r in ws.iter_rows()]


def test_export_of_a_macro_workbook_drops_the_macros(regenerated, tmp_path):
    xlsm = tmp_path / "classeur.xlsm"
    wb = openpyxl.load_workbook(regenerated)
    wb.save(xlsm)
    with zipfile.ZipFile(xlsm, "a") as z:  # a macro part, as Excel stores it
        z.writestr("xl/vbaProject.bin", b"fake")
    out = tmp_path / "classeur.envoi.xlsx"
    assert _run("export", [str(xlsm)]) == 0
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" not in z.namelist()


def test_export_refuses_stale_outputs_and_wrong_names(regenerated, tmp_path):
    with pytest.raises(StaleOutputs, match="absente"):
        _run("export", [str(EXAMPLE), "-o", str(tmp_path / "x.xlsx")])
    wb = openpyxl.load_workbook(regenerated)
    wb["Règles"]["E2"] = 99  # Heures par place changed after the run
    wb.save(stale := tmp_path / "perime.xlsx")
    with pytest.raises(StaleOutputs, match="ne sont plus à jour"):
        _run("export", [str(stale)])
    assert not (tmp_path / "perime.envoi.xlsx").exists()
    with pytest.raises(AllotError, match=r"doit finir par \.xlsx"):
        _run("export", [str(regenerated), "-o", str(tmp_path / "x.xlsm")])


def test_serve_refuses_what_excel_would_refuse(tmp_path):
    with pytest.raises(AllotError, match="HTTPS"):
        check_options("0.0.0.0", 8443, 1, None, None, False)
    check_options("0.0.0.0", 8080, 2, None, None, True)  # behind a TLS proxy
    check_options("127.0.0.1", 8000, 1, None, None, False)  # development
    with pytest.raises(AllotError, match="ensemble --certfile"):
        check_options("0.0.0.0", 8443, 1, str(tmp_path / "c.pem"), None, False)
    with pytest.raises(AllotError, match="introuvable"):
        check_options("0.0.0.0", 8443, 1, "absent.pem", "absent.key", False)
    with pytest.raises(AllotError, match="--workers"):
        check_options("127.0.0.1", 8000, 0, None, None, False)


def test_serve_takes_the_licence_key_from_the_environment():
    with pytest.raises(AllotError, match="XLWINGS_LICENSE_KEY"):
        server_environment({})
    env = server_environment({"XLWINGS_LICENSE_KEY": "noncommercial"})
    assert Path(env["XLWINGS_PROJECT_DIR"]).joinpath("templates", "manifest.xml").exists()
    assert (env["ALLOT_XL_AUTH"], env["XLWINGS_AUTH_PROVIDERS"]) == ("aucune", "[]")
    env = server_environment({"XLWINGS_LICENSE_KEY": "noncommercial"}, auth="entraid")
    assert (env["ALLOT_XL_AUTH"], env["XLWINGS_AUTH_PROVIDERS"]) == ("entraid", '["entraid"]')


TOKEN = {"ALLOT_XL_TOKEN": "t" * 24}
ENTRA = {"XLWINGS_AUTH_ENTRAID_CLIENT_ID": "c", "XLWINGS_AUTH_ENTRAID_TENANT_ID": "t"}


def test_serve_needs_authentication_except_on_loopback():
    with pytest.raises(AllotError, match="ne démarre pas sans authentification"):
        check_auth("127.0.0.1", None, False, {})
    with pytest.raises(AllotError, match="--sans-auth n'est admis que sur 127.0.0.1"):
        check_auth("0.0.0.0", None, True, {})
    check_auth("127.0.0.1", None, True, {})  # development
    with pytest.raises(AllotError, match="pas les deux"):
        check_auth("127.0.0.1", "jeton", True, TOKEN)
    with pytest.raises(AllotError, match="ALLOT_XL_TOKEN doit contenir"):
        check_auth("0.0.0.0", "jeton", False, {"ALLOT_XL_TOKEN": "court"})
    check_auth("0.0.0.0", "jeton", False, TOKEN)
    with pytest.raises(AllotError, match="XLWINGS_AUTH_ENTRAID_TENANT_ID"):
        check_auth("0.0.0.0", "entraid", False, {"XLWINGS_AUTH_ENTRAID_CLIENT_ID": "c"})
    check_auth("0.0.0.0", "entraid", False, ENTRA)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("extra", [[], ["--sans-auth"]])
def test_serve_on_a_public_host_without_a_provider_exits_2_unbound(extra):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "ALLOT_XL_TOKEN"}
    out = subprocess.run([sys.executable, "-m", "allot_xl.cli", "serve", "--host", "0.0.0.0",
                          "--port", str(port), "--proxy", *extra],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("Erreur : ") and "--auth entraid" in out.stderr
    with socket.socket() as s:  # nothing was bound: the port is still free
        s.bind(("0.0.0.0", port))
