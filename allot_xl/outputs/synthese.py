"""The `Synthèse` sheet: per dispositif figures, procurement checks, concentration, charts."""

from __future__ import annotations

import datetime as dt

from ..contract import SYNTHESE
from ..engine import Result
from ..french import euros, nombre, pct
from ..model import Regime
from .model import FMT_EUR, FMT_HOURS, FMT_INT, FMT_PCT, Block, Chart, Column, Sheet, Text
from .words import oui_non

GAP = 3  # blank rows between blocks
_REGIME = {Regime.SSS: "services sociaux et spécifiques", Regime.SERVICES: "services"}
_CONTROLLED = {Regime.SSS: "mini-lots", Regime.SERVICES: "petits lots"}


def _consequence(regime: str, beyond: bool) -> str:
    if regime == Regime.SSS:
        return ("publication d'un avis au JOUE ; procédure adaptée (R2123-1 3°)" if beyond
                else "procédure adaptée, sans publication au JOUE (R2123-1 3°)")
    return ("procédure formalisée (R2124-1)" if beyond
            else "procédure adaptée (R2123-1 1°)")


def _thresholds_line(result: Result) -> str:
    """The launch date and every threshold applied, with its article."""
    law = result.thresholds
    parts = []
    for label, a in (("mini-lots", law.mini_lots), ("petits lots", law.petits_lots),
                     ("procédure formalisée (services)", law.procedure_formalisee),
                     ("publicité JOUE (services sociaux et spécifiques)", law.publicite_sss)):
        who = " (fixé par l'acheteur)" if a.overridden else ""
        parts.append(f"{label} {euros(a.value)}{who} ({a.legal.article})")
    return (f"Seuils en vigueur au {law.day:%d/%m/%Y} (date de lancement) : "
            + " ; ".join(parts) + ".")


def _hhi_reading(h: float) -> str:
    if h < 1500:
        return "faible concentration"
    if h <= 2500:
        return "concentration modérée"
    return "forte concentration"


def synthese_sheet(result: Result, when: dt.datetime) -> Sheet:
    s = result.summary
    p = result.inputs.params
    campaign = result.inputs.campaign or "campagne"
    texts = [
        Text(1, 1, f"Synthèse de l'allotissement — {campaign}", bold=True, size=14),
        Text(2, 1, f"Généré le {when:%d/%m/%Y à %H:%M} par allot_xl. Les montants sont en € HT ;"
                   f" la valeur d'un accord-cadre est son montant maximum sur toute sa durée "
                   f"(CCP R2121-8), ici {nombre(p.duree_mois)} mois × "
                   f"{1 + p.reconductions} période(s)."),
        Text(3, 1, _thresholds_line(result)),
    ]
    row = 5
    main = Block("T_Synthese", [
        Column("Dispositif"), Column("Libellé"), Column("Besoins reçus", FMT_INT),
        Column("Besoins allotis", FMT_INT), Column("Lots", FMT_INT),
        Column("Lots en pratique fragmentée", FMT_INT), Column("Contrats évités", FMT_INT),
        Column("Réduction (%)", FMT_PCT), Column("Places", FMT_INT),
        Column("Heures", FMT_HOURS), Column("Montant estimé (€ HT)", FMT_EUR),
        Column("Montant maximum (€ HT)", FMT_EUR),
    ], [[r.dispositif, r.libelle, r.recus, r.allotis, r.lots, r.fragmentes, r.reduction,
         r.reduction_pct, r.places, r.hours, r.montant, r.montant_max]
        for r in s.itertuples()], row=row, title="Lots par dispositif")
    if len(s):
        frag, lots = int(s.fragmentes.sum()), int(s.lots.sum())
        main.total = ["Total", None, int(s.recus.sum()), int(s.allotis.sum()), lots, frag,
                      frag - lots, round(100 * (frag - lots) / frag, 2) if frag else 0.0,
                      int(s.places.sum()), round(float(s.hours.sum()), 2),
                      round(float(s.montant.sum()), 2), round(float(s.montant_max.sum()), 2)]
    blocks = [main]
    row = main.last_row + GAP
    law = result.thresholds
    cap = p.part_max_petits_pct
    small = Block("T_PetitsLots", [
        Column("Dispositif"), Column("Régime"), Column("Lots", FMT_INT),
        Column(f"Petits lots (< {euros(law.petits_lots.value)})", FMT_INT),
        Column("Part des petits lots (%)", FMT_PCT),
        Column(f"Mini-lots (< {euros(law.mini_lots.value)})", FMT_INT),
        Column("Part des mini-lots (%)", FMT_PCT), Column("Part contrôlée"),
        Column("Plafond (%)", FMT_PCT), Column("Dans le plafond"),
    ], [[r.dispositif, _REGIME[r.regime], r.lots, r.petits_lots, r.part_petits, r.mini_lots,
         r.part_mini, _CONTROLLED[r.regime], cap, oui_non(r.conforme)]
        for r in s.itertuples()], row=row,
        title=f"Contrôle des petits lots et des mini-lots (sur le montant maximum) : part "
              f"plafonnée à {pct(cap)} de la valeur totale — mini-lots pour les services "
              f"sociaux et spécifiques (CCP R2122-8), petits lots pour les services "
              f"(R2123-1 2°)")
    blocks.append(small)
    row = small.last_row + GAP
    publicity = Block("T_PubliciteUE", [
        Column("Dispositif"), Column("Régime"), Column("Montant maximum total (€ HT)", FMT_EUR),
        Column("Seuil applicable (€ HT)", FMT_EUR), Column("Au-delà du seuil"),
        Column("Conséquence"),
    ], [[r.dispositif, _REGIME[r.regime], r.montant_max, r.seuil_procedure,
         oui_non(r.au_dela_seuil), _consequence(r.regime, r.au_dela_seuil)]
        for r in s.itertuples()], row=row,
        title="Seuil de publicité européenne (JOUE, services sociaux et spécifiques, "
              "R2123-1 3°) ou de procédure formalisée (services, R2124-1) : valeur de tous les "
              "lots ensemble sur la durée de l'accord-cadre (R2121-1, R2121-8)")
    blocks.append(publicity)
    row = publicity.last_row + GAP
    att = result.attribution
    hhi_rows = [[code, round(v), _hhi_reading(v)] for code, v in att.hhi.items()]
    if not hhi_rows:
        hhi_rows = [[code, None, "non calculée : pas encore d'offres (feuille Offres)"]
                    for code in s.dispositif]
    hhi = Block("T_Concentration", [
        Column("Dispositif"), Column("HHI", FMT_INT), Column("Lecture"),
    ], hhi_rows, row=row, title="Concentration des titulaires (indice HHI, 0 à 10 000, "
                                "sur les montants attribués)")
    blocks.append(hhi)
    row = hhi.last_row + GAP
    charts_col = max(b.last_col for b in blocks) + 2
    charts = [Chart("column", "Nombre de contrats : lots contre pratique fragmentée",
                    "T_Synthese", "Dispositif", ("Lots", "Lots en pratique fragmentée"),
                    row=3, col=charts_col, y_title="contrats")]
    if att.comparison is not None and len(att.comparison):
        comp = Block("T_Regles", [
            Column("Dispositif"), Column("Règle d'attribution"),
            Column("Places d'attributaire pourvues", FMT_INT), Column("Note totale", "0.0#"),
            Column("Titulaires par lot", "0.00"), Column("Règle annoncée"),
        ], [[r.dispositif, r.regle, r.places_pourvues, r.note_totale, r.titulaires_par_lot,
             "oui" if r.retenue else "non"] for r in att.comparison.itertuples()], row=row,
            title="Les deux règles d'attribution comparées (ce que coûte la règle annoncée)")
        blocks.append(comp)
        row = comp.last_row + GAP
    if len(att.holders):
        charts.append(Chart("bar", "Montant attribué par titulaire (€ HT)", "T_Titulaires",
                            "Titulaire", ("Montant (€ HT)",), row=22, col=charts_col,
                            height_cm=max(8.0, 0.6 * len(att.holders)), y_title="€ HT"))
    return Sheet(SYNTHESE, blocks, texts, charts, freeze=None)
