"""The Excel route at national scale: the workbook goes up in compressed slices and the
produced workbook comes back in chunks, each request and each response under Excel on the
web's 5 MB cap, and the sheets equal the file route's, cell for cell.

The client below does what `static/js/ribbon.js` does with `getFileAsync(Compressed)` and
`insertWorksheetsFromBase64`; calls go over FastAPI's TestClient to the real app `allot-xl
serve` runs (the gate, the transfer route and xlwings Server)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook

from allot_xl import api
from allot_xl.core.contract import JOURNAL, OUTPUT_SHEETS, SYNTHESE
from allot_xl.excel import transfer
from allot_xl.template import build_template

SECRET = "jeton-de-test-" + "0123456789abcdef" * 2
HEADERS = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
CAP = 5_000_000


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    import functools

    from xlwings_server.main import main_app

    from allot_xl.excel.gate import Gate

    mp = pytest.MonkeyPatch()
    mp.setenv("ALLOT_XL_TRANSFERTS", str(tmp_path_factory.mktemp("transferts")))
    yield TestClient(Gate(functools.partial(transfer.router, xlwings_app=main_app),
                          mode="jeton", token=SECRET))
    mp.undo()


class Office:
    """What the add-in sends and receives, with the size of every message."""

    def __init__(self, client: TestClient) -> None:
        self.client, self.sizes = client, []

    def post(self, verb: str, payload: dict, headers: dict | None = None) -> dict:
        body = json.dumps(payload).encode("utf-8")
        r = self.client.post(f"/allot/{verb}", content=body, headers=headers or HEADERS)
        self.sizes.append((len(body), len(r.content)))
        assert r.status_code == 200, r.text
        return r.json()

    def regenerate(self, path: Path) -> tuple[bytes, dict]:
        data = path.read_bytes()  # getFileAsync(Compressed): the .xlsx package itself
        slices = [data[i:i + transfer.SLICE_BYTES]
                  for i in range(0, len(data), transfer.SLICE_BYTES)]
        session = None
        for i, piece in enumerate(slices):
            session = self.post("televersement", {
                "session": session, "index": i, "count": len(slices),
                "data": base64.b64encode(piece).decode("ascii")})["session"]
        run = self.post("generer", {"session": session, "nom": path.name})
        b64 = "".join(self.post("resultat", {"session": session, "index": i})["data"]
                      for i in range(run["morceaux"]))
        return base64.b64decode(b64), run


def _sheets(path: Path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    out = {n: wb.get_sheet_by_name(n).to_python() for n in OUTPUT_SHEETS}
    out[JOURNAL] = [row[1:8] for row in out[JOURNAL]]  # when, from where and who differ
    out[SYNTHESE] = [["" if str(v).startswith("Généré le") else v for v in row]
                     for row in out[SYNTHESE]]  # the minute of the run
    return out


@pytest.mark.parametrize("n", [10_000, 50_000, 100_000])
def test_every_message_stays_under_5_mb_and_the_sheets_equal_the_file_route(
        client, tmp_path, n) -> None:
    src = tmp_path / f"campagne_{n}.xlsx"
    build_template(example=True, n_needs=n).save(src)
    office = Office(client)
    produced, run = office.regenerate(src)
    assert max(max(s) for s in office.sizes) <= CAP, office.sizes
    assert f"lots générés pour {n} besoins" in run["message"].replace("\u00a0", "")
    via_excel = tmp_path / "via_excel.xlsx"
    via_excel.write_bytes(produced)
    by_file = tmp_path / "par_fichier.xlsx"
    api.regenerate(src, by_file)
    assert _sheets(via_excel) == _sheets(by_file)
    assert len(office.sizes) >= 3  # slices, the run, the chunks
    assert not any(Path(transfer.root()).iterdir())  # the session is gone


def test_a_session_belongs_to_its_caller_and_bad_calls_are_refused(client, tmp_path) -> None:
    office = Office(client)
    src = tmp_path / "petit.xlsx"
    build_template(example=True, n_needs=50).save(src)
    data = base64.b64encode(src.read_bytes()).decode("ascii")
    session = office.post("televersement", {"session": None, "index": 0, "count": 2,
                                            "data": data})["session"]
    missing = client.post("/allot/generer", json={"session": session}, headers=HEADERS)
    assert missing.status_code == 409 and "manque" in missing.json()["message"]
    forged = client.post("/allot/resultat", json={"session": "x" * 32, "index": 0},
                         headers=HEADERS)
    assert forged.status_code == 404 and "inconnue" in forged.json()["message"]
    unknown = client.post("/allot/effacer", json={}, headers=HEADERS)
    assert unknown.status_code == 404
    anonymous = client.post("/allot/televersement", json={"index": 0, "count": 1, "data": data},
                            headers={"Content-Type": "application/json"})
    assert anonymous.status_code == 401
    bad = client.post("/allot/televersement",
                      json={"session": None, "index": 0, "count": 1, "data": "%%%"},
                      headers=HEADERS)
    assert bad.status_code == 400 and "illisible" in bad.json()["message"]
