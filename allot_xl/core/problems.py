"""Problems found in a workbook are values (`Problem`); exceptions only stop a run.

Every problem code is declared once in `CODES` (severity, French template, what to fix);
`Report` refuses a code that is not there, so codes cannot drift between modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERREUR, AVERTISSEMENT, INFO = "Erreur", "Avertissement", "Info"
_SEVERITY_ORDER = {ERREUR: 0, AVERTISSEMENT: 1, INFO: 2}


@dataclass(frozen=True)
class ProblemCode:
    """One registered code: its severity, its French message template (fields in braces)
    and what the buyer does to fix it."""

    code: str
    severity: str
    template: str
    fix: str

    def render(self, **fields: Any) -> str:
        """The template with its fields filled in; KeyError names a missing field."""
        return self.template.format(**fields)


CODES: dict[str, ProblemCode] = {}


def register(code: str, severity: str, template: str, fix: str) -> ProblemCode:
    """Declare a problem code (one line per code). ValueError on a duplicate or a bad
    severity."""
    if code in CODES:
        raise ValueError(f"problem code {code!r} registered twice")
    if severity not in _SEVERITY_ORDER:
        raise ValueError(f"problem code {code!r}: unknown severity {severity!r}")
    CODES[code] = ProblemCode(code, severity, template, fix)
    return CODES[code]


class UnknownProblemCode(ValueError):
    """A module reported a code missing from `CODES` (a programming error, not a data one)."""


def render(code: str, **fields: Any) -> str:
    """The French wording of `code` with its fields filled in (a sentence of a structural
    error list uses the same words as the `Contrôles` line would)."""
    if code not in CODES:
        raise UnknownProblemCode(f"problem code {code!r} is not registered")
    return CODES[code].render(**fields)


E, A, I = ERREUR, AVERTISSEMENT, INFO  # noqa: E741
# --- reading: cells of any sheet
register("nombre-invalide", E, "« {colonne} » illisible : {raison}. Saisissez un nombre dans "
         "la cellule.",
         "Saisissez un nombre dans la cellule (sans unité ni texte).")
register("nombre-negatif", E, "« {colonne} » ne peut pas être négatif : saisissez une valeur ≥ "
         "{minimum}.",
         "Saisissez une valeur positive ou nulle.")
register("nombre-hors-bornes", E, "« {colonne} » vaut {valeur}, hors de la plage plausible "
         "({minimum} à {maximum}) : vérifiez l'unité et les zéros, puis corrigez la cellule.",
         "Corrigez la valeur (unité, zéros en trop, séparateurs).")
register("nombre-ambigu", A, "« {texte} » est lu {lecture} ({raison}) : vérifiez la cellule, ou "
         "écrivez le nombre sans ambiguïté (16 000 ou 5,6).",
         "Écrivez le nombre sans ambiguïté (16 000 ou 5,6) ou saisissez-le comme nombre.")
register("nombre-ambigu-implausible", E, "« {texte} » se lit {lecture} ou {autre} et aucune des "
         "deux valeurs n'est plausible pour « {colonne} » : saisissez le nombre voulu.",
         "Saisissez le nombre voulu.")
register("nombre-non-positif", E, "« {colonne} » doit être strictement positif.",
         "Saisissez une valeur supérieure à zéro.")
register("choix-invalide", E, "« {colonne} » = « {valeur} » n'est pas reconnu (valeurs "
         "possibles : {choix}).", "Choisissez une des valeurs de la liste.")
register("oui-non-invalide", E, "« {colonne} » doit valoir oui ou non.", "Écrivez oui ou non.")
register("places-non-entieres", E, "« {colonne} » doit être un nombre entier{quoi}.",
         "Saisissez un nombre entier.")
register("separateur-de-cle", E, "« {texte} » contient « {separateur} », qui sépare les parties "
         "de la clé des lots (« Clé ») : deux lots pourraient la partager. Renommez la valeur "
         "sans « | » ni « + » entre espaces ni « = ».",
         "Renommez la valeur sans « | », « + » entouré d'espaces ni « = ».")
register("texte-trop-long", E, "« {colonne} » compte {longueur} caractères, au plus {maximum} : "
         "raccourcissez-le.",
         "Raccourcissez le nom.")
register("cellule-fusionnee", I, "Cellule fusionnée {plage} : sa valeur vaut pour cette ligne. "
         "Défusionnez-la et recopiez la valeur sur chaque ligne pour lever toute ambiguïté.",
         "Défusionnez et recopiez la valeur sur chaque ligne pour lever toute ambiguïté.")
register("ligne-total", I, "Ligne de total ignorée (elle n'est pas un besoin).",
         "Rien à faire.")
register("caractere-invisible", I, "{sujet} contient un caractère invisible "
         "({caracteres}){autres} : {effet}. Retapez {quoi} pour l'enlever.",
         "Retapez la cellule pour l'enlever.")
register("en-tete-repete", I, "{lignes} : {quoi} ; les lignes qui suivent sont lues comme les "
         "autres.",
         "Rien à faire.")
register("lignes-masquees", A, "{lignes} {masquees} (filtre ou groupe replié) : {lues} comme les "
         "autres. Affichez-{les} pour vérifier, et supprimez ce qui n'est pas un besoin.",
         "Affichez-les pour les vérifier.")
register("feuille-masquee", A, "La feuille « {feuille} » est masquée : elle est lue quand même. "
         "Affichez-la (clic droit sur un onglet > Afficher) pour vérifier ses valeurs.",
         "Affichez-la pour vérifier ses valeurs.")
register("copie-de-feuille", A, "La feuille « {feuille} » porte le nom d'une copie de « "
         "{originale} » : elle n'est pas lue, seule « {originale} » l'est. Si c'est elle qui "
         "fait foi, renommez-la « {nom} » (et l'autre autrement).",
         "Renommez la feuille à utiliser, ou supprimez la copie.")
register("id-en-date", A, "L'identifiant en {cellule} est une date pour Excel (saisie convertie "
         "automatiquement, par exemple « 1-3 » devenu « 01-mars ») : il est écrit « {texte} », "
         "comme la cellule l'affiche. Pour garder l'identifiant tapé, mettez la colonne au "
         "format Texte et retapez-le.",
         "Saisissez l'identifiant en texte (format Texte ou apostrophe).")
register("hors-tableau", A, "Ligne sous le tableau Excel « {tableau} » : elle n'est pas lue. "
         "Étendez le tableau (poignée en bas à droite) pour l'inclure.",
         "Étendez le tableau pour l'inclure.")
# --- Besoins
register("id-manquant", E, "Identifiant du besoin manquant : donnez-lui un identifiant unique.",
         "Donnez un identifiant unique.")
register("id-double", E, "Identifiant « {id} » déjà utilisé ligne {ligne} : cette ligne est "
         "écartée ; donnez-lui un identifiant unique.",
         "Donnez à la ligne un identifiant unique.")
register("cellule-manquante", E, "« {colonne} » manquant : complétez la cellule (si la cellule "
         "fait partie d'une fusion, défusionnez-la et recopiez la valeur sur chaque ligne).",
         "Complétez la cellule.")
register("dispositif-inconnu", E, "Dispositif « {nom} » absent de la feuille Règles : "
         "corrigez-le ou ajoutez sa règle.",
         "Corrigez le code ou ajoutez sa règle.")
register("zone-inconnue", E, "Zone « {nom} » absente de la feuille Zones : corrigez-la ou "
         "ajoutez la zone.",
         "Corrigez la zone ou ajoutez-la à la feuille Zones.")
for _code, _name in (("domaine-manquant", "Domaine"), ("metier-manquant", "Métier")):
    register(_code, E, f"« {_name} » manquant alors que la maille du dispositif "
             "{dispositif} l'utilise : complétez la cellule.", "Complétez la cellule.")
register("heures-par-place-nulle", E, "« Heures par place » doit être strictement positif{repli}.",
         "Saisissez une durée > 0 ou laissez la cellule vide.")
register("volume-manquant", E, "Ni places ni heures : indiquez le volume du besoin.",
         "Indiquez le volume du besoin.")
register("lot-impose-inconnu", A, "Lot imposé « {lot} » absent de la feuille Lots précédente : "
         "le besoin est alloti normalement.",
         "Corrigez le numéro de lot ou videz la cellule.")
register("lot-impose-autre-dispositif", A, "Le lot imposé « {lot} » n'est pas un lot du "
         "dispositif {dispositif} : le besoin est alloti normalement.",
         "Choisissez un lot du même dispositif.")
# --- Zones
register("zone-manquante", E, "Nom de zone manquant : complétez la cellule ou supprimez la ligne.",
         "Complétez ou supprimez la ligne.")
register("zone-double", E, "Zone « {zone} » déjà définie ligne {ligne} : cette ligne est ignorée.",
         "Gardez une seule ligne par zone.")
register("zone-incomplete", E, "« {colonne} » manquant pour la zone « {zone} » : complétez-le "
         "(la zone est ignorée).",
         "Complétez la cellule.")
register("voisine-inconnue", A, "La zone voisine « {voisine} » de « {zone} » n'est pas dans la "
         "feuille Zones : elle est ignorée.{conseil}",
         "Corrigez le nom ou ajoutez la zone.")
register("pole-illisible", A, "« Pôle » de la zone « {zone} » doit valoir oui ou non : la zone "
         "n'est pas traitée comme un pôle.",
         "Écrivez oui ou non.")
# --- Règles, Paramètres, Référentiel
register("regle-sans-dispositif", A, "Règle sans code de dispositif : ligne ignorée.",
         "Complétez le code ou supprimez la ligne.")
register("parametre-inconnu", A, "Paramètre « {parametre} » inconnu : il est ignoré.",
         "Corrigez le libellé (voir la feuille modèle) ou supprimez la ligne.")
register("parametre-invalide", E, "« {parametre} » {raison} : {repli}.",
         "Corrigez la valeur.")
register("parametre-suspect", A, "« {parametre} » vaut {valeur} % : est-ce voulu ? Un "
         "pourcentage s'écrit en points (120 pour 120 %, 20 pour 20 %).",
         "Un pourcentage s'écrit en points (120 pour 120 %).")
register("parametres-illisibles", A, "En-têtes « Paramètre » et « Valeur » introuvables : "
         "valeurs par défaut appliquées.",
         "Rétablissez les deux en-têtes.")
register("referentiel-sans-cle", A, "Ligne sans « Code ROME » ni « Métier » : elle est ignorée.",
         "Complétez l'une des deux colonnes ou supprimez la ligne.")
# --- Offres and attribution
register("offre-incomplete", E, "« {colonne} » manquant : complétez l'offre ou supprimez la "
         "ligne.",
         "Complétez l'offre.")
register("note-manquante", E, "Note manquante : chaque offre doit avoir une note.",
         "Donnez une note à chaque offre.")
register("offre-en-double", E, "« {candidat} » a déjà une offre sur le lot « {lot} » (ligne "
         "{ligne}) : supprimez l'une des deux lignes ; seule la première est retenue.",
         "Gardez une seule offre par candidat et par lot.")
register("lot-inconnu", E, "Le lot « {lot} » n'existe pas dans la feuille Lots : corrigez le N° "
         "lot ou régénérez les lots.",
         "Corrigez le numéro de lot.")
register("candidat-manquant", E, "Offre sans candidat sur le lot « {lot} » : indiquez le "
         "candidat ou supprimez la ligne.",
         "Complétez le nom du candidat.")
register("rang-incoherent", A, "Les rangs du lot « {lot} » ({rangs}) ont un trou ou un doublon : "
         "numérotez-les 1, 2, 3… sans trou ni doublon. En attendant, le lot est classé par Note.",
         "Vérifiez « Rang » ou videz la colonne.")
register("attributaires-insuffisants", A, "Le lot « {lot} » {situation}",
         "Relancez la consultation ou baissez « Attributaires ».")
register("capacite-insuffisante", A, "Les capacités des titulaires du lot « {lot} » ne couvrent "
         "que {couvertes} places sur {places} : {restent} place(s) restent non attribuées. "
         "Relevez « Capacité (places) » dans la feuille {feuille} ou prévoyez plus "
         "d'attributaires (« Attributaires » dans Règles).",
         "Relevez « Capacité (places) ».")
register("titulaires-necessaires", I, "{dispositif} : {lots} lots, {places} places "
         "d'attributaire ({par_lot}) ; avec au plus {lots_max} lots par titulaire (« Lots max "
         "par titulaire »), il faut au moins {n} titulaires distincts.{offres}",
         "Rien à faire : vérifiez que la consultation peut réunir autant d'organismes.")
register("titulaires-insuffisants", A, "{dispositif} : {lots} lots, {places} places "
         "d'attributaire ({par_lot}) ; avec au plus {lots_max} lots par titulaire (« Lots max "
         "par titulaire »), il faut au moins {n} titulaires distincts. {constat}",
         "Réduisez « Attributaires », relevez « Lots max par titulaire » ou faites des lots "
         "moins nombreux.")
register("attribution-partielle", A, "Le lot « {lot} » n'a que {titulaires} titulaire(s) "
         "pour {prevus} prévu(s) ({offres} offre(s) reçue(s)) : vous pouvez notifier "
         "l'accord-cadre au(x) seul(s) titulaire(s) retenu(s), aucun nombre minimal de "
         "titulaires n'étant exigé si les documents de la consultation le permettent, ou "
         "déclarer le lot sans suite et le relancer (relance.xlsx). Le marché sans publicité "
         "de R2122-2 n'est pas ouvert : des offres ont été reçues.",
         "Choisissez l'une des deux suites ; relance.xlsx contient le lot si vous le relancez.")
register("lot-attribue-illisible", E, "« {lot} » n'est pas un numéro de lot (CODE-NN).",
         "Écrivez le numéro tel que la feuille Lots l'a donné (PQ-03) ou videz la ligne.")
register("lot-impose-attribue", A, "Le lot imposé « {lot} » est déjà attribué (feuille "
         "{feuille}) : le besoin est alloti sans lui.", "Videz « Lot imposé » ou choisissez "
         "un lot de la relance.")
register("offres-vides", I, "La feuille Offres ne contient aucune offre : Multi-attribution "
         "montre la structure prévue (À désigner). Saisissez les offres puis relancez.",
         "Saisissez les offres pour attribuer.")
# --- engine
register("tolerance-depassee", A, "{heures} pour {places} places, soit {par_place} h par place : "
         "écart de {ecart} % avec les {prevues} h par place prévues pour ce besoin ({source} ; "
         "tolérance {tolerance} %). Vérifiez le besoin ; il est retenu tel quel.",
         "Vérifiez les volumes ou « Tolérance (%) ».")
register("debouches-nuls", A, "0 débouché alors que la règle plafonne aux débouchés : le besoin "
         "est écarté des lots. Vérifiez les débouchés ou la règle.",
         "Vérifiez « Débouchés ».")
register("places-plafonnees", I, "Places ramenées de {avant} à {apres} (débouchés), heures en "
         "proportion.",
         "Rien à faire.")
register("lot-hors-bornes", A, "Le lot {lot} {borne} : {conseils}.",
         "Ajustez les bornes ou le regroupement.")
register("lots-sous-minimum", A, "Lots sous « Volume min » après regroupement.",
         "Ajustez « Volume min » ou « Regroupement ».")
register("petits-lots-plafond", A, "{dispositif} : les petits lots (maximum sous {seuil}) pèsent "
         "{part} de la valeur totale, au-delà des {plafond} de la dérogation (CCP R2123-1 "
         "2°){au_dela}. Relevez « Volume min » pour en faire moins.",
         "Relevez « Volume min » ou regroupez davantage.")
register("mini-lots-plafond", A, "{dispositif} : les mini-lots (maximum sous {seuil}) pèsent "
         "{part} de la valeur totale, au-delà des {plafond} permis : ils ne peuvent pas tous "
         "être passés sans publicité ni mise en concurrence (CCP R2122-8). Publiez-les avec les "
         "autres lots (procédure adaptée, R2123-1 3°) ou relevez « Volume min » pour en faire "
         "moins.",
         "Publiez-les avec les autres lots ou relevez « Volume min ».")
register("seuil-acheteur", I, "« {parametre} » fixé à {valeur} par l'acheteur, plus strict que "
         "la loi : il s'applique. La valeur légale au {date} est {legal} ({article}, {source}).",
         "Rien à faire si le seuil est voulu.")
register("seuil-plus-souple", E, "« {parametre} » vaut {valeur}, plus souple que la loi. Pour "
         "une consultation lancée le {date}, la valeur légale est {legal} ({article}), {depuis} "
         ": {source}. Un acheteur peut être plus strict que la loi, jamais plus souple : la "
         "valeur légale {legal} est appliquée dans tous les résultats. Saisissez au plus {legal} "
         "ou videz la cellule.",
         "Saisissez une valeur au plus égale à la valeur légale, ou videz la cellule.")
register("duree-accord-cadre", A, "Durée totale de l'accord-cadre : {mois} mois, reconductions "
         "comprises ; elle ne peut dépasser {maximum} mois (CCP L2125-1). Réduisez la durée ou "
         "le nombre de reconductions.",
         "Réduisez la durée ou les reconductions, ou justifiez-les.")
register("besoin-scinde", I, "Besoin de {volume} {unite} au-dessus du maximum ({maximum} "
         "{unite}) : partagé en {parts} parts équilibrées (Besoins divisibles = oui).",
         "Rien à faire.")
register("scenarios-invalide", E, "{raison}",
         "Corrigez la ligne nommée : allot-xl scenarios s'arrêterait sur elle.")
register("referentiel-applique", I, "Durée ou taux repris du Référentiel.",
         "Rien à faire.")
# --- Commandes and their follow-up (issue 25): the sheet of orders, then the alerts of
# `Suivi des commandes`
register("commande-incomplete", E, "« {colonne} » manquant : le bon n'est pas suivi.",
         "Complétez la cellule ou supprimez la ligne.")
register("commande-date-invalide", E, "« {colonne} » : {raison} ; le bon n'est pas suivi.",
         "Saisissez la date du bon (JJ/MM/AAAA).")
register("commande-en-double", E, "Bon « {bon} » déjà saisi ligne {ligne} : cette ligne "
         "n'est pas suivie.", "Donnez à chaque bon un numéro unique.")
register("commande-refus-illisible", A, "« {colonne} » doit valoir oui ou non : lu « non » "
         "(le titulaire précédent n'a pas refusé).", "Écrivez oui ou non.")
register("commande-lot-inconnu", E, "Le bon {bon} désigne le lot « {lot} », absent des lots "
         "générés : il n'est pas suivi.", "Corrigez le N° lot (voir la feuille Lots).")
register("commande-lot-disparu", E, "Le bon {bon} désigne le lot « {lot} », qui n'existe plus "
         "après cette génération (sa clé était « {cle} ») : il n'est pas suivi.",
         "Les lots ont changé depuis l'émission du bon : rattachez-le au lot qui reprend ses "
         "besoins, ou revenez sur le changement de Besoins ou de Règles.")
register("commande-lot-modifie", A, "Le lot {lot} a changé depuis l'émission de {bons} : son "
         "montant maximum passe de {avant} à {apres}.", "Vérifiez que ces bons relèvent "
         "toujours de ce lot ; les lots ne changent pas à cause des commandes.")
register("commande-non-titulaire", E, "Le bon {bon} va à « {titulaire} », qui n'est pas "
         "titulaire du lot {lot} (titulaires : {titulaires}) : il n'est pas suivi.",
         "Corrigez le titulaire, ou saisissez les offres (feuille Offres) et régénérez.")
register("commande-hors-duree", E, "Le bon {bon} du {date} est hors de la durée de "
         "l'accord-cadre (du {debut} au {fin}, reconductions comprises) : il n'est pas suivi.",
         "Corrigez la date, ou « Date de notification », « Durée de l'accord-cadre (mois) » "
         "et « Reconductions » dans Paramètres.")
register("commandes-debut-inconnu", I, "Ni « Date de notification » ni « Date de lancement » "
         "dans Paramètres : la durée de l'accord-cadre court à partir du premier bon "
         "({debut}).", "Saisissez la « Date de notification » de l'accord-cadre.")
register("commandes-seuil-alerte", A, "Lot {lot} : {part} de son montant maximum commandés "
         "({commande} sur {maximum}), au-delà du seuil d'alerte de {seuil} ; le bon {bon} "
         "l'a franchi.", "Anticipez : le maximum atteint, le lot ne peut plus recevoir de bon "
         "(CCP R2162-4) ; préparez le marché suivant.")
register("commandes-maximum-depasse", E, "Lot {lot} : le bon {bon} du {date} porte le cumul "
         "commandé à {cumul}, au-delà du montant maximum {maximum} ({part}). {loi}.",
         "Annulez ou réduisez ce bon et les suivants : au-delà du maximum, il faut un "
         "nouveau marché.")
register("commandes-cascade", A, "Lot {lot} (cascade) : le bon {bon} va au rang {rang} "
         "({titulaire}) alors que le rang {mieux} ({meilleur}) n'avait pas refusé. {loi}.",
         "Sollicitez les titulaires dans l'ordre de la cascade, ou notez « oui » dans "
         "« Refus du titulaire précédent » si le titulaire mieux classé a refusé.")
register("commandes-minimum-hors-rythme", A, "Lot {lot} : au rythme des bons ({commande} en "
         "{part} de la durée), le montant minimum {minimum} ne sera pas atteint (environ "
         "{projection} en fin de durée).", "Commandez davantage sur ce lot : le minimum "
         "engage l'acheteur envers les titulaires.")
register("commandes-lot-sans-bon", I, "Lot {lot} : aucun bon après {part} de la durée de "
         "l'accord-cadre.", "Vérifiez que le besoin existe encore, ou sollicitez ses "
         "titulaires.")
# --- the tender file (Critères, the buyer, places of performance; issue 24)
register("siret-invalide", E, "SIRET « {siret} » invalide : {raison}.",
         "Saisissez les 14 chiffres du SIRET de l'acheteur (annuaire-entreprises.data.gouv.fr).")
register("coordonnee-invalide", E, "« {parametre} » invalide : {raison}.",
         "Corrigez la valeur.")
register("nuts-invalide", E, "Code NUTS « {nuts} » de la zone « {zone} » invalide : un code "
         "NUTS 3 s'écrit FR suivi de trois caractères (FRK21) ; le code déduit du "
         "département est appliqué.", "Corrigez le code ou videz la cellule.")
register("critere-incomplet", E, "« {colonne} » manquant pour « {dispositif} » : la ligne "
         "est ignorée.", "Complétez la cellule.")
register("ponderations-somme", E, "{dispositif} : les pondérations des critères font "
         "{total} %, pas 100 %.", "Corrigez « Pondération (%) » pour que la somme fasse 100.")
register("criteres-absents", I, "Pas de feuille Critères : le dossier de consultation en "
         "aura besoin (critères d'attribution et clauses, {article}, consultations lancées "
         "depuis le {debut}).",
         "Ajoutez la feuille Critères (voir le guide, « Préparer le DCE »).")
register("critere-environnemental-manquant", A, "{dispositif} : aucun critère d'attribution "
         "ne prend en compte les caractéristiques environnementales des offres, exigé pour "
         "une consultation lancée depuis le {debut} ({article}).",
         "Ajoutez dans Critères un critère « Environnemental » = oui pour ce dispositif.")
register("clause-environnementale-manquante", A, "{dispositif} : aucune clause "
         "environnementale d'exécution, exigée pour une consultation lancée depuis le "
         "{debut} ({article}).", "Ajoutez dans Critères une ligne de Type « clause "
         "environnementale » pour ce dispositif.")
register("clause-sociale-manquante", A, "{dispositif} : ni clause sociale d'exécution ni "
         "motif de son absence, exigés pour une consultation lancée depuis le {debut} dont "
         "la valeur atteint le seuil européen de {seuil} ({article}).",
         "Ajoutez dans Critères une ligne de Type « clause sociale » ou « motif sans clause "
         "sociale » pour ce dispositif.")
del E, A, I, _code, _name


@dataclass(frozen=True)
class Problem:
    """One line of `Contrôles`: a stable code, a severity and a French message.

    `row` is the Excel row number (header = its own row), `column` the header as
    written in the sheet."""

    code: str
    severity: str
    sheet: str
    row: int | None
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", ligne {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{self.severity} ({where}) : {self.message}"


@dataclass
class Report:
    """Every problem of one run, in the order found. An unregistered code raises
    UnknownProblemCode."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, sheet: str, row: int | None, column: str, value: Any, *,
            suite: str = "", **fields: Any) -> None:
        """Add a problem. Its severity and wording are the ones `CODES` declares for `code`,
        the template rendered with `fields` (`report.add("zone-inconnue", "Besoins", 4,
        "Zone", z, nom=z)`); `suite` is a sentence the call site adds after it (what it
        did about the problem). A call site never states a severity nor writes a message.
        UnknownProblemCode for a code that is not registered; KeyError for a template field
        the call site did not give."""
        message = render(code, **fields)
        if suite:
            message += " " + suite
        self.problems.append(Problem(code, CODES[code].severity, sheet, row, column, value,
                                     message))

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(ERREUR) > 0

    def sorted(self) -> list[Problem]:
        """Errors first, then warnings, then infos; within each, the order found."""
        return sorted(self.problems, key=lambda p: _SEVERITY_ORDER.get(p.severity, 3))


# --------------------------------------------------------------------------- exceptions


class AllotError(Exception):
    """A run cannot go on; the message is one French sentence for the buyer."""


class StructuralError(AllotError):
    """The workbook lacks a required sheet, column or readable rule."""


class UnreadableFile(AllotError):
    """The file is not an Excel workbook allot_xl can read (format, encryption, damage)."""


class WriteError(AllotError):
    """The output could not be written (disk full, permission, file open elsewhere)."""


class StaleOutputs(AllotError):
    """The output sheets no longer match the input sheets."""


# what the system said, in French (the system's own words are in English on most servers)
_SYSTEM = {
    "ENOSPC": "disque plein", "EDQUOT": "quota de disque atteint",
    "EFBIG": "fichier trop gros pour la destination", "EACCES": "accès refusé",
    "EPERM": "opération non permise", "EROFS": "support en lecture seule",
    "ENOENT": "fichier ou dossier introuvable", "ENAMETOOLONG": "nom de fichier trop long",
    "EISDIR": "c'est un dossier", "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "EEXIST": "le fichier existe déjà", "EBUSY": "fichier occupé par un autre programme",
    "ETXTBSY": "fichier occupé par un autre programme", "EIO": "erreur d'entrée-sortie du disque",
    "ENODEV": "périphérique absent", "ENXIO": "périphérique absent",
    "ELOOP": "trop de liens symboliques", "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts", "EXDEV": "déplacement entre deux disques impossible",
    "ESTALE": "partage réseau perdu", "ETIMEDOUT": "délai dépassé (réseau)",
    "EHOSTDOWN": "serveur injoignable", "ENETDOWN": "réseau indisponible",
    "ENOLCK": "verrou de fichier indisponible", "EINVAL": "nom ou opération invalide",
}


def system_reason(e: OSError) -> str:
    """The reason of a system error in French (`disque plein`), never the system's English
    words; `erreur système N` for an unlisted one."""
    import errno as _errno

    name = _errno.errorcode.get(e.errno or 0, "")
    if name in _SYSTEM:
        return _SYSTEM[name]
    if getattr(e, "winerror", None) in (32, 33):  # Windows: sharing or lock violation
        return "fichier ouvert dans un autre programme"
    return f"erreur système {e.errno}" if e.errno else "erreur système"


def system_message(e: OSError, name: str = "") -> str:
    """One French sentence for a system error met on file `name`."""
    import os

    name = name or (Path(os.fsdecode(e.filename)).name if isinstance(e.filename, str | bytes)
                    and e.filename else "")
    where = f" sur « {name} »" if name else ""
    return f"Opération impossible{where} : {system_reason(e)}. Rien n'a été modifié."
