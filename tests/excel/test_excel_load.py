"""A bounded load test of `allot-xl serve --auth jeton --workers 2` over real HTTP on
127.0.0.1, with calls lacking credentials, malformed and oversized bodies mixed in.

Run with `pytest tests/excel/test_excel_load.py -s` to print the latency figures that
docs/benchmarks.md reports."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import openpyxl
import pytest
import xlwings as xw
from excel_payload import payload_from_file
from excel_support import EXAMPLE

from allot_xl.core.contract import fold
from allot_xl.excel import regenerate_lots
from allot_xl.inputs.read import SHEETS_READ

CALLS, WORKERS, WARM_UP = 20, 2, 4
SECRET = "jeton-de-charge-" + "0123456789abcdef" * 2
BEARER = {"Authorization": f"Bearer {SECRET}"}
# (headers, body, expected status): refused calls interleaved with the real ones
BAD_CALLS = [({}, None, 401), ({"Authorization": "Bearer faux"}, None, 401),
             ({**BEARER, "Content-Type": "application/json"}, b'{"version": ', 400),
             ({**BEARER, "Content-Type": "application/json"}, b"null", 400),
             ({**BEARER, "Content-Type": "text/plain"}, b"{}", 415),
             ({**BEARER, "Content-Type": "application/json"}, b"[" * 17 * 1024 * 1024, 413)]
STARTUP_S, CALL_S, TOTAL_S = 60.0, 60.0, 120.0
# `allot-xl serve`, through the command line's own entry point
SERVE = "import sys; from allot_xl.cli import main; sys.exit(main(['serve', *sys.argv[1:]]))"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_PROJECT_DIR"}
    env["XLWINGS_LICENSE_KEY"] = "noncommercial"
    env["ALLOT_XL_TOKEN"] = SECRET
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, "--auth", "jeton", "--host",
                                 "127.0.0.1", "--port",
                                 str(port), "--workers", str(WORKERS)], stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=log.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"le serveur s'est arrêté : {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/manifest", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"le serveur n'a pas démarré : {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _payload() -> dict:
    wb = openpyxl.load_workbook(EXAMPLE, read_only=True)
    wanted = {fold(s) for s in SHEETS_READ}
    return payload_from_file(EXAMPLE, [n for n in wb.sheetnames if fold(n) in wanted])


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def _in_process(payload: dict) -> float:
    """The baseline: the same regeneration on the remote engine, in this process."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        book = xw.Book(json=payload)
        regenerate_lots(book)
        book.close()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def test_twenty_concurrent_regenerations_on_two_workers(server):
    payload = _payload()
    endpoint = f"{server}/xlwings/custom-scripts-call/regenerate_lots"

    def call(_: int) -> tuple[float, int, list]:
        t0 = time.perf_counter()
        r = httpx.post(endpoint, json=payload, headers=BEARER, timeout=CALL_S)
        actions = r.json()["actions"] if r.status_code == 200 else []
        return time.perf_counter() - t0, r.status_code, actions

    def bad(i: int) -> tuple[int, int, str]:
        headers, body, expected = BAD_CALLS[i % len(BAD_CALLS)]
        r = httpx.post(endpoint, headers=headers, timeout=CALL_S,
                       **({"json": payload} if body is None else {"content": body}))
        return expected, r.status_code, r.text

    for i in range(WARM_UP):  # each worker imports pandas and the engine on its first calls
        assert call(i)[1] == 200
    start = time.perf_counter()
    with ThreadPoolExecutor(CALLS + len(BAD_CALLS)) as pool:
        refused = pool.map(bad, range(len(BAD_CALLS)), timeout=TOTAL_S)
        results = list(pool.map(call, range(CALLS), timeout=TOTAL_S))
        refused = list(refused)
    wall = time.perf_counter() - start
    for expected, status, text in refused:  # each refusal is a French sentence
        assert status == expected and text.startswith(("Requête refusée", "Authentification"))
    statuses = [s for _, s, _ in results]
    assert statuses == [200] * CALLS
    for _, _, actions in results:  # each answer is complete and carries its own alert
        alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
        assert len(alerts) == 1 and "lots générés pour 300 besoins" in alerts[0]
        assert len(actions) == len(results[0][2])
    latencies = [t for t, _, _ in results]
    one = statistics.median(call(i)[0] for i in range(5))  # one call at a time, over HTTP
    figures = {"calls": CALLS, "workers": WORKERS, "errors": CALLS - statuses.count(200),
               "p50": statistics.median(latencies), "p90": _percentile(latencies, 90),
               "p95": _percentile(latencies, 95), "max": max(latencies), "wall": wall,
               "throughput": CALLS / wall, "one_call": one, "in_process": _in_process(payload)}
    print("\nCharge :", ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                  for k, v in figures.items()))
    assert wall < TOTAL_S


def test_the_manifest_behind_a_proxy_names_https(server):
    text = httpx.get(f"{server}/manifest", headers={"X-Forwarded-Proto": "https"}).text
    assert "<AppDomain>https://127.0.0.1:" in text
