"""The xlwings Server scripts behind the ribbon buttons of the Office.js add-in."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import anyio
import xlwings as xw
from xlwings.server import script
from xlwings_server.models import CurrentUser

from ..core.problems import AllotError
from . import entry
from .gate import CALLER

log = logging.getLogger(__name__)

SOURCE = "Excel (complément Office)"
# One run at a time per worker process, in a thread so the server keeps answering;
# concurrency comes from the number of workers (allot-xl serve --workers N).
_ONE_AT_A_TIME = anyio.CapacityLimiter(1)


async def _run(fn: Callable[..., Any], book: xw.Book, **kwargs: Any) -> None:
    """Run `fn(book)`; a failure becomes an XlwingsError whose French message Excel shows."""
    try:
        # abandon_on_cancel: the gate's time limit answers at once (the thread ends alone)
        await anyio.to_thread.run_sync(functools.partial(fn, book, **kwargs),
                                       limiter=_ONE_AT_A_TIME, abandon_on_cancel=True)
    except AllotError as e:
        raise xw.XlwingsError(str(e)) from None
    except xw.XlwingsError:
        raise
    except Exception as e:  # the buyer gets one sentence, the log the rest
        log.exception("allot_xl: %s a échoué", getattr(fn, "__name__", fn))
        raise xw.XlwingsError(entry.unexpected_message(e)) from None


def _who(user: CurrentUser | None) -> str:
    """Who ran it, for Journal: the caller the gate authenticated, else the user xlwings
    Server authenticated, else `anonyme`."""
    if caller := CALLER.get():
        return caller
    who = (user.email or user.name or "") if user else ""
    return "anonyme" if who in ("", "Anonymous") else who  # Anonymous: no auth provider


@script
async def regenerate_lots(book: xw.Book, current_user: CurrentUser) -> None:
    """Générer les lots : réécrit les feuilles de résultats depuis les feuilles d'entrée."""
    await _run(entry.regenerate_lots, book, source=SOURCE, user=_who(current_user))


@script
async def check_needs(book: xw.Book) -> None:
    """Contrôler les besoins : liste les problèmes des feuilles d'entrée, sans rien écrire."""
    await _run(entry.check_needs, book)


@script
async def prepare_for_email(book: xw.Book) -> None:
    """Préparer l'envoi : vérifie que les résultats sont à jour, ouvre le classeur sur Synthèse."""
    await _run(entry.prepare_for_email, book)


@script
async def compare_scenarios(book: xw.Book) -> None:
    """Comparer les scénarios : écrit la feuille Comparaison des scénarios (Actuel, feuille
    Scénarios, Proposé)."""
    await _run(entry.compare_scenarios, book)


@script
async def apply_proposed(book: xw.Book, current_user: CurrentUser) -> None:
    """Appliquer le scénario proposé : génère les lots avec ses règles (Règles inchangée)."""
    await _run(entry.apply_proposed, book, source=SOURCE, user=_who(current_user))


@script
async def track_orders(book: xw.Book) -> None:
    """Suivre les commandes : écrit la feuille Suivi des commandes (bons contre les maxima
    des lots, parts des titulaires, alertes)."""
    await _run(entry.track_orders, book)


@script
async def prepare_dce(book: xw.Book) -> None:
    """Préparer le DCE : écrit les feuilles RC lots et DQE (tableau des lots, quantités)."""
    await _run(entry.prepare_dce, book)
