"""Close-out of the award, route-neutral: each lot's outcome from a run with bids, and the
sheets of the workbook that relaunches the unsuccessful lots (`relance.xlsx`)."""

from __future__ import annotations

from ..core.contract import BESOINS
from ..engine import Result
from ..engine.closeout import Closeout, close_out, relaunch_rows
from ..inputs.grid import SheetGrid, find_sheet, read_table
from ..outputs.closeout import besoins_sheet, relaunch_outputs, reserved_of
from ..outputs.model import Outputs, at_unit_precision


def closeout_of(result: Result) -> Closeout:
    """The outcome of every lot of `result` (a run whose `Offres` held bids): awarded,
    unsuccessful and why, the R2122-2 option; a lot short of holders is reported in
    `result.report` (`attribution-partielle`)."""
    i = result.inputs
    return close_out(result.lots, result.affectation, result.attribution.rows, i.rules,
                     i.offers, i.zones, result.thresholds, result.report, i.offers_sheet,
                     i.offers_headers.get("N° lot", "N° lot"))


def relaunch(grids: dict[str, SheetGrid], result: Result, closeout: Closeout) -> Outputs:
    """The sheets of `relance.xlsx` for `closeout` of `result`, whose input sheets are
    `grids`: `Besoins` (the unsuccessful lots' needs as written), `Lots attribués`, `Lots`
    and `Relance`. The other input sheets (`Zones`, `Règles`, `Paramètres`…) are copied
    as they are by the writer."""
    grid = grids[find_sheet(list(grids), BESOINS) or BESOINS]
    table = read_table(grid, BESOINS)
    needs = result.inputs.needs
    ids = {int(r): str(i) for r, i in zip(needs["row"], needs["id"], strict=True)}
    reserved = result.inputs.reserved_lots
    sheet = besoins_sheet(grid, table, relaunch_rows(closeout, result.affectation), ids,
                          reserved_of(closeout, reserved))
    return at_unit_precision(relaunch_outputs(sheet, closeout, reserved))
