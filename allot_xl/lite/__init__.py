"""The xlwings Lite route: what the task-pane buttons and the custom functions of the
`main.py` a buyer pastes into the xlwings Lite editor call (Python in Excel through Pyodide,
no server, no Python on the desktop), and `write_project`, which writes that `main.py` and
its `requirements.txt` (`allot-xl lite`).

Each button is a few lines around the Book route's verb (`allot_xl.excel.entry`); a failure
is shown as one French sentence (alert and the Lite output pane), never a traceback."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.problems import AllotError
from ..excel import entry
from .functions import legal_threshold, lot_maximum, lots_for_bounds

__all__ = ["BUTTONS", "apply_proposed", "check_needs", "compare_scenarios", "legal_threshold",
           "lot_maximum", "lots_for_bounds", "prepare_dce", "prepare_for_email",
           "regenerate_lots", "track_orders", "write_project"]

log = logging.getLogger(__name__)

SOURCE = "Excel (xlwings Lite)"
TEMPLATES = Path(__file__).with_name("templates")
PACKAGE = "allot_xl"  # the requirement line: the PyPI name, or the URL of a hosted wheel


def _run(book: Any, verb: Callable[..., Any], **kwargs: Any) -> Any:
    """`verb(book)`; a failure becomes an alert and a printed French sentence."""
    try:
        return verb(book, **kwargs)
    except AllotError as e:
        message = str(e)
    except Exception as e:  # the buyer gets one sentence, the output pane's log the rest
        log.exception("allot_xl: %s a échoué", getattr(verb, "__name__", verb))
        message = entry.unexpected_message(e)
    entry.alert(book, message, critical=True)
    print(message)  # xlwings Lite shows printed text in its output pane
    return None


def regenerate_lots(book: Any) -> str:
    """« Générer les lots » : rewrite every output sheet of `book` from its input sheets.
    Returns the summary line shown to the buyer ("" when the run stopped)."""
    outputs = _run(book, entry.regenerate_lots, source=SOURCE)
    line = outputs.summary_line if outputs is not None else ""
    if line:
        print(line)
    return line


def check_needs(book: Any) -> str:
    """« Vérifier les besoins » : validate the input sheets, write nothing; returns the
    message shown (counts, then the first problems)."""
    report = _run(book, entry.check_needs)
    text = entry.check_message(report) if report is not None else ""
    if text:
        print(text)
    return text


def prepare_for_email(book: Any) -> str:
    """« Préparer l'envoi » : refuse stale outputs, else open the workbook on Synthèse.
    Returns the message shown ("" when refused)."""
    text = _run(book, entry.prepare_for_email) or ""
    if text:
        print(text)
    return text


def compare_scenarios(book: Any) -> str:
    """« Comparer les scénarios » : write the sheet `Comparaison des scénarios` (`Actuel`,
    the `Scénarios` sheet's variants, `Proposé`); nothing else changes. Returns the line
    shown ("" when the run stopped)."""
    outputs = _run(book, entry.compare_scenarios)
    line = outputs.summary_line if outputs is not None else ""
    if line:
        print(line)
    return line


def apply_proposed(book: Any) -> str:
    """« Appliquer le scénario proposé » : rewrite the output sheets under the rules of the
    scenario `Proposé` (noted in `Journal`; `Règles` unchanged). Returns the summary line
    ("" when the run stopped)."""
    outputs = _run(book, entry.apply_proposed, source=SOURCE)
    line = outputs.summary_line if outputs is not None else ""
    if line:
        print(line)
    return line


def track_orders(book: Any) -> str:
    """« Suivre les commandes » : write the sheet `Suivi des commandes` (the `Commandes`
    against the lots of the last regeneration); nothing else changes. Returns the line
    shown ("" when the run stopped)."""
    outputs = _run(book, entry.track_orders)
    line = outputs.summary_line if outputs is not None else ""
    if line:
        print(line)
    return line


def prepare_dce(book: Any) -> str:
    """« Préparer le DCE » : write the sheets `RC lots` and `DQE` (the tender file's lot
    table and quantities; the notices and the Word annex are the command line's). Returns
    the line shown ("" when refused: one French sentence per missing piece)."""
    outputs = _run(book, entry.prepare_dce)
    line = outputs.summary_line if outputs is not None else ""
    if line:
        print(line)
    return line


# The task-pane buttons, in the order of main.py: label -> the verb its script calls.
# A new verb is one entry here and one @script in templates/main.py; tests/lite checks the
# two agree.
BUTTONS: dict[str, Callable[[Any], str]] = {
    "Générer les lots": regenerate_lots,
    "Vérifier les besoins": check_needs,
    "Préparer l'envoi": prepare_for_email,
    "Comparer les scénarios": compare_scenarios,
    "Appliquer le scénario proposé": apply_proposed,
    "Suivre les commandes": track_orders,
    "Préparer le DCE": prepare_dce,
}

FILES = ("main.py", "requirements.txt")


def project_files(package: str = PACKAGE) -> dict[str, str]:
    """The text of `main.py` and `requirements.txt` for xlwings Lite; `package` is the
    requirement naming allot_xl (`allot_xl`, `allot_xl==0.1.0`, or a wheel's https URL)."""
    main = (TEMPLATES / "main.py").read_text(encoding="utf-8")
    requirements = (TEMPLATES / "requirements.txt").read_text(encoding="utf-8")
    return {"main.py": main, "requirements.txt": requirements.replace("{package}", package)}


def write_project(workbook: str | Path, package: str = PACKAGE, *,
                  force: bool = False) -> list[Path]:
    """Write `main.py` and `requirements.txt` beside `workbook`, for the buyer to paste into
    the xlwings Lite editor. Returns the two paths.

    Raises AllotError (French) when the workbook is missing, when `package` is not one
    requirement, or when a file exists and `force` is not set (nothing written then)."""
    book = Path(workbook)
    if not book.is_file():
        raise AllotError(f"Classeur introuvable : « {book} ».")
    if not package.strip() or any(c.isspace() for c in package.strip()):
        raise AllotError(f"« {package} » n'est pas un paquet : donnez un nom (allot_xl) ou "
                         f"l'adresse https d'une roue .whl, sans espace.")
    paths = [book.parent / name for name in FILES]
    taken = [p.name for p in paths if p.exists()]
    if taken and not force:
        raise AllotError(f"{' et '.join(taken)} existe(nt) déjà dans « {book.parent} » : "
                         f"ajoutez --force pour remplacer.")
    for path, text in zip(paths, project_files(package.strip()).values(), strict=True):
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise AllotError(f"Impossible d'écrire « {path} » : {e.strerror or e}.") from None
    return paths
