"""The `Comparaison des scénarios` output sheet: one row per dispositif and scenario, the
rule values it used, its figures, the recommended one marked with its reason, a chart."""

from __future__ import annotations

from ..contract import COMPARAISON
from ..engine.scenarios import PROPOSE, Figures, Scenario, recommend
from ..french import nombre, pct
from ..model import Regime
from .model import FMT_EUR, FMT_HOURS, FMT_INT, FMT_PCT, FMT_RATIO, Block, Chart, Column, Sheet

COLUMNS = [
    Column("Dispositif"), Column("Scénario"), Column("Recommandé"), Column("Maille"),
    Column("Unité"), Column("Volume min", FMT_HOURS), Column("Volume max", FMT_HOURS),
    Column("Regroupement"), Column("Attributaires", FMT_INT),
    Column("Lots max par titulaire", FMT_INT), Column("Besoins divisibles"),
    Column("Lots", FMT_INT), Column("Places médiane", FMT_INT), Column("Places min", FMT_INT),
    Column("Places max", FMT_INT), Column("Heures médiane", FMT_HOURS),
    Column("Heures min", FMT_HOURS), Column("Heures max", FMT_HOURS),
    Column("Montant maximum médian (€ HT)", FMT_EUR), Column("Montant maximum min (€ HT)",
                                                              FMT_EUR),
    Column("Montant maximum max (€ HT)", FMT_EUR), Column("Lots hors bornes", FMT_INT),
    Column("Lots d'un seul besoin au-delà du max", FMT_INT),
    Column("Besoins par lot", FMT_RATIO), Column("Contrats évités", FMT_INT),
    Column("Part contrôlée (%)", FMT_PCT), Column("Plafond (%)", FMT_PCT),
    Column("Lots accessibles à une petite structure", FMT_INT),
    Column("Offres par lot", FMT_RATIO), Column("Lots infructueux", FMT_INT),
    Column("Motif", width=90), Column("Libellé"),
]


def _controlled(s: Scenario) -> str:
    return "mini-lots" if s.rule.regime == Regime.SSS else "petits lots"


def _reason(s: Scenario, f: Figures, why: str) -> str:
    what = (f"{nombre(f.small_for_smes)} lot(s) accessible(s) à une petite structure pour "
            f"{nombre(f.lots)} lots")
    if why == "feasible":
        return (f"Recommandé : respecte les bornes et le plafond des {_controlled(s)} "
                f"({pct(f.share)} pour {pct(f.cap)}) ; {what}.")
    return f"Recommandé faute de mieux : {_binding(s, f)} ; {what}."


def _binding(s: Scenario, f: Figures) -> str:
    if f.out_of_bounds:
        return f"{nombre(f.out_of_bounds)} lot(s) hors des bornes de volume"
    return (f"part des {_controlled(s)} de {pct(f.share)}, au-delà du plafond de "
            f"{pct(f.cap)} de {nombre(round(f.share - f.cap, 2))} point(s)")


def _note(s: Scenario, f: Figures) -> str:
    if s.name != PROPOSE:
        return ""
    if s.binding is None:
        return (f"Meilleure des {nombre(s.searched)} conceptions essayées (énumération "
                f"exhaustive) qui respectent les bornes et le plafond des {_controlled(s)}.")
    return (f"Aucune des {nombre(s.searched)} conceptions essayées ne respecte tout : la plus "
            f"proche, contrainte limitante : {_binding(s, f)}.")


def _row(s: Scenario, f: Figures, mark: str, motif: str) -> list:
    r = s.rule
    return [
        s.dispositif, s.name, mark, " + ".join(r.maille), r.unite, r.volume_min, r.volume_max,
        r.regroupement, r.attributaires, r.lots_max, "oui" if r.divisible else "non",
        f.lots, *f.places, *f.hours, *f.amount, f.out_of_bounds, f.lone_over_max,
        f.needs_per_lot, f.avoided, f.share, f.cap, f.small_for_smes, f.bidders_per_lot,
        f.unsuccessful, motif, f"{s.dispositif} · {s.name}",
    ]


def comparison_sheet(rows: list[tuple[Scenario, Figures]]) -> Sheet:
    """The comparison of `rows` (grouped by dispositif, in order), with a chart of lots and
    lots a small organisation can take per scenario."""
    out: list[list] = []
    i = 0
    while i < len(rows):
        code = rows[i][0].dispositif
        j = i
        while j < len(rows) and rows[j][0].dispositif == code:
            j += 1
        group = rows[i:j]
        best, why = recommend(group)
        for k, (s, f) in enumerate(group):
            motif = " ".join(x for x in (
                _reason(s, f, why) if k == best else "", _note(s, f)) if x)
            out.append(_row(s, f, "oui" if k == best else "", motif))
        i = j
    block = Block("T_Scenarios", COLUMNS, out)
    chart = Chart("column", "Lots par scénario", "T_Scenarios", "Libellé",
                  ("Lots", "Lots accessibles à une petite structure"),
                  row=len(out) + 4, col=1, width_cm=24, y_title="lots")
    return Sheet(COMPARAISON, [block], charts=[chart])
