"""Following the purchase orders as a verb on grids, for every route (issue 25): the run's
lots and holders (the one pipeline, no output sheet described), then `Suivi des commandes`
alone. A regeneration does the same inside `pipeline.run` when `Commandes` has orders."""

from __future__ import annotations

from ..core.contract import COMMANDES
from ..core.model import Inputs
from ..core.problems import StaleOutputs, StructuralError
from ..inputs.grid import SheetGrid, find_sheet
from ..inputs.read import JOURNAL_COLUMNS
from ..outputs.model import Outputs, at_unit_precision
from ..outputs.orders import suivi_line, suivi_sheet
from .fresh import REGENERATE
from .pipeline import Context, run


def suivi_outputs(grids: dict[str, SheetGrid], context: Context) -> Outputs:
    """The one output sheet `Suivi des commandes` of `grids`.

    The orders name the lots and holders the last regeneration wrote: StaleOutputs (French)
    when the workbook has no `Journal` row or its input sheets changed since (the lots
    might differ); StructuralError (French) when there is no `Commandes` sheet or it holds
    no order, or the run cannot go on."""
    if find_sheet(list(grids), COMMANDES) is None:
        raise StructuralError(f"Feuille « {COMMANDES} » absente : ajoutez-la (N° bon, Date, "
                              f"N° lot, Titulaire, Montant (€ HT)…) pour suivre les bons de "
                              f"commande. Rien n'a été écrit.")
    result = run(grids, context, outputs=False).result
    if result.orders is None:
        raise StructuralError(f"La feuille « {result.inputs.orders_sheet} » ne contient aucun "
                              f"bon : saisissez les bons de commande, puis relancez.")
    check_current(result.inputs)
    campaign = result.inputs.campaign or context.campaign
    return at_unit_precision(Outputs([suivi_sheet(result, campaign)], suivi_line(result)))


def check_current(inputs: Inputs) -> None:
    """StaleOutputs (French) unless the last `Journal` row was written from these very input
    sheets (`Commandes` is not one of them: orders never change the lots)."""
    if not inputs.previous_journal:
        raise StaleOutputs(f"Aucune génération des lots dans ce classeur (Journal vide) : "
                           f"lancez d'abord {REGENERATE}, puis suivez les commandes.")
    last = inputs.previous_journal[-1]
    if str(last[JOURNAL_COLUMNS.index("Empreinte des entrées")] or "").strip() != \
            inputs.fingerprint:
        raise StaleOutputs(f"Les feuilles d'entrée ont changé depuis la dernière génération : "
                           f"les lots auxquels les bons se rapportent ne sont plus ceux de la "
                           f"feuille Lots. Relancez {REGENERATE} (Contrôles dira quels bons "
                           f"désignent un lot disparu ou modifié), puis suivez les commandes.")
