"""The scenario routes shared by the file and Book routes: the comparison as output sheets,
and the grids of a run that applies one scenario (then `pipeline.run` as usual)."""

from __future__ import annotations

import dataclasses

from .contract import COMPARAISON, OFFRES, SCENARIOS, fold, lot_prefix
from .engine.scenarios import PROPOSE, redraws
from .french import compte
from .grid import SheetGrid, find_sheet, read_table
from .outputs.model import Outputs, at_unit_precision
from .outputs.scenarios import changed_values, comparison_sheet
from .pipeline import Context, Progress, validate
from .problems import StructuralError
from .scenario_sheet import compare, scenario_rules, with_rules


def comparison_outputs(grids: dict[str, SheetGrid], campaign: str,
                       say: Progress) -> Outputs:
    """The one output sheet of a comparison. Raises StructuralError (French)."""
    say("Contrôle des feuilles")
    inputs, _ = validate(grids, Context(campaign=campaign))
    say("Comparaison des scénarios et recherche du scénario proposé")
    rows = compare(grids, inputs)
    n = len({s.dispositif for s, _ in rows})
    return at_unit_precision(Outputs(
        [comparison_sheet(rows, inputs.campaign or campaign, objectif=inputs.params.objectif)],
        f"{compte(len(rows), 'scénario comparé', 'scénarios comparés')} pour "
        f"{compte(n, 'dispositif')} — voir la feuille « {COMPARAISON} »."))


def apply_scenario(grids: dict[str, SheetGrid], name: str, source: str, campaign: str,
                   say: Progress) -> tuple[dict[str, SheetGrid], str]:
    """The grids of a run under scenario `name` (`Règles` rows replaced in memory) and the
    `Journal` source naming it with every rule value it changed. Bids of a dispositif
    whose lots the scenario redraws are set aside (they name the lots last drawn), and
    the `Journal` says so. Raises StructuralError (French)."""
    if not name.strip():
        raise StructuralError("Nom de scénario vide : indiquez « Proposé » ou un nom de la "
                              f"feuille {SCENARIOS}.")
    say(f"Scénario « {name} »")
    inputs, _ = validate(grids, Context(campaign=campaign))
    rules = scenario_rules(grids, inputs, name)
    changed = {code: changed_values(r, inputs.rules[code]) for code, r in rules.items()}
    shown = scenario_name(name)
    used = " ; ".join(f"{code} : " + ", ".join(f"{label} {new}" for label, new, _ in fields)
                      for code, fields in changed.items() if fields)
    redrawn = [code for code, r in rules.items() if redraws(r, inputs.rules[code])]
    grids, set_aside = _without_bids(with_rules(grids, rules), redrawn)
    note = (f" ; offres de {', '.join(set_aside)} non prises en compte : le scénario "
            f"redessine leurs lots" if set_aside else "")
    needs = inputs.needs
    for code in redrawn:
        forced = int(((needs["dispositif"] == code) & (needs["lot_impose"] != "")).sum())
        if forced:
            note += (f" ; {code} : {compte(forced, 'besoin')} à « Lot imposé », qui "
                     f"désigne un lot de la génération précédente : vérifiez ce lot, "
                     f"redessiné par le scénario")
    return grids, f"{source}, scénario « {shown} »" + (
        f" ({used}{note})" if used else " (identique à Règles)")


def scenario_name(name: str) -> str:
    """The scenario `name` as the outputs name it (`proposé` is « Proposé »)."""
    return PROPOSE if name.strip().casefold() == PROPOSE.casefold() else name.strip()


def _without_bids(grids: dict[str, SheetGrid], codes: list[str]
                  ) -> tuple[dict[str, SheetGrid], list[str]]:
    """`grids` whose `Offres` rows for the lots of `codes` are blanked (rows keep their
    numbers), and the codes that had some."""
    title = find_sheet(list(grids), OFFRES)
    if title is None or not codes:
        return grids, []
    t = read_table(grids[title], OFFRES)
    if t.missing:
        return grids, []
    wanted = {fold(c): c for c in codes}
    values = [list(r) for r in grids[title].values]
    hit: dict[str, None] = {}
    for row, vals in t.rows:
        code = wanted.get(lot_prefix(t.get(vals, "N° lot") or ""))
        if code is not None:
            values[row - 1] = [None] * len(values[row - 1])
            hit[code] = None
    if not hit:
        return grids, []
    return {**grids, title: dataclasses.replace(grids[title], values=values)}, list(hit)
