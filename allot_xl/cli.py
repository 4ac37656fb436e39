"""The `allot-xl` command: each command reads its arguments, makes one library call, reports."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__, api
from .excel.cli import _args_addin, _args_export, _args_serve, cmd_addin, cmd_export, cmd_serve
from .problems import ERREUR, AllotError, Report

EXIT_OK, EXIT_ERRORS, EXIT_STOPPED = 0, 1, 2


class FrenchFormatter(argparse.RawDescriptionHelpFormatter):
    """Help laid out as written, with a French usage line."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix or "Utilisation : ")


class FrenchParser(argparse.ArgumentParser):
    """argparse with its own messages in French and exit code 2 on bad arguments."""

    def error(self, message: str) -> None:  # type: ignore[override]
        message = (message.replace("the following arguments are required", "arguments requis")
                   .replace("unrecognized arguments", "arguments inconnus")
                   .replace("invalid choice", "choix invalide")
                   .replace("expected one argument", "une valeur est attendue"))
        self.print_usage(sys.stderr)
        self.exit(EXIT_STOPPED, f"Erreur : {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = FrenchParser(
        prog="allot-xl",
        description="Allotissement des achats de formation : lit les feuilles Besoins, Zones, "
                    "Règles (et Paramètres, Offres) d'un classeur Excel et écrit les lots.",
        epilog="Exemple : allot-xl regenerate besoins.xlsx",
        formatter_class=FrenchFormatter, add_help=False)
    p.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    p.add_argument("--version", action="version", version=f"allot-xl {__version__}",
                   help="afficher la version et quitter")
    p._positionals.title = "commandes"
    p._optionals.title = "options"
    sub = p.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchParser)
    for name, fn in COMMANDS.items():
        doc = (fn.__doc__ or "").strip()
        summary, _, rest = doc.partition("\n")
        sp = sub.add_parser(name, prog=f"allot-xl {name}", help=summary, description=doc,
                            add_help=False,
                            formatter_class=FrenchFormatter)
        sp.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        sp._positionals.title = "arguments"
        sp._optionals.title = "options"
        ARGUMENTS[name](sp)
        sp.set_defaults(func=fn)
    return p


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    """Steps shown on stderr while a long run goes on (only on a terminal)."""
    if quiet or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("Démarrage…") as status:
        yield lambda msg: status.update(f"{msg}…")


def _print_report(report: Report, limit: int = 50) -> None:
    problems = report.sorted()
    for p in problems[:limit]:
        print(str(p))
    if len(problems) > limit:
        print(f"… et {len(problems) - limit} autre(s) : voir la feuille Contrôles.")


# --------------------------------------------------------------------------- commands


def cmd_regenerate(a: argparse.Namespace) -> int:
    """Régénère les lots : écrit Lots, Affectation, Multi-attribution, Synthèse, Contrôles, Journal.

Les feuilles d'entrée ne sont jamais modifiées. Sans -o, le résultat va dans IN.lots.xlsx à
côté du classeur ; avec --in-place, le classeur est réécrit après copie en IN.bak.xlsx.
Codes de sortie : 0 fait ; 1 fait mais Contrôles contient une Erreur et --strict est donné ;
2 rien n'est écrit (problème de structure, message sur la sortie d'erreur).

Exemple : allot-xl regenerate besoins.xlsx -o besoins_lots.xlsx"""
    with _progress(a.quiet) as say:
        run = api.regenerate(a.classeur, a.output, in_place=a.in_place, progress=say)
    print(run.outputs.summary_line)
    print(f"Classeur écrit : {run.output_path}")
    return EXIT_ERRORS if a.strict and run.report.has_errors else EXIT_OK


def cmd_check(a: argparse.Namespace) -> int:
    """Contrôle le classeur sans rien écrire et affiche les problèmes trouvés.

Codes de sortie : 0 aucune erreur ; 1 des erreurs à corriger ; 2 classeur illisible.

Exemple : allot-xl check besoins.xlsx"""
    with _progress(a.quiet) as say:
        report = api.check(a.classeur, progress=say)
    if not report.problems:
        print("Aucun problème détecté.")
    else:
        _print_report(report)
        print(f"{report.count(ERREUR)} erreur(s), {report.count('Avertissement')} "
              f"avertissement(s), {report.count('Info')} information(s).")
    return EXIT_ERRORS if report.has_errors else EXIT_OK


def cmd_template(a: argparse.Namespace) -> int:
    """Crée un classeur d'entrée vierge (listes déroulantes comprises) ou l'exemple fourni.

Le modèle vierge contient les feuilles Besoins, Zones, Règles (pré-remplie avec AOF, PSP,
CREA, PQ), Paramètres et Offres. Avec --exemple : la campagne Rhône-Alpes d'exemple.

Exemple : allot-xl template mon_classeur.xlsx --exemple"""
    from .adapters.xlsx_write import atomic_write
    from .template import build_template

    out = Path(a.sortie)
    if out.suffix.lower() != ".xlsx":
        raise AllotError(f"Le modèle « {out.name} » doit finir par .xlsx.")
    if out.exists() and not a.force:
        raise AllotError(f"« {out} » existe déjà : choisissez un autre nom ou ajoutez --force.")
    wb = build_template(example=a.exemple)
    atomic_write(out, wb.save)
    print(f"Classeur {'d’exemple' if a.exemple else 'modèle'} écrit : {out}")
    return EXIT_OK


def _args_regenerate(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("classeur", help="classeur d'entrée (.xlsx ou .xlsm)")
    sp.add_argument("-o", "--output", metavar="SORTIE",
                    help="classeur à écrire (défaut : IN.lots.xlsx à côté de l'entrée)")
    sp.add_argument("--in-place", action="store_true",
                    help="réécrire le classeur lui-même (copie de sécurité IN.bak.xlsx)")
    sp.add_argument("--strict", action="store_true",
                    help="code de sortie 1 si Contrôles contient une Erreur")
    sp.add_argument("-q", "--quiet", action="store_true", help="ne pas afficher la progression")


def _args_check(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("classeur", help="classeur à contrôler (.xlsx ou .xlsm)")
    sp.add_argument("-q", "--quiet", action="store_true", help="ne pas afficher la progression")


def _args_template(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("sortie", help="classeur à créer (.xlsx)")
    sp.add_argument("--exemple", action="store_true",
                    help="écrire la campagne d'exemple Rhône-Alpes au lieu du modèle vierge")
    sp.add_argument("--force", action="store_true", help="remplacer le fichier s'il existe")


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "regenerate": cmd_regenerate, "check": cmd_check, "template": cmd_template,
    "export": cmd_export, "serve": cmd_serve, "addin": cmd_addin,
}
ARGUMENTS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "regenerate": _args_regenerate, "check": _args_check, "template": _args_template,
    "export": _args_export, "serve": _args_serve, "addin": _args_addin,
}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    a = parser.parse_args(argv)
    if not getattr(a, "func", None):
        parser.print_help()
        return EXIT_STOPPED
    try:
        return a.func(a)
    except AllotError as e:
        print(f"Erreur : {e}", file=sys.stderr)
        return EXIT_STOPPED
    except KeyboardInterrupt:
        print("Interrompu : aucun fichier n'a été modifié.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
