"""The `Comparaison des scénarios` output sheet: one row per dispositif and scenario, the
rule values it used, its figures, the recommended one marked with its reason, a chart."""

from __future__ import annotations

import datetime as dt

from ..core.contract import COMPARAISON, RULE_FIELDS, SCENARIO_OVERRIDES
from ..core.french import nombre, pct, rule_value
from ..core.model import Objectif, Regime, Rule
from ..engine.scenarios import ACTUEL, PROPOSE, Figures, Scenario, rank_key, recommend
from .model import (
    FMT_EUR,
    FMT_HOURS,
    FMT_INT,
    FMT_PCT,
    FMT_RATIO,
    Block,
    Chart,
    Column,
    Page,
    Sheet,
)
from .words import PRICE_UNITS

COLUMNS = [
    Column("Dispositif"), Column("Scénario"), Column("Recommandé"), Column("Maille"),
    Column("Unité"), Column("Volume min", FMT_HOURS), Column("Volume max", FMT_HOURS),
    Column("Regroupement"), Column("Attributaires", FMT_INT),
    Column("Lots max par titulaire", FMT_INT), Column("Besoins divisibles"),
    Column("Lots", FMT_INT), Column("Besoins allotis", FMT_INT),
    Column("Places médiane", FMT_RATIO), Column("Places min", FMT_INT),
    Column("Places max", FMT_INT), Column("Heures médiane", FMT_HOURS),
    Column("Heures min", FMT_HOURS), Column("Heures max", FMT_HOURS),
    Column("Montant maximum médian (€ HT)", FMT_EUR), Column("Montant maximum min (€ HT)",
                                                              FMT_EUR),
    Column("Montant maximum max (€ HT)", FMT_EUR), Column("Lots hors bornes", FMT_INT),
    Column("Lots d'un seul besoin au-delà du max", FMT_INT),
    Column("Besoins par lot", FMT_RATIO), Column("Contrats évités", FMT_INT),
    Column("Part plafonnée (%)", FMT_PCT), Column("Plafond (%)", FMT_PCT),
    Column("Lots accessibles à une petite structure", FMT_INT),
    Column("Offres par lot", FMT_RATIO), Column("Lots infructueux", FMT_INT),
    Column("Lots coupés en parties", FMT_INT), Column("Unité de prix"),
    Column("Motif", width=90, wrap=True), Column("Dispositif · scénario"),
]
PRINT_SCALE = 80  # % : 11-point text prints at 8,8 points, over several pages wide


def _controlled(s: Scenario) -> str:
    return "mini-lots" if s.rule.regime == Regime.SSS else "petits lots"


def _n(k: float, one: str, many: str | None = None) -> str:
    """`k` and its noun, singular for 0 and 1 as French has it (`1 lot`, `3 lots`)."""
    return f"{nombre(k)} {one if abs(k) < 2 else (many or one + 's')}"


def _reason(s: Scenario, f: Figures, why: str, base: Scenario, actuel: Figures,
            objectif: str) -> str:
    """Why the recommended design is recommended: the bounds it keeps or changes (each
    changed bound with its old value), the buyer's objective and the other criterion
    against `Actuel`, needs shared among parts, and, when it has more lots than `Actuel`,
    what `Actuel` breaks."""
    lone = (f"{_n(f.lone_over_max, 'besoin seul', 'besoins seuls')} au-delà du maximum "
            f"(indivisible{'s' if f.lone_over_max > 1 else ''})" if f.lone_over_max else "")
    bounds = [f"{label.lower()} {new} au lieu de {old}"
              for label, new, old in changed_values(s.rule, base.rule)
              if label in ("Volume min", "Volume max", "Unité")]
    if why == "feasible":
        kept = (f"respecte les bornes qu'il fixe ({', '.join(bounds)})" if bounds
                else "respecte les bornes de Règles")
        out = (f"Recommandé : {kept}{f', hors {lone},' if lone else ''} et le plafond des "
               f"{_controlled(s)} ({pct(f.share)} pour {pct(f.cap)})")
    else:
        out = f"Recommandé faute de mieux : {_binding(s, f)}{f' ; {lone}' if lone else ''}"
    lots = f"{_n(f.lots, 'lot')}" + (f" (Actuel : {nombre(actuel.lots)})"
                                     if s is not base else "")
    smes = (f"{_n(f.small_for_smes, 'lot accessible', 'lots accessibles')} à une petite "
            f"structure" + (f" (Actuel : {nombre(actuel.small_for_smes)})"
                            if s is not base else ""))
    first, second = (smes, lots) if objectif == Objectif.PETITES else (lots, smes)
    out += f" ; objectif « {objectif} » : {first} ; {second}"
    if f.divided:
        out += (f" ; {_n(f.divided, 'besoin')} au-delà du maximum "
                f"{'partagé' if f.divided < 2 else 'partagés'} en {nombre(f.pieces)} parties "
                f"(Besoins divisibles)")
    if s is not base and f.lots > actuel.lots:
        out += f" ; Actuel n'est pas retenu : {_fault(base, actuel)}"
    return out + "."


def _not_chosen(s: Scenario, f: Figures, best: tuple[Scenario, Figures],
                objectif: str) -> str:
    """Why design `s` (figures `f`) is not the recommended one (`best`), in words: the
    first term of the ranking (`engine.scenarios.rank_key`) in which it comes after."""
    s_best, b = best
    mine, theirs = rank_key(f, objectif), rank_key(b, objectif)
    at = next((i for i, (x, y) in enumerate(zip(mine, theirs, strict=True)) if x != y), None)
    if at == 0:
        return f"Non recommandé : il alloue moins de besoins que {s_best.name}."
    if at == 1:
        return f"Non recommandé : {_binding(s, f)}."
    if at == 2:
        return (f"Non recommandé : plus de besoins seuls au-delà du maximum que "
                f"{s_best.name}.")
    if at in (3, 4):
        return f"Non recommandé : {_binding(s, f)}, plus que {s_best.name}."
    if at in (5, 6) and objectif == Objectif.PETITES:
        return (f"Non recommandé : {_n(f.small_for_smes, 'lot accessible', 'lots accessibles')}"
                f" à une petite structure contre {nombre(b.small_for_smes)} pour {s_best.name}"
                f" (objectif « {objectif} »).")
    if at in (5, 6):
        return (f"Non recommandé : {_n(f.lots, 'lot')} contre {nombre(b.lots)} pour "
                f"{s_best.name} (objectif « {objectif} »).")
    return f"Non recommandé : à égalité avec {s_best.name}, retenu en premier."


def _fault(s: Scenario, f: Figures) -> str:
    """What keeps design `s` (of figures `f`) from being recommended, in words."""
    if f.out_of_bounds or not f.share_ok:
        return _binding(s, f)
    if f.lone_over_max:
        return (f"{_n(f.lone_over_max, 'besoin seul', 'besoins seuls')} au-delà du maximum "
                f"(indivisible{'s' if f.lone_over_max > 1 else ''})")
    return "il alloue moins de besoins"


def _binding(s: Scenario, f: Figures) -> str:
    """Every cap and bound design `s` breaks, in words (each one, never only the first)."""
    out = []
    if f.out_of_bounds:
        out.append(f"{_n(f.out_of_bounds, 'lot')} hors des bornes de volume")
    if not f.share_ok:
        out.append(f"part des {_controlled(s)} de {pct(f.share)}, au-delà du plafond de "
                   f"{pct(f.cap)} de {_n(round(f.share - f.cap, 2), 'point')}")
    return " ; ".join(out)


# the rule fields a scenario may change, as the comparison and `Journal` name them
RULE_LABELS = tuple((RULE_FIELDS[c], c) for c in SCENARIO_OVERRIDES)


def changed_values(rule: Rule, base: Rule) -> list[tuple[str, str, str]]:
    """(label, value in `rule`, value in `base`) of each field `rule` changes."""
    return [(label, rule_value(getattr(rule, f)), rule_value(getattr(base, f)))
            for f, label in RULE_LABELS if getattr(rule, f) != getattr(base, f)]


def changes(s: Scenario, base: Scenario) -> str:
    """What `s` changes in `base`'s rule, in words (`Maille Zone (au lieu de Territoire)`)."""
    said = [f"{label} {new} (au lieu de {old})"
            for label, new, old in changed_values(s.rule, base.rule)]
    return ("Par rapport à Actuel : " + ", ".join(said) + ".") if said else (
        "Mêmes règles qu'Actuel.")


def _note(s: Scenario, f: Figures, base: Scenario, actuel: Figures) -> str:
    out = []
    if s.name != ACTUEL:
        out.append(changes(s, base))
    if f.needs < actuel.needs:
        out.append(f"Attention : {_n(actuel.needs - f.needs, 'besoin')} d'Actuel "
                   f"{'n’est' if actuel.needs - f.needs < 2 else 'ne sont'} pas alloti"
                   f"{'' if actuel.needs - f.needs < 2 else 's'} (leur "
                   f"{'Métier' if 'Métier' in s.rule.maille else 'Domaine'} manque) : "
                   f"figures non comparables.")
    if s.name == PROPOSE:
        if s.binding is None:
            out.append(f"Meilleure des {nombre(s.searched)} conceptions essayées "
                       f"(énumération exhaustive) qui respectent les bornes et le plafond des "
                       f"{_controlled(s)}.")
        else:
            out.append(f"Aucune des {nombre(s.searched)} conceptions essayées ne respecte "
                       f"tout : la plus proche, contrainte limitante : {_binding(s, f)}.")
    return " ".join(out)


def _row(s: Scenario, f: Figures, mark: str, motif: str, bids: bool) -> list:
    r = s.rule
    gone = "sans objet" if bids and f.bidders_per_lot is None else None
    return [
        s.dispositif, s.name, mark, " + ".join(r.maille), r.unite, r.volume_min, r.volume_max,
        r.regroupement, r.attributaires, r.lots_max, "oui" if r.divisible else "non",
        f.lots, f.needs, *_sizes(f.places, f), *_sizes(f.hours, f), *_sizes(f.amount, f),
        f.out_of_bounds, f.lone_over_max,
        f.needs_per_lot, f.avoided, f.share, f.cap, f.small_for_smes,
        gone or f.bidders_per_lot, gone or f.unsuccessful, f.split_parts,
        PRICE_UNITS[str(r.unite)], motif,
        f"{s.dispositif} · {s.name}",
    ]


def _sizes(spread: tuple[float, float, float], f: Figures) -> tuple:
    """Median, min and max, blank when there is no lot to measure."""
    return spread if f.lots else (None, None, None)


def comparison_sheet(rows: list[tuple[Scenario, Figures]], campaign: str = "",
                     when: dt.datetime | None = None,
                     objectif: str = Objectif.CONTRATS) -> Sheet:
    """The comparison of `rows` (grouped by dispositif, in order, `Actuel` first), with a
    chart of lots and lots a small organisation can take per scenario. A dispositif
    without needs gets its `Actuel` row only, saying so. With `Offres`, a design that
    redraws the lots shows « sans objet » for bids (they name the lots as drawn). It
    prints at a readable size over several pages wide, `Dispositif` and `Scénario`
    repeated on each, under a header naming `campaign` and the date `when`."""
    out: list[list] = []
    i = 0
    while i < len(rows):
        code = rows[i][0].dispositif
        j = i
        while j < len(rows) and rows[j][0].dispositif == code:
            j += 1
        group = rows[i:j]
        base, actuel = group[0]
        bids = any(f.bidders_per_lot is not None for _, f in group)
        if actuel.needs == 0:
            out.append(_row(base, actuel, "sans objet", "Aucun besoin valide pour ce "
                            "dispositif : rien à comparer.", bids))
            i = j
            continue
        best, why = recommend(group, objectif)
        for k, (s, f) in enumerate(group):
            motif = " ".join(x for x in (
                _reason(s, f, why, base, actuel, objectif) if k == best
                else _not_chosen(s, f, group[best], objectif),
                _note(s, f, base, actuel)) if x)
            out.append(_row(s, f, "oui" if k == best else "non", motif, bids))
        i = j
    block = Block("T_Scenarios", COLUMNS, out, top=True)
    chart = Chart("column", "Lots par scénario", "T_Scenarios", "Dispositif · scénario",
                  ("Lots", "Lots accessibles à une petite structure"),
                  row=len(out) + 4, col=3, width_cm=18, y_title="lots",
                  font_pt=10)  # printed at PRINT_SCALE: 8 points
    when = when or dt.datetime.now()
    return Sheet(COMPARAISON, [block], charts=[chart],
                 page=Page(header=campaign or "Allotissement",
                           header_center="Comparaison des scénarios",
                           header_right=f"Généré le {when:%d/%m/%Y à %H:%M}",
                           title_rows=(1, 1), scale=PRINT_SCALE, title_cols=(1, 2)))
