"""# Allotissement (allot_xl)

Les boutons travaillent sur ce classeur : ils lisent les feuilles **Besoins**, **Zones**,
**Règles** (et **Paramètres**, **Offres**, **Scénarios**, **Commandes** si elles existent)
et réécrivent les feuilles de résultats. Les feuilles d'entrée ne sont jamais modifiées.

Fonctions utilisables dans les cellules : `SEUIL_LEGAL`, `MAXIMUM_LOT`, `LOTS_SELON_BORNES`.
"""

import xlwings as xw
from xlwings import arg, func, script

from allot_xl import lite


@script(name="Générer les lots")
def generer_les_lots(book: xw.Book):
    """Réécrit Lots, Affectation, Multi-attribution, Synthèse, Contrôles et Journal."""
    lite.regenerate_lots(book)


@script(name="Vérifier les besoins")
def verifier_les_besoins(book: xw.Book):
    """Liste les problèmes des feuilles d'entrée, sans rien écrire."""
    lite.check_needs(book)


@script(name="Préparer l'envoi")
def preparer_l_envoi(book: xw.Book):
    """Vérifie que les résultats sont à jour et ouvre le classeur sur Synthèse."""
    lite.prepare_for_email(book)


@script(name="Comparer les scénarios")
def comparer_les_scenarios(book: xw.Book):
    """Écrit la feuille Comparaison des scénarios : Actuel, la feuille Scénarios, Proposé."""
    lite.compare_scenarios(book)


@script(name="Appliquer le scénario proposé")
def appliquer_le_scenario_propose(book: xw.Book):
    """Génère les lots avec les règles du scénario Proposé, noté dans le Journal ; la
    feuille Règles n'est pas modifiée."""
    lite.apply_proposed(book)


@script(name="Suivre les commandes")
def suivre_les_commandes(book: xw.Book):
    """Écrit la feuille Suivi des commandes : les bons de la feuille Commandes contre les
    maxima des lots de la dernière génération, les parts des titulaires, les alertes."""
    lite.track_orders(book)


@script(name="Préparer le DCE")
def preparer_le_dce(book: xw.Book):
    """Écrit les feuilles RC lots (tableau des lots du règlement de consultation) et DQE
    (quantités de chaque lot, prix unitaires à compléter)."""
    lite.prepare_dce(book)


@func
def seuil_legal(date, seuil="mini-lots"):
    """Seuil légal en vigueur à la date donnée (€ HT) : « mini-lots », « petits lots »,
    « procédure formalisée », « publicité SSS » ou « ratio CA »."""
    return lite.legal_threshold(date, seuil)


@func
def maximum_lot(montant_annuel, maximum_pct=120, duree_mois=12, reconductions=0):
    """Maximum d'un lot sur toute la durée de l'accord-cadre (€ HT), comme la feuille Lots."""
    return lite.lot_maximum(montant_annuel, maximum_pct, duree_mois, reconductions)


@func
@arg("besoins", ndim=2)
@arg("zones", ndim=2)
@arg("regles", ndim=2)
@arg("parametres", ndim=2)
def lots_selon_bornes(dispositif, volume_min, volume_max, besoins, zones, regles,
                      parametres=None):
    """Nombre de lots et part des mini-lots (%) qu'auraient ces bornes pour le dispositif :
    les plages des feuilles Besoins, Zones, Règles (et Paramètres), en-têtes compris."""
    return lite.lots_for_bounds(dispositif, volume_min, volume_max, besoins, zones, regles,
                                parametres)
