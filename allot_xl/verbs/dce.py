"""The tender file (DCE) of a campaign, route-neutral: from the input sheets (grids) to each
dispositif's documents' contents — its lots as the `Lots` sheet shows them, the buyer, the
award criteria and clauses, and the EU notice's typed values. Lots and documents agree by
construction: every number is read off the run's own `Lots` sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..core import contract as C
from ..core.choices import CritereType, Regime
from ..core.model import Inputs, Params, Rule, Terms
from ..core.nuts import NAMES, nuts3
from ..core.problems import AllotError
from ..core.publication import Buyer, Criterion, Notice, NoticeLot
from ..engine.dce import dispositif_values, missing_terms, reaches_eu
from ..inputs.grid import SheetGrid
from ..outputs import dce as words
from .fresh import refuse_stale_lots
from .pipeline import Context, Run, run

_EFORMS_KIND = {CritereType.QUALITE: "quality", CritereType.PRIX: "price",
                CritereType.COUT: "cost"}
DEADLINE_TIME = dt.time(12, 0)  # tenders are due at noon, local time
_BY_NAME = {C.fold(name): code for code, name in NAMES.items()}


class IncompleteDossier(AllotError):
    """The inputs lack what the tender file needs; the message has one French sentence per
    missing piece, and nothing is written."""


@dataclass(frozen=True)
class LotLine:
    """One lot as the `Lots` sheet shows it (numbers to the cent, as written there), with its
    places of performance: `zones` as listed in `Zone(s)`, their NUTS 3 codes and
    départements. Amounts € HT: `estimate` one year of needs, `maximum` the whole term."""

    number: str
    title: str
    zones: tuple[str, ...]
    nuts: tuple[str, ...]
    departements: tuple[str, ...]
    cpv: str
    places: float
    hours: float
    estimate: float
    maximum: float
    ca_max: float
    holders: int
    unit: str  # the rule's `Unité`: the DQE's quantity and price unit


@dataclass(frozen=True)
class DispositifFile:
    """What the tender file of one dispositif holds: its rule, criteria and clauses, lots,
    value (€ HT, Σ maxima, R2121-8), whether it reaches the EU threshold in force (then
    `notice` is its eForms contract notice's values)."""

    rule: Rule
    terms: Terms
    lots: tuple[LotLine, ...]
    value: float
    eu: bool
    threshold: float
    notice: Notice


@dataclass(frozen=True)
class Dossier:
    """The tender file of a campaign: the buyer, the parameters (term, renewals, the
    attribution rule when a cap is exceeded), one `DispositifFile` per dispositif with lots,
    in `Règles` order."""

    campaign: str
    buyer: Buyer
    params: Params
    launch: dt.date
    files: tuple[DispositifFile, ...]


def lots_rows(done: Run) -> list[dict[str, Any]]:
    """The rows of the run's `Lots` sheet, header -> value, as written."""
    assert done.outputs is not None
    block = done.outputs.sheet(C.LOTS).block("T_Lots")
    headers = [c.header for c in block.columns]
    return [dict(zip(headers, r, strict=True)) for r in block.rows]


def zone_nuts(inputs: Inputs, zone: str) -> tuple[str, str]:
    """(NUTS 3 code, département code) of `zone`: its own `NUTS`, else the code of its
    `Département` (a code such as `01` or a name such as `Ain`); "" when unknown."""
    z = inputs.zones.get(zone) or next((v for k, v in inputs.zones.items()
                                        if C.fold(k) == C.fold(zone)), None)
    if z is None:
        return "", ""
    dep = _BY_NAME.get(C.fold(z.departement), z.departement)
    return z.nuts or nuts3(dep) or "", dep


def _line(row: dict[str, Any], inputs: Inputs, rule: Rule) -> LotLine:
    zones = tuple(x for x in str(row["Zone(s)"] or "").split(" + ") if x)
    places = [zone_nuts(inputs, z) for z in zones]
    return LotLine(
        number=str(row["N° lot"]), title=str(row["Intitulé"]), zones=zones,
        nuts=tuple(dict.fromkeys(n for n, _ in places if n)),
        departements=tuple(dict.fromkeys(d for _, d in places if d)),
        cpv=str(row["Code CPV"] or rule.cpv), places=float(row["Places"] or 0),
        hours=float(row["Heures"] or 0), estimate=float(row["Montant estimé (€ HT)"] or 0),
        maximum=float(row["Montant maximum (€ HT)"] or 0),
        ca_max=float(row["CA exigible max (€ HT)"] or 0),
        holders=int(row["Attributaires"] or 1), unit=rule.unite)


def incomplete(inputs: Inputs, done: Run, lines: dict[str, list[LotLine]]) -> list[str]:
    """One French sentence per piece the tender file lacks: the buyer's identity, the
    `Critères` sheet, each dispositif's criteria and their weights, what the law requires
    on the launch date (`engine.dce.missing_terms`), a zone's place of performance."""
    p = inputs.params
    out = [f"Paramètres : « {label} » manquant ou invalide (voir Contrôles) : complétez-le."
           for label, value in (("Acheteur", p.acheteur), ("SIRET de l'acheteur", p.siret),
                                ("Adresse de l'acheteur", p.adresse),
                                ("Code postal de l'acheteur", p.code_postal),
                                ("Ville de l'acheteur", p.ville),
                                ("Courriel de contact", p.courriel),
                                ("Profil d'acheteur (URL)", p.profil_acheteur))
           if not value]
    if inputs.terms is None:
        out.append("La feuille « Critères » est absente : ajoutez-la, avec les critères "
                   "d'attribution et leurs pondérations de chaque dispositif (voir le guide, "
                   "« Préparer le DCE »).")
    terms = inputs.terms or {}
    for code in lines:
        t = terms.get(code)
        if inputs.terms is not None and (t is None or not t.criteria):
            out.append(f"{code} : aucun critère d'attribution dans la feuille Critères "
                       f"(CCP R2152-7) : ajoutez-les avec leurs pondérations.")
        elif t is not None and not t.weights_ok:
            out.append(f"{code} : les pondérations des critères ne font pas 100 % (voir "
                       f"Contrôles) : corrigez-les.")
    out += [m.sentence for m in missing_terms(inputs, done.result.lots,
                                               done.result.thresholds)]
    values, law = dispositif_values(done.result.lots), done.result.thresholds
    eu = [code for code in lines if reaches_eu(inputs, law, code, values[code])]
    if eu and p.date_limite is None:
        out.append(f"Paramètres : « Date limite de remise des offres » manquante, exigée par "
                   f"l'avis européen de {', '.join(eu)} : complétez-la (JJ/MM/AAAA).")
    elif eu and p.date_limite is not None and p.date_limite <= inputs.launch_date:
        out.append(f"Paramètres : la « Date limite de remise des offres » "
                   f"({p.date_limite:%d/%m/%Y}) doit suivre la date de lancement "
                   f"({inputs.launch_date:%d/%m/%Y}) : corrigez-la.")
    lost = sorted({z for ls in lines.values() for lot in ls for z in lot.zones
                   if not zone_nuts(inputs, z)[0]})
    out += [f"Zones : le lieu d'exécution de « {z} » n'a pas de code NUTS (département "
            f"inconnu) : renseignez la colonne « NUTS » (FRK21 pour l'Ain)." for z in lost]
    return out


def buyer_of(p: Params, nuts: str) -> Buyer:
    """The buyer of the notices, from `Paramètres` (checked complete by `incomplete`)."""
    return Buyer(name=p.acheteur or "", siret=p.siret or "", street=p.adresse or "",
                 postcode=p.code_postal or "", city=p.ville or "", nuts=nuts,
                 email=p.courriel or "", phone=p.telephone or "",
                 profile_url=p.profil_acheteur or "")


def criteria_of(terms: Terms) -> tuple[Criterion, ...]:
    """The eForms award criteria of a dispositif's `Critères` rows."""
    return tuple(Criterion(c.name, _EFORMS_KIND[CritereType(c.kind)], c.weight,
                           c.environmental) for c in terms.criteria)


def notice_of(campaign: str, rule: Rule, terms: Terms, lots: list[LotLine], buyer: Buyer,
              p: Params, launch: dt.date, words: Any) -> Notice:
    """The contract notice's values of one dispositif (eForms `cn-social`, subtype 20): each
    lot's estimate over the whole term (BT-27: the annual estimate × the term in years) and
    maximum as `Lots` shows it (BT-271). `words` is `outputs.dce` (lot descriptions)."""
    crit = criteria_of(terms)
    years = p.term_years
    notice_lots = tuple(NoticeLot(
        number=lot.number, title=lot.title, description=words.lot_description(lot, rule),
        cpv=lot.cpv, nuts=lot.nuts, estimate=round(lot.estimate * years, 2),
        maximum=lot.maximum, months=int(round(p.duree_mois)), holders=lot.holders,
        criteria=crit, renewals=p.reconductions, renewals_text=words.term_words(p),
        departements=lot.departements, environmental_clause=terms.clause_env,
        social_clause=terms.clause_sociale, social_reason=terms.motif_sans_sociale)
        for lot in lots)
    return Notice(title=f"{rule.libelle} — {campaign}", description=words.rule_description(rule),
                  reference=f"{campaign} — {rule.code}", dispositif=rule.code, buyer=buyer,
                  lots=notice_lots, issue_date=launch, max_lots_bid=rule.lots_max_candidat,
                  max_lots_won=rule.lots_max,
                  deadline=dt.datetime.combine(p.date_limite, DEADLINE_TIME)
                  if p.date_limite else None)


def prepare(grids: dict[str, SheetGrid], context: Context) -> Dossier:
    """The tender file of the campaign whose input sheets are `grids`.

    Raises StructuralError when the run cannot go on, IncompleteDossier (one French sentence
    per missing piece: buyer, `Critères`, the clauses the law requires since 21 August 2026
    — L2152-7, L2112-2, L2112-2-1 —, a place of performance) when the tender file cannot be
    complete."""
    return dossier_of(run(grids, context), context)


def dossier_of(done: Run, context: Context) -> Dossier:
    """The tender file of the run `done` (see `prepare`, whose errors it raises)."""
    inputs = done.result.inputs
    refuse_stale_lots(inputs)
    rows = lots_rows(done)
    lines: dict[str, list[LotLine]] = {}
    for row in rows:
        rule = inputs.rules[str(row["Dispositif"])]
        lines.setdefault(rule.code, []).append(_line(row, inputs, rule))
    lines = {code: lines[code] for code in inputs.rules if code in lines}
    missing = incomplete(inputs, done, lines)
    if missing:
        raise IncompleteDossier("Dossier de consultation incomplet, rien n'a été écrit :\n"
                                + "\n".join(f"• {m}" for m in missing))
    p, launch = inputs.params, inputs.launch_date
    buyer_nuts = nuts3(p.code_postal[:2] if p.code_postal else "") or next(
        (n for ls in lines.values() for lot in ls for n in lot.nuts), "")
    buyer = buyer_of(p, buyer_nuts)
    values = dispositif_values(done.result.lots)
    law = done.result.thresholds
    campaign = inputs.campaign or context.campaign
    files = []
    for code, ls in lines.items():
        rule, terms = inputs.rules[code], (inputs.terms or {})[code]
        value = round(sum(lot.maximum for lot in ls), 2)
        files.append(DispositifFile(
            rule, terms, tuple(ls), value, reaches_eu(inputs, law, code, values[code]),
            law.publicity(rule.regime == Regime.SSS).value,
            notice_of(campaign, rule, terms, ls, buyer, p, launch, words)))
    return Dossier(campaign, buyer, p, launch, tuple(files))
