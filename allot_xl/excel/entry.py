"""What the ribbon buttons run on an open workbook (any xlwings Book): read, one call, write."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ..api import errors_warning, login_name, recorded_errors
from ..core.contract import INPUT_SHEETS, JOURNAL, SCENARIOS, SYNTHESE, fold
from ..core.french import compte
from ..core.problems import AVERTISSEMENT, ERREUR, INFO, AllotError, Report
from ..inputs.read import SHEETS_READ
from ..inputs.scenarios import scenarios_problem
from ..io.book import read_book, write_book
from ..outputs.model import Outputs
from ..verbs import pipeline
from ..verbs.fresh import ensure_fresh
from ..verbs.orders import suivi_outputs
from ..verbs.scenarios import apply_scenario, comparison_outputs, scenario_name

log = logging.getLogger(__name__)

TITLE = "Allotissement"
SOURCE_EXCEL = "Excel"
SOURCE_VBA = "Excel (complément VBA)"
SHOWN_PROBLEMS = 8  # an alert stays readable; Contrôles holds the full list
# what prepare_for_email reads: the inputs' fingerprint and the last Journal row
EMAIL_SHEETS = (*INPUT_SHEETS, JOURNAL)
# what track_orders reads: the run's lots and holders, the last Journal row, the orders
ORDERS_SHEETS = tuple(s for s in SHEETS_READ if s != SCENARIOS)


def alert(book: Any, message: str, *, critical: bool = False) -> None:
    """Show `message` to the buyer in Excel once the call returns."""
    mode = "critical" if critical else "info"
    if book.app.engine.name == "remote":
        # App.alert queues on the process's last opened Book, which under concurrent
        # requests may be another buyer's: queue it on this book instead.
        book.impl.append_json_action(func="alert", args=[message, TITLE, "ok", mode, ""])
    else:
        book.app.alert(message, title=TITLE, mode=mode)


def regenerate_lots(book: Any, *, source: str = SOURCE_EXCEL, user: str = "",
                    scenario: str | None = None) -> Outputs:
    """Rewrite every output sheet of `book` from its input sheets and say what was done
    (`read_book → pipeline.run → write_book`); with `scenario` (`Proposé` or a name of the
    `Scénarios` sheet) under that scenario's rules, `Règles` unchanged. Raises AllotError
    (French) when the run cannot go on; nothing is written then."""
    grids = read_book(book)
    if scenario is not None:
        grids, source = apply_scenario(grids, scenario, source, pipeline.campaign_of(book.name),
                                       pipeline.silent)
    context = pipeline.Context(campaign=pipeline.campaign_of(book.name), source=source,
                               user=user or login_name(), file_name=book.name,
                               scenario=scenario_name(scenario) if scenario else "")
    outputs = pipeline.run(grids, context).outputs
    assert outputs is not None
    write_book(book, outputs)
    alert(book, outputs.summary_line)
    return outputs


def compare_scenarios(book: Any) -> Outputs:
    """Write the sheet `Comparaison des scénarios` of `book` (nothing else changes)."""
    outputs = comparison_outputs(read_book(book), pipeline.campaign_of(book.name), pipeline.silent)
    write_book(book, outputs)
    alert(book, outputs.summary_line)
    return outputs


def apply_proposed(book: Any, *, source: str = SOURCE_EXCEL, user: str = "") -> Outputs:
    """Regenerate the lots of `book` under the scenario `Proposé` (`Règles` unchanged)."""
    return regenerate_lots(book, source=source, user=user, scenario="Proposé")


def track_orders(book: Any) -> Outputs:
    """« Suivre les commandes » : write the sheet `Suivi des commandes` of `book` (its
    `Commandes` against the lots, holders and maxima of the last regeneration); nothing
    else changes. Raises AllotError (French) when nothing could be written."""
    context = pipeline.Context(campaign=pipeline.campaign_of(book.name))
    outputs = suivi_outputs(read_book(book, ORDERS_SHEETS), context)
    write_book(book, outputs)
    alert(book, outputs.summary_line)
    return outputs


def check_message(report: Report) -> str:
    """What the buyer is told after a check: the counts, then the first problems."""
    if not report.problems:
        return "Aucun problème détecté : vous pouvez générer les lots."
    problems = report.sorted()
    lines = [f"{compte(report.count(ERREUR), 'erreur')}, "
             f"{compte(report.count(AVERTISSEMENT), 'avertissement')}, "
             f"{compte(report.count(INFO), 'information')} :"]
    lines += [f"• {p}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"… et {compte(len(problems) - SHOWN_PROBLEMS, 'autre')} : « Générer les "
                     f"lots » les écrit toutes dans la feuille Contrôles.")
    return "\n".join(lines)


def check_needs(book: Any) -> Report:
    """Validate the input sheets of `book` without writing anything; show the problems."""
    context = pipeline.Context(campaign=pipeline.campaign_of(book.name))
    grids = read_book(book)
    result = pipeline.run(grids, context, outputs=False).result
    report = result.report
    scenarios_problem(grids, result.inputs, report)
    alert(book, check_message(report), critical=report.has_errors)
    return report


def prepare_for_email(book: Any) -> str:
    """Make `book` ready to send: refuse stale outputs, else open it on Synthèse at A1."""
    names = [s.name for s in book.sheets]
    inputs = ensure_fresh(read_book(book, EMAIL_SHEETS), names)
    synthese = book.sheets[next(n for n in names if fold(n) == fold(SYNTHESE))]
    synthese.activate()
    synthese.range("A1").select()
    book.save()
    message = ("Classeur prêt à envoyer : les résultats correspondent aux besoins et il "
               "s'ouvrira sur la feuille Synthèse. Joignez-le à votre message.")
    warning = errors_warning(recorded_errors(inputs))
    if warning:
        message += "\n" + warning
    alert(book, message)
    return message


def prepare_dce(book: Any) -> Outputs:
    """« Préparer le DCE » : write the sheets `RC lots` (the règlement de consultation's lot
    table of every dispositif) and `DQE` (every lot's quantity, unit prices to fill) of
    `book`, rewritten whole; the notices and the Word annex are the command line's
    (`allot-xl dce`). Raises AllotError (French, one sentence per missing piece) when the
    tender file cannot be complete; nothing is written then."""
    from ..outputs.dce import dqe_sheet, rc_sheet
    from ..verbs.dce import prepare

    dossier = prepare(read_book(book), pipeline.Context(
        campaign=pipeline.campaign_of(book.name), file_name=book.name))
    n = sum(len(f.lots) for f in dossier.files)
    outputs = Outputs([rc_sheet(dossier), dqe_sheet(dossier)],
                      f"Dossier de consultation : {compte(n, 'lot')} de "
                      f"{compte(len(dossier.files), 'dispositif')} dans les feuilles « RC "
                      f"lots » et « DQE ». Les avis et l'annexe Word : allot-xl dce.")
    write_book(book, outputs)
    alert(book, outputs.summary_line)
    return outputs


SCRIPTS: dict[str, Callable[..., Any]] = {
    "regenerate_lots": regenerate_lots, "check_needs": check_needs,
    "prepare_for_email": prepare_for_email, "compare_scenarios": compare_scenarios,
    "apply_proposed": apply_proposed, "track_orders": track_orders,
    "prepare_dce": prepare_dce,
}


def unexpected_message(error: BaseException) -> str:
    return (f"Erreur inattendue ({type(error).__name__}) : l'opération n'a pas abouti. "
            f"Signalez-la au support allot_xl en joignant le classeur.")


def run(name: str) -> None:
    """Run one button's function on the workbook that called RunPython (VBA add-in),
    turning every failure into an alert: the buyer never sees a traceback."""
    import xlwings as xw

    book = xw.Book.caller()
    kwargs = {"source": SOURCE_VBA} if name in ("regenerate_lots", "apply_proposed") else {}
    try:
        SCRIPTS[name](book, **kwargs)
    except (AllotError, xw.XlwingsError) as e:
        alert(book, str(e), critical=True)
    except Exception as e:  # shown as one sentence, logged in full
        log.exception("allot_xl: %s a échoué", name)
        alert(book, unexpected_message(e), critical=True)


def main() -> None:
    """The VBA ribbon button of `allot_xl.xlam`: regenerate the lots of the active workbook."""
    run("regenerate_lots")
