"""Scenarios as verbs on grids, for every route: compare `Actuel`, the `Scénarios` sheet's
variants and `Proposé` (searched per dispositif, in worker processes for large campaigns),
write the comparison, and the grids of a run that applies one scenario (then the one
pipeline runs as usual)."""

from __future__ import annotations

import dataclasses
import os

from ..core import contract as C
from ..core.contract import COMPARAISON, OFFRES, SCENARIOS, fold, lot_prefix
from ..core.french import compte
from ..core.model import Inputs, Rule
from ..core.problems import StructuralError
from ..engine.proposal import propose
from ..engine.scenarios import (
    ACTUEL,
    PROPOSE,
    Figures,
    Scenario,
    figures,
    redraws,
    run_scenario,
)
from ..inputs.grid import SheetGrid, find_sheet, read_table
from ..inputs.scenarios import read_scenarios, with_rules
from ..outputs.model import Outputs, at_unit_precision
from ..outputs.scenarios import changed_values, comparison_sheet
from .pipeline import Context, Progress, validate


def _lenient(grids: dict[str, SheetGrid], inputs: Inputs) -> Inputs:
    """`inputs` whose needs are read with no `Domaine`/`Métier` required, so that a design
    without them keeps the needs that lack them (each design filters its own)."""
    if not any(c in r.maille for r in inputs.rules.values() for c in ("Domaine", "Métier")):
        return inputs
    plain = {k: dataclasses.replace(r, maille=tuple(c for c in r.maille
                                                    if c not in ("Domaine", "Métier"))
                                    or ("Zone",)) for k, r in inputs.rules.items()}
    loose, _ = validate(with_rules(grids, plain), Context(campaign=inputs.campaign))
    return dataclasses.replace(inputs, needs=loose.needs)


def compare(grids: dict[str, SheetGrid], inputs: Inputs
            ) -> list[tuple[Scenario, Figures]]:
    """Per dispositif (in `Règles` order): `Actuel`, the sheet's variants, then `Proposé`,
    each with its figures."""
    variants = read_scenarios(grids, inputs)
    loose = _lenient(grids, inputs)
    rows: list[tuple[Scenario, Figures]] = []
    proposed = propose_all(loose, inputs.rules)
    for code, rule in inputs.rules.items():
        designs = [Scenario(ACTUEL, code, rule)] + [s for s in variants if s.dispositif == code]
        mine = [(s, figures(run_scenario(loose, s.rule), code)) for s in designs]
        for s, f in [*mine, proposed[code]]:
            if redraws(s.rule, rule):  # the bids name the lots as Règles draws them
                f = dataclasses.replace(f, bidders_per_lot=None, unsuccessful=None)
            rows.append((s, f))
    return rows


# Above this many needs, each dispositif's search runs in its own process (one per core).
PARALLEL_FROM = 5000


def propose_all(inputs: Inputs, rules: dict[str, Rule], processes: int | None = None
                ) -> dict[str, tuple[Scenario, Figures]]:
    """`propose` for every dispositif of `rules` (in their order). The searches are
    independent: with `processes` > 1 — by default one per core from `PARALLEL_FROM`
    needs on, else 1 — they run in worker processes (started afresh, « spawn », safe
    inside the add-in server's threads); where processes cannot start (Excel in the
    browser, a locked-down machine) they run one after the other. Same results either
    way: each search is deterministic."""
    codes = list(rules)
    if processes is None:
        processes = (os.cpu_count() or 1) if len(inputs.needs) >= PARALLEL_FROM else 1
    workers = min(len(codes), processes)
    if workers > 1:
        try:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                # largest dispositifs first, so that the longest search starts at once
                sizes = inputs.needs["dispositif"].value_counts()
                order = sorted(codes, key=lambda c: -int(sizes.get(c, 0)))
                futures = {c: pool.submit(propose, inputs, rules[c]) for c in order}
                return {c: futures[c].result() for c in codes}
        except (ImportError, OSError, RuntimeError):
            pass  # no processes here: search one dispositif after the other
    return {c: propose(inputs, rules[c]) for c in codes}


def scenario_rules(grids: dict[str, SheetGrid], inputs: Inputs, name: str) -> dict[str, Rule]:
    """The rules of scenario `name` (`Proposé`, or a name of the `Scénarios` sheet) for
    every dispositif that has it; the others keep their `Règles` row. Raises
    StructuralError (French) when no dispositif has that scenario."""
    rules = dict(inputs.rules)
    if C.fold(name) == C.fold(PROPOSE):
        proposed = propose_all(_lenient(grids, inputs), inputs.rules)
        return {code: proposed[code][0].rule for code in inputs.rules}
    if C.fold(name) == C.fold(ACTUEL):
        return rules
    variants = read_scenarios(grids, inputs)
    found = [s for s in variants if C.fold(s.name) == C.fold(name)]
    if not found:
        names = list(dict.fromkeys(s.name for s in variants))
        raise StructuralError(f"Scénario « {name} » introuvable : indiquez « Proposé » ou un "
                              f"nom de la feuille {C.SCENARIOS}"
                              + (f" ({', '.join(names)})." if names else "."))
    for s in found:
        rules[s.dispositif] = s.rule
    return rules


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
    """The scenario `name` as the outputs name it: `propose`, `PROPOSÉ` are « Proposé »,
    `actuel` is « Actuel » (names match as sheet names do, `contract.fold`)."""
    for known in (PROPOSE, ACTUEL):
        if C.fold(name) == C.fold(known):
            return known
    return name.strip()


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
