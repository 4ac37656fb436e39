"""The tender file's words and sheets: the règlement de consultation's lot table (RC), the
price schedule with estimated quantities (DQE) of each lot, and the national notice's lot
section. Values only, never a formula; every number as the `Lots` sheet shows it."""

from __future__ import annotations

from typing import Any

from ..core.choices import AttributionRule, CritereType, Repartition, Unite
from ..core.french import compte, euros, nombre, pct
from .model import FMT_EUR, FMT_INT, Block, Column, Sheet, Text, hours_format

RC_SHEET, DQE_SHEET = "RC lots", "DQE"  # the sheets the ribbon writes into the workbook
PRICE_HEADER = "Prix unitaire (€ HT)"  # the DQE's one column the tenderer fills

# one sentence per split rule, announced in the framework agreement (CCP R2162-13/14)
REPARTITION_WORDS = {
    Repartition.CASCADE: "Chaque bon de commande est adressé au titulaire classé premier ; "
                         "s'il ne peut l'exécuter, au suivant dans l'ordre du classement "
                         "(cascade).",
    Repartition.PRORATA: "Les bons de commande sont répartis entre les titulaires au prorata "
                         "de la note de leur offre.",
    Repartition.PARTS_EGALES: "Les bons de commande sont répartis à parts égales entre les "
                              "titulaires.",
    Repartition.ROTATION: "Les bons de commande sont adressés à tour de rôle à chaque "
                          "titulaire, dans l'ordre du classement (rotation).",
}
ATTRIBUTION_WORDS = {
    AttributionRule.IMPORTANCE: "les lots lui sont attribués par ordre d'importance "
                                "décroissante (montant maximum), dans la limite du plafond "
                                "(CE, 20 février 2013, Biomnis, n° 363656)",
    AttributionRule.OPTIMALE: "les lots sont attribués selon la combinaison qui respecte le "
                              "plafond et maximise la somme des notes des offres retenues",
}
UNIT_WORDS = {Unite.HEURES: ("heure-stagiaire", "heures-stagiaires"),
              Unite.PLACES: ("place", "places")}


def repartition_words(rule: Any) -> str:
    """How orders are shared among a lot's holders; one holder: all orders go to it."""
    if rule.attributaires <= 1:
        return "Accord-cadre mono-attributaire : tous les bons de commande sont adressés au " \
               "titulaire."
    return REPARTITION_WORDS[Repartition(rule.repartition)]


def caps_words(rule: Any, attribution: str) -> str:
    """The caps of CCP R2113-1 (lots one may bid for, lots one may win) and the rule applied
    when a tenderer would win more; "Sans plafond." when none."""
    parts = []
    if rule.lots_max_candidat:
        bid = compte(rule.lots_max_candidat, "lot")
        parts.append(f"un candidat peut présenter une offre pour {bid} au plus")
    if rule.lots_max:
        parts.append(f"un titulaire peut se voir attribuer {compte(rule.lots_max, 'lot')} au "
                     f"plus ; s'il est classé premier sur davantage, "
                     f"{ATTRIBUTION_WORDS[AttributionRule(attribution)]}")
    if not parts:
        return "Sans plafond : un candidat peut présenter une offre pour tous les lots et les " \
               "remporter tous."
    return ("Plafonds (CCP R2113-1) : " + " ; ".join(parts) + ".")


def term_words(p: Any) -> str:
    """The term and renewals: `12 mois, reconductible 3 fois (48 mois au plus)`."""
    months = nombre(p.duree_mois)
    if not p.reconductions:
        return f"{months} mois, non reconductible."
    total = nombre(p.duree_mois * (1 + p.reconductions))
    return (f"{months} mois, reconductible {compte(p.reconductions, 'fois', 'fois')} "
            f"tacitement pour la même durée ({total} mois au plus).")


def criteria_words(terms: Any) -> str:
    """The award criteria and their weights: `Valeur technique (qualité) 60 % ; Prix 40 %`,
    the environmental ones marked."""
    out = []
    for c in terms.criteria:
        env = ", environnemental" if c.environmental else ""
        out.append(f"{c.name} ({CritereType(c.kind).value}{env}) : {pct(c.weight)}")
    return " ; ".join(out)


def quantity(lot: Any) -> float:
    """The DQE quantity of a lot: its hours or places, as the rule's unit prices them."""
    return lot.places if lot.unit == Unite.PLACES else lot.hours


def lot_description(lot: Any, rule: Any) -> str:
    """One sentence describing a lot (the notice's BT-24)."""
    unit = "places" if lot.unit == Unite.PLACES else "heures-stagiaires"
    return (f"{rule.libelle} : {lot.title}. Lieu d'exécution : {', '.join(lot.zones)}. "
            f"Volume annuel estimé : {nombre(quantity(lot))} {unit} "
            f"({compte(lot.places, 'place')}, {nombre(lot.hours)} heures).")


def rule_description(rule: Any) -> str:
    """One sentence describing a dispositif's consultation (the notice's BT-24)."""
    return (f"Accord-cadre à bons de commande de formation professionnelle « {rule.libelle} » "
            f"({rule.code}), alloti par {' + '.join(rule.maille).lower()}.")


RC_COLUMNS = [
    Column("N° lot"), Column("Intitulé", wrap=True), Column("Zone(s)", wrap=True),
    Column("Lieu d'exécution (NUTS)"), Column("Code CPV"), Column("Places", FMT_INT),
    Column("Heures", FMT_INT), Column("Montant estimé annuel (€ HT)", FMT_EUR),
    Column("Montant estimé sur la durée (€ HT)", FMT_EUR),
    Column("Montant maximum (€ HT)", FMT_EUR), Column("Durée et reconductions", wrap=True),
    Column("Attributaires", FMT_INT), Column("Répartition des bons de commande", wrap=True),
    Column("Plafonds et règle d'attribution", wrap=True),
    Column("CA exigible max (€ HT)", FMT_EUR), Column("Critères et pondérations", wrap=True),
]


def rc_rows(file: Any, p: Any) -> list[list[Any]]:
    """The RC lot table's rows of one dispositif (`RC_COLUMNS`), one per lot of `Lots`."""
    rule, years = file.rule, p.term_years
    term, split = term_words(p), repartition_words(rule)
    caps, crit = caps_words(rule, p.attribution), criteria_words(file.terms)
    return [[lot.number, lot.title, ", ".join(lot.zones), ", ".join(lot.nuts), lot.cpv,
             lot.places, lot.hours, lot.estimate, round(lot.estimate * years, 2), lot.maximum,
             term, lot.holders, split, caps, lot.ca_max, crit] for lot in file.lots]


def rc_block(rows: list[list[Any]], name: str = "T_RC", *, row: int = 1) -> Block:
    """The RC table as a block (hours without decimals when whole)."""
    cols = list(RC_COLUMNS)
    cols[6] = Column("Heures", hours_format([r[6] for r in rows]))
    return Block(name, cols, rows, row=row, top=True)


def rc_sheet(dossier: Any, name: str = RC_SHEET) -> Sheet:
    """The RC lot table of every dispositif on one sheet (the workbook route), a title line
    above the table."""
    rows = [r for f in dossier.files for r in rc_rows(f, dossier.params)]
    title = Text(1, 1, f"Règlement de consultation — tableau des lots — {dossier.campaign}",
                 bold=True, size=12)
    return Sheet(name, [rc_block(rows, row=3)], [title], freeze=(4, 2))


def rc_file_sheet(file: Any, dossier: Any) -> Sheet:
    """The RC lot table of one dispositif (its own workbook and Word annex)."""
    title = Text(1, 1, f"{file.rule.libelle} ({file.rule.code}) — tableau des lots du "
                       f"règlement de consultation — {dossier.campaign}", bold=True, size=12)
    return Sheet("Lots", [rc_block(rc_rows(file, dossier.params), row=3)], [title],
                 freeze=(4, 2))


DQE_COLUMNS = ["N° lot", "Désignation", "Unité", "Quantité annuelle estimée", PRICE_HEADER]


def dqe_row(lot: Any) -> list[Any]:
    """One DQE line: the lot, its unit and quantity; the unit price left empty."""
    one, _ = UNIT_WORDS[Unite(lot.unit)]
    return [lot.number, lot.title, one, quantity(lot), None]  # the title names the dispositif


def dqe_block(rows: list[list[Any]], name: str, row: int) -> Block:
    fmt = hours_format([r[3] for r in rows])
    cols = [Column("N° lot"), Column("Désignation", wrap=True), Column("Unité"),
            Column("Quantité annuelle estimée", fmt), Column(PRICE_HEADER, FMT_EUR, width=18)]
    return Block(name, cols, rows, row=row, top=True)


def dqe_lot_sheet(lot: Any, file: Any, dossier: Any) -> Sheet:
    """The DQE of one lot: its quantity (hours or places, the rule's price unit) and an
    empty unit price, the only cell the tenderer fills."""
    texts = [Text(1, 1, f"Détail quantitatif estimatif — lot {lot.number} — {lot.title}",
                  bold=True, size=12),
             Text(2, 1, f"{dossier.buyer.name} — {dossier.campaign}. Quantité annuelle "
                        f"estimée, sans engagement ; seule la colonne « {PRICE_HEADER} » est "
                        f"à compléter par le candidat.")]
    return Sheet(lot.number[:31], [dqe_block([dqe_row(lot)], "T_DQE", 4)], texts,
                 freeze=None)


def dqe_sheet(dossier: Any, name: str = DQE_SHEET) -> Sheet:
    """Every lot's DQE line on one sheet (the workbook route)."""
    rows = [dqe_row(lot) for f in dossier.files for lot in f.lots]
    title = Text(1, 1, f"Détail quantitatif estimatif — {dossier.campaign}", bold=True,
                 size=12)
    return Sheet(name, [dqe_block(rows, "T_DQE", 3)], [title], freeze=(4, 2))


def national_notice(file: Any, dossier: Any) -> str:
    """The lot section of the national notice (below the JOUE threshold), as text: one
    paragraph per lot, then the criteria, clauses and caps."""
    p, rule = dossier.params, file.rule
    lines = [f"Avis d'appel public à la concurrence — {rule.libelle} ({rule.code})",
             f"Acheteur : {dossier.buyer.name}, SIRET {dossier.buyer.siret}.",
             f"Valeur totale estimée (montants maximums) : {euros(file.value)} HT, sous le "
             f"seuil de publication européenne de {euros(file.threshold)} HT.",
             f"Durée : {term_words(p)}", "", "Section « Lots »", ""]
    for lot in file.lots:
        lines += [f"Lot {lot.number} — {lot.title}",
                  f"  Lieu d'exécution : {', '.join(lot.zones)} (NUTS {', '.join(lot.nuts)})",
                  f"  Code CPV principal : {lot.cpv}",
                  f"  Quantité annuelle estimée : {nombre(quantity(lot))} "
                  f"{UNIT_WORDS[Unite(lot.unit)][1]} ({compte(lot.places, 'place')}, "
                  f"{nombre(lot.hours)} heures)",
                  f"  Montant estimé annuel : {euros(lot.estimate)} HT ; montant maximum sur "
                  f"la durée : {euros(lot.maximum)} HT",
                  f"  Attributaires : {nombre(lot.holders)}",
                  f"  Chiffre d'affaires annuel minimal exigible : au plus "
                  f"{euros(lot.ca_max)} (CCP R2142-7)", ""]
    t = file.terms
    lines += [f"Critères d'attribution : {criteria_words(t)}.",
              f"Répartition des bons de commande : {repartition_words(rule)}",
              caps_words(rule, p.attribution)]
    if t.clause_env:
        lines.append(f"Condition d'exécution environnementale (CCP L2112-2) : {t.clause_env}")
    if t.clause_sociale:
        lines.append(f"Condition d'exécution sociale (CCP L2112-2-1) : {t.clause_sociale}")
    elif t.motif_sans_sociale:
        lines.append(f"Absence de clause sociale (CCP L2112-2-1) : {t.motif_sans_sociale}")
    return "\n".join(lines) + "\n"
