"""The one pipeline of a run: input sheets (grids, whichever route read them) → validated
inputs → engine → output sheets. Every route (file, Book, add-in server, Lite) calls `run`;
nothing else chains the layers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.model import Inputs
from ..core.problems import Report
from ..engine import Result, allot
from ..inputs.grid import SheetGrid, paused_gc
from ..inputs.read import read_inputs
from ..outputs.build import build_outputs
from ..outputs.model import Outputs, at_unit_precision

Progress = Callable[[str], None]


def campaign_of(file_name: str | Path) -> str:
    """The campaign's name when `Paramètres` gives none: the workbook's file name without
    its extension (contract, `Campagne`)."""
    return Path(file_name).stem


def silent(_: str) -> None:
    """A progress callback that shows nothing."""
    return None


@dataclass(frozen=True)
class Context:
    """Who runs what: the campaign's default name (the file or book name without its
    extension), the route (`ligne de commande`, `Excel`…), the user and file written to
    `Journal`, the time of the run, a progress callback (French step names), and the
    scenario applied if any."""

    campaign: str = ""
    source: str = "ligne de commande"
    user: str = ""
    file_name: str = ""
    now: dt.datetime | None = None
    progress: Progress = field(default=silent)
    scenario: str = ""  # the scenario whose rules the run applies, named on every sheet


@dataclass
class Run:
    """What a run produced: the engine's result and, unless asked not to, the output sheets."""

    result: Result
    outputs: Outputs | None

    @property
    def report(self) -> Report:
        return self.result.report


def validate(grids: dict[str, SheetGrid], context: Context) -> tuple[Inputs, Report]:
    """The validated inputs of `grids` and their problems (no allotment).

    Raises StructuralError (French) when the run cannot go on."""
    context.progress("Contrôle des feuilles")
    return read_inputs(grids, campaign=context.campaign)


def run(grids: dict[str, SheetGrid], context: Context, *, outputs: bool = True) -> Run:
    """Validate, allot and (with `outputs`) describe every output sheet.

    Raises StructuralError (French) when the run cannot go on; bad rows are Problems."""
    inputs, report = validate(grids, context)
    context.progress(f"Allotissement de {len(inputs.needs)} besoins")
    with paused_gc():
        result = allot(inputs, report)
    if not outputs:
        return Run(result, None)
    context.progress("Description des feuilles de sortie")
    return Run(result, at_unit_precision(build_outputs(
        result, source=context.source, user=context.user, file_name=context.file_name,
        now=context.now, scenario=context.scenario)))
