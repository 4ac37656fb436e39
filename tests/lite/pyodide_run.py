"""Run inside real Pyodide (tests/lite/pyodide_support.run): the file route, the buttons of the
generated main.py on xlwings' remote-engine Book, and its custom functions, in one process.

Usage (in Pyodide, or in CPython for the same jobs): pyodide_run.py SPEC.json — SPEC:
{"main": main.py, "report": path,
"file": [{"key", "verb": regenerate|apply|scenarios|check, "src", "out"}],
"buttons": [{"key", "script", "payload": JSON file of the Office.js request}],
"functions": [{"key", "name", "args"}],
optional "buttons_first", "return_outputs" (true), "return_actions" (true)}.
Writes the report JSON: per job what it returned, the French sentence of a refusal or the
traceback of a failure, the file a file job wrote (base64), the actions a button queued, its
time; the import time of main.py; the runtime's facts (intp, umask, fcntl, the lock
filelock picks)."""

from __future__ import annotations

import base64
import json
import os
import runpy
import sys
import time
import traceback

# xlwings' remote engine needs its key before xlwings is imported; xlwings Lite is no server
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"


def _facts(umask: int) -> dict:
    import numpy as np

    from allot_xl.io.xlsx import read as xlsx_read
    from allot_xl.io.xlsx import write as xlsx_write

    try:
        import fcntl  # noqa: F401
        has_fcntl = True
    except ImportError:
        has_fcntl = False
    try:
        import scipy  # noqa: F401
        has_scipy = True
    except ImportError:
        has_scipy = False
    if sys.platform == "emscripten":
        import pyodide
        version = pyodide.__version__
    else:  # the same jobs in CPython (bench/bench_lite.py)
        version = None
    return {"platform": sys.platform, "pyodide": version,
            "python": sys.version.split()[0], "intp_bytes": np.dtype(np.intp).itemsize,
            "numpy": np.__version__, "umask": umask, "fcntl": has_fcntl, "scipy": has_scipy,
            "lock": xlsx_write._filelock().FileLock.__name__,
            "reader": xlsx_read.pc.__name__}


def _guard(fn, *args, **kwargs) -> dict:
    """{"ok", "value" | "error" (French sentence) | "traceback", "seconds"}."""
    from allot_xl.core.problems import AllotError

    t = time.perf_counter()
    try:
        out = {"ok": True, "value": fn(*args, **kwargs)}
    except AllotError as e:
        out = {"ok": False, "error": str(e), "type": type(e).__name__}
    except Exception as e:
        out = {"ok": False, "type": type(e).__name__, "traceback": traceback.format_exc()}
    out["seconds"] = round(time.perf_counter() - t, 3)
    return out


def _file_job(job: dict) -> dict:
    from allot_xl import api
    from allot_xl.excel.entry import check_message

    verb, src, out = job["verb"], job["src"], job.get("out")
    if verb == "regenerate":
        return _guard(lambda: api.regenerate(src, out, user="").outputs.summary_line)
    if verb == "apply":
        return _guard(lambda: api.regenerate(src, out, user="",
                                             scenario="Proposé").outputs.summary_line)
    if verb == "scenarios":
        return _guard(lambda: str(api.scenarios(src, out)))
    if verb == "check":
        return _guard(lambda: check_message(api.check(src)))
    raise ValueError(verb)


def _button(ns: dict, job: dict) -> dict:
    import xlwings as xw

    with open(job["payload"], encoding="utf-8") as f:
        payload = json.load(f)
    book = xw.Book(json=payload)
    out = _guard(ns[job["script"]], book)
    out["actions"] = book.json()["actions"]
    book.close()
    return out


def _buttons(spec: dict, ns: dict, report: dict) -> None:
    for job in spec.get("buttons", []):
        done = report["buttons"][job["key"]] = _button(ns, job)
        if not spec.get("return_actions", True):
            done["actions"] = len(done["actions"])
        print(f"[pyodide_run] {job['key']}: {done['seconds']} s", flush=True)


def main() -> None:
    umask = os.umask(0o022)
    os.umask(umask)  # as Pyodide started: the runs below see it
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    t0 = time.perf_counter()
    # what the first click waits on after the runtime is up: main.py's imports (xlwings,
    # allot_xl and pandas, numpy beneath)
    ns = runpy.run_path(spec["main"], run_name="main") if spec.get("main") else {}
    import allot_xl.api  # noqa: F401  (the file route's own imports)

    report: dict = {"import_seconds": round(time.perf_counter() - t0, 3),
                    "facts": _facts(umask), "file": {}, "buttons": {}, "functions": {}}
    if spec.get("buttons_first"):  # the bench: the first click is a button's
        _buttons(spec, ns, report)
    for job in spec.get("file", []):
        os.makedirs(os.path.dirname(job.get("out") or job["src"]), exist_ok=True)
        done = report["file"][job["key"]] = _file_job(job)
        if (done["ok"] and job.get("out") and spec.get("return_outputs", True)
                and os.path.exists(job["out"])):
            with open(job["out"], "rb") as f:  # back to the host inside the report
                done["output"] = base64.b64encode(f.read()).decode("ascii")
        print(f"[pyodide_run] {job['key']}: {report['file'][job['key']]['seconds']} s",
              flush=True)
    if not spec.get("buttons_first"):
        _buttons(spec, ns, report)
    for job in spec.get("functions", []):
        report["functions"][job["key"]] = _guard(ns[job["name"]], *job["args"])
    with open(spec["report"], "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
