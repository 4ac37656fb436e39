"""Data of the bundled example campaign (Rhône-Alpes), deterministic and free of I/O."""

from __future__ import annotations

import math
import random
from typing import Any

from ..core.contract import BESOINS, COLUMNS, CRITERES, PARAM_DEFAULTS, REGLES

CAMPAIGN = "Programme régional de formation 2027 — Rhône-Alpes"
REGION = "Auvergne-Rhône-Alpes"
DEFAULT_NEEDS = 300
DEFAULT_SEED = 2027

# --------------------------------------------------------------------------- zones

# (zone, territoire, département, weight ~ size of the local labour market)
_ZONES: tuple[tuple[str, str, str, float], ...] = (
    ("Belley", "Ain Sud", "01", 0.4),
    ("Plaine de l'Ain", "Ain Sud", "01", 0.8),
    ("Bourg-en-Bresse", "Bresse-Dombes", "01", 1.5),
    ("Dombes", "Bresse-Dombes", "01", 0.5),
    ("Oyonnax", "Haut-Bugey et Pays de Gex", "01", 0.7),
    ("Pays de Gex", "Haut-Bugey et Pays de Gex", "01", 0.8),
    ("Annonay", "Ardèche Verte", "07", 0.5),
    ("Privas", "Centre et Sud Ardèche", "07", 0.4),
    ("Aubenas", "Centre et Sud Ardèche", "07", 0.6),
    ("Valence", "Valence-Romans", "26", 2.5),
    ("Romans-sur-Isère", "Valence-Romans", "26", 1.0),
    ("Montélimar", "Drôme provençale", "26", 1.0),
    ("Grenoble", "Grenoble et Voironnais", "38", 5.0),
    ("Grésivaudan", "Grenoble et Voironnais", "38", 1.0),
    ("Voiron", "Grenoble et Voironnais", "38", 1.0),
    ("Vienne", "Nord-Isère", "38", 1.2),
    ("Bourgoin-Jallieu", "Nord-Isère", "38", 1.5),
    ("Roanne", "Loire Nord et Forez", "42", 1.2),
    ("Montbrison", "Loire Nord et Forez", "42", 0.7),
    ("Saint-Étienne", "Saint-Étienne et Gier", "42", 4.0),
    ("Vallée du Gier", "Saint-Étienne et Gier", "42", 0.8),
    ("Lyon", "Lyon Métropole", "69", 12.0),
    ("Givors", "Lyon Métropole", "69", 0.5),
    ("Villefranche-sur-Saône", "Beaujolais", "69", 1.5),
    ("Tarare", "Beaujolais", "69", 0.4),
    ("Chambéry", "Bassin chambérien", "73", 2.5),
    ("Aix-les-Bains", "Bassin chambérien", "73", 0.8),
    ("Albertville", "Savoie hautes vallées", "73", 0.8),
    ("Maurienne", "Savoie hautes vallées", "73", 0.5),
    ("Annecy", "Bassin annécien", "74", 3.0),
    ("Annemasse", "Genevois haut-savoyard", "74", 1.5),
    ("Genevois", "Genevois haut-savoyard", "74", 1.2),
    ("Chablais", "Chablais et Arve", "74", 1.0),
    ("Vallée de l'Arve", "Chablais et Arve", "74", 1.0),
)

# symmetric neighbourhoods (both zones list each other)
_EDGES: tuple[tuple[str, str], ...] = (
    ("Belley", "Plaine de l'Ain"), ("Belley", "Bourgoin-Jallieu"), ("Belley", "Aix-les-Bains"),
    ("Belley", "Chambéry"), ("Plaine de l'Ain", "Bourg-en-Bresse"), ("Plaine de l'Ain", "Dombes"),
    ("Plaine de l'Ain", "Oyonnax"), ("Plaine de l'Ain", "Lyon"),
    ("Plaine de l'Ain", "Bourgoin-Jallieu"), ("Bourg-en-Bresse", "Dombes"),
    ("Bourg-en-Bresse", "Oyonnax"), ("Dombes", "Lyon"), ("Dombes", "Villefranche-sur-Saône"),
    ("Oyonnax", "Pays de Gex"), ("Oyonnax", "Genevois"), ("Pays de Gex", "Genevois"),
    ("Annonay", "Vienne"), ("Annonay", "Saint-Étienne"), ("Annonay", "Vallée du Gier"),
    ("Annonay", "Valence"), ("Privas", "Valence"), ("Privas", "Aubenas"),
    ("Privas", "Montélimar"), ("Aubenas", "Montélimar"), ("Valence", "Romans-sur-Isère"),
    ("Valence", "Montélimar"), ("Romans-sur-Isère", "Grenoble"), ("Romans-sur-Isère", "Voiron"),
    ("Romans-sur-Isère", "Vienne"), ("Grenoble", "Grésivaudan"), ("Grenoble", "Voiron"),
    ("Grésivaudan", "Voiron"), ("Grésivaudan", "Chambéry"), ("Voiron", "Bourgoin-Jallieu"),
    ("Voiron", "Chambéry"), ("Vienne", "Lyon"), ("Vienne", "Givors"),
    ("Vienne", "Bourgoin-Jallieu"), ("Vienne", "Vallée du Gier"), ("Bourgoin-Jallieu", "Lyon"),
    ("Roanne", "Montbrison"), ("Roanne", "Tarare"), ("Roanne", "Villefranche-sur-Saône"),
    ("Montbrison", "Saint-Étienne"), ("Montbrison", "Tarare"),
    ("Saint-Étienne", "Vallée du Gier"), ("Vallée du Gier", "Givors"), ("Lyon", "Givors"),
    ("Lyon", "Villefranche-sur-Saône"), ("Lyon", "Tarare"), ("Villefranche-sur-Saône", "Tarare"),
    ("Chambéry", "Aix-les-Bains"), ("Chambéry", "Albertville"), ("Chambéry", "Maurienne"),
    ("Aix-les-Bains", "Annecy"), ("Albertville", "Maurienne"), ("Albertville", "Annecy"),
    ("Albertville", "Vallée de l'Arve"), ("Annecy", "Genevois"), ("Annecy", "Vallée de l'Arve"),
    ("Annemasse", "Genevois"), ("Annemasse", "Chablais"), ("Annemasse", "Vallée de l'Arve"),
    ("Chablais", "Vallée de l'Arve"),
)
# listed on one side only, as buyers do (the contract makes the relation symmetric)
_ONE_SIDED: tuple[tuple[str, str], ...] = (("Maurienne", "Grenoble"),)


def zones() -> list[dict[str, Any]]:
    """Rows of the `Zones` sheet: 34 employment zones of the 8 Rhône-Alpes départements."""
    neighbours: dict[str, list[str]] = {z[0]: [] for z in _ZONES}
    for a, b in _EDGES:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for a, b in _ONE_SIDED:
        neighbours[a].append(b)
    return [
        {"Zone": name, "Territoire": terr, "Département": dep, "Région": REGION,
         "Voisines": "; ".join(neighbours[name])}
        for name, terr, dep, _w in _ZONES
    ]


# --------------------------------------------------------------------------- rules and parameters

_RULES: tuple[tuple[Any, ...], ...] = (
    # code, libellé, maille, unité, h/place, tol., taux, min, max, regroupement, plafond,
    # attributaires, répartition, lots max par titulaire, lots max par candidat, régime,
    # code CPV, besoins divisibles
    ("AOF", "Actions d'orientation formation", "Zone", "heures", 80, 25, 14, 3000, 30000,
     "voisines", "non", 2, "rotation", None, None, "SSS", "80530000", "non"),
    ("PSP", "Promotion sociale et professionnelle", "Département + Domaine", "heures", 180, 25, 12,
     4200, 24000, "territoire", "non", 1, "cascade", None, None, "SSS", "80530000", "non"),
    ("CREA", "Création d'entreprise", "Territoire", "places", 120, 25, 10, 20, 120,
     "territoire", "non", 2, "parts égales", 3, None, "SSS", "80530000", "non"),
    ("PQ", "Parcours qualifiants", "Territoire + Domaine", "places", 450, 25, 9.5, 12, 80,
     "territoire", "oui", 3, "prorata", 4, None, "SSS", "80530000", "non"),
)


def rules() -> list[dict[str, Any]]:
    """Rows of the `Règles` sheet for the four dispositifs AOF, PSP, CREA and PQ."""
    names = [c.name for c in COLUMNS[REGLES]]
    return [dict(zip(names, row, strict=True)) for row in _RULES]


# the buyer of the example (a Luhn-valid SIRET made up for the example) and its calendar
BUYER: dict[str, Any] = {
    "Acheteur": "Région Auvergne-Rhône-Alpes", "SIRET de l'acheteur": "20005376700014",
    "Adresse de l'acheteur": "1 esplanade François Mitterrand",
    "Code postal de l'acheteur": "69002", "Ville de l'acheteur": "Lyon",
    "Courriel de contact": "commande.publique@example.fr",
    "Téléphone de contact": "+33 4 26 73 40 00",
    "Profil d'acheteur (URL)": "https://marches.example.fr/region-aura",
    # the example's calendar, fixed so that it reads the same whatever the day it is run:
    # launch, tenders due 11 days later, agreements notified 4 January 2027 (orders follow)
    "Date de lancement": "07/12/2026",
    "Date limite de remise des offres": "18/12/2026",
}


def parameters(campaign: str | None = CAMPAIGN, region: str | None = REGION,
               buyer: bool = True) -> list[tuple[str, Any]]:
    """Rows of the `Paramètres` sheet: every known parameter, defaults unless given (the
    example's buyer when `buyer`)."""
    out: list[tuple[str, Any]] = []
    given = {"Campagne": campaign, "Région": region, **(BUYER if buyer else {})}
    for key, default in PARAM_DEFAULTS.items():
        value = given.get(key, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append((key, value))
    return out


# --------------------------------------------------------------------------- needs

# domaine -> [(métier, code ROME)] for qualifying courses (PQ)
_PQ_JOBS: dict[str, list[tuple[str, str]]] = {
    "Industrie": [
        ("Opérateur d'usinage", "H2903"), ("Soudeur", "H2913"), ("Chaudronnier", "H2902"),
        ("Technicien de maintenance industrielle", "I1304"), ("Régleur en décolletage", "H2912"),
        ("Conducteur de ligne agroalimentaire", "H2102"), ("Opérateur en plasturgie", "H3201"),
        ("Monteur-assembleur mécanique", "H2909")],
    "Bâtiment et travaux publics": [
        ("Maçon", "F1703"), ("Électricien du bâtiment", "F1602"),
        ("Plombier chauffagiste", "F1603"), ("Peintre en bâtiment", "F1606"),
        ("Conducteur d'engins de travaux publics", "F1302"), ("Menuisier poseur", "F1607")],
    "Sanitaire et social": [
        ("Aide-soignant", "J1501"), ("Agent de service hospitalier", "J1301"),
        ("Accompagnant éducatif et social", "K1301"), ("Auxiliaire de puériculture", "J1304"),
        ("Ambulancier", "J1305")],
    "Hôtellerie-restauration": [
        ("Cuisinier", "G1602"), ("Serveur en restauration", "G1803"),
        ("Réceptionniste d'hôtel", "G1703"), ("Employé polyvalent de restauration", "G1603")],
    "Transport et logistique": [
        ("Conducteur routier", "N4101"), ("Préparateur de commandes", "N1103"),
        ("Cariste", "N1101"), ("Conducteur de transport en commun", "N4103")],
    "Numérique": [
        ("Développeur web", "M1805"), ("Technicien support informatique", "I1401"),
        ("Administrateur systèmes et réseaux", "M1801"), ("Technicien fibre optique", "I1307")],
    "Commerce": [
        ("Vendeur conseil en magasin", "D1214"), ("Employé de commerce", "D1507"),
        ("Hôte de caisse", "D1505"), ("Boucher", "D1101")],
    "Agriculture": [
        ("Jardinier paysagiste", "A1203"), ("Ouvrier viticole", "A1405"),
        ("Ouvrier maraîcher", "A1414"), ("Bûcheron", "A1201")],
    "Services à la personne": [
        ("Assistant de vie aux familles", "K1302"), ("Agent d'entretien", "K2204"),
        ("Garde d'enfants à domicile", "K1303")],
    "Énergie et environnement": [
        ("Installateur photovoltaïque", "F1602"), ("Technicien en génie climatique", "I1306"),
        ("Agent de tri des déchets", "K2304"), ("Agent de propreté urbaine", "K2303")],
}
_PQ_DOMAIN_WEIGHTS = (5, 4, 5, 3, 3, 2, 2, 1.5, 2, 1.5)

# domaine -> [(métier, code ROME or None)] for PSP
_PSP_JOBS: dict[str, list[tuple[str, str | None]]] = {
    "Préparation aux concours": [
        ("Concours paramédicaux", None), ("Concours administratifs", None),
        ("Concours du travail social", None)],
    "Langues étrangères": [("Anglais professionnel", None), ("Allemand professionnel", None)],
    "Numérique": [
        ("Développeur web", "M1805"), ("Technicien support informatique", "I1401"),
        ("Designer web", "E1205")],
    "Tertiaire administratif": [
        ("Secrétaire assistant", "M1607"), ("Comptable assistant", "M1203"),
        ("Gestionnaire de paie", "M1501")],
    "Sanitaire et social": [
        ("Aide-soignant", "J1501"), ("Accompagnant éducatif et social", "K1301")],
    "Management": [("Manager d'équipe", "M1302"), ("Responsable de petite entreprise", "M1302")],
}
_PSP_DOMAIN_WEIGHTS = (3, 2, 3, 3, 2, 1)

_SHARES = {"AOF": 0.22, "PSP": 0.26, "CREA": 0.16, "PQ": 0.36}
_COMMENTS = (
    "Besoin exprimé par le service public de l'emploi local",
    "Entrées échelonnées souhaitées",
    "Tension de recrutement signalée par les entreprises",
    "Public prioritaire : demandeurs d'emploi de longue durée",
    "Besoin consolidé avec la Mission locale",
    "Public résidant en quartier prioritaire",
    "Horaires adaptés aux saisonniers",
)
_SEED_AOF = {"Dispositif": "AOF", "Zone": "Belley", "Heures": 16000, "Source": "local",
             "Commentaire": "Exemple : AOF 16 000 h sur Belley (01)"}
_SEED_PSP = {"Dispositif": "PSP", "Zone": "Plaine de l'Ain", "Domaine": "Préparation aux concours",
             "Métier": "Concours paramédicaux", "Places": 17, "Heures": 3000, "Source": "local",
             "Commentaire": "Exemple : PSP 3 000 h et 17 places sur Plaine de l'Ain"}


def _counts(n: int) -> dict[str, int]:
    """Needs per dispositif adding up to n (largest remainder), AOF and PSP at least 1."""
    raw = {k: n * s for k, s in _SHARES.items()}
    counts = {k: math.floor(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (counts[k] - raw[k], k))[: n - sum(counts.values())]:
        counts[k] += 1
    for k in ("AOF", "PSP"):
        if counts[k] == 0:
            donor = max(counts, key=lambda d: (d not in ("AOF", "PSP"), counts[d]))
            counts[donor] -= 1
            counts[k] += 1
    return counts


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _aof(rng: random.Random) -> dict[str, Any]:
    places = rng.randint(8, 70)
    kind = rng.random()
    if kind < 0.8:
        return {"Heures": _round_to(places * 80 * rng.uniform(0.9, 1.1), 100)}
    if kind < 0.9:
        return {"Places": places}
    return {"Places": places, "Heures": places * 80}


def _psp(rng: random.Random) -> dict[str, Any]:
    domain = rng.choices(list(_PSP_JOBS), weights=_PSP_DOMAIN_WEIGHTS)[0]
    job, rome = rng.choice(_PSP_JOBS[domain])
    places = rng.randint(4, 28)
    hours = _round_to(places * 180 * rng.uniform(0.85, 1.15), 50)
    row: dict[str, Any] = {"Domaine": domain, "Métier": job, "Code ROME": rome}
    if rng.random() < 0.6:
        row["Heures"] = hours
    else:
        row.update({"Places": places, "Heures": hours})
    return row


def _crea(rng: random.Random) -> dict[str, Any]:
    row: dict[str, Any] = {"Domaine": "Création d'entreprise",
                           "Métier": "Créateur repreneur d'entreprise"}
    places = rng.randint(4, 30)
    if rng.random() < 0.85:
        row["Places"] = places
    else:
        row["Heures"] = _round_to(places * 120, 100)
    return row


def _pq(rng: random.Random) -> dict[str, Any]:
    domain = rng.choices(list(_PQ_JOBS), weights=_PQ_DOMAIN_WEIGHTS)[0]
    job, rome = rng.choice(_PQ_JOBS[domain])
    sectoral = rng.random() < 0.3
    # sectoral needs come from branches and cover a wider catchment: larger
    places = rng.randint(15, 45) if sectoral else rng.randint(5, 18)
    outlets = max(1, round(places * rng.uniform(0.6, 1.8)))
    row: dict[str, Any] = {"Domaine": domain, "Métier": job, "Code ROME": rome,
                           "Débouchés": outlets, "Source": "sectoriel" if sectoral else "local"}
    kind = rng.random()
    if kind < 0.8:
        row["Places"] = places
    elif kind < 0.9:
        row["Heures"] = places * 450
    else:
        row.update({"Places": places, "Heures": places * 450})
    return row


_MAKERS = {"AOF": _aof, "PSP": _psp, "CREA": _crea, "PQ": _pq}


def needs(n: int | None = None, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """Rows of the `Besoins` sheet: n needs (default 300), the domain's two seed cases first.

    Deterministic for a given (n, seed); every row has every `Besoins` column (None when empty).
    """
    total = DEFAULT_NEEDS if n is None else n
    if total < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    names = [name for name, _t, _d, _w in _ZONES]
    weights = [w for _n, _t, _d, w in _ZONES]
    seeds = {"AOF": _SEED_AOF, "PSP": _SEED_PSP}
    if total < 2:
        drafts = [_SEED_AOF][:total]
    else:
        drafts = []
        for code, count in _counts(total).items():
            block = [seeds[code]] if code in seeds else []
            zones_drawn = rng.choices(names, weights=weights, k=count - len(block))
            for zone in zones_drawn:
                row = {"Dispositif": code, "Zone": zone, "Source": "local"}
                row.update(_MAKERS[code](rng))
                if rng.random() < 0.06:
                    row["Commentaire"] = rng.choice(_COMMENTS)
                block.append(row)
            drafts.extend(block)
    width = max(4, len(str(total)))
    columns = [c.name for c in COLUMNS[BESOINS]]
    out = []
    for i, draft in enumerate(drafts, start=1):
        row = dict.fromkeys(columns)
        row.update(draft)
        row["ID besoin"] = f"RA-{i:0{width}d}"
        out.append(row)
    return out


# --------------------------------------------------------------------------- criteria

_CRITERIA: tuple[tuple[str, str, float | None, str | None], ...] = (
    # critère (or clause text), type, pondération (%), environnemental
    ("Valeur technique de l'offre (pédagogie, suivi des stagiaires)", "qualité", 50, "non"),
    ("Prix", "prix", 40, "non"),
    ("Performance environnementale (déplacements des stagiaires, supports dématérialisés)",
     "qualité", 10, "oui"),
    ("Le titulaire dématérialise les supports pédagogiques et organise les sessions dans des "
     "sites desservis par les transports en commun.", "clause environnementale", None, None),
)
_SOCIAL = ("Le titulaire réserve au moins 5 % des heures d'exécution à des personnes "
           "éloignées de l'emploi (clause d'insertion).", "clause sociale")
_NO_SOCIAL = ("L'accompagnement à la création d'entreprise s'adresse déjà à des publics "
              "éloignés de l'emploi : une clause d'insertion n'ajouterait rien.",
              "motif sans clause sociale")


def criteria() -> list[dict[str, Any]]:
    """Rows of the `Critères` sheet: three award criteria per dispositif (one
    environmental, L2152-7), the environmental execution clause (L2112-2) and the social
    clause (L2112-2-1) or, for CREA, the reason for none."""
    names = [c.name for c in COLUMNS[CRITERES]]
    out = []
    for code, *_ in _RULES:
        social = _NO_SOCIAL if code == "CREA" else _SOCIAL
        for text, kind, weight, env in (*_CRITERIA, (*social, None, None)):
            out.append(dict(zip(names, (code, text, kind, weight, env), strict=True)))
    return out
