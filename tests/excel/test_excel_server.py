"""The Office.js add-in through the real xlwings Server app behind allot_xl's gate (shared
secret): manifest, ribbon, scripts, errors. The gate's own refusals: test_excel_gate.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import anyio
import openpyxl
import pytest
import xlwings as xw
from excel_payload import payload_from_file
from excel_replay import replay
from excel_support import EXAMPLE, find
from fastapi.testclient import TestClient

from allot_xl.core.contract import INPUT_SHEETS, fold
from allot_xl.excel import scripts
from allot_xl.excel.addin import BUTTONS, GROUP, TAB
from allot_xl.excel.entry import EMAIL_SHEETS, ORDERS_SHEETS
from allot_xl.excel.gate import Gate
from allot_xl.excel.server import PROJECT_DIR
from allot_xl.inputs.read import SHEETS_READ

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
SCRIPTS = ("regenerate_lots", "check_needs", "prepare_for_email", "compare_scenarios",
           "apply_proposed", "track_orders", "prepare_dce")
RIBBON_JS = PROJECT_DIR / "static" / "js" / "ribbon.js"
SECRET = "jeton-de-test-" + "0123456789abcdef" * 2


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The app `allot-xl serve --auth jeton` runs, with the add-in's credentials."""
    assert Path(os.environ["XLWINGS_PROJECT_DIR"]) == PROJECT_DIR
    from xlwings_server.main import main_app

    return TestClient(Gate(main_app, mode="jeton", token=SECRET),
                      headers={"Authorization": f"Bearer {SECRET}"})


@pytest.fixture(scope="module")
def manifest(client) -> ET.Element:
    r = client.get("/manifest")
    assert r.status_code == 200
    return ET.fromstring(r.text.encode())


def _strings(manifest: ET.Element) -> dict[str, str]:
    return {s.get("id"): s.get("DefaultValue") for s in manifest.iter(f"{{{NS['bt']}}}String")}


def _associations() -> dict[str, str]:
    """FunctionName -> script name, as ribbon.js binds them."""
    js = RIBBON_JS.read_text(encoding="utf-8")
    return dict(re.findall(r'associate\("([\w-]+)",\s*\(event\)\s*=>\s*'
                           r'runAllotScript\("(\w+)", event\)', js))


def test_manifest_lists_one_button_per_script(manifest, client):
    strings = _strings(manifest)
    tab = manifest.find(".//v:CustomTab", NS)
    assert strings[tab.find("v:Label", NS).get("resid")] == TAB
    group = tab.find("v:Group", NS)
    assert strings[group.find("v:Label", NS).get("resid")] == GROUP
    controls = group.findall("v:Control", NS)
    labels = [strings[c.find("v:Label", NS).get("resid")] for c in controls]
    assert labels == [b[1] for b in BUTTONS]  # the same labels as the VBA add-in's
    functions = [c.find("v:Action/v:FunctionName", NS).text for c in controls]
    assert [_associations()[f] for f in functions] == list(SCRIPTS)
    images = {i.get("id"): i.get("DefaultValue") for i in manifest.iter(f"{{{NS['bt']}}}Image")}
    for c in controls:
        tip = strings[c.find("v:Supertip/v:Description", NS).get("resid")]
        assert 20 < len(tip) <= 250  # Office's limit for a long string
        for img in c.findall("v:Icon/bt:Image", NS):
            url = images[img.get("resid")]
            r = client.get(url.replace("http://testserver", ""))
            assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert manifest.find("o:DefaultLocale", NS).text == "fr-FR"
    assert manifest.find("o:DisplayName", NS).get("DefaultValue") == "Allotissement"


def test_the_server_serves_our_ribbon_and_lists_our_scripts(client):
    assert client.get("/static/js/ribbon.js").text == RIBBON_JS.read_text(encoding="utf-8")
    auth_js = PROJECT_DIR / "static" / "js" / "auth.js"  # ours: sends the jeton too
    assert client.get("/static/js/auth.js").text == auth_js.read_text(encoding="utf-8")
    assert client.get("/taskpane.html").status_code == 200
    meta = client.get("/xlwings/custom-scripts-meta.json").json()
    assert sorted(m["function_name"] for m in meta) == sorted(SCRIPTS)


def test_ribbon_sends_only_the_sheets_each_script_reads():
    js = RIBBON_JS.read_text(encoding="utf-8")
    inputs = json.loads(re.search(r"INPUT_SHEETS = (\[.*?\]);", js).group(1))
    assert inputs == list(INPUT_SHEETS)
    lists = dict(re.findall(r"\b(\w+): \[\.\.\.INPUT_SHEETS((?:, \"\w+\")*)\]", js))
    sent = {k: {*INPUT_SHEETS, *json.loads(f"[{v[2:]}]")} for k, v in lists.items()}
    assert sent == {"regenerate_lots": set(SHEETS_READ), "check_needs": set(SHEETS_READ),
                    "prepare_for_email": set(EMAIL_SHEETS),
                    "compare_scenarios": set(SHEETS_READ), "apply_proposed": set(SHEETS_READ),
                    "track_orders": set(ORDERS_SHEETS), "prepare_dce": set(SHEETS_READ)}


@pytest.mark.skipif(shutil.which("node") is None, reason="node absent")
def test_ribbon_folds_sheet_names_as_the_python_contract_does():
    names = ["Règles", "REGLES", "  règles ", "Paramètres", "parametres", "Besoins_2026",
             "Zones\u00a0", "Journal d’exécution", "Contrôles", "ÉTÉ ŒUVRE"]
    js = RIBBON_JS.read_text(encoding="utf-8").split("async function sheetsToSend")[0]
    code = js + f"\nconsole.log(JSON.stringify({json.dumps(names)}.map(foldName)));"
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [fold(n) for n in names]


def _call(client, name: str, path: Path, sheets: tuple[str, ...] = SHEETS_READ) -> dict | str:
    wb = openpyxl.load_workbook(path, data_only=True)
    include = [ws.title for ws in wb.worksheets if fold(ws.title) in {fold(s) for s in sheets}]
    r = client.post(f"/xlwings/custom-scripts-call/{name}",
                    json=payload_from_file(path, include))
    return r.json() if r.status_code == 200 else (r.status_code, r.text)


def test_regenerate_lots_answers_with_the_output_sheets(client, tmp_path):
    data = _call(client, "regenerate_lots", EXAMPLE)
    actions = data["actions"]
    assert len(json.dumps(data)) < 5 * 1024 * 1024  # Excel on the web's cap on a response
    wb = replay(openpyxl.load_workbook(EXAMPLE), actions).wb
    lots = find(wb, "Lots")
    assert lots["A1"].value == "N° lot" and lots.max_row > 100
    assert find(wb, "Journal").cell(2, 9).value == "Excel (complément Office)"
    assert find(wb, "Journal").cell(2, 10).value == "jeton partagé (testclient)"
    (alert,) = [a for a in actions if a["func"] == "alert"]
    assert re.fullmatch(r"\d+ lots générés pour 300 besoins, 0 erreur, \d+ avertissements?"
                        r" — voir Synthèse et Contrôles\.", alert["args"][0])
    path = tmp_path / EXAMPLE.name
    wb.save(path)
    ready = _call(client, "prepare_for_email", path, (*INPUT_SHEETS, "Journal"))
    assert [a["func"] for a in ready["actions"]] == ["activateSheet", "rangeSelect", "save",
                                                    "alert"]


def test_prepare_dce_answers_with_rc_lots_and_dqe(client, tmp_path):
    from dce_support import example_workbook

    src = example_workbook(tmp_path / "dce.xlsx")
    data = _call(client, "prepare_dce", src)
    wb = replay(openpyxl.load_workbook(src), data["actions"]).wb
    assert find(wb, "RC lots")["A3"].value == "N° lot"
    assert find(wb, "DQE")["E3"].value == "Prix unitaire (€ HT)"
    assert find(wb, "RC lots").max_row > 100 and find(wb, "DQE").max_row > 100
    (alert,) = [a for a in data["actions"] if a["func"] == "alert"]
    assert alert["args"][0].startswith("Dossier de consultation : ")


def test_check_needs_answers_with_one_alert(client):
    (alert,) = _call(client, "check_needs", EXAMPLE)["actions"]
    assert alert["func"] == "alert" and alert["args"][0].startswith("0 erreur, ")


def test_errors_come_back_as_french_messages(client, regenerated, tmp_path):
    status, text = _call(client, "prepare_for_email", EXAMPLE)
    assert status == 400 and text.startswith("Feuilles de résultats absentes : Lots")
    wb = openpyxl.load_workbook(regenerated)
    wb["Zones"]["B2"] = "Autre territoire"
    wb.save(stale := tmp_path / "perime.xlsx")
    status, text = _call(client, "prepare_for_email", stale)
    assert status == 400 and "Les résultats ne sont plus à jour" in text
    status, text = _call(client, "regenerate_lots", EXAMPLE, ("Besoins", "Zones"))
    assert (status, text) == (400, "La feuille « Règles » n'a pas été transmise par Excel : "
                                   "fermez et rouvrez Excel pour recharger le complément, "
                                   "puis relancez.")


def test_an_unexpected_failure_is_one_french_sentence():
    def broken(book):
        raise RuntimeError("boom")

    async def call():
        await scripts._run(broken, None)

    with pytest.raises(xw.XlwingsError, match=r"^Erreur inattendue \(RuntimeError\) : "):
        anyio.run(call)


def test_track_orders_answers_with_the_sheet_and_one_alert(client, tmp_path):
    from orders_support import example_with_orders, regenerate

    path = regenerate(example_with_orders(tmp_path / "ex.xlsx"),
                      tmp_path / "ex.lots.xlsx").output_path
    data = _call(client, "track_orders", path, ORDERS_SHEETS)
    actions = data["actions"]
    wb = replay(openpyxl.load_workbook(path), actions).wb
    suivi = find(wb, "Suivi des commandes")
    assert suivi["A1"].value.startswith("Suivi des commandes — ")
    (alert,) = [a for a in actions if a["func"] == "alert"]
    assert re.fullmatch(r"\d+ bons suivis sur \d+ lots, \d+ lots? au seuil d'alerte, 0 lot "
                        r"au-delà du maximum — voir « Suivi des commandes »\.",
                        alert["args"][0])
    status, text = _call(client, "track_orders", EXAMPLE, ORDERS_SHEETS)
    assert status == 400 and text.startswith("Feuille « Commandes » absente")
