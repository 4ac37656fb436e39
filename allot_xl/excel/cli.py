"""The Excel commands of `allot-xl` (serve, addin, export), registered by allot_xl.cli."""

from __future__ import annotations

import argparse
from pathlib import Path

EXIT_OK = 0


def cmd_serve(a: argparse.Namespace) -> int:
    """Lance le serveur du complément Excel (onglet « Allotissement » du ruban).

Sert le manifeste du complément (/manifest) et les scripts de ses boutons (Générer les lots,
Contrôler les besoins, Préparer l'envoi) pour Excel Windows, Mac et Excel sur le web. HTTPS
avec --certfile et --keyfile ; sans certificat, HTTP simple sur 127.0.0.1 (développement)
ou derrière un proxy inverse qui assure le HTTPS (--proxy). La clé de licence xlwings est
lue dans XLWINGS_LICENSE_KEY (voir docs/deploiement.md). Le serveur ne garde aucun état :
--workers lance plusieurs processus.

Exemple : allot-xl serve --host 0.0.0.0 --port 8443 --certfile cert.pem --keyfile cle.pem"""
    from .server import serve

    serve(a.host, a.port, workers=a.workers, certfile=a.certfile, keyfile=a.keyfile,
          proxy=a.proxy)
    return EXIT_OK


def cmd_addin(a: argparse.Namespace) -> int:
    """Crée le complément VBA allot_xl.xlam (onglet « Allotissement ») pour Excel de bureau.

Construit à partir du modèle de complément à ruban d'xlwings : son bouton « Générer les lots »
exécute allot_xl.main() sur le classeur actif. Chaque poste a besoin de Python, d'allot_xl et
d'xlwings. Avec --complet, le ruban a aussi les boutons « Contrôler les besoins » et
« Préparer l'envoi », qui demandent une étape VBA unique (docs/deploiement.md).

Exemple : allot-xl addin -o allot_xl.xlam"""
    from .addin import build_addin

    path = build_addin(Path(a.output), all_buttons=a.complet, force=a.force)
    print(f"Complément écrit : {path}")
    print(f"Installation sur un poste : xlwings addin install --file \"{path}\"")
    return EXIT_OK


def cmd_export(a: argparse.Namespace) -> int:
    """Crée la copie à envoyer par courriel : valeurs seules, sans macros ni liaisons externes.

Les feuilles de résultats viennent en tête et le classeur s'ouvre sur Synthèse ; titre, sujet
et auteur du document sont renseignés. Refuse un classeur dont les résultats ne
correspondent plus aux feuilles d'entrée (relancez d'abord allot-xl regenerate).
Codes de sortie : 0 copie écrite ; 2 rien n'est écrit (message sur la sortie d'erreur).

Exemple : allot-xl export besoins.lots.xlsx -o besoins_envoi.xlsx"""
    from .export import export

    out = export(a.classeur, a.output)
    print(f"Copie pour envoi écrite : {out}")
    return EXIT_OK


def _args_serve(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--host", default="127.0.0.1",
                    help="adresse d'écoute (défaut : 127.0.0.1)")
    sp.add_argument("--port", type=int, default=8000, help="port d'écoute (défaut : 8000)")
    sp.add_argument("--workers", type=int, default=1, metavar="N",
                    help="nombre de processus (défaut : 1)")
    sp.add_argument("--certfile", metavar="CERT", help="certificat TLS (PEM) pour le HTTPS")
    sp.add_argument("--keyfile", metavar="CLE", help="clé privée du certificat (PEM)")
    sp.add_argument("--proxy", action="store_true",
                    help="HTTP derrière un proxy inverse qui assure le HTTPS")


def _args_addin(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("-o", "--output", metavar="SORTIE", default="allot_xl.xlam",
                    help="fichier ou dossier de sortie (défaut : allot_xl.xlam)")
    sp.add_argument("--complet", action="store_true",
                    help="les trois boutons (après l'étape VBA unique de docs/deploiement.md)")
    sp.add_argument("--force", action="store_true", help="remplacer le fichier s'il existe")


def _args_export(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("classeur", help="classeur dont les résultats sont à jour (.xlsx ou .xlsm)")
    sp.add_argument("-o", "--output", metavar="SORTIE",
                    help="copie à écrire (défaut : IN.envoi.xlsx à côté du classeur)")
