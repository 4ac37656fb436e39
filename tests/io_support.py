"""LibreOffice's reading of a workbook, for tests that check a file opens without repair."""

from __future__ import annotations

import subprocess
from pathlib import Path


def to_ods(path: Path, outdir: Path) -> Path:
    """LibreOffice's own reading of `path`, saved as .ods (it fails on a file it finds
    damaged). A fresh LibreOffice profile may end its first start with code 81: retry."""
    outdir.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        proc = subprocess.run(
            ["soffice", "--headless", "--norestore",
             f"-env:UserInstallation=file://{outdir.parent}/profil-lo", "--convert-to", "ods",
             "--outdir", str(outdir), str(path)], capture_output=True, text=True, timeout=180)
        ods = outdir / (path.stem + ".ods")
        if proc.returncode == 0 and ods.exists():
            return ods
    raise AssertionError(f"LibreOffice n'a pas converti {path.name} : {proc.returncode} "
                         f"{proc.stdout} {proc.stderr}")
