"""The `allot-xl` command: each command reads its arguments, makes one library call, reports.

Built on click, with French help and French usage errors (exit code 2). Heavy modules
(pandas, openpyxl, xlwings) are imported inside the commands, so `--help` starts at once."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ._version import __version__
from .core.french import compte
from .core.problems import AllotError, system_message

EXIT_OK, EXIT_ERRORS, EXIT_STOPPED, EXIT_INTERRUPTED = 0, 1, 2, 130
HELP = "afficher cette aide et quitter"
QUIET = "ne pas afficher la progression"
HEADINGS = {"Options": "Options", "Commands": "Commandes",
            "Positional arguments": "Arguments"}


class FrenchHelpFormatter(click.HelpFormatter):
    """click's help layout with a French usage line and French headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)} :\n")


class FrenchContext(click.Context):
    formatter_class = FrenchHelpFormatter


class Command(click.Command):
    """A command whose surplus arguments are refused in French."""

    context_class = FrenchContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.allow_extra_args = True  # leftovers come back to us, refused below
        rest = super().parse_args(ctx, args)
        if rest:
            extra = "argument en trop" if len(rest) < 2 else "arguments en trop"
            raise click.UsageError(f"{extra} : {' '.join(rest)}", ctx)
        return rest


class Group(click.Group):
    """The `allot-xl` group: French usage, French refusal of an unknown command."""

    context_class = FrenchContext
    command_class = Command

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(f"commande inconnue : « {name} » (commandes : "
                                   f"{', '.join(self.list_commands(ctx))}).", ctx)
        return super().resolve_command(ctx, args)


class Integer(click.ParamType):
    """A whole number at least `minimum`, refused in French."""

    name = "entier"

    def __init__(self, minimum: int = 1) -> None:
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"« {value} » n'est pas un nombre entier.", param, ctx)
        if number < self.minimum:
            self.fail(f"{number} est inférieur au minimum {self.minimum}.", param, ctx)
        return number


class Choice(click.Choice):
    """click.Choice refused in French."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"« {value} » n'est pas l'un de : {', '.join(map(str, self.choices))}.",
                  param, ctx)


@click.group(cls=Group, add_help_option=False, subcommand_metavar="COMMANDE [ARGUMENTS]...",
             epilog="Exemple : allot-xl regenerate besoins.xlsx")
@click.help_option("-h", "--help", help=HELP)
@click.version_option(__version__, "--version", prog_name="allot-xl",
                      message="%(prog)s %(version)s", help="afficher la version et quitter")
def cli() -> None:
    """Allotissement des achats de formation : lit les feuilles Besoins, Zones, Règles (et
    Paramètres, Offres) d'un classeur Excel et écrit les lots."""


def command(fn: Callable[..., int]) -> click.Command:
    """Register `fn` as a command named after it (`cmd_export` → `export`): its docstring
    is the help, its first paragraph the summary of `allot-xl --help`."""
    name = fn.__name__.removeprefix("cmd_").replace("_", "-")
    summary = " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split())
    decorated = click.help_option("-h", "--help", help=HELP)(fn)
    return cli.command(name, add_help_option=False, short_help=summary)(decorated)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None]]:
    """Steps shown on stderr while a long run goes on (only on a terminal)."""
    if quiet or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console

    with Console(stderr=True).status("Démarrage…") as status:
        yield lambda msg: status.update(f"{msg}…")


# --------------------------------------------------------------------------- commands
# Each docstring is the command's --help (\b keeps the next paragraph as written).


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-o", "--output", metavar="SORTIE",
              help="classeur à écrire (défaut : IN.lots.xlsx à côté de l'entrée)")
@click.option("--in-place", is_flag=True,
              help="réécrire le classeur lui-même (copie de sécurité IN.bak.xlsx)")
@click.option("--strict", is_flag=True, help="code de sortie 1 si Contrôles contient une Erreur")
@click.option("--scenario", metavar="NOM",
              help="appliquer un scénario : « Proposé » ou un nom de la feuille Scénarios "
                   "(Règles n'est pas modifiée ; le Journal le note)")
@click.option("-q", "--quiet", is_flag=True, help=QUIET)
def cmd_regenerate(classeur: str, output: str | None, in_place: bool, strict: bool,
                   scenario: str | None, quiet: bool) -> int:
    """Régénère les lots : écrit Lots, Affectation, Multi-attribution, Synthèse, Contrôles,
    Journal.

    Les feuilles d'entrée ne sont jamais modifiées. Sans -o, le résultat va dans
    IN.lots.xlsx à côté du classeur ; avec --in-place, le classeur est réécrit après copie en
    IN.bak.xlsx. Codes de sortie : 0 fait ; 1 fait mais Contrôles contient une Erreur et
    --strict est donné ; 2 rien n'est écrit (problème de structure, message sur la sortie
    d'erreur).

    \b
    Exemple : allot-xl regenerate besoins.xlsx -o besoins_lots.xlsx"""
    from .api import regenerate, shortened

    with _progress(quiet) as say:
        run = regenerate(classeur, output, in_place=in_place, progress=say, scenario=scenario)
    click.echo(run.outputs.summary_line)
    if output is None and not in_place and shortened(Path(classeur), run.output_path):
        click.echo("Nom de sortie raccourci : le nom habituel (NOM.lots.xlsx) serait trop "
                   "long pour le disque.")
    click.echo(f"Classeur écrit : {run.output_path}")
    return EXIT_ERRORS if strict and run.report.has_errors else EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-q", "--quiet", is_flag=True, help=QUIET)
def cmd_check(classeur: str, quiet: bool) -> int:
    """Contrôle le classeur sans rien écrire et affiche les problèmes trouvés.

    Fait les mêmes contrôles que regenerate (lecture, validation, allotissement) et affiche
    à l'écran ce que regenerate écrirait dans la feuille Contrôles ; aucune feuille n'est
    écrite. Codes de sortie : 0 aucune erreur ; 1 des erreurs à corriger ; 2 classeur
    illisible.

    \b
    Exemple : allot-xl check besoins.xlsx"""
    from .api import check

    with _progress(quiet) as say:
        report = check(classeur, progress=say)
    click.echo(report_text(report))
    return EXIT_ERRORS if report.has_errors else EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-o", "--output", metavar="SORTIE",
              help="classeur à écrire (défaut : IN.scenarios.xlsx à côté de l'entrée)")
@click.option("-q", "--quiet", is_flag=True, help=QUIET)
def cmd_scenarios(classeur: str, output: str | None, quiet: bool) -> int:
    """Compare les scénarios : Actuel (Règles), ceux de la feuille Scénarios, et Proposé.

    Écrit la seule feuille « Comparaison des scénarios » (une ligne par dispositif et
    scénario, le scénario recommandé marqué, un graphique) ; les autres feuilles ne
    changent pas. Proposé est la meilleure conception trouvée par l'outil. Pour appliquer
    un scénario : allot-xl regenerate CLASSEUR --scenario NOM. Codes de sortie : 0 fait ;
    2 rien n'est écrit.

    \b
    Exemple : allot-xl scenarios besoins.xlsx"""
    from .api import scenarios

    with _progress(quiet) as say:
        out = scenarios(classeur, output, progress=say)
    click.echo(f"Comparaison des scénarios écrite : {out}")
    return EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-o", "--output", metavar="SORTIE",
              help="classeur à écrire (défaut : IN.suivi.xlsx à côté de l'entrée)")
@click.option("-q", "--quiet", is_flag=True, help=QUIET)
def cmd_suivi(classeur: str, output: str | None, quiet: bool) -> int:
    """Suit les bons de commande de la feuille Commandes contre les lots générés.

    Écrit la seule feuille « Suivi des commandes » : par lot, le commandé contre le montant
    maximum (€, %, places, heures), le reste et le rythme face au minimum ; par titulaire,
    le commandé contre la part prévue par la répartition ; les totaux par dispositif et par
    titulaire ; un graphique ; les alertes (seuil d'alerte de Paramètres, bon qui dépasse
    le maximum, CCP R2162-4, bon hors de l'ordre de la cascade). Les lots sont ceux de la
    dernière génération (allot-xl regenerate). Codes de sortie : 0 fait ; 2 rien n'est
    écrit.

    \b
    Exemple : allot-xl suivi besoins.lots.xlsx -o suivi.xlsx"""
    from .api import suivi

    with _progress(quiet) as say:
        out = suivi(classeur, output, progress=say)
    click.echo(f"Suivi des commandes écrit : {out}")
    return EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-o", "--output", "dossier", metavar="DOSSIER", required=True,
              help="dossier où écrire les pièces (créé s'il n'existe pas)")
@click.option("-q", "--quiet", is_flag=True, help=QUIET)
def cmd_dce(classeur: str, dossier: str, quiet: bool) -> int:
    """Prépare le dossier de consultation (DCE) : tableau des lots, DQE, avis de marché.

    Pour chaque dispositif : le tableau des lots du règlement de consultation (classeur
    rc-CODE.xlsx et annexe Word rc-CODE.docx), le détail quantitatif estimatif
    (dqe-CODE.xlsx, une feuille protégée par lot, prix unitaires à compléter) et l'avis :
    avis européen eForms avis-CODE.xml quand la valeur du dispositif atteint le seuil
    européen, sinon la section « Lots » de l'avis national (avis-CODE.txt). Les montants
    sont ceux de la feuille Lots. Exige l'identité de l'acheteur (Paramètres) et la feuille
    Critères ; depuis le 21 août 2026, un critère environnemental (L2152-7), une clause
    environnementale (L2112-2) et, au-delà du seuil européen, une clause sociale ou son
    motif (L2112-2-1). Codes de sortie : 0 dossier écrit ; 2 rien n'est écrit (une phrase
    par pièce manquante).

    \b
    Exemple : allot-xl dce besoins.xlsx -o dce_2027"""
    from .api import dce

    with _progress(quiet) as say:
        done = dce(classeur, dossier, progress=say)
    for line in done.summary:
        click.echo(line)
    click.echo(f"Dossier de consultation écrit : {dossier}")
    return EXIT_OK


@command
@click.argument("sortie", metavar="SORTIE")
@click.option("--exemple", is_flag=True,
              help="écrire la campagne d'exemple Rhône-Alpes au lieu du modèle vierge")
@click.option("--force", is_flag=True, help="remplacer le fichier s'il existe")
def cmd_template(sortie: str, exemple: bool, force: bool) -> int:
    """Crée un classeur d'entrée vierge (listes déroulantes comprises) ou l'exemple fourni.

    Le modèle vierge contient les feuilles Besoins, Zones, Règles (pré-remplie avec AOF,
    PSP, CREA, PQ), Paramètres et Offres. Avec --exemple : la campagne Rhône-Alpes
    d'exemple.

    \b
    Exemple : allot-xl template mon_classeur.xlsx --exemple"""
    from .template import write_template

    out = write_template(Path(sortie), example=exemple, force=force)
    click.echo(f"Classeur {'d’exemple' if exemple else 'modèle'} écrit : {out}")
    return EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("-o", "--output", metavar="SORTIE",
              help="copie à écrire (défaut : IN.envoi.xlsx à côté du classeur)")
def cmd_export(classeur: str, output: str | None) -> int:
    """Crée la copie à envoyer par courriel : valeurs seules, sans macros ni liaisons externes.

    Les feuilles de résultats viennent en tête et le classeur s'ouvre sur Synthèse ; titre,
    sujet et auteur du document sont renseignés. Refuse un classeur dont les résultats ne
    correspondent plus aux feuilles d'entrée (relancez d'abord allot-xl regenerate) ou ont
    été générés avec un scénario ; avertit quand Contrôles contient des erreurs (Synthèse
    les compte en tête). Codes de sortie : 0 copie écrite ; 2 rien n'est écrit (message sur
    la sortie d'erreur).

    \b
    Exemple : allot-xl export besoins.lots.xlsx -o besoins_envoi.xlsx"""
    from .api import export_copy

    done = export_copy(classeur, output)
    click.echo(f"Copie pour envoi écrite : {done.path}")
    if done.removed:
        click.echo("Retiré de la copie : " + " ; ".join(done.removed) + ".")
    if done.warning:
        click.echo(done.warning, err=True)
    return EXIT_OK


@command
@click.option("--auth", type=Choice(["entraid", "jeton"]), metavar="entraid|jeton",
              help="authentification : entraid (comptes Microsoft 365) ou jeton (secret "
                   "partagé lu dans ALLOT_XL_TOKEN)")
@click.option("--sans-auth", is_flag=True,
              help="aucune authentification (sur 127.0.0.1 seulement, développement)")
@click.option("--host", default="127.0.0.1", metavar="ADRESSE",
              help="adresse d'écoute (défaut : 127.0.0.1)")
@click.option("--port", type=Integer(1), default=8000, metavar="PORT",
              help="port d'écoute (défaut : 8000)")
@click.option("--workers", type=Integer(1), default=1, metavar="N",
              help="nombre de processus (défaut : 1)")
@click.option("--certfile", metavar="CERT", help="certificat TLS (PEM) pour le HTTPS")
@click.option("--keyfile", metavar="CLE", help="clé privée du certificat (PEM)")
@click.option("--proxy", is_flag=True, help="HTTP derrière un proxy inverse qui assure le HTTPS")
def cmd_serve(auth: str | None, sans_auth: bool, host: str, port: int, workers: int,
              certfile: str | None, keyfile: str | None, proxy: bool) -> int:
    """Lance le serveur du complément Excel (onglet « Allotissement » du ruban).

    Sert le manifeste du complément (/manifest) et les scripts de ses boutons (« Générer
    les lots », « Contrôler les besoins », « Préparer l'envoi », « Comparer les
    scénarios », « Appliquer le scénario proposé », « Suivre les commandes », « Préparer le
    DCE ») pour Excel Windows, Mac et Excel sur le web. Chaque appel est authentifié :
    --auth entraid (production) ou --auth jeton (secret partagé, variable ALLOT_XL_TOKEN) ;
    --sans-auth n'est admis que sur 127.0.0.1. HTTPS avec --certfile et --keyfile, ou derrière un
    proxy inverse qui assure le HTTPS (--proxy). La clé de licence xlwings est lue dans
    XLWINGS_LICENSE_KEY (voir docs/deploiement.md). Le serveur ne garde aucun état :
    --workers lance plusieurs processus. Code de sortie 2 : démarrage refusé, rien n'écoute.

    \b
    Exemple : allot-xl serve --auth entraid --host 0.0.0.0 --certfile cert.pem --keyfile cle.pem"""
    from .excel.server import serve

    serve(host, port, auth=auth, no_auth=sans_auth, workers=workers, certfile=certfile,
          keyfile=keyfile, proxy=proxy)
    return EXIT_OK


@command
@click.option("-o", "--output", metavar="SORTIE", default="allot_xl.xlam",
              help="fichier ou dossier de sortie (défaut : allot_xl.xlam)")
@click.option("--complet", is_flag=True,
              help="les sept boutons du ruban ; les macros des six autres se collent une "
                   "fois dans l'éditeur VBA (docs/deploiement.md § 2)")
@click.option("--force", is_flag=True, help="remplacer le fichier s'il existe")
def cmd_addin(output: str, complet: bool, force: bool) -> int:
    """Crée le complément VBA allot_xl.xlam (onglet « Allotissement ») pour Excel de bureau.

    Construit à partir du modèle de complément à ruban d'xlwings : son bouton « Générer les
    lots » exécute allot_xl.main() sur le classeur actif. Chaque poste a besoin de Python,
    d'allot_xl et d'xlwings. Avec --complet, le ruban a aussi les boutons « Contrôler les
    besoins », « Préparer l'envoi », « Comparer les scénarios », « Appliquer le scénario
    proposé », « Suivre les commandes » et « Préparer le DCE », dont les macros se collent
    une fois dans l'éditeur VBA (docs/deploiement.md § 2) : jusque-là, ces boutons
    répondent « macro introuvable ».

    \b
    Exemple : allot-xl addin -o allot_xl.xlam"""
    from .excel.addin import build_addin

    path = build_addin(Path(output), all_buttons=complet, force=force)
    click.echo(f"Complément écrit : {path}")
    click.echo(f"Installation sur un poste : xlwings addin install --file \"{path}\"")
    return EXIT_OK


@command
@click.argument("classeur", metavar="CLASSEUR")
@click.option("--paquet", metavar="PAQUET", default="allot_xl",
              help="ligne d'allot_xl dans requirements.txt : nom PyPI (défaut : allot_xl) ou "
                   "adresse https de la roue .whl hébergée par la Région")
@click.option("--force", is_flag=True, help="remplacer main.py et requirements.txt s'ils existent")
def cmd_lite(classeur: str, paquet: str, force: bool) -> int:
    """Écrit main.py et requirements.txt pour xlwings Lite, à côté du classeur.

    Collez-les dans l'éditeur d'xlwings Lite (complément gratuit de l'Office Store) : le
    volet affiche les boutons d'allot_xl (liste dans docs/guide-acheteur.md § 8 bis), et
    les fonctions SEUIL_LEGAL, MAXIMUM_LOT et LOTS_SELON_BORNES s'utilisent dans les
    cellules. Ni serveur ni Python sur le poste (docs/deploiement.md). Code de sortie 2 :
    rien n'est écrit.

    \b
    Exemple : allot-xl lite besoins.xlsx --paquet https://intranet.region.fr/allot_xl-0.1.0-py3-none-any.whl"""
    from .lite import write_project

    for path in write_project(Path(classeur), paquet, force=force):
        click.echo(f"Écrit : {path}")
    click.echo("Dans xlwings Lite : collez main.py puis requirements.txt, et redémarrez.")
    return EXIT_OK


# --------------------------------------------------------------------------- running

COMMANDS: dict[str, click.Command] = cli.commands


def report_text(report: Any, limit: int = 50) -> str:
    """The problems of `report` (the first `limit`) and their count, one per line."""
    problems = report.sorted()
    if not problems:
        return "Aucun problème détecté."
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        rest = compte(len(problems) - limit, "autre")
        lines.append(f"… et {rest} (la feuille Contrôles de allot-xl regenerate les liste "
                     f"toutes).")
    lines.append(f"{compte(report.count('Erreur'), 'erreur')}, "
                 f"{compte(report.count('Avertissement'), 'avertissement')}, "
                 f"{compte(report.count('Info'), 'information')}.")
    return "\n".join(lines)


def usage_message(e: click.UsageError) -> str:
    """click's usage error as one French sentence."""
    ctx = e.ctx
    if isinstance(e, click.NoSuchOption):
        hint = f" (vouliez-vous dire {' ou '.join(sorted(e.possibilities))} ?)" \
            if e.possibilities else ""
        return f"option inconnue : {e.option_name}{hint}"
    if isinstance(e, click.BadOptionUsage):
        option = next((p for p in (ctx.command.params if ctx else [])
                       if e.option_name in getattr(p, "opts", ())), None)
        if getattr(option, "is_flag", False):
            return f"l'option {e.option_name} ne prend pas de valeur"
        return f"l'option {e.option_name} attend une valeur"
    if isinstance(e, click.MissingParameter) and e.param is not None:
        return f"arguments requis : {e.param.human_readable_name}"
    if isinstance(e, click.BadParameter) and e.param is not None:
        name = " / ".join(getattr(e.param, "opts", ())) or e.param.human_readable_name
        return f"valeur invalide pour {name} : {e.message}"
    return e.message


def main(argv: list[str] | None = None) -> int:
    """Run `allot-xl` on `argv` and return its exit code. `--help`, `--version` and usage
    errors (exit code 2, French message on stderr) end in SystemExit."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:  # the help, and the exit code of a refused run
        click.echo(cli.context_class(cli, info_name="allot-xl").get_help())
        return EXIT_STOPPED
    try:
        with cli.make_context("allot-xl", args) as ctx:
            return cli.invoke(ctx)
    except click.exceptions.Exit as e:  # --help, --version
        raise SystemExit(e.exit_code) from None
    except click.UsageError as e:
        if e.ctx is not None:
            click.echo(e.ctx.get_usage(), err=True)
            click.echo(f"Essayez « {e.ctx.command_path} --help » pour l'aide.", err=True)
        click.echo(f"Erreur : {usage_message(e)}", err=True)
        raise SystemExit(EXIT_STOPPED) from None
    except AllotError as e:
        click.echo(f"Erreur : {e}", err=True)
        return EXIT_STOPPED
    except OSError as e:  # a system error the verbs did not word: French all the same
        click.echo(f"Erreur : {system_message(e)}", err=True)
        return EXIT_STOPPED
    except (KeyboardInterrupt, click.Abort):
        click.echo("Interrompu : aucun fichier n'a été modifié.", err=True)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
