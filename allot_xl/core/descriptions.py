"""The French help of every declared input column and `Paramètres` row, and the number
format of its cells: stated here once, attached to the declarations by `contract`
(`Column.help`, `Column.number_format`, `Param.help`), read by the template. Keyed by the
sheets' names as written (`contract` imports this module, not the other way round; a test
holds every key to a declared column and every declared input column to a help text)."""

from __future__ import annotations

EURO = '#,##0.00 "€"'

HELP: dict[str, dict[str, str]] = {
    "Besoins": {
        "ID besoin": "Identifiant unique du besoin (texte ou nombre).",
        "Dispositif": "Code du dispositif, choisi parmi ceux de la feuille Règles.",
        "Zone": "Zone de réalisation, choisie parmi celles de la feuille Zones.",
        "Domaine": "Famille de métiers. Obligatoire si la maille du dispositif "
                   "contient « Domaine ».",
        "Métier": "Intitulé du métier. Obligatoire si la maille du dispositif "
                  "contient « Métier ».",
        "Code ROME": "Code ROME du métier (une lettre et 4 chiffres, ex. H2903). Facultatif.",
        "Places": "Nombre de places (entier). Renseignez les places, les heures ou les deux.",
        "Heures": "Volume en heures stagiaires. Renseignez les places, les heures ou les deux.",
        "Heures par place": "Durée propre à ce besoin (ex. 70 pour un CACES). Vide : la durée "
                            "du Référentiel ou de la règle.",
        "Débouchés": "Offres d'emploi attendues. Plafonne les places si la règle le prévoit.",
        "Source": "Origine du besoin : local, sectoriel…",
        "Lot imposé": "N° d'un lot de la feuille Lots pour forcer l'affectation. "
                      "Laissez vide en général.",
        "Commentaire": "Observations libres.",
    },
    "Zones": {
        "Zone": "Nom unique de la zone (ex. Belley, Plaine de l'Ain).",
        "Territoire": "Regroupement de zones (bassin d'emploi, CTEF…).",
        "Département": "Code ou nom du département (ex. 01 ou Ain).",
        "Région": "Région. Vide : la région de la campagne (feuille Paramètres).",
        "Voisines": "Zones voisines séparées par « ; ». Sert aux regroupements de petits lots.",
        "Pôle": "oui pour une ville pôle qui a des sites de formation : avec le regroupement "
                "« pôle », les petites zones la rejoignent.",
        "NUTS": "Code NUTS 3 du lieu d'exécution (ex. FRK21 pour l'Ain). Vide : déduit du "
                "département.",
    },
    "Règles": {
        "Dispositif": "Code unique du dispositif (AOF, PSP, CREA, PQ…).",
        "Libellé": "Intitulé complet du dispositif.",
        "Maille": "Clé des lots : composants joints par « + » parmi Zone, Territoire, "
                  "Département, Région, Domaine, Métier (ex. Territoire + Domaine).",
        "Unité": "Unité des volumes min et max : heures ou places.",
        "Heures par place": "Durée d'un parcours : convertit les places en heures et "
                            "inversement (> 0).",
        "Tolérance (%)": "Écart admis entre heures et places × heures par place avant "
                         "avertissement (défaut 25).",
        "Taux horaire (€)": "Coût estimé d'une heure stagiaire, en € HT.",
        "Volume min": "En dessous, le lot est regroupé (voir Regroupement) ou signalé.",
        "Volume max": "Au-dessus, le lot est scindé en lots équilibrés.",
        "Regroupement": "Fusion des petits lots : voisines, territoire, pôle ou aucun.",
        "Plafonner aux débouchés": "oui : les places d'un besoin sont limitées à ses débouchés.",
        "Attributaires": "Nombre de titulaires par lot (multi-attribution si > 1).",
        "Répartition": "Partage des bons de commande : cascade, prorata, parts égales, rotation.",
        "Lots max par titulaire": "Nombre maximum de lots de ce dispositif pour un même "
                                  "candidat. Vide : sans limite.",
        "Lots max par candidat": "Nombre maximum de lots de ce dispositif pour lesquels un "
                                 "même candidat peut présenter une offre (CCP R2113-1). "
                                 "Vide : sans limite.",
        "Régime": "SSS (services sociaux et spécifiques, R2123-1 3°, par défaut) ou services.",
        "Code CPV": "Code CPV du dispositif (défaut 80530000, formation professionnelle).",
        "Besoins divisibles": "oui : un besoin au-dessus du volume max est partagé entre "
                              "plusieurs lots.",
    },
    "Critères": {
        "Dispositif": "Code du dispositif, choisi parmi ceux de la feuille Règles.",
        "Critère": "Intitulé du critère d'attribution, ou texte de la clause (selon le Type).",
        "Type": "qualité, prix ou coût (critère d'attribution) ; clause environnementale, "
                "clause sociale ou motif sans clause sociale (texte dans « Critère »).",
        "Pondération (%)": "Poids du critère ; les critères d'un dispositif font 100 %. "
                           "Vide pour une clause.",
        "Environnemental": "oui : le critère porte sur les caractéristiques "
                           "environnementales de l'offre (exigé depuis le 21 août 2026, "
                           "L2152-7).",
    },
    "Paramètres": {
        "Paramètre": "Nom du paramètre (ne pas modifier).",
        "Valeur": "Valeur du paramètre. Vide : valeur par défaut.",
    },
    "Offres": {
        "N° lot": "Numéro du lot (feuille Lots), ex. PQ-03.",
        "Candidat": "Nom du candidat (organisme de formation).",
        "Note": "Note finale de l'offre ; la plus haute est la meilleure.",
        "Rang": "Classement imposé (1 = meilleur). Vide : classement par note.",
        "Prix horaire (€)": "Prix de l'heure stagiaire proposé, en € HT. Départage les ex aequo.",
        "Capacité (places)": "Nombre maximum de places que le candidat peut prendre sur ce lot.",
    },
    "Commandes": {
        "N° bon": "Numéro du bon de commande, unique.",
        "Date": "Date d'émission du bon (JJ/MM/AAAA), dans la durée de l'accord-cadre.",
        "N° lot": "Numéro du lot commandé (feuille Lots), ex. AOF-03.",
        "Titulaire": "Titulaire du lot qui reçoit le bon (feuille Multi-attribution).",
        "Places": "Places commandées.",
        "Heures": "Heures stagiaires commandées.",
        "Montant (€ HT)": "Montant du bon, en € HT : il s'impute sur le maximum du lot.",
        "Refus du titulaire précédent": "Cascade : oui si le titulaire mieux classé a refusé "
                                        "ce bon.",
    },
}

PARAM_HELP: dict[str, str] = {
    "Campagne": "Nom de la campagne. Vide : le nom du fichier.",
    "Région": "Région par défaut des zones.",
    "Maximum bons de commande (%)": "Maximum de l'accord-cadre, en % du montant estimé.",
    "Minimum bons de commande (%)": "Minimum de l'accord-cadre, en % du montant estimé. "
                                    "Vide : sans minimum.",
    "Seuil petits lots (€ HT)": "Lots sous ce montant : procédure adaptée possible "
                                "(CCP R2123-1 2°). Vide : valeur légale.",
    "Part max petits lots (%)": "Part maximale des petits lots (ou mini-lots) dans le montant "
                                "total : 20 % au plus (la loi) ; plus bas est permis.",
    "Seuil mini-lots (€ HT)": "Seuil des mini-lots (CCP R2122-8). Vide : valeur légale à la "
                              "date de lancement. Plus bas : permis ; plus haut : refusé.",
    "Seuil de publicité européenne (€ HT)": "Au-delà : publication au JOUE "
                                            "(services sociaux et spécifiques). Vide : valeur "
                                            "légale.",
    "Attribution": "Règle d'attribution des lots : importance décroissante ou optimale.",
    "Objectif": "Ce que la conception « Proposé » recherche d'abord, parmi celles qui "
                "respectent les bornes et les plafonds : « moins de contrats » (défaut) ou "
                "« petites structures » (le plus de lots accessibles à une petite structure).",
    "Seuil de procédure formalisée (€ HT)": "Seuil européen des marchés de services des "
                                            "collectivités. Vide : valeur légale.",
    "Date de lancement": "Date d'envoi de l'avis : les seuils en vigueur ce jour-là "
                         "s'appliquent. Vide : la date du jour.",
    "Durée de l'accord-cadre (mois)": "Durée d'une période de l'accord-cadre (défaut 12).",
    "Reconductions": "Nombre de reconductions de cette durée (défaut 0) ; durée totale "
                     "au plus 48 mois (L2125-1).",
    "Date de notification": "Date de notification des accords-cadres : début de leur durée "
                            "pour le suivi des commandes. Vide : la date de lancement.",
    "Seuil d'alerte des commandes (%)": "Part du montant maximum d'un lot commandée à "
                                        "partir de laquelle le suivi avertit (défaut 80).",
    "Acheteur": "Nom de l'acheteur (dossier de consultation et avis).",
    "SIRET de l'acheteur": "14 chiffres, contrôlés (clé de Luhn).",
    "Adresse de l'acheteur": "Numéro et voie.",
    "Code postal de l'acheteur": "5 chiffres.",
    "Ville de l'acheteur": "Commune de l'adresse.",
    "Courriel de contact": "Adresse de contact de l'avis.",
    "Téléphone de contact": "Téléphone de contact (facultatif).",
    "Profil d'acheteur (URL)": "Adresse https:// du profil d'acheteur où le DCE est publié.",
    "Date limite de remise des offres": "Date limite de réception des offres (à midi), "
                                        "pour l'avis européen (JJ/MM/AAAA).",
    "Sauts max": "Portée d'un regroupement, en sauts de zones voisines (défaut 2) : un lot ne "
                 "réunit que des zones d'un même territoire ou à au plus ce nombre de sauts "
                 "les unes des autres (les stagiaires se déplacent).",
}

NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "Besoins": {"Places": "#,##0", "Heures": "#,##0.0", "Débouchés": "#,##0"},
    "Zones": {"Département": "@"},
    "Règles": {"Heures par place": "#,##0.0", "Tolérance (%)": "0", "Taux horaire (€)": EURO,
             "Volume min": "#,##0", "Volume max": "#,##0", "Attributaires": "0",
             "Lots max par titulaire": "0", "Lots max par candidat": "0"},
    "Paramètres": {},
    "Offres": {"Note": "0.0", "Rang": "0", "Prix horaire (€)": EURO,
               "Capacité (places)": "#,##0"},
    "Commandes": {"Date": "dd/mm/yyyy", "Places": "#,##0", "Heures": "#,##0",
                  "Montant (€ HT)": EURO},
    "Critères": {"Pondération (%)": "0"},
}
