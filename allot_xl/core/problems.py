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


E, A, I = ERREUR, AVERTISSEMENT, INFO  # noqa: E741
# --- reading: cells of any sheet
register("nombre-invalide", E, "« {colonne} » doit être un nombre : {raison}.",
         "Saisissez un nombre dans la cellule (sans unité ni texte).")
register("nombre-negatif", E, "« {colonne} » ne peut pas être négatif.",
         "Saisissez une valeur positive ou nulle.")
register("nombre-hors-bornes", E, "« {colonne} » vaut {valeur}, hors de la plage plausible "
         "{minimum} à {maximum}.", "Corrigez la valeur (unité, zéros en trop, séparateurs).")
register("nombre-ambigu", A, "« {texte} » est lu {lecture} (convention française) ; il "
         "pourrait valoir {autre}.", "Écrivez le nombre sans ambiguïté (16 000 ou 5,6) ou "
         "saisissez-le comme nombre.")
register("nombre-ambigu-implausible", E, "« {texte} » se lit {lecture} ou {autre}, aucune "
         "des deux n'est plausible pour « {colonne} ».", "Saisissez le nombre voulu.")
register("places-non-entieres", E, "« {colonne} » doit être un nombre entier.",
         "Saisissez un nombre entier.")
register("separateur-de-cle", E, "« {texte} » contient « {separateur} », qui sépare les "
         "parties de la clé des lots.", "Renommez la valeur sans « | », « + » entouré "
         "d'espaces ni « = ».")
register("texte-trop-long", E, "« {colonne} » compte {longueur} caractères (au plus "
         "{maximum}).", "Raccourcissez le nom.")
register("cellule-fusionnee", I, "Cellule fusionnée {plage} : sa valeur vaut pour chaque "
         "ligne de la fusion.", "Défusionnez et recopiez la valeur sur chaque ligne pour "
         "lever toute ambiguïté.")
register("ligne-total", I, "Ligne de total ignorée.", "Rien à faire.")
register("caractere-invisible", I, "Caractère invisible dans « {texte} » : ignoré pour "
         "comparer les noms.", "Retapez la cellule pour l'enlever.")
register("en-tete-repete", I, "Ligne d'en-tête répétée ignorée.", "Rien à faire.")
register("lignes-masquees", A, "Lignes masquées lues et alloties.",
         "Affichez-les pour les vérifier.")
register("feuille-masquee", A, "Feuille d'entrée masquée, lue quand même.",
         "Affichez-la pour vérifier ses valeurs.")
register("copie-de-feuille", A, "Copie d'une feuille d'entrée : non lue.",
         "Renommez la feuille à utiliser, ou supprimez la copie.")
register("id-en-date", A, "Identifiant converti en date par Excel.",
         "Saisissez l'identifiant en texte (format Texte ou apostrophe).")
register("hors-tableau", A, "Ligne sous le tableau Excel « {tableau} » : non lue.",
         "Étendez le tableau pour l'inclure.")
# --- Besoins
register("id-manquant", E, "Identifiant du besoin manquant.", "Donnez un identifiant unique.")
register("id-double", E, "Identifiant « {id} » déjà utilisé ligne {ligne}.",
         "Donnez à la ligne un identifiant unique.")
register("dispositif-inconnu", E, "Dispositif « {dispositif} » absent de la feuille Règles.",
         "Corrigez le code ou ajoutez sa règle.")
register("zone-inconnue", E, "Zone « {zone} » absente de la feuille Zones.",
         "Corrigez la zone ou ajoutez-la à la feuille Zones.")
register("domaine-manquant", E, "« Domaine » manquant alors que la maille l'utilise.",
         "Complétez la cellule.")
register("metier-manquant", E, "« Métier » manquant alors que la maille l'utilise.",
         "Complétez la cellule.")
register("heures-par-place-nulle", E, "« Heures par place » doit être strictement positif.",
         "Saisissez une durée > 0 ou laissez la cellule vide.")
register("volume-manquant", E, "Ni places ni heures.", "Indiquez le volume du besoin.")
register("lot-impose-inconnu", A, "Lot imposé « {lot} » absent de la feuille Lots "
         "précédente.", "Corrigez le numéro de lot ou videz la cellule.")
register("lot-impose-autre-dispositif", A, "Le lot imposé « {lot} » n'est pas du "
         "dispositif {dispositif}.", "Choisissez un lot du même dispositif.")
# --- Zones
register("zone-manquante", E, "Nom de zone manquant.", "Complétez ou supprimez la ligne.")
register("zone-double", E, "Zone « {zone} » déjà définie ligne {ligne}.",
         "Gardez une seule ligne par zone.")
register("zone-incomplete", E, "« {colonne} » manquant pour la zone « {zone} ».",
         "Complétez la cellule.")
register("voisine-inconnue", A, "Zone voisine « {voisine} » absente de la feuille Zones.",
         "Corrigez le nom ou ajoutez la zone.")
register("pole-illisible", A, "« Pôle » doit valoir oui ou non.", "Écrivez oui ou non.")
# --- Règles, Paramètres, Référentiel
register("regle-sans-dispositif", A, "Règle sans code de dispositif.",
         "Complétez le code ou supprimez la ligne.")
register("parametre-inconnu", A, "Paramètre « {parametre} » inconnu.",
         "Corrigez le libellé (voir la feuille modèle) ou supprimez la ligne.")
register("parametre-invalide", E, "« {parametre} » illisible ou hors bornes : la valeur par "
         "défaut est appliquée.", "Corrigez la valeur.")
register("parametre-suspect", A, "« {parametre} » vaut {valeur} % : est-ce voulu ?",
         "Un pourcentage s'écrit en points (120 pour 120 %).")
register("parametres-illisibles", A, "En-têtes « Paramètre » et « Valeur » introuvables.",
         "Rétablissez les deux en-têtes.")
register("referentiel-sans-cle", A, "Ligne sans « Code ROME » ni « Métier ».",
         "Complétez l'une des deux colonnes ou supprimez la ligne.")
# --- Offres and attribution
register("offre-incomplete", E, "« {colonne} » manquant.", "Complétez l'offre.")
register("note-manquante", E, "Note manquante.", "Donnez une note à chaque offre.")
register("offre-en-double", E, "Offre du candidat « {candidat} » en double sur le lot.",
         "Gardez une seule offre par candidat et par lot.")
register("lot-inconnu", E, "Lot « {lot} » absent de la feuille Lots.",
         "Corrigez le numéro de lot.")
register("candidat-manquant", E, "Candidat manquant.", "Complétez le nom du candidat.")
register("rang-incoherent", A, "Les rangs ne suivent pas les notes.",
         "Vérifiez « Rang » ou videz la colonne.")
register("attributaires-insuffisants", A, "Moins d'offres que d'attributaires prévus.",
         "Relancez la consultation ou baissez « Attributaires ».")
register("capacite-insuffisante", A, "Les capacités des titulaires ne couvrent pas le lot.",
         "Relevez « Capacité (places) ».")
register("titulaires-necessaires", I, "{dispositif} : au moins {n} titulaires distincts "
         "pour {places} places d'attributaire, {lots_max} lots au plus par titulaire.",
         "Rien à faire : vérifiez que la consultation peut réunir autant d'organismes.")
register("titulaires-insuffisants", A, "{dispositif} : au moins {n} titulaires distincts, "
         "plus que la consultation ne peut en réunir ; des lots auraient moins d'attributaires "
         "que prévu.", "Réduisez « Attributaires », relevez « Lots max par titulaire » ou "
         "faites des lots moins nombreux.")
register("offres-vides", I, "Feuille Offres vide.", "Saisissez les offres pour attribuer.")
# --- engine
register("tolerance-depassee", A, "Écart entre heures et places au-delà de la tolérance.",
         "Vérifiez les volumes ou « Tolérance (%) ».")
register("debouches-nuls", A, "Débouchés nuls : places plafonnées à zéro.",
         "Vérifiez « Débouchés ».")
register("places-plafonnees", I, "Places plafonnées aux débouchés.", "Rien à faire.")
register("lot-hors-bornes", A, "Lot hors de « Volume min » / « Volume max ».",
         "Ajustez les bornes ou le regroupement.")
register("lots-sous-minimum", A, "Lots sous « Volume min » après regroupement.",
         "Ajustez « Volume min » ou « Regroupement ».")
register("petits-lots-plafond", A, "Les petits lots dépassent la part permise.",
         "Relevez « Volume min » ou regroupez davantage.")
register("mini-lots-plafond", A, "Les mini-lots dépassent 20 % de la valeur totale : ils ne "
         "peuvent pas tous être passés sans publicité (CCP R2122-8).",
         "Publiez-les avec les autres lots ou relevez « Volume min ».")
register("seuil-acheteur", I, "Seuil plus strict que la loi fixé par l'acheteur ; valeur "
         "légale : {legal}.", "Rien à faire si le seuil est voulu.")
register("seuil-plus-souple", E, "« {parametre} » plus souple que la loi : la valeur légale "
         "{legal} ({article}, en vigueur au {date}) est appliquée.",
         "Saisissez une valeur au plus égale à la valeur légale, ou videz la cellule.")
register("duree-accord-cadre", A, "Durée de l'accord-cadre au-delà de la durée légale.",
         "Réduisez la durée ou les reconductions, ou justifiez-les.")
register("besoin-scinde", I, "Besoin réparti entre plusieurs lots.", "Rien à faire.")
register("scenarios-invalide", E, "La feuille Scénarios ne peut pas être lue.",
         "Corrigez la ligne nommée : allot-xl scenarios s'arrêterait sur elle.")
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
register("referentiel-applique", I, "Durée ou taux repris du Référentiel.", "Rien à faire.")
del E, A, I


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

    def add(self, code: str, sheet: str, row: int | None, column: str, value: Any,
            message: str | None = None, **fields: Any) -> None:
        """Add a problem; its severity is the one `CODES` declares for `code` (a call site
        never states it). Without `message`, the wording is the code's template rendered
        with `fields` (`report.add("zone-inconnue", "Besoins", 4, "Zone", z, zone=z)`).
        UnknownProblemCode for a code that is not registered; KeyError for a template field
        the call site did not give."""
        if code not in CODES:
            raise UnknownProblemCode(f"problem code {code!r} is not registered in "
                                     f"allot_xl.core.problems.CODES")
        if message is None:
            message = CODES[code].render(**fields)
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
