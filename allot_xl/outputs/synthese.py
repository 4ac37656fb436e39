"""The `Synthèse` sheet: per dispositif figures, procurement checks, concentration, charts."""

from __future__ import annotations

import datetime as dt

from ..contract import SYNTHESE
from ..engine import Result
from .model import FMT_EUR, FMT_HOURS, FMT_INT, FMT_PCT, Block, Chart, Column, Sheet, Text

GAP = 3  # blank rows between blocks


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
                   f" la valeur d'un accord-cadre est son montant maximum (CCP R2121-8)."),
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
    seuil = p.seuil_petits_lots or 80_000.0
    cap = p.part_max_petits_pct
    mini = p.seuil_mini_lots or 40_000.0
    small = Block("T_PetitsLots", [
        Column("Dispositif"), Column("Lots", FMT_INT),
        Column(f"Petits lots (< {seuil:,.0f} €)".replace(",", " "), FMT_INT),
        Column("Montant maximum des petits lots (€ HT)", FMT_EUR),
        Column("Part des petits lots (%)", FMT_PCT), Column("Plafond (%)", FMT_PCT),
        Column("Dans le plafond"), Column(f"Mini-lots (< {mini:,.0f} €)".replace(",", " "),
                                          FMT_INT),
        Column("Part des mini-lots (%)", FMT_PCT),
    ], [[r.dispositif, r.lots, r.petits_lots, r.montant_petits, r.part_petits, cap,
         r.petits_conforme, r.mini_lots, r.part_mini] for r in s.itertuples()], row=row,
        title="Contrôle des petits lots (CCP R2123-1 2° et R2122-8) : les petits lots "
              f"ensemble ne doivent pas dépasser {cap:g} % de la valeur totale")
    blocks.append(small)
    row = small.last_row + GAP
    eu = p.seuil_publicite_ue or 750_000.0
    publicity = Block("T_PubliciteUE", [
        Column("Dispositif"), Column("Montant maximum total (€ HT)", FMT_EUR),
        Column("Seuil de publicité européenne (€ HT)", FMT_EUR), Column("Publicité au JOUE"),
    ], [[r.dispositif, r.montant_max, eu, r.publicite_ue] for r in s.itertuples()], row=row,
        title="Seuil de publicité européenne (services sociaux et autres services "
              "spécifiques, R2123-1 3°) : valeur de tous les lots ensemble")
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
