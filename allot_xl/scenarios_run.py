"""The scenario routes shared by the file and Book routes: the comparison as output sheets,
and the grids of a run that applies one scenario (then `pipeline.run` as usual)."""

from __future__ import annotations

from .contract import COMPARAISON
from .engine.scenarios import PROPOSE
from .grid import SheetGrid
from .outputs.model import Outputs
from .outputs.scenarios import comparison_sheet
from .pipeline import Context, Progress, validate
from .scenario_sheet import compare, scenario_rules, with_rules


def comparison_outputs(grids: dict[str, SheetGrid], campaign: str,
                       say: Progress) -> Outputs:
    """The one output sheet of a comparison. Raises StructuralError (French)."""
    say("Contrôle des feuilles")
    inputs, _ = validate(grids, Context(campaign=campaign))
    say("Comparaison des scénarios et recherche du scénario proposé")
    rows = compare(grids, inputs)
    n = len({s.dispositif for s, _ in rows})
    return Outputs([comparison_sheet(rows)],
                   f"{len(rows)} scénarios comparés pour {n} dispositif(s) — voir la feuille "
                   f"« {COMPARAISON} ».")


def apply_scenario(grids: dict[str, SheetGrid], name: str, source: str, campaign: str,
                   say: Progress) -> tuple[dict[str, SheetGrid], str]:
    """The grids of a run under scenario `name` (`Règles` rows replaced in memory) and the
    `Journal` source naming it with the rules used. Raises StructuralError (French)."""
    say(f"Scénario « {name} »")
    inputs, _ = validate(grids, Context(campaign=campaign))
    rules = scenario_rules(grids, inputs, name)
    changed = [r for code, r in rules.items() if r != inputs.rules[code]]
    shown = PROPOSE if name.strip().casefold() == PROPOSE.casefold() else name.strip()
    used = " ; ".join(
        f"{r.code} : Maille {' + '.join(r.maille)}, {r.unite}, Volume min {r.volume_min:g}, "
        f"Volume max {'—' if r.volume_max is None else f'{r.volume_max:g}'}, "
        f"Regroupement {r.regroupement}, Attributaires {r.attributaires}" for r in changed)
    return with_rules(grids, rules), f"{source}, scénario « {shown} »" + (
        f" ({used})" if used else " (identique à Règles)")
