"""The library verbs of the file route, behind every command: `regenerate`, `check`,
`export`, `scenarios`, `relance` and `suivi` a workbook file (`read_grids → pipeline.run →
write_outputs`)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from .core.french import compte
from .core.model import Inputs
from .core.problems import AllotError, Report
from .engine import Result
from .engine.closeout import Closeout
from .inputs.read import JOURNAL_COLUMNS
from .io.xlsx.package import Package
from .io.xlsx.read import check_file, read_grids
from .io.xlsx.write import (
    NAME_MAX,
    exclusive,
    refuse_foreign_outputs,
    refuse_open_in_excel,
    refuse_read_only,
    write_in_place,
    write_outputs,
)
from .outputs.model import Outputs
from .verbs.fresh import ensure_fresh
from .verbs.pipeline import Context, Progress, campaign_of, run, silent

SOURCE = "ligne de commande"
# bytes an owner file adds to a workbook's name (LibreOffice's `.~lock.NAME#`): a name
# longer than 255 minus these could not be opened for editing
LOCK_ROOM = 10


@dataclass
class Run:
    """What a regeneration of a file produced."""

    result: Result
    outputs: Outputs
    output_path: Path | None

    @property
    def report(self) -> Report:
        return self.result.report


def default_output(path: Path) -> Path:
    """`IN.lots.xlsx` beside the input (`.xlsm` stays `.xlsm`), its stem shortened when the
    name would be too long for the disk (see `fitting`)."""
    return fitting(path, f".lots{path.suffix}")


def email_output(path: Path) -> Path:
    """`IN.envoi.xlsx` beside the input."""
    return fitting(path, ".envoi.xlsx")


def backup_path(path: Path) -> Path:
    return fitting(path, ".bak" + path.suffix)


def fitting(path: Path, ending: str) -> Path:
    """`path`'s stem + `ending` beside it; the stem cut (whole characters, `…` marking the
    cut) when the name would not leave room for a spreadsheet program's owner file within
    the 255 bytes a file name may take."""
    name = f"{path.stem}{ending}"
    if len(os.fsencode(name)) <= NAME_MAX - LOCK_ROOM:
        return path.with_name(name)
    stem = path.stem
    while stem and len(os.fsencode(f"{stem}…{ending}")) > NAME_MAX - LOCK_ROOM:
        stem = stem[:-1]
    return path.with_name(f"{stem.rstrip()}…{ending}")


def shortened(path: Path, output: Path | None) -> bool:
    """Whether the default output name of `path` had to be shortened."""
    return output is not None and output.name != f"{path.stem}.lots{path.suffix}"


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return ""


@dataclass
class Export:
    """What an email copy produced: its path, what was removed from it (French, one item
    per kind: hidden sheets, custom properties, links to files…) and the errors its
    `Contrôles` holds (rows left out of the lots: the recipient should know)."""

    path: Path
    removed: list[str]
    errors: int = 0

    @property
    def warning(self) -> str:
        """What the sender is told when `Contrôles` holds errors (French), else ""."""
        return errors_warning(self.errors)


def errors_warning(errors: int) -> str:
    """The warning of an email copy whose `Contrôles` holds `errors` errors."""
    if not errors:
        return ""
    n = compte(errors, "erreur")
    return (f"Attention : Contrôles contient {n} (lignes écartées des lots, comptées en tête "
            f"de Synthèse, ou valeurs remplacées par leur valeur par défaut ou légale) ; "
            f"corrigez-les et régénérez avant d'envoyer, ou signalez-les au destinataire.")


def recorded_errors(inputs: Inputs) -> int:
    """The errors the last `Journal` row recorded (those of the outputs in the workbook)."""
    if not inputs.previous_journal:
        return 0
    v = inputs.previous_journal[-1][JOURNAL_COLUMNS.index("Erreurs")]
    return int(v) if isinstance(v, int | float) and v == v else 0


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _grids(pkg: Package, say: Progress) -> dict:
    say("Lecture du classeur")
    return read_grids(pkg)


def _current(pkg: Package) -> Package:
    """`pkg`, or the workbook opened again when another run changed it since (runs on one
    file take turns under `exclusive`: each reads what the previous one wrote)."""
    return pkg if pkg.unchanged() else check_file(pkg.path)


def regenerate(path: str | Path, output: str | Path | None = None, *, in_place: bool = False,
               progress: Progress | None = None, scenario: str | None = None,
               source: str = SOURCE, user: str | None = None) -> Run:
    """Write every output sheet for the workbook at `path`.

    Without `output` the result goes to `IN.lots.xlsx`; with `in_place` the input itself is
    rewritten after a copy is kept as `IN.bak.xlsx`. With `scenario` (`Proposé` or a name of
    the `Scénarios` sheet) the run uses that scenario's rules, recorded in `Journal`; the
    `Règles` sheet is not changed. `source` and `user` go to `Journal` (default: the command
    line and the login name). Raises AllotError (French message) when nothing could be
    written; the input is never changed unless `in_place`."""
    src = Path(path)
    say = progress or silent
    if in_place and output is not None:
        raise AllotError("Choisissez soit -o (un autre fichier), soit --in-place, pas les deux.")
    dst = src if in_place else Path(output) if output is not None else default_output(src)
    opened = check_file(src)  # the input's own problem is the one to tell first; opened once
    if not in_place and _same_file(src, dst):
        raise AllotError(f"La sortie -o désigne le classeur d'entrée « {src.name} » lui-même : "
                         f"utilisez --in-place (qui garde une copie {backup_path(src).name}) "
                         f"ou donnez un autre nom. Rien n'a été écrit.")
    if dst.suffix.lower() not in (".xlsx", ".xlsm"):
        raise AllotError(f"Le fichier de sortie « {dst.name} » doit finir par .xlsx ou .xlsm.")
    if src.suffix.lower() == ".xlsm" and dst.suffix.lower() != ".xlsm":
        raise AllotError(f"« {src.name} » contient des macros : donnez un nom de sortie en "
                         f".xlsm pour les conserver (ou utilisez allot-xl export pour une copie "
                         f"sans macros).")
    refuse_open_in_excel(dst)
    refuse_read_only(dst)
    if in_place:
        refuse_open_in_excel(backup_path(src))
    with exclusive(dst):  # concurrent runs on one file take turns, none loses its update
        pkg = _current(opened)
        grids = _grids(pkg, say)
        refuse_foreign_outputs(pkg, grids)  # before any work: the buyer's sheet is never lost
        shown = ""
        if scenario is not None:
            from .verbs.scenarios import apply_scenario, scenario_name

            grids, source = apply_scenario(grids, scenario, source, campaign_of(src), say)
            shown = scenario_name(scenario)
        context = Context(campaign=campaign_of(src), source=source,
                          user=login_name() if user is None else user, file_name=src.name,
                          progress=say, scenario=shown)
        done = run(grids, context)
        assert done.outputs is not None
        say("Écriture des feuilles de sortie")
        if in_place:
            write_in_place(pkg, backup_path(src), done.outputs)
        else:
            write_outputs(pkg, dst, done.outputs)
    return Run(done.result, done.outputs, dst)


def check(path: str | Path, progress: Progress | None = None) -> Report:
    """Validate and allot the workbook at `path` and return its problems (nothing is
    written), a `Scénarios` sheet that `scenarios` would refuse included. Raises AllotError
    (French) when the file cannot be read or `regenerate` would refuse it (a sheet of the
    buyer's named like an output)."""
    src = Path(path)
    say = progress or silent
    pkg = check_file(src)
    grids = _grids(pkg, say)
    refuse_foreign_outputs(pkg, grids)  # what regenerate would refuse, check refuses alike
    result = run(grids, Context(campaign=campaign_of(src), progress=say), outputs=False).result
    from .inputs.scenarios import scenarios_problem

    scenarios_problem(grids, result.inputs, result.report)
    return result.report


def export(path: str | Path, output: str | Path | None = None) -> Path:
    """Write the copy of the workbook at `path` to email: values only, no macros, no external
    links, output sheets first (default `IN.envoi.xlsx`). Raises StaleOutputs (French) when
    the outputs no longer match the inputs, AllotError for a bad name or file."""
    return export_copy(path, output).path


def export_copy(path: str | Path, output: str | Path | None = None) -> Export:
    """`export`, also telling what the copy left out: hidden and very hidden sheets, custom
    document properties, author names, macros, links to other files and to the buyer's
    disk, the Journal's login names (docs/decisions.md, « Données personnelles »)."""
    from .io.xlsx.export import write_email_copy

    src = Path(path)
    opened = check_file(src)  # the input's own problem is the one to tell first; opened once
    out = Path(output) if output is not None else email_output(src)
    if out.suffix.lower() != ".xlsx":
        raise AllotError(f"La copie « {out.name} » doit finir par .xlsx (classeur sans macros).")
    if _same_file(src, out):
        raise AllotError("La copie doit être un autre fichier que le classeur d'origine.")
    refuse_open_in_excel(out)
    refuse_read_only(out)
    with exclusive(out):
        pkg = _current(opened)
        grids = read_grids(pkg)
        inputs = ensure_fresh(grids, [s.name for s in pkg.book.sheets])
        removed = write_email_copy(pkg, inputs, out)
    return Export(out, removed, recorded_errors(inputs))


def scenarios(path: str | Path, output: str | Path | None = None,
              progress: Progress | None = None) -> Path:
    """Write the comparison of the scenarios of the workbook at `path` (`Actuel`, the
    `Scénarios` sheet's variants, `Proposé`) as its one sheet `Comparaison des scénarios`,
    to `output` (default `IN.scenarios.xlsx`); nothing else changes. Raises AllotError
    (French) when nothing could be written."""
    from .verbs.scenarios import comparison_outputs

    src = Path(path)
    say = progress or silent
    opened = check_file(src)
    dst = Path(output) if output is not None else fitting(src, f".scenarios{src.suffix}")
    if dst.suffix.lower() not in (".xlsx", ".xlsm") or (
            src.suffix.lower() == ".xlsm" and dst.suffix.lower() != ".xlsm"):
        raise AllotError(f"Le fichier de sortie « {dst.name} » doit finir comme l'entrée "
                         f"(.xlsx, ou .xlsm pour garder les macros).")
    if _same_file(src, dst):
        raise AllotError("La comparaison doit être écrite dans un autre fichier que le "
                         "classeur d'origine.")
    refuse_open_in_excel(dst)
    refuse_read_only(dst)
    with exclusive(dst):
        pkg = _current(opened)
        outputs = comparison_outputs(_grids(pkg, say), campaign_of(src), say)
        say("Écriture de la comparaison")
        write_outputs(pkg, dst, outputs)
    return dst


@dataclass
class Relaunch:
    """What `write_relaunch` produced: the workbook written (None when no lot is
    unsuccessful: nothing to relaunch, nothing written), every lot's outcome and the run's
    problems (a lot short of holders among them, `attribution-partielle`)."""

    path: Path | None
    closeout: Closeout
    report: Report

    @property
    def summary(self) -> str:
        """One French sentence for the buyer: what was written, or why nothing was."""
        c = self.closeout
        awarded = compte(len(c.awarded), "lot attribué", "lots attribués")
        if self.path is None:
            return f"Aucun lot infructueux ({awarded}) : pas de relance à écrire."
        open_ = sum(1 for x in c.unsuccessful if x.derogation is not None)
        failed = compte(len(c.unsuccessful), "lot infructueux", "lots infructueux")
        needs = compte(len(c.needs), "besoin")
        return (f"{self.path.name} : {failed} ({needs}) à relancer, dont {open_} sans "
                f"publicité possible (R2122-2) ; {awarded}, numéros réservés.")


def _second_file(src: Path, output: str | Path | None, suffix: str, named: str,
                 elsewhere: str) -> Path:
    """The workbook a command writes from `src`: `output`, or `IN<suffix>.xlsx` beside it.
    Raises AllotError (French, `named` and `elsewhere` begin its sentences) when its
    extension differs from the input's kind, it is the input itself, or it is open in
    Excel or read-only."""
    dst = Path(output) if output is not None else fitting(src, f"{suffix}{src.suffix}")
    if dst.suffix.lower() not in (".xlsx", ".xlsm") or (
            src.suffix.lower() == ".xlsm" and dst.suffix.lower() != ".xlsm"):
        raise AllotError(f"{named} « {dst.name} » doit finir comme l'entrée (.xlsx, ou .xlsm "
                         f"pour garder les macros).")
    if _same_file(src, dst):
        raise AllotError(f"{elsewhere} dans un autre fichier que le classeur d'origine.")
    refuse_open_in_excel(dst)
    refuse_read_only(dst)
    return dst


def write_relaunch(path: str | Path, output: str | Path | None = None, *,
                   progress: Progress | None = None) -> Relaunch:
    """Write the relaunch workbook of the workbook at `path` (a campaign whose `Offres`
    hold the bids) to `output` (default `IN.relance.xlsx`): `Besoins` holding only the
    unsuccessful lots' needs, the same `Zones`, `Règles`, `Paramètres` (and `Référentiel`),
    `Lots attribués` (the awarded lots, whose numbers a regeneration never gives again),
    `Lots` (the relaunched lots' numbers, kept when a lot is relaunched unchanged) and
    `Relance` (per lot: cause, the R2122-2 option and why, advice). No `Offres`. Nothing is
    written when no lot is unsuccessful. Raises AllotError (French) when the workbook has
    no bids or nothing could be written; the input is never changed."""
    from .io.xlsx.closeout import write_relaunch_file
    from .verbs.closeout import closeout_of, relaunch

    src = Path(path)
    say = progress or silent
    opened = check_file(src)
    dst = _second_file(src, output, ".relance", "Le fichier de relance",
                       "La relance doit être écrite")
    with exclusive(dst):
        pkg = _current(opened)
        grids = _grids(pkg, say)
        refuse_foreign_outputs(pkg, grids)
        result = run(grids, Context(campaign=campaign_of(src), progress=say),
                     outputs=False).result
        if result.inputs.offers is None:
            raise AllotError(f"« {src.name} » n'a pas d'offres (feuille Offres absente ou "
                             f"vide) : la relance suit l'attribution. Saisissez les offres, "
                             f"puis relancez. Rien n'a été écrit.")
        closeout = closeout_of(result)
        if not closeout.unsuccessful:
            return Relaunch(None, closeout, result.report)
        say("Écriture de la relance")
        write_relaunch_file(pkg, dst, relaunch(grids, result, closeout))
    return Relaunch(dst, closeout, result.report)


def suivi(path: str | Path, output: str | Path | None = None,
          progress: Progress | None = None) -> Path:
    """Write `Suivi des commandes` for the workbook at `path`: its `Commandes` followed
    against the lots, holders and maxima of the last regeneration (consumption per lot and
    per holder, the split rule, the alerts), to `output` (default `IN.suivi.xlsx`); no other
    sheet changes. Raises AllotError (French) when nothing could be written: no `Commandes`,
    or lots stale since the input sheets changed (StaleOutputs)."""
    from .verbs.orders import suivi_outputs

    src = Path(path)
    say = progress or silent
    opened = check_file(src)
    dst = _second_file(src, output, ".suivi", "Le fichier de sortie",
                       "Le suivi doit être écrit")
    with exclusive(dst):
        pkg = _current(opened)
        grids = _grids(pkg, say)
        outputs = suivi_outputs(grids, Context(campaign=campaign_of(src), progress=say))
        say("Écriture du suivi des commandes")
        write_outputs(pkg, dst, outputs)
    return dst


@dataclass
class Dce:
    """What `dce` wrote: one `io.dce.Written` per file (path and what it is)."""

    files: list

    @property
    def summary(self) -> list[str]:
        """One French line per file written."""
        return [w.line for w in self.files]


def dce(path: str | Path, out_dir: str | Path, progress: Progress | None = None) -> Dce:
    """Write the tender file (DCE) of the workbook at `path` into folder `out_dir`: for each
    dispositif, the RC lot table (`rc-CODE.xlsx` and its Word annex `rc-CODE.docx`), the
    DQE (`dqe-CODE.xlsx`, one protected sheet per lot, unit prices to fill) and the notice
    (`avis-CODE.xml`, eForms cn-social, when the dispositif's value reaches the EU threshold
    in force; else `avis-CODE.txt`, the national notice's lot section). Every number is the
    `Lots` sheet's of the same run. Raises AllotError (French): IncompleteDossier with one
    sentence per missing piece (buyer, `Critères`, the clauses required since 21 August
    2026: L2152-7, L2112-2, L2112-2-1); nothing is written then."""
    from .io.dce import write_dossier
    from .verbs.dce import prepare

    src = Path(path)
    say = progress or silent
    pkg = check_file(src)
    grids = _grids(pkg, say)
    dossier = prepare(grids, Context(campaign=campaign_of(src), progress=say,
                                     file_name=src.name))
    say("Écriture du dossier de consultation")
    return Dce(write_dossier(dossier, Path(out_dir), _notice_xml))


def _notice_xml(notice: object) -> bytes:
    from .outputs.eforms import contract_notice

    return contract_notice(notice)


@dataclass
class Cloture:
    """What `cloture` wrote: one `io.dce.Written` per file, and the sentences of the lots
    awarded to fewer holders than planned (what the buyer may do)."""

    files: list
    partial: list[str]

    @property
    def summary(self) -> list[str]:
        """One French line per file written, then one per lot short of holders."""
        return [w.line for w in self.files] + self.partial


def cloture(path: str | Path, out_dir: str | Path,
            progress: Progress | None = None) -> Cloture:
    """Write the close-out of the workbook at `path` (a campaign whose `Offres` hold the
    bids, with `SIRET` and `Taille`) into folder `out_dir`: `relance.xlsx` (the unsuccessful
    lots' needs, the awarded lots' numbers reserved; only when a lot is unsuccessful),
    `decp.json` (one DECP v2.0.3 `marche` per awarded lot, CCP R2196-1) and
    `avis-attribution-CODE.xml` (eForms can-social) per dispositif at EU value. Raises
    AllotError (French): IncompleteDossier with one sentence per missing piece (the tender
    file's inputs, `Date de notification`, a holder's SIRET, a bidder's size); nothing is
    written then."""
    from .io.closeout import write_cloture
    from .verbs.closeout import close

    src = Path(path)
    say = progress or silent
    pkg = check_file(src)
    grids = _grids(pkg, say)
    done = close(grids, Context(campaign=campaign_of(src), progress=say, file_name=src.name))
    say("Écriture de la clôture")
    return Cloture(write_cloture(pkg, done, Path(out_dir)), done.partial)
