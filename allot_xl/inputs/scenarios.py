"""The `Scénarios` input sheet: variants of `Règles` rows, read and checked as `Règles`
is, and the grids of a workbook whose `Règles` rows are replaced (for a run under a
scenario)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core import contract as C
from ..core.french import rule_value
from ..core.model import Inputs, Rule
from ..core.problems import Report, StructuralError
from ..engine.scenarios import ACTUEL, PROPOSE, Scenario
from .grid import RawTable, SheetGrid, find_sheet, read_table
from .validation import read_rules

REGLES_HEADERS = [c.name for c in C.COLUMNS[C.REGLES]]


def rule_values(rule: Rule) -> dict[str, Any]:
    """`rule` as the cells of a `Règles` row (canonical column -> value), by the contract's
    column -> field mapping (`contract.RULE_FIELDS`): a `Maille` joined by « + », yes/no
    columns as `oui`/`non`."""
    out: dict[str, Any] = {}
    for name, field in C.RULE_FIELDS.items():
        v = getattr(rule, field)
        if isinstance(v, tuple):
            v = " + ".join(v)
        elif isinstance(v, bool):
            v = "oui" if v else "non"
        out[name] = v
    return out


def rules_grid(name: str, rules: list[Rule]) -> SheetGrid:
    """A `Règles` sheet holding `rules`, each on its own Excel row (header on row 1)."""
    last = max([r.row or 0 for r in rules] + [len(rules) + 1])
    values: list[list[Any]] = [list(REGLES_HEADERS)] + [[None] * len(REGLES_HEADERS)
                                                         for _ in range(last - 1)]
    free = iter(range(2, last + 1))
    for rule in rules:
        row = rule.row if rule.row and rule.row >= 2 else next(free)
        cells = rule_values(rule)
        values[row - 1] = [cells[h] for h in REGLES_HEADERS]
    return SheetGrid(name, values)


def with_rules(grids: dict[str, SheetGrid], rules: dict[str, Rule]) -> dict[str, SheetGrid]:
    """`grids` whose `Règles` sheet holds `rules` (the workbook itself is not touched)."""
    title = find_sheet(list(grids), C.REGLES) or C.REGLES
    return {**grids, title: rules_grid(title, list(rules.values()))}


def _refuse_unknown_columns(grid: SheetGrid, header_row: int, title: str) -> None:
    """A header the `Scénarios` sheet does not know would be silently ignored, and the
    buyer's change lost: refused, naming the column and what a variant may change."""
    known = {C.fold(n) for c in C.COLUMNS[C.SCENARIOS] for n in (c.name, *c.aliases)}
    rules = {C.fold(n) for c in C.COLUMNS[C.REGLES] for n in (c.name, *c.aliases)}
    for j, cell in enumerate(grid.values[header_row - 1] if header_row else [], 1):
        name = C.clean_text(cell)
        if not name or C.fold(name) in known:
            continue
        why = ("ne peut pas varier dans un scénario" if C.fold(name) in rules
               else "est inconnue")
        raise StructuralError(
            f"Feuille « {title} », ligne {header_row}, colonne {j} : la colonne « {name} » "
            f"{why}. Une variante peut changer : {', '.join(C.SCENARIO_OVERRIDES)}.")


def read_scenarios(grids: dict[str, SheetGrid], inputs: Inputs) -> list[Scenario]:
    """The variants of the `Scénarios` sheet (none without the sheet), each a `Règles` row
    with its non-empty cells replaced, checked as `Règles` is. Raises StructuralError
    (French, naming the sheet and row) for an unknown dispositif, a reserved or repeated
    name, or a value a rule cannot take."""
    title = find_sheet(list(grids), C.SCENARIOS)
    if title is None:
        return []
    t = read_table(grids[title], C.SCENARIOS)
    if t.header_row == 0 or t.missing:
        raise StructuralError(f"Feuille « {title} » : colonnes « Scénario » et « Dispositif » "
                              f"introuvables dans les 10 premières lignes (ligne d'en-tête "
                              f"attendue : Scénario, Dispositif, puis les colonnes de Règles "
                              f"que la variante change).")
    _refuse_unknown_columns(grids[title], t.header_row, title)
    by_fold = {C.fold(c): c for c in inputs.rules}
    seen: set[tuple[str, str]] = set()
    out: list[Scenario] = []
    for row, vals in t.rows:
        name = C.clean_text(t.get(vals, "Scénario"))
        raw = C.clean_text(t.get(vals, "Dispositif"))
        code = by_fold.get(C.fold(raw))
        where = f"Feuille « {title} », ligne {row}"
        if not name:
            raise StructuralError(f"{where} : nom du scénario manquant.")
        if C.fold(name) in (C.fold(ACTUEL), C.fold(PROPOSE)):
            raise StructuralError(f"{where} : « {name} » est réservé (Actuel = la ligne de "
                                  f"Règles, Proposé = la proposition de l'outil) : renommez-le.")
        if not raw:
            raise StructuralError(f"{where} : dispositif manquant : indiquez le code d'un "
                                  f"dispositif de Règles.")
        if code is None:
            raise StructuralError(f"{where} : dispositif « {raw} » absent de Règles.")
        if (C.fold(name), code) in seen:
            raise StructuralError(f"{where} : le scénario « {name} » de {code} est en double.")
        seen.add((C.fold(name), code))
        cells = rule_values(inputs.rules[code])
        headers = {k: k for k in cells}
        for col in C.SCENARIO_OVERRIDES:
            v = t.get(vals, col)
            if col in t.columns and not C.is_blank(v):
                cells[col], headers[col] = v, t.header(col)
        given = {col for col in C.SCENARIO_OVERRIDES
                 if col in t.columns and not C.is_blank(t.get(vals, col))}
        r = inputs.rules[code]
        kept = [c for c, v in (("Volume min", r.volume_min), ("Volume max", r.volume_max))
                if v is not None and c not in given]
        # before read_rules, whose bound checks would compare a bound in the new unit with
        # one of Règles
        unit = C.canonical_choice(cells["Unité"], C.UNITES) if "Unité" in given else None
        if unit is not None and unit != r.unite and kept:
            raise StructuralError(
                f"{where} : l'unité passe à « {unit} » mais "
                f"{' et '.join(f'« {c} »' for c in kept)} "
                f"{'sont vides' if len(kept) > 1 else 'est vide'} : les bornes de Règles "
                f"({rule_value(r.volume_min)} – {rule_value(r.volume_max)}) "
                f"resteraient comptées en {r.unite}. Indiquez les bornes dans la nouvelle "
                f"unité.")
        one = RawTable(title, t.header_row, {k: i for i, k in enumerate(cells)}, headers,
                       [(row, list(cells.values()))], kind=C.REGLES)
        rule = read_rules(one, Report())[code]
        out.append(Scenario(name, code, dataclasses.replace(rule, row=inputs.rules[code].row),
                            row=row))
    return out


def scenarios_problem(grids: dict[str, SheetGrid], inputs: Inputs, report: Report) -> None:
    """Add to `report` the reason a `Scénarios` sheet cannot be read (`read_scenarios`
    would stop on it), as an error, so that checking a workbook tells it beforehand.
    `inputs` are the validated inputs of `grids`."""
    try:
        read_scenarios(grids, inputs)
    except StructuralError as e:
        report.add("scenarios-invalide", C.SCENARIOS, None, "", None, raison=str(e))


