"""The tables of `Synthèse` (per dispositif, small lots, publicity, concentration, territoire,
lot sizes, key figures) and the note lines that define their terms."""

from __future__ import annotations

import pandas as pd

from ..core.french import NBSP, compte, euros, nombre, pct, rule_value
from ..core.model import Regime
from ..engine import Result
from ..engine.holders import short_lots
from ..engine.scenarios import figures
from .model import (
    FMT_EUR_WHOLE,
    FMT_INT,
    FMT_PCT,
    Block,
    Column,
    hours_format,
)
from .words import bounds_words, oui_non

REGIME = {Regime.SSS: "services sociaux et spécifiques", Regime.SERVICES: "services"}
CONTROLLED = {Regime.SSS: "mini-lots", Regime.SERVICES: "petits lots"}
SIZE_STEPS = (150_000.0, 300_000.0, 750_000.0)  # bands of lot maxima above the thresholds


def _r2(x: float) -> float:
    return round(float(x), 2)


def shown_summary(result: Result) -> pd.DataFrame:
    """The summary rows of the dispositifs that received needs: a rule of `Règles` with no
    line in `Besoins` counts in no figure, chart or table of Synthèse."""
    s = result.summary
    return s[s["recus"] > 0]


def shown_codes(result: Result) -> list[str]:
    return list(shown_summary(result).dispositif)


def without_needs(result: Result) -> list[str]:
    """Dispositifs of `Règles` without any line in `Besoins`."""
    s = result.summary
    return list(s[s["recus"] <= 0].dispositif)


def rules_applied(result: Result, scenario: str = "") -> Block:
    """Per dispositif the rule that drew its lots: maille, unit, bounds, regroupement,
    holders, split, and the scenario whose rule it is."""
    rules = result.inputs.rules
    rows = []
    for code in shown_codes(result):
        r = rules[code]
        rows.append([code, rule_value(r.maille), r.unite, bounds_words(r),
                     rule_value(r.regroupement), r.attributaires,
                     rule_value(r.lots_max), rule_value(r.divisible),
                     *([f"scénario « {scenario} »"] if scenario else [])])
    return Block("T_ReglesAppliquees", [
        Column("Dispositif"), Column("Maille"), Column("Unité"), Column("Bornes de volume"),
        Column("Regroupement"), Column("Attributaires", FMT_INT),
        Column("Lots max par titulaire"), Column("Besoins divisibles"),
        *([Column("Règles de")] if scenario else []),
    ], rows, title="Règles appliquées" + (f" (scénario « {scenario} »)" if scenario else ""))


def rules_applied_notes(result: Result, scenario: str) -> list[str]:
    notes = ["Maille : ce qui distingue deux lots ; bornes : volume d'un lot (sous le minimum, "
             "les besoins sont regroupés selon « Regroupement » ; au-delà du maximum, un lot "
             "divisible est coupé en parties) ; attributaires : titulaires par lot."]
    if scenario:
        notes.append(f"Ces règles sont celles du scénario « {scenario} » ; la feuille Règles "
                     f"n'a pas été modifiée.")
    gone = without_needs(result)
    if gone:
        notes.append(f"Sans besoins : {', '.join(gone)} (dans Règles, aucune ligne dans "
                     f"Besoins) ; {'il ne compte' if len(gone) < 2 else 'ils ne comptent'} "
                     f"dans aucun chiffre de cette feuille.")
    return notes


def rejected_rows(result: Result) -> int:
    """Rows of Besoins left out of the run for an error (each listed in Contrôles)."""
    sheet = result.inputs.besoins_sheet
    return len({p.row for p in result.report.problems
                if p.severity == "Erreur" and p.sheet == sheet and p.row is not None})


def other_errors(result: Result) -> int:
    """Errors of `Contrôles` outside `Besoins` (a zone, a rule, a bid left out)."""
    sheet = result.inputs.besoins_sheet
    return sum(1 for p in result.report.problems
               if p.severity == "Erreur" and p.sheet != sheet)


def dispositifs(result: Result) -> Block:
    """Lots par dispositif: needs, lots against the fragmented practice, volumes, values."""
    s = shown_summary(result)
    hours = [_r2(h) for h in s.hours]
    main = Block("T_Synthese", [
        Column("Dispositif"), Column("Libellé"), Column("Besoins reçus", FMT_INT),
        Column("Besoins allotis", FMT_INT), Column("Lots en pratique fragmentée", FMT_INT),
        Column("Lots", FMT_INT), Column("Contrats évités", FMT_INT),
        Column("Réduction (%)", FMT_PCT), Column("Places", FMT_INT),
        Column("Heures", hours_format(hours + [_r2(sum(hours))])),
        Column("Montant estimé (€ HT)", FMT_EUR_WHOLE),
        Column("Montant maximum (€ HT)", FMT_EUR_WHOLE),
    ], [[r.dispositif, r.libelle, r.recus, r.allotis, r.fragmentes, r.lots, r.reduction,
         r.reduction_pct, r.places, h, r.montant, r.montant_max]
        for r, h in zip(s.itertuples(), hours, strict=True)], title="Lots par dispositif")
    if len(s):
        frag, lots = int(s.fragmentes.sum()), int(s.lots.sum())
        main.total = ["Total", None, int(s.recus.sum()), int(s.allotis.sum()), frag, lots,
                      frag - lots, round(100 * (frag - lots) / frag, 2) if frag else 0.0,
                      int(s.places.sum()), _r2(sum(hours)), _r2(s.montant.sum()),
                      _r2(s.montant_max.sum())]
    return main


def dispositifs_notes(result: Result) -> list[str]:
    p = result.inputs.params
    return [
        "Lots en pratique fragmentée : les contrats qu'aurait passés la pratique d'avant "
        "2005, un contrat par zone et par clé de besoin (zone, domaine, métier) ; contrats "
        "évités = lots en pratique fragmentée − lots ; réduction = contrats évités ÷ lots en "
        "pratique fragmentée.",
        "Besoins reçus : lignes de Besoins qui nomment le dispositif, lignes écartées pour "
        "erreur comprises ; besoins allotis : ceux qui sont dans un lot (les autres, et les "
        "lignes écartées, sont expliqués dans Contrôles). Montant maximum : bons de commande "
        f"jusqu'à {pct(p.max_bons_pct)} de l'estimation, sur toute la durée de "
        "l'accord-cadre.",
    ]


def small_lots(result: Result) -> Block:
    """Petits lots et mini-lots: shares of the total maximum against the cap."""
    s, law = shown_summary(result), result.thresholds
    cap = law.part_max_petits.value
    return Block("T_PetitsLots", [
        Column("Dispositif"), Column("Régime"), Column("Lots", FMT_INT),
        Column(f"Petits lots (< {euros(law.petits_lots.value)})", FMT_INT),
        Column("Part des petits lots (%)", FMT_PCT),
        Column(f"Mini-lots (< {euros(law.mini_lots.value)})", FMT_INT),
        Column("Part des mini-lots (%)", FMT_PCT), Column("Lots plafonnés"),
        Column("Part plafonnée (%)", FMT_PCT), Column("Plafond (%)", FMT_PCT),
        Column("Dans le plafond"),
    ], [[r.dispositif, REGIME[r.regime], r.lots, r.petits_lots, r.part_petits, r.mini_lots,
         r.part_mini, CONTROLLED[r.regime], r.part_controlee, cap, oui_non(r.conforme)]
        for r in s.itertuples()], title="Petits lots et mini-lots : part plafonnée à "
                                         f"{pct(cap)} de la valeur totale")


def small_lots_notes(result: Result) -> list[str]:
    return [(
        "Part : montant maximum des lots sous le seuil ÷ montant maximum de tous les lots du "
        "dispositif. La part plafonnée est celle des mini-lots pour les services sociaux et "
        "spécifiques (passés sans publicité ni mise en concurrence, CCP R2122-8), celle des "
        "petits lots pour les services (procédure adaptée, R2123-1 2°).")]


def _consequence(regime: str, beyond: bool) -> str:
    if regime == Regime.SSS:
        return "avis au JOUE" if beyond else "sans avis au JOUE"
    return "procédure formalisée" if beyond else "procédure adaptée"


def publicity(result: Result) -> Block:
    """The total over the term against the EU publicity or procedure threshold."""
    s = shown_summary(result)
    return Block("T_PubliciteUE", [
        Column("Dispositif"), Column("Régime"), Column("Au-delà du seuil"),
        Column("Seuil applicable (€ HT)", FMT_EUR_WHOLE),
        Column("Montant maximum total (€ HT)", FMT_EUR_WHOLE), Column("Conséquence"),
    ], [[r.dispositif, REGIME[r.regime], oui_non(r.au_dela_seuil), r.seuil_procedure,
         r.montant_max, _consequence(r.regime, r.au_dela_seuil)] for r in s.itertuples()],
        title="Seuil de publicité européenne ou de procédure formalisée")


def publicity_notes(result: Result) -> list[str]:
    return [(
        "La valeur de tous les lots ensemble, sur toute la durée de l'accord-cadre (R2121-1, "
        "R2121-8), est comparée au seuil : services sociaux et spécifiques, procédure "
        "adaptée quel que soit le montant et avis au JOUE au-delà du seuil européen "
        "(R2123-1 3°) ; services, procédure formalisée au-delà (R2124-1).")]


def _hhi_reading(h: float) -> str:
    if h < 1500:
        return "faible"
    if h <= 2500:
        return "modérée"
    return "forte"


def concentration(result: Result) -> Block:
    att = result.attribution
    rows = [[code, _hhi_reading(v), round(v)] for code, v in att.hhi.items()]
    if not rows:
        rows = [[code, "sans offres", None] for code in shown_codes(result)]
    return Block("T_Concentration", [
        Column("Dispositif"), Column("Concentration"), Column("HHI", FMT_INT),
    ], rows, title="Concentration des titulaires (indice HHI)")


def concentration_notes(result: Result) -> list[str]:
    notes = ["HHI : somme des carrés des parts (%) des titulaires dans le montant attribué, de "
             f"0 à {nombre(10_000)} ; sous {nombre(1500)} concentration faible, de "
             f"{nombre(1500)} à {nombre(2500)} modérée, au-delà forte."]
    if not len(result.attribution.hhi):
        notes.append("Il se calcule quand la feuille Offres désigne les titulaires.")
    return notes + holders_notes(result)


def holders_notes(result: Result) -> list[str]:
    """Per dispositif whose `Lots max par titulaire` can bind: the fewest distinct holders
    its lots need, and whether that is more than the buyer can expect (Contrôles says why)."""
    notes = []
    for c in result.holders:
        line = (f"{c.dispositif} : au moins {nombre(c.needed)} titulaires distincts "
                f"nécessaires ({nombre(c.slots)} places d'attributaire sur {nombre(c.lots)} "
                f"lots, {nombre(c.lots_max)} lots au plus par titulaire)")
        if c.warned and c.short:
            line += f" ; selon les offres, {short_lots(c)} moins d'attributaires que prévu"
        elif c.warned and c.bidders is not None:
            line += f" ; les offres n'en comptent que {nombre(c.bidders)}"
        elif c.warned:
            line += ", plus que la consultation ne peut raisonnablement en réunir"
        notes.append(line + (" : voir Contrôles." if c.warned else "."))
    return notes


def rules_compared(result: Result) -> Block | None:
    comp = result.attribution.comparison
    if comp is None or not len(comp):
        return None
    return Block("T_Regles", [
        Column("Dispositif"), Column("Règle d'attribution"),
        Column("Places d'attributaire pourvues", FMT_INT), Column("Note totale", "0.0#_-"),
        Column("Titulaires par lot", "0.00_-"), Column("Règle annoncée"),
    ], [[r.dispositif, r.regle, r.places_pourvues, r.note_totale, r.titulaires_par_lot,
         oui_non(r.retenue)] for r in comp.itertuples()],
        title="Les deux règles d'attribution comparées")


def territoires(result: Result) -> Block:
    """Per territoire: the lots serving it, and the places, hours and maximum of its needs
    (a lot's maximum shared among its needs in proportion to their hours)."""
    aff, lots = result.affectation, result.lots
    zones = result.inputs.zones
    needs = result.needs.drop_duplicates("id").set_index("id")["zone"]
    frame = aff[["id", "lot", "places", "hours"]].copy()
    frame["territoire"] = [getattr(zones.get(z), "territoire", None) or "(sans territoire)"
                           for z in frame["id"].map(needs)]
    per_lot = lots.set_index("lot")
    lot_hours = frame["lot"].map(per_lot["hours"])
    lot_places = frame["lot"].map(per_lot["places"])
    share = (frame["hours"] / lot_hours).where(lot_hours > 0,
                                               frame["places"] / lot_places.where(lot_places > 0))
    frame["montant"] = share.fillna(0.0) * frame["lot"].map(per_lot["montant_max"])
    g = frame.groupby("territoire", sort=False).agg(
        lots=("lot", "nunique"), places=("places", "sum"), hours=("hours", "sum"),
        montant=("montant", "sum")).sort_values(["montant", "lots"], ascending=False)
    hours = [_r2(h) for h in g["hours"]]
    block = Block("T_Territoires", [
        Column("Territoire"), Column("Lots", FMT_INT), Column("Places", FMT_INT),
        Column("Heures", hours_format(hours + [_r2(sum(hours))])),
        Column("Montant maximum (€ HT)", FMT_EUR_WHOLE),
    ], [[t, int(r.lots), int(r.places), h, _r2(r.montant)]
        for (t, r), h in zip(g.iterrows(), hours, strict=True)], title="Par territoire")
    if len(g):
        block.total = ["Total", int(frame["lot"].nunique()), int(g["places"].sum()),
                       _r2(sum(hours)), _r2(g["montant"].sum())]
    return block


def territoires_notes() -> list[str]:
    return ["Un lot qui s'étend sur plusieurs territoires compte dans chacun (le total compte "
            "chaque lot une fois) ; places, heures et montants suivent les besoins de chaque "
            "territoire."]


def size_bands(result: Result) -> list[tuple[float, float, str]]:
    """(low, high, label) bands of a lot's maximum: under the mini-lots threshold, under the
    small-lots threshold, then SIZE_STEPS; the last open-ended."""
    law = result.thresholds
    edges = sorted({law.mini_lots.value, law.petits_lots.value, *SIZE_STEPS})
    bands = [(0.0, edges[0], f"< {euros(edges[0])}")]
    bands += [(lo, hi, f"{nombre(lo / 1000)} à {nombre(hi / 1000)} k€")
              for lo, hi in zip(edges, edges[1:], strict=False)]
    bands.append((edges[-1], float("inf"), f"≥ {euros(edges[-1])}"))
    return bands


def sizes(result: Result) -> Block:
    """Lots per band of maximum (rows) and dispositif (columns); empty top bands left out."""
    lots, codes = result.lots, shown_codes(result)
    rows = []
    for lo, hi, label in size_bands(result):
        inside = lots[(lots["montant_max"] >= lo) & (lots["montant_max"] < hi)]
        counts = inside.groupby("dispositif").size()
        rows.append([label, *[int(counts.get(c, 0)) for c in codes]])
    while len(rows) > 1 and not any(rows[-1][1:]):
        rows.pop()
    return Block("T_Tailles", [Column("Montant maximum du lot")]
                 + [Column(c, FMT_INT) for c in codes], rows,
                 title="Lots par tranche de montant maximum")


def _short_euros(x: float) -> str:
    """An amount as a key figure shows it: `21,99 M€` from a million, else `80 000 €`."""
    if abs(x) >= 1e6:
        return f"{nombre(round(x / 1e6, 2))}{NBSP}M€"
    return euros(round(x))


def key_figures(result: Result) -> list[tuple[str, str]]:
    """The band of key figures: (label, figure written the French way)."""
    s, lots = shown_summary(result), result.lots
    frag, n = int(s.fragmentes.sum()), len(lots)
    per = [figures(result, code) for code in s.dispositif]
    out = sum(f.out_of_bounds for f in per)
    lone = sum(f.lone_over_max for f in per)
    rejected = rejected_rows(result)
    return [
        *([("Lignes écartées", nombre(rejected))] if rejected else []),
        ("Besoins allotis", nombre(int(s.allotis.sum()))),
        ("Lots", nombre(n)),
        ("Contrats évités", f"{nombre(frag - n)} ({pct(round(100 * (frag - n) / frag))})"
         if frag else "0"),
        ("Valeur sur la durée", _short_euros(float(s.montant_max.sum()))),
        ("Lots hors bornes", nombre(out)),
        ("Lots d'un seul besoin au-delà du max", nombre(lone)),
        ("Plafond petits lots tenu", f"{nombre(int(s.conforme.sum()))} sur {nombre(len(s))}"),
        ("Au-delà du seuil européen", f"{nombre(int(s.au_dela_seuil.sum()))} sur "
                                      f"{nombre(len(s))}"),
    ]


def key_figures_note(result: Result) -> str:
    n = len(shown_summary(result))
    cap = pct(result.thresholds.part_max_petits.value)
    return (f"Chiffres clés, {compte(n, 'dispositif')} avec des besoins. Valeur : montants "
            "maximums sur la durée (€ HT, M€ : millions d'euros) ; lots hors bornes : lots "
            "sous « Volume min » ou au-dessus de « Volume max », hors lots d'un seul besoin "
            "indivisible au-delà du maximum (comptés à part) ; plafond : dispositifs dont la "
            f"part des mini-lots (ou petits lots) reste sous {cap} ; au-delà du seuil : "
            "dispositifs dont la valeur totale dépasse le seuil européen.")
