"""Build the VBA ribbon add-in `allot_xl.xlam` from xlwings' ribbon add-in template."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..core.problems import AllotError
from ..io.xlsx.write import atomic_write

ADDIN_NAME = "allot_xl.xlam"  # its button runs `import allot_xl; allot_xl.main()`
TEMPLATE = "quickstart_addin_ribbon.xlam"
CUSTOM_UI = "customUI/customUI.xml"
TAB, GROUP = "Allotissement", "Lots de l'appel d'offres"
# (id, label, VBA callback, Office icon, tooltip); the template's VBA only has RunMain:
# the other callbacks are added once in the VBA editor (docs/deploiement.md)
BUTTONS = [
    ("allotRegenerer", "Générer les lots", "RibbonMyAddin.RunMain", "TableInsert",
     "Réécrit les feuilles Lots, Affectation, Multi-attribution, Synthèse, Contrôles et "
     "Journal à partir des feuilles d'entrée."),
    ("allotControler", "Contrôler les besoins", "RibbonMyAddin.RunCheck", "ReviewAcceptChange",
     "Vérifie les feuilles d'entrée sans rien écrire et affiche les erreurs à corriger."),
    ("allotEnvoyer", "Préparer l'envoi", "RibbonMyAddin.RunPrepare", "FileSendAsAttachment",
     "Vérifie que les résultats sont à jour et enregistre le classeur ouvert sur Synthèse."),
    ("allotComparer", "Comparer les scénarios", "RibbonMyAddin.RunCompare",
     "ChartTypeAllInsertDialog",
     "Écrit la feuille Comparaison des scénarios : Actuel, la feuille Scénarios et Proposé."),
    ("allotAppliquer", "Appliquer le scénario proposé", "RibbonMyAddin.RunApply",
     "TableInsert", "Génère les lots avec les règles du scénario Proposé (Règles inchangée)."),
    ("allotSuivre", "Suivre les commandes", "RibbonMyAddin.RunTrack", "ChartTypeBarInsertGallery",
     "Écrit la feuille Suivi des commandes : les bons de la feuille Commandes contre les "
     "maxima des lots, les parts des titulaires et les alertes."),
    ("allotDce", "Préparer le DCE", "RibbonMyAddin.RunDce", "FileSaveAs",
     "Écrit les feuilles RC lots et DQE : tableau des lots du règlement de consultation et "
     "quantités de chaque lot."),
]


def template_path() -> Path:
    """xlwings' ribbon add-in template, in the installed xlwings package."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or spec.origin is None:
        raise AllotError("Le paquet xlwings n'est pas installé : pip install xlwings.")
    path = Path(spec.origin).parent / TEMPLATE
    if not path.exists():
        raise AllotError(f"Modèle de complément xlwings introuvable ({path}) : réinstallez "
                         f"xlwings (pip install --force-reinstall xlwings).")
    return path


def custom_ui(all_buttons: bool = False) -> str:
    """The ribbon XML: the tab, and one button (all seven with `all_buttons`, whose callbacks
    other than RunMain IT pastes once: docs/deploiement.md § 2)."""
    buttons = BUTTONS if all_buttons else BUTTONS[:1]
    items = "\n".join(
        f'        <button id="{bid}" label={quoteattr(label)} size="large" '
        f'onAction="{action}" imageMso="{icon}" screentip={quoteattr(label)} '
        f'supertip={quoteattr(tip)} />'
        for bid, label, action, icon, tip in buttons)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">\n'
        '  <ribbon>\n    <tabs>\n'
        f'      <tab id="allotTab" label={quoteattr(TAB)}>\n'
        f'      <group id="allotGroup" label={quoteattr(GROUP)}>\n{items}\n'
        '      </group>\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n')


def build_addin(dst: Path, *, all_buttons: bool = False, force: bool = False) -> Path:
    """Write the add-in to `dst` (named allot_xl.xlam), atomically."""
    if dst.is_dir():
        dst = dst / ADDIN_NAME
    if dst.name != ADDIN_NAME:
        raise AllotError(f"Le complément doit s'appeler {ADDIN_NAME} (et non « {dst.name} ») : "
                         f"son bouton exécute « import allot_xl; allot_xl.main() », d'après le "
                         f"nom du fichier.")
    if dst.exists() and not force:
        raise AllotError(f"« {dst} » existe déjà : ajoutez --force pour le remplacer.")
    src = template_path()
    ui = custom_ui(all_buttons).encode("utf-8")

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = ui if item.filename == CUSTOM_UI else zin.read(item.filename)
                zout.writestr(item, data)

    atomic_write(dst, write)
    return dst
