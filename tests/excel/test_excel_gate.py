"""The gate in front of xlwings Server: credentials, origins, bodies, caps, time limit.

Every call goes through FastAPI's TestClient to the real xlwings Server app behind the gate."""

from __future__ import annotations

import json
import tracemalloc

import anyio
import openpyxl
import pytest
from excel_payload import payload_from_file
from excel_support import EXAMPLE
from fastapi.testclient import TestClient

from allot_xl.core.contract import fold
from allot_xl.core.problems import AllotError
from allot_xl.excel.gate import Gate
from allot_xl.excel.limits import Limits
from allot_xl.inputs.read import SHEETS_READ

SECRET = "jeton-de-test-" + "fedcba9876543210" * 2
URL = "/xlwings/custom-scripts-call/check_needs"
BEARER = {"Authorization": f"Bearer {SECRET}"}
JSON = {"Content-Type": "application/json"}


class Counting:
    """xlwings Server's app, counting the requests that reach it."""

    def __init__(self, app) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def inner() -> Counting:
    from xlwings_server.main import main_app

    return Counting(main_app)


@pytest.fixture(scope="module")
def client(inner) -> TestClient:
    return TestClient(Gate(inner, mode="jeton", token=SECRET))


@pytest.fixture(scope="module")
def payload() -> dict:
    wb = openpyxl.load_workbook(EXAMPLE, read_only=True)
    wanted = {fold(s) for s in SHEETS_READ}
    return payload_from_file(EXAMPLE, [n for n in wb.sheetnames if fold(n) in wanted])


def _french(text: str) -> bool:
    return any(w in text for w in ("Requête", "Authentification", "Feuille", "refusée")) \
        and "error" not in text.lower()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer faux-jeton"},
                                     {"Authorization": f"Basic {SECRET}"},
                                     {"Authorization": f"Bearer {SECRET}x"},
                                     {"Authorization": "Bearer"}])
def test_no_or_wrong_credentials_get_401_before_any_work(client, inner, payload, headers):
    before = inner.calls
    r = client.post(URL, json=payload, headers=headers)
    assert r.status_code == 401 and r.text.startswith("Authentification requise")
    assert r.headers["www-authenticate"] == "Bearer"
    assert inner.calls == before


def test_the_right_secret_gets_the_actions(client, payload):
    r = client.post(URL, json=payload, headers=BEARER)
    assert r.status_code == 200
    (alert,) = r.json()["actions"]
    assert alert["func"] == "alert" and alert["args"][0].startswith("0 erreur, ")


def _book(**changes) -> dict:
    book = {"client": "Office.js", "version": "0.37.8", "book": {"name": "x.xlsx"},
            "names": [], "sheets": []}
    return {**book, **changes}


MALFORMED = {
    "JSON invalide": b'{"version": ',
    "un tableau": b"[1, 2]",
    "null": b"null",
    "un objet vide": b"{}",
    "sans version": json.dumps({"book": {}, "sheets": []}).encode(),
    "version non texte": json.dumps(_book(version=3)).encode(),
    "sheets non liste": json.dumps(_book(sheets={"a": 1})).encode(),
    "feuille sans values": json.dumps(_book(sheets=[{"name": "Besoins"}])).encode(),
    "ligne non liste": json.dumps(_book(sheets=[{"name": "B", "values": [1]}])).encode(),
    "cellule imbriquée": json.dumps(_book(sheets=[{"name": "B", "values": [[[1]]]}])).encode(),
    "imbrication profonde": b"[" * 100_000 + b"]" * 100_000,
    "UTF-8 invalide": b'{"version": "\xff\xfe"}',
    "vide": b"",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_each_malformed_body_gets_a_french_4xx(client, inner, name):
    before = inner.calls
    r = client.post(URL, content=MALFORMED[name], headers={**BEARER, **JSON})
    assert r.status_code == 400, (name, r.text)
    assert r.text.startswith("Requête refusée : ") and _french(r.text)
    assert inner.calls == before


def test_an_oversized_body_gets_413_unread(client, inner):
    before = inner.calls
    body = b'{"version": "' + b"x" * (17 * 1024 * 1024) + b'"}'
    r = client.post(URL, content=body, headers={**BEARER, **JSON})
    assert r.status_code == 413 and "16 Mo" in r.text and _french(r.text)
    assert inner.calls == before


def test_a_script_call_must_be_json_from_an_allowed_origin(client, payload):
    text = json.dumps(payload)
    r = client.post(URL, content=text, headers={**BEARER, "Content-Type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.text
    r = client.post(URL, content=text, headers={**BEARER, **JSON,
                                                "Origin": "https://attaquant.example"})
    assert r.status_code == 403 and "origine « https://attaquant.example »" in r.text
    for origin in ("http://testserver", "https://excel.officeapps.live.com"):
        r = client.post(URL, content=text, headers={**BEARER, **JSON, "Origin": origin})
        assert r.status_code == 200, origin


def _with_holders(payload: dict, holders: object) -> dict:
    data = json.loads(json.dumps(payload))
    (regles,) = [s for s in data["sheets"] if fold(s["name"]) == fold("Règles")]
    col = [fold(h) for h in regles["values"][0]].index(fold("Attributaires"))
    regles["values"][1][col] = holders
    return data


def test_two_million_holders_are_refused_before_any_work(client, inner, payload):
    data = _with_holders(payload, 2_000_000)
    before = inner.calls
    tracemalloc.start()
    r = client.post(URL, json=data, headers=BEARER)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert r.status_code == 422
    assert r.text.startswith("Feuille « Règles » : ligne 2, « Attributaires » vaut "
                             "2\xa0000\xa0000 : un nombre entier de 1 à 100 est attendu.")
    assert inner.calls == before  # xlwings never built a Book: nothing ran
    assert peak < 40 * 1024 * 1024  # the payload parsed once, no table sized by the number
    assert client.post(URL, json=_with_holders(payload, "3"), headers=BEARER).status_code == 200


def test_cells_and_rows_are_capped(inner):
    gate = TestClient(Gate(inner, mode="jeton", token=SECRET,
                           limits=Limits(cells=1000, rows=100)))
    rows = [["x"] * 5 for _ in range(150)]
    r = gate.post(URL, json=_book(sheets=[{"name": "Besoins", "values": rows}]), headers=BEARER)
    assert r.status_code == 413 and "150 lignes (au plus 100)" in r.text
    sheets = [{"name": f"F{i}", "values": [["x"] * 10] * 50} for i in range(3)]
    r = gate.post(URL, json=_book(sheets=sheets), headers=BEARER)
    assert r.status_code == 413 and "plus de 1000 cellules" in r.text


def test_a_call_beyond_the_time_limit_gets_503():
    async def slow(scope, receive, send):
        await anyio.sleep(30)

    gate = TestClient(Gate(slow, mode="jeton", token=SECRET, limits=Limits(seconds=1)))
    r = gate.post(URL, json=_book(), headers=BEARER)
    assert r.status_code == 503 and r.text.startswith("Le calcul a dépassé 1 s")


def test_the_gate_never_runs_open_by_accident(inner):
    with pytest.raises(AllotError, match="Aucun mode d'authentification"):
        Gate(inner, mode=None)
    with pytest.raises(AllotError, match="au moins 24 caractères"):
        Gate(inner, mode="jeton", token="court")
    open_gate = TestClient(Gate(inner, mode="aucune"))
    assert open_gate.post(URL, content=b"[]", headers=JSON).status_code == 400


def test_entraid_refuses_a_forged_token_in_french(inner, payload):
    gate = TestClient(Gate(inner, mode="entraid"))
    for headers in ({}, {"Authorization": "jeton-forge"}):
        r = gate.post(URL, json=payload, headers=headers)
        assert r.status_code == 401 and r.text.startswith("Authentification requise"), r.text


@pytest.mark.parametrize("holders", [75, 150])
def test_the_server_and_the_command_line_treat_holders_alike(client, payload, tmp_path,
                                                             holders: int):
    """One cap on `Attributaires` (the contract's): 75 runs on both routes; 150 is refused by
    both with the same sentence (the server before building a Book)."""
    from allot_xl.cli import main

    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb["Règles"]
    col = [fold(c.value) for c in ws[1]].index(fold("Attributaires")) + 1
    ws.cell(2, col).value = holders
    src = tmp_path / "in.xlsx"
    wb.save(src)
    r = client.post(URL, json=_with_holders(payload, holders), headers=BEARER)
    code = main(["regenerate", str(src), "-o", str(tmp_path / "out.xlsx"), "-q"])
    if holders == 75:
        assert (r.status_code, code) == (200, 0)
        return
    assert (r.status_code, code) == (422, 2)
    sentence = ("Feuille « Règles » : ligne 2, « Attributaires » vaut 150 : un nombre entier "
                "de 1 à 100 est attendu.")
    assert r.text.startswith(sentence)
    with pytest.raises(AllotError, match="^" + sentence.replace("(", r"\(").replace(")", r"\)")):
        from allot_xl import api
        api.regenerate(src, tmp_path / "out2.xlsx")
