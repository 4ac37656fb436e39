"""Times the xlwings Lite route in real Pyodide against the same jobs in CPython, in one run.

Run by hand (not a test); needs Node.js and ../shared/pyodide beside the repository:

    .venv/bin/python bench/bench_lite.py [--sizes 300 1000 10000] [--runs 3] [--no-doc]

Size 300 is the bundled example workbook; other sizes are the example campaign built with
`allot_xl.template.build_template(example=True, n_needs=N)` (cached in the temp folder).
One Pyodide process (tests/lite/pyodide_run.py under ../shared/pyodide/run_in_pyodide.mjs,
offline, the runtime and wheels laid out by get_artifacts.sh with this checkout's wheel)
runs, for each size and `--runs` times: the « Générer les lots » button of the generated
main.py on xlwings' remote-engine Book (the Office.js request built beforehand from the
file, as tests/excel does), then the file route `api.regenerate`. CPython runs the same
script on the same jobs in a process before and one after Pyodide's. Pyodide's start-up is
reported apart: the runtime's start, the wheels' unpacking, then main.py's imports; the
first click is the first « Générer les lots » (300 needs) after those. Prints a Markdown
section and writes it into docs/benchmarks.md under "## xlwings Lite dans Pyodide" (other
sections kept)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "lite"), str(ROOT / "tests" / "excel")]

import pyodide_support  # noqa: E402
from excel_payload import payload_from_file  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdoc import write_section  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## xlwings Lite dans Pyodide"
CACHE = Path(tempfile.gettempdir()) / "allot_xl_bench"
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
SCRIPT = ROOT / "tests" / "lite" / "pyodide_run.py"


def input_workbook(n: int) -> Path:
    """The example workbook at 300 needs, else the example campaign with `n` needs."""
    if n == 300:
        return EXAMPLE
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"besoins_{n}.xlsx"
    if not path.exists():
        from allot_xl.template import build_template
        build_template(example=True, n_needs=n).save(path)
    return path


def jobs(sizes: list[int], runs: int, work: Path, guest: bool) -> tuple[dict, list]:
    """The spec for pyodide_run.py (Pyodide paths under /w when `guest`), and the files to
    copy in."""
    base = "/w" if guest else str(work)
    puts, spec = [], {"main": f"{base}/main.py", "report": f"{base}/report.json",
                      "buttons_first": True, "return_outputs": False,
                      "return_actions": False, "buttons": [], "file": []}
    puts.append((work / "main.py", "/w/main.py"))
    for n in sizes:
        src = input_workbook(n)
        payload = work / f"payload_{n}.json"
        if not payload.exists():
            payload.write_text(json.dumps(payload_from_file(src)), encoding="utf-8")
        puts += [(payload, f"/w/payload_{n}.json"), (src, f"/w/in_{n}.xlsx")]
        for k in range(runs):
            spec["buttons"].append({"key": f"{n}/button/{k}", "script": "generer_les_lots",
                                    "payload": f"{base}/payload_{n}.json"})
            spec["file"].append({"key": f"{n}/file/{k}", "verb": "regenerate",
                                 "src": f"{base}/in_{n}.xlsx" if guest else str(src),
                                 "out": f"{base}/out_{n}.xlsx"})
    return spec, puts


def bench(sizes: list[int], runs: int) -> dict:
    why = pyodide_support.unavailable()
    if why:
        raise SystemExit(f"bench_lite: {why}")
    from allot_xl import lite

    tmp = Path(tempfile.mkdtemp(prefix="bench_lite_"))
    (tmp / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    lite.write_project(tmp / EXAMPLE.name)
    print("bench_lite: artifacts…", file=sys.stderr)
    art = pyodide_support.get_artifacts(CACHE / "pyodide-artifacts")
    before = cpython(sizes, runs, tmp, "avant")
    spec, puts = jobs(sizes, runs, tmp, guest=True)
    (tmp / "spec_pyodide.json").write_text(json.dumps(spec), encoding="utf-8")
    print("bench_lite: Pyodide…", file=sys.stderr)
    done = pyodide_support.run(art, SCRIPT, "/w/spec.json",
                               puts=[*puts, (tmp / "spec_pyodide.json", "/w/spec.json")],
                               gets=[("/w/report.json", tmp / "report_pyodide.json")],
                               timeout=7200)
    if done.returncode:
        raise SystemExit(f"bench_lite: Pyodide failed\n{done.stderr[-4000:]}")
    started = int(re.search(r"started \((\d+) ms\)", done.stderr).group(1))
    installed = int(re.search(r"installed \d+ wheels \((\d+) ms\)", done.stderr).group(1))
    pyo = json.loads((tmp / "report_pyodide.json").read_text(encoding="utf-8"))
    after = cpython(sizes, runs, tmp, "apres")
    for rep in (pyo, before, after):
        bad = {k: v for k, v in {**rep["file"], **rep["buttons"]}.items() if not v["ok"]}
        if bad:
            raise SystemExit(f"bench_lite: failed jobs {bad}")
    return {"sizes": sizes, "runs": runs, "pyodide": pyo, "cpython": [before, after],
            "start_ms": started, "install_ms": installed - started}


def cpython(sizes: list[int], runs: int, tmp: Path, when: str) -> dict:
    """The same jobs in a CPython process (run before and after Pyodide's, so that a
    change of the machine's load weighs on both sides)."""
    spec, _ = jobs(sizes, runs, tmp, guest=False)
    spec["report"] = str(tmp / f"report_cpython_{when}.json")
    path = tmp / f"spec_cpython_{when}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    print(f"bench_lite: CPython ({when})…", file=sys.stderr)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    cp = subprocess.run([sys.executable, str(SCRIPT), str(path)],
                        capture_output=True, text=True, timeout=7200, env=env)
    if cp.returncode:
        raise SystemExit(f"bench_lite: CPython failed\n{cp.stderr[-4000:]}")
    return json.loads(Path(spec["report"]).read_text(encoding="utf-8"))


def _times(rep: dict, kind: str, n: int, runs: int, skip_first: bool = False) -> list[float]:
    group = rep["buttons"] if kind == "button" else rep["file"]
    return [group[f"{n}/{kind}/{k}"]["seconds"] for k in range(runs) if k or not skip_first]


def section(r: dict) -> str:
    sizes, runs, pyo, cpy = r["sizes"], r["runs"], r["pyodide"], r["cpython"]
    rows = []
    for n in sizes:
        for kind, label in (("button", "« Générer les lots » (Book)"),
                            ("file", "`api.regenerate` (fichier)")):
            # the first button at the first size is the first click: its own row below
            skip = kind == "button" and n == sizes[0] and runs > 1
            p = _times(pyo, kind, n, runs, skip)
            c = [t for rep in cpy for t in _times(rep, kind, n, runs, skip)]
            pm, cm = statistics.median(p), statistics.median(c)
            rows.append(f"| {n:,} | {label} | {pm:.2f} s | {cm:.2f} s | {pm / cm:.1f} |")
    ratios: dict[str, list[float]] = {"button": [], "file": []}
    for row in rows:
        ratios["button" if "Book" in row else "file"].append(float(row.split("|")[-2]))
    first = _times(pyo, "button", sizes[0], runs)[0]
    first_cp = _times(cpy[0], "button", sizes[0], runs)[0]
    facts = pyo["facts"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    cpu = "CPU"
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        pass
    return f"""{HEADING}

`bench/bench_lite.py`, {dt.date.today():%Y-%m-%d}. Pyodide {facts['pyodide']} (Python
{facts['python']}, NumPy {facts['numpy']}, wasm32) under Node.js {node_version()}, offline,
one process; CPython {platform.python_version()} runs the same jobs in the same run, in a
process before and one after Pyodide's (its median pools both).
Inputs: the bundled example (300 needs) and the example campaign at 1,000 and 10,000
needs. Median of {runs} runs (the first « Générer les lots » at {sizes[0]:,} needs apart: it
is the first click). « Générer les lots » runs main.py's button on xlwings' remote-engine
Book (the Office.js request prepared beforehand; what Excel sends, and applies of the
actions returned, is not timed), the file
route reads and writes the .xlsx (pure-Python reader in Pyodide, python-calamine in
CPython). Machine: {os.cpu_count()} cores ({cpu}), shared with other jobs (load average at
the end {load}).

| needs | route | Pyodide | CPython | Pyodide ÷ CPython |
|---|---|---|---|---|
{chr(10).join(rows)}

Start-up, before the buttons appear (Pyodide only; xlwings Lite runs main.py when the
workbook opens, to list its buttons; there the packages come from the network, then the
browser's cache, instead of local files), then the first click:

| step | time |
|---|---|
| runtime start (`loadPyodide`) | {r['start_ms'] / 1000:.1f} s |
| unpacking the wheels (pandas, numpy, openpyxl, xlwings…) | {r['install_ms'] / 1000:.1f} s |
| main.py's imports (xlwings, allot_xl, pandas) | {pyo['import_seconds']:.1f} s |
| first « Générer les lots », {sizes[0]:,} needs | {first:.2f} s (CPython {first_cp:.2f} s) |

Reading: what the buttons run (the Book route) costs {min(ratios['button']):.1f}–\
{max(ratios['button']):.1f} × CPython; the file route {min(ratios['file']):.1f}–\
{max(ratios['file']):.1f} ×, because in Pyodide its reader is pure Python (python-calamine has
no Pyodide build) — the buttons never read files. A buyer waits for the start-up once per
opening of the workbook, then under a second per click up to 1,000 needs.
"""


def node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip().lstrip("v")
    except OSError:
        return "?"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[300, 1_000, 10_000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-doc", action="store_true", help="print only")
    a = ap.parse_args()
    text = section(bench(a.sizes, a.runs))
    print(text)
    if not a.no_doc:
        write_section(HEADING, text, DOC)


if __name__ == "__main__":
    main()
