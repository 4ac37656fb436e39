"""The buttons of the generated main.py, run as xlwings Lite runs them (no python-calamine, no
compiled module Pyodide lacks, xlwings' real remote-engine Book), write what the file route
writes, cell for cell, on the public workbooks and the real-data workbook."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from lite_support import ACCEPTANCE, EXAMPLE, HERE, REAL

from allot_xl import api, lite
from allot_xl.core.contract import OUTPUT_SHEETS, SYNTHESE
from allot_xl.core.problems import StaleOutputs
from allot_xl.excel.entry import check_message

sys.path.insert(0, str(HERE.parent / "excel"))
from excel_support import find  # noqa: E402
from test_excel_parity import VOLATILE_JOURNAL, _looks, _masked  # noqa: E402

LOCK = HERE / "pyodide" / "pyodide-lock-0.27.5.json"  # the stricter list: no calamine build
WORKBOOKS = [p for p in (EXAMPLE, ACCEPTANCE / "A1_petit.xlsx", ACCEPTANCE / "A2_offres.xlsx",
                         REAL) if p.exists()]


@pytest.fixture(scope="module")
def lite_runs(tmp_path_factory) -> dict:
    """Every button on every workbook (and « Préparer l'envoi » on its regenerated copy), in
    one Lite-like process; the file route's outputs beside them."""
    tmp = tmp_path_factory.mktemp("lite")
    lite.write_project(_copy(EXAMPLE, tmp / "projet"))  # the main.py a buyer pastes
    jobs, expected = [], {}
    for src in WORKBOOKS:
        d = tmp / src.stem
        d.mkdir()
        regenerated = d / f"fichier_{src.name}"
        api.regenerate(src, regenerated)
        expected[src.stem] = {"file": str(regenerated),
                              "check": check_message(api.check(src))}
        for script, source in (("generer_les_lots", src), ("verifier_les_besoins", src),
                               ("preparer_l_envoi", regenerated), ("preparer_l_envoi", src)):
            out = d / f"{script}_{source.name}"
            jobs.append({"script": script, "src": str(source), "out": str(out),
                         "key": f"{src.stem}/{script}/{source.name}"})
    spec = tmp / "jobs.json"
    spec.write_text(json.dumps({"main": str(tmp / "projet" / "main.py"), "lock": str(LOCK),
                                "jobs": jobs}), encoding="utf-8")
    run = subprocess.run([sys.executable, str(HERE / "lite_run.py"), str(spec)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    results = {j["key"]: {**r, "out": j["out"], "src": j["src"]}
               for j, r in zip(jobs, report["results"], strict=True)}
    return {"report": report, "results": results, "expected": expected}


def _copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    dst = folder / src.name
    dst.write_bytes(src.read_bytes())
    return dst


def test_the_lite_process_ran_without_native_only_modules(lite_runs) -> None:
    report = lite_runs["report"]
    assert "python_calamine" in report["refused"]  # allot_xl tried, and fell back
    assert "xlwings.xlwingslib" in report["refused"]  # xlwings' pure wheel has no Rust part
    assert report["reader"] == "allot_xl.io.xlsx.pure"
    assert "python_calamine" not in report["loaded"]


@pytest.mark.parametrize("src", WORKBOOKS, ids=lambda p: p.stem)
def test_generer_les_lots_writes_what_the_file_route_writes(lite_runs, src: Path) -> None:
    r = lite_runs["results"][f"{src.stem}/generer_les_lots/{src.name}"]
    a = openpyxl.load_workbook(lite_runs["expected"][src.stem]["file"])
    b = openpyxl.load_workbook(r["out"])
    assert b.sheetnames == a.sheetnames
    for name in OUTPUT_SHEETS:
        assert _masked(find(b, name), name) == _masked(find(a, name), name), name
        assert _looks(find(b, name)) == _looks(find(a, name)), name
    journal = find(b, "Journal")
    assert journal.cell(journal.max_row, VOLATILE_JOURNAL[1]).value == "Excel (xlwings Lite)"
    assert r["active"] == SYNTHESE
    assert len(r["alerts"]) == 1 and "lots générés pour" in r["alerts"][0][0]


@pytest.mark.parametrize("src", WORKBOOKS, ids=lambda p: p.stem)
def test_verifier_les_besoins_says_what_the_file_route_finds(lite_runs, src: Path) -> None:
    r = lite_runs["results"][f"{src.stem}/verifier_les_besoins/{src.name}"]
    assert r["kinds"] == ["alert"]  # nothing written
    assert r["alerts"][0][0] == lite_runs["expected"][src.stem]["check"]
    before, after = openpyxl.load_workbook(src), openpyxl.load_workbook(r["out"])
    assert after.sheetnames == before.sheetnames
    for ws in before.worksheets:
        assert _masked(after[ws.title], ws.title) == _masked(ws, ws.title)


@pytest.mark.parametrize("src", WORKBOOKS, ids=lambda p: p.stem)
def test_preparer_l_envoi_opens_fresh_outputs_and_refuses_stale_ones(lite_runs,
                                                                      src: Path) -> None:
    fresh = lite_runs["results"][f"{src.stem}/preparer_l_envoi/fichier_{src.name}"]
    assert fresh["active"] == SYNTHESE and fresh["saved"]
    assert fresh["alerts"][0][0].startswith("Classeur prêt à envoyer")
    stale = lite_runs["results"][f"{src.stem}/preparer_l_envoi/{src.name}"]
    with pytest.raises(StaleOutputs) as e:  # the file route refuses with the same sentence
        api.export(src, Path(stale["out"]).with_name("envoi.xlsx"))
    assert stale["alerts"] == [[str(e.value), "Allotissement", "ok", "critical", ""]]
    assert stale["kinds"] == ["alert"]
