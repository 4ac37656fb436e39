"""Real Pyodide (the WebAssembly CPython of xlwings Lite) under Node.js, offline, for the tests
and `bench/bench_lite.py`: the runtime and wheels laid out by `../shared/pyodide/
get_artifacts.sh` (with this checkout's wheel), plus the pure wheels allot_xl needs beyond
that script's list (filelock), and `run`, which starts one Pyodide process.

`unavailable()` says why real Pyodide cannot run here (no Node.js, no kit beside the
repository); `.ci/run` installs Node.js (Debian `nodejs npm`) when it is absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT.parent / "shared" / "pyodide"
RUNNER = KIT / "run_in_pyodide.mjs"
PYODIDE_VERSION = "0.27.5"  # the release xlwings Lite names (add-in 1.0.0.0-12)
# pure-Python requirements of allot_xl's core that get_artifacts.sh does not lay out: the
# version installed here, downloaded as its py3-none-any wheel
EXTRA_PURE = ("filelock",)


def unavailable() -> str | None:
    """Why real Pyodide cannot run on this machine, or None."""
    if not RUNNER.exists():
        return f"{KIT} absent (le kit Pyodide partagé n'est pas à côté du dépôt)"
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            return (f"{tool} introuvable : installez Node.js (Debian : apt-get install nodejs "
                    f"npm ; .ci/run le fait en root)")
    return None


@dataclass(frozen=True)
class Artifacts:
    """Where the runtime and the wheels are."""

    root: Path

    @property
    def options(self) -> list[str]:
        """run_in_pyodide.mjs' options: the runtime, then every wheel folder."""
        return ["--pyodide", str(self.root / f"pyodide-{PYODIDE_VERSION}"),
                "--wheels", str(self.root / "wheels"), "--wheels", str(self.root / "extra"),
                "--wheels", str(self.root / "app")]


def _pip() -> str:
    here = Path(sys.executable).with_name("pip")
    return str(here) if here.exists() else "pip"


def get_artifacts(dest: Path) -> Artifacts:
    """Lay out the runtime, the pinned wheels and allot_xl's wheel built from this checkout
    into `dest` (the shared script, checked by hash), and the extra pure wheels. Raises
    RuntimeError with the script's output when it fails."""
    env = {**os.environ, "ALLOT_SRC": str(ROOT), "PIP": _pip()}
    run = subprocess.run(["bash", str(KIT / "get_artifacts.sh"), str(dest)], env=env,
                         capture_output=True, text=True, timeout=1200)
    if run.returncode != 0:
        raise RuntimeError(f"get_artifacts.sh a échoué :\n{run.stdout[-2000:]}{run.stderr[-4000:]}")
    extra = dest / "extra"
    extra.mkdir(exist_ok=True)
    pins = [f"{name}=={metadata.version(name)}" for name in EXTRA_PURE]
    run = subprocess.run([_pip(), "download", "-q", "--no-deps", "--only-binary=:all:",
                          "--platform", "any", "--python-version", "3.12",
                          "--implementation", "py", "-d", str(extra), *pins],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"pip download {pins} a échoué :\n{run.stderr[-3000:]}")
    wheels = sorted(extra.glob("*.whl"))
    assert all(w.name.endswith("-none-any.whl") for w in wheels), wheels  # pure Python
    return Artifacts(dest)


def run(artifacts: Artifacts, script: Path, *args: str, puts: list[tuple[Path, str]] = (),
        gets: list[tuple[str, Path]] = (), timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run `script` in one Pyodide process: `puts` (host file, Pyodide path) copied in
    before, `gets` (Pyodide path, host file) copied out after."""
    cmd = ["node", str(RUNNER), *artifacts.options]
    for host, guest in puts:
        cmd += ["--put", f"{host}:{guest}"]
    for guest, host in gets:
        cmd += ["--get", f"{guest}:{host}"]
    cmd += [str(script), "--", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
