"""Steps 3–7 per dispositif: groups to numbered, priced lots, and each need's lot."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..contract import fold, sort_key
from ..model import Inputs, Rule
from ..problems import Report
from .grouping import EPS, Group, NeedArrays, make_groups, merge_small, split_large

LOT_COLUMNS = [
    "lot", "intitule", "dispositif", "zones", "territoire", "departement", "domaine", "metier",
    "nb_besoins", "places", "hours", "hpp", "montant", "montant_max", "attributaires",
    "repartition", "petit_lot", "statut", "cle", "mini_lot", "montant_min",
]
AFFECTATION_COLUMNS = ["id", "lot", "motif", "places", "hours", "row", "dispositif"]


@dataclass
class _Lot:
    group: Group
    cle: str
    number: int = 0
    imposed: list[int] | None = None  # positions of needs that joined by Lot imposé


def _number_of(lot: str) -> int:
    m = re.search(r"-(\d+)\s*$", lot)
    return int(m.group(1)) if m else 0


def lot_label(code: str, n: int) -> str:
    return f"{code}-{n:02d}"


def _number(lots: list[_Lot], code: str, previous: dict[str, str]) -> None:
    """Step 6: keep the number of a lot whose Clé existed; new lots above the highest used."""
    prefix = fold(code)
    used = [_number_of(v) for v in previous.values() if fold(v.rsplit("-", 1)[0]) == prefix]
    taken: set[int] = set()
    for lot in lots:
        prev = previous.get(fold(lot.cle))
        if prev and fold(prev.rsplit("-", 1)[0]) == prefix and _number_of(prev) not in taken:
            lot.number = _number_of(prev)
            taken.add(lot.number)
    nxt = max(used + list(taken) + [0]) + 1
    for lot in sorted((x for x in lots if not x.number), key=lambda x: _order(x.group, x.cle)):
        lot.number = nxt
        nxt += 1


def _order(g: Group, cle: str) -> tuple:
    base = cle.rsplit(" | Partie=", 1)[0] if g.part else cle
    return (sort_key(base), g.part[0] if g.part else 0)


def _impose(lots: list[_Lot], imposed: pd.Series, offset: int, a: NeedArrays, rule: Rule,
            previous_cles: dict[str, str]) -> None:
    """Needs with a valid `Lot imposé` join the lot holding that number (re-created with its
    previous Clé when it vanished). `imposed` holds their lot names, positions from `offset`."""
    by_num = {lot_label(rule.code, x.number): x for x in lots}
    names = imposed.to_numpy()
    for lot_name in sorted(set(names)):
        pos = [offset + i for i, v in enumerate(names) if v == lot_name]
        target = by_num.get(lot_name)
        if target is None:
            cle = previous_cles.get(lot_name) or f"{rule.code} | Lot imposé={lot_name}"
            target = _Lot(Group({c: set() for c in rule.maille}, [], 0.0, 0.0, set()), cle,
                          _number_of(lot_name))
            lots.append(target)
            by_num[lot_name] = target
        g = target.group
        target.imposed = (target.imposed or []) + pos
        g.needs = g.needs + pos
        g.places += float(a.places[pos].sum())
        g.hours += float(a.hours[pos].sum())
        g.zones |= set(a.zone[pos])


def _status(lot: _Lot, rule: Rule, mini: bool) -> str:
    g, flags = lot.group, []
    v = g.volume(rule)
    unit = "h" if rule.unite == "heures" else "places"
    if v < rule.volume_min - EPS:
        why = ("regroupement « aucun »" if rule.regroupement == "aucun"
               else "aucun regroupement possible")
        flags.append(f"Sous le minimum ({v:g} < {rule.volume_min:g} {unit} ; {why})")
    if rule.volume_max is not None and v > rule.volume_max + EPS:
        why = "besoin indivisible" if g.single_over_max or len(g.needs) == 1 else "lot imposé"
        flags.append(f"Au-dessus du maximum ({v:g} > {rule.volume_max:g} {unit} ; {why})")
    if lot.imposed:
        flags.append(f"{len(lot.imposed)} besoin(s) imposé(s)")
    if mini:
        flags.append("Mini-lot")
    return " ; ".join(flags) if flags else "Conforme"


def build_lots(needs: pd.DataFrame, inputs: Inputs, report: Report
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lots and the affectation of each allotted need, for every dispositif."""
    lot_rows: list[dict] = []
    aff_parts: list[pd.DataFrame] = []
    region = inputs.params.region or ""
    active = needs[~needs["excluded"]]
    for code, rule in inputs.rules.items():
        sub = active[active["dispositif"] == code]
        if sub.empty:
            continue
        is_imposed = sub["lot_impose"] != ""
        ordered = pd.concat([sub[~is_imposed], sub[is_imposed]]).reset_index(drop=True)
        n_free = int((~is_imposed).sum())
        a = NeedArrays.of(ordered, rule, inputs.zones, region)
        groups = merge_small(make_groups(a, n_free, rule), rule, a, inputs.zones, region)
        parts = [p for g in groups for p in split_large(g, rule, a)]
        lots = [_Lot(p, p.cle(code, rule.maille)) for p in parts]
        _number(lots, code, inputs.previous_lots)
        if n_free < len(ordered):
            _impose(lots, ordered["lot_impose"].iloc[n_free:], n_free, a, rule,
                    inputs.previous_cles)
        lots.sort(key=lambda x: x.number)
        lot_rows += [_describe(lot, rule, a, inputs, report) for lot in lots]
        aff_parts.append(_affectation(lots, rule, ordered))
    lots_df = pd.DataFrame(lot_rows, columns=LOT_COLUMNS)
    aff_df = (pd.concat(aff_parts, ignore_index=True) if aff_parts
              else pd.DataFrame(columns=AFFECTATION_COLUMNS))
    return lots_df, aff_df


def _describe(lot: _Lot, rule: Rule, a: NeedArrays, inputs: Inputs, report: Report) -> dict:
    g, p = lot.group, inputs.params
    name = lot_label(rule.code, lot.number)

    def values(col: str) -> str:
        vals = a.column(col)[g.needs]
        return " + ".join(sorted({v for v in vals if v}, key=sort_key))

    hours = round(g.hours, 2)
    montant = round(hours * rule.taux, 2)  # from the hours shown, so the sheet adds up
    pmax, pmin = p.max_bons_pct, p.min_bons_pct
    maximum = round(montant * pmax / 100, 2)
    # A framework agreement's value is its maximum (CCP R2121-8).
    mini = maximum < p.seuil_mini_lots if p.seuil_mini_lots is not None else maximum < 40_000.0
    shown = {c: values(c) for c in ("Zone", "Territoire", "Département", "Domaine", "Métier")}
    key_text = " — ".join(v for v in (values(c) for c in rule.maille) if v)
    title = f"{rule.libelle} — {key_text}" if key_text else rule.libelle
    if g.part:
        title += f" (partie {g.part[0]}/{g.part[1]})"
    row = {
        "lot": name, "intitule": title, "dispositif": rule.code, "zones": shown["Zone"],
        "territoire": shown["Territoire"], "departement": shown["Département"],
        "domaine": shown["Domaine"], "metier": shown["Métier"], "nb_besoins": len(g.needs),
        "places": int(round(g.places)), "hours": hours,
        "hpp": round(g.hours / g.places, 1) if g.places else 0.0,
        "montant": montant, "montant_max": maximum,
        "attributaires": rule.attributaires, "repartition": rule.repartition,
        "petit_lot": "oui" if maximum < (p.seuil_petits_lots or 80_000.0) else "non",
        "statut": _status(lot, rule, mini), "cle": lot.cle, "mini_lot": "oui" if mini else "non",
        "montant_min": round(montant * pmin / 100, 2) if pmin is not None else None,
    }
    if row["statut"].startswith(("Sous", "Au-dessus")):
        report.warning("lot-hors-bornes", "Lots", None, "N° lot", name,
                       f"Lot {name} : {row['statut']}. Ajustez les règles ou imposez un lot.")
    return row


def _affectation(lots: list[_Lot], rule: Rule, needs: pd.DataFrame) -> pd.DataFrame:
    """One row per need: its lot and why it is there (direct, regroupé, scindé, imposé,
    plafonné)."""
    pos, names, motifs = [], [], []
    capped = needs["capped"].to_numpy()
    for lot in lots:
        g = lot.group
        name = lot_label(rule.code, lot.number)
        imposed = set(lot.imposed or [])
        shared = (["regroupé"] if g.base_keys > 1 else []) + (["scindé"] if g.part else [])
        for q in g.needs:
            m = ["imposé"] if q in imposed else []
            if capped[q]:
                m.append("plafonné")
            if q not in imposed:
                m += shared
            pos.append(q)
            names.append(name)
            motifs.append(", ".join(m) or "direct")
    sub = needs.iloc[pos]
    return pd.DataFrame({"id": sub["id"].to_numpy(), "lot": names, "motif": motifs,
                         "places": sub["places"].to_numpy(), "hours": sub["hours"].to_numpy(),
                         "row": sub["row"].to_numpy(), "dispositif": rule.code})
