"""The library calls behind every command: regenerate and check a workbook file."""

from __future__ import annotations

import getpass
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .adapters.xlsx_read import check_file, read_grids
from .adapters.xlsx_write import atomic_write, write_outputs
from .engine import Result, allot
from .inputs import read_inputs
from .outputs.build import build_outputs
from .outputs.model import Outputs
from .problems import AllotError, Report

Progress = Callable[[str], None]


@dataclass
class Run:
    """What a regeneration produced."""

    result: Result
    outputs: Outputs
    output_path: Path | None

    @property
    def report(self) -> Report:
        return self.result.report


def default_output(path: Path) -> Path:
    """`IN.lots.xlsx` beside the input (`.xlsm` stays `.xlsm`)."""
    return path.with_name(f"{path.stem}.lots{path.suffix}")


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return ""


def compute(path: Path, progress: Progress | None = None) -> Result:
    """Read and validate `path`, then allot: no file is written."""
    say = progress or (lambda _: None)
    say("Lecture du classeur")
    grids = read_grids(path)
    say("Contrôle des feuilles")
    inputs, report = read_inputs(grids, campaign=path.stem)
    say(f"Allotissement de {len(inputs.needs)} besoins")
    return allot(inputs, report)


def regenerate(path: str | Path, output: str | Path | None = None, *, in_place: bool = False,
               progress: Progress | None = None) -> Run:
    """Write every output sheet for the workbook at `path`.

    Without `output` the result goes to `IN.lots.xlsx`; with `in_place` the input itself is
    rewritten after a copy is kept as `IN.bak.xlsx`. Raises AllotError (French message) when
    nothing could be written."""
    src = Path(path)
    if in_place and output is not None:
        raise AllotError("Choisissez soit -o (un autre fichier), soit --in-place, pas les deux.")
    dst = src if in_place else Path(output) if output is not None else default_output(src)
    check_file(src)  # the input's own problem is the one to tell first
    if dst.suffix.lower() not in (".xlsx", ".xlsm"):
        raise AllotError(f"Le fichier de sortie « {dst.name} » doit finir par .xlsx ou .xlsm.")
    if src.suffix.lower() == ".xlsm" and dst.suffix.lower() != ".xlsm":
        raise AllotError(f"« {src.name} » contient des macros : donnez un nom de sortie en "
                         f".xlsm pour les conserver (ou utilisez allot-xl export pour une copie "
                         f"sans macros).")
    result = compute(src, progress)
    outputs = build_outputs(result, source="ligne de commande", user=login_name(),
                            file_name=src.name)
    (progress or (lambda _: None))("Écriture des feuilles de sortie")
    if in_place:
        atomic_write(backup_path(src), lambda tmp: shutil.copy2(src, tmp))
    write_outputs(src, dst, outputs)
    return Run(result, outputs, dst)


def check(path: str | Path, progress: Progress | None = None) -> Report:
    """Validate the workbook at `path` and return its problems (nothing is written)."""
    return compute(Path(path), progress).report
