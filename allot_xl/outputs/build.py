"""Engine results to the description of the output sheets (columns, formats, tables, charts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..core.contract import AFFECTATION, CONTROLES, JOURNAL, LOTS, MULTI, SYNTHESE
from ..core.french import compte
from ..engine import Result
from ..inputs.grid import paused_gc
from ..inputs.read import JOURNAL_COLUMNS
from .model import (
    FMT_DATETIME,
    FMT_EUR,
    FMT_GENERAL,
    FMT_HOURS,
    FMT_INT,
    FMT_PCT,
    FMT_RATIO,
    Block,
    Column,
    Outputs,
    Page,
    Sheet,
    cell_value,
    hours_format,
)
from .orders import suivi_line, suivi_sheet
from .synthese import synthese_sheet
from .synthese_tables import rejected_rows
from .words import lots_shown

LOTS_SPEC = [
    ("N° lot", "lot", None), ("Intitulé", "intitule", None), ("Dispositif", "dispositif", None),
    ("Zone(s)", "zones", None), ("Territoire", "territoire", None),
    ("Département", "departement", None), ("Domaine", "domaine", None),
    ("Métier", "metier", None), ("Nb besoins", "nb_besoins", FMT_INT),
    ("Places", "places", FMT_INT), ("Heures", "hours", FMT_HOURS),
    ("Heures par place", "hpp", FMT_RATIO), ("Montant estimé (€ HT)", "montant", FMT_EUR),
    ("Montant maximum (€ HT)", "montant_max", FMT_EUR), ("Attributaires", "attributaires", FMT_INT),
    ("Répartition", "repartition", None), ("Petit lot", "petit_lot", None),
    ("Statut", "statut", None), ("Clé", "cle", None), ("Mini-lot", "mini_lot", None),
    ("Montant minimum (€ HT)", "montant_min", FMT_EUR), ("Code CPV", "cpv", None),
    ("CA exigible max (€ HT)", "ca_max", FMT_EUR),
    ("Prix unitaire (€ HT)", "prix_unitaire", FMT_EUR), ("Unité de prix", "unite_prix", None),
]
AFFECTATION_SPEC = [
    ("ID besoin", "id", None), ("N° lot", "lot", None), ("Motif", "motif", None),
    ("Places", "places", FMT_INT), ("Heures", "hours", FMT_HOURS),
    ("Dispositif", "dispositif", None), ("Ligne Besoins", "row", None),
]
MULTI_SPEC = [
    ("N° lot", "lot", None), ("Titulaire", "titulaire", None), ("Rang", "rang", None),
    ("Ordre de sollicitation", "ordre", None), ("Part (%)", "part", FMT_PCT),
    ("Places", "places", FMT_INT), ("Heures", "hours", FMT_HOURS),
    ("Montant (€ HT)", "montant", FMT_EUR), ("Note", "note", "0.0#"),
    ("Prix horaire (€)", "prix", FMT_EUR), ("Capacité (places)", "capacite", FMT_INT),
]
HOLDERS_SPEC = [
    ("Titulaire", "titulaire", None), ("Nb lots", "nb_lots", FMT_INT),
    ("Places", "places", FMT_INT), ("Heures", "hours", FMT_HOURS),
    ("Montant (€ HT)", "montant", FMT_EUR), ("Part du total (%)", "part_total", FMT_PCT),
]
# numbers carry a trailing blank (the formats' `_-`) so they never touch the next text
CONTROLES_COLUMNS = [
    Column("Gravité"), Column("Feuille"), Column("Ligne", FMT_INT), Column("Colonne"),
    Column("Valeur", FMT_GENERAL, width=24, wrap=True), Column("Message", width=72, wrap=True),
    Column("Code"),
]
JOURNAL_FORMATS = {"Horodatage": FMT_DATETIME, "Besoins reçus": FMT_INT,
                   "Besoins allotis": FMT_INT, "Lots": FMT_INT, "Erreurs": FMT_INT,
                   "Avertissements": FMT_INT}
LOTS_PRINT_SCALE = 80  # % (Lots, Multi-attribution): 11-point text prints at 8.8 points
WRAPPED = {"Intitulé", "Zone(s)", "Territoire", "Statut", "Clé", "Motif"}
# columns shown only when some row carries a value (not contract columns)
OPTIONAL = {"Montant minimum (€ HT)"}


def column_values(values: pd.Series) -> list[Any]:
    """`cell_value` of each element of `values`, in order, computed column-wise: floats
    and ints as Python numbers (NaN: None), booleans `oui`/`non`, texts as they are (an
    empty text: None); other dtypes value by value through `cell_value`."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    if kind == "f":
        a = values.to_numpy()
        out = a.tolist()
        for i in np.flatnonzero(np.isnan(a)).tolist():
            out[i] = None
        return out
    if kind in ("i", "u"):
        return values.to_numpy().tolist()
    if kind == "b":
        return ["oui" if v else "non" for v in values.to_numpy().tolist()]
    items: Any = values
    if kind == "O" or (not kind and pd.api.types.is_string_dtype(values.dtype)):
        items = values.to_numpy(dtype=object)
    return [v if type(v) is str and v else cell_value(v) for v in items]


def frame_block(name: str, df: pd.DataFrame, spec: list[tuple[str, str, str | None]],
                **kw: Any) -> Block:
    """A block from DataFrame columns, in the order and with the headers of `spec`: hours
    without decimals when they are whole, long texts wrapped, an OPTIONAL column only when
    some row has a value in it."""
    frame = df.reindex(columns=[k for _, k, _ in spec])
    values = [column_values(frame.iloc[:, j]) for j in range(len(spec))]
    cols, kept = [], []
    for j, (h, _, fmt) in enumerate(spec):
        if h in OPTIONAL and all(v is None for v in values[j]):
            continue
        if fmt == FMT_HOURS:
            fmt = hours_format(values[j])
        cols.append(Column(h, fmt, wrap=h in WRAPPED))
        kept.append(values[j])
    rows = list(map(list, zip(*kept, strict=True))) if kept else [[] for _ in range(len(df))]
    kw.setdefault("top", any(c.wrap for c in cols))  # a row's cells read from its top
    return Block(name, cols, rows, **kw)


def _controles(result: Result) -> Sheet:
    rows = [[p.severity, p.sheet, p.row, p.column, _shown(p.value), p.message, p.code]
            for p in result.report.sorted()]
    if not rows:
        rows = [["Info", None, None, None, None, "Aucun problème détecté.", "aucun-probleme"]]
    return Sheet(CONTROLES, [Block("T_Controles", CONTROLES_COLUMNS, rows, top=True)])


def _shown(v: Any) -> Any:
    v = cell_value(v)
    return v if isinstance(v, int | float | str) or v is None else str(v)


def journal_row(result: Result, source: str, user: str, file_name: str,
                now: dt.datetime | None = None, scenario: str = "") -> list[Any]:
    """The run's `Journal` row (`JOURNAL_COLUMNS`); `scenario` names the scenario applied."""
    r = result.report
    return [
        (now or dt.datetime.now()).replace(microsecond=0), __version__,
        result.inputs.fingerprint, int(sum(result.inputs.needs_received.values())),
        int(result.affectation["id"].nunique()), len(result.lots), r.count("Erreur"),
        r.count("Avertissement"),
        source, user, file_name, scenario or None,
    ]


def _journal(result: Result, row: list[Any]) -> Sheet:
    cols = [Column(c, JOURNAL_FORMATS.get(c), width=60 if c == "Lancé depuis" else None,
                   wrap=c == "Lancé depuis") for c in JOURNAL_COLUMNS]
    rows = [[cell_value(v) for v in r] for r in result.inputs.previous_journal] + [row]
    return Sheet(JOURNAL, [Block("T_Journal", cols, rows, top=True)])


def _multi(result: Result) -> Sheet:
    att = result.attribution
    left = frame_block("T_Multi", att.rows, MULTI_SPEC)
    holders = frame_block("T_Titulaires", att.holders, HOLDERS_SPEC,
                          col=left.last_col + 2)
    if not holders.rows:
        holders.rows = [["Titulaires désignés après l'analyse des offres (feuille Offres)",
                         None, None, None, None, None]]
        holders.table = False
    return Sheet(MULTI, [left, holders])


def build_outputs(result: Result, *, source: str = "ligne de commande", user: str = "",
                  file_name: str = "", now: dt.datetime | None = None,
                  scenario: str = "") -> Outputs:
    """The six output sheets of a run (and `Suivi des commandes` when `Commandes` has
    orders, before `Contrôles`); `scenario` names the scenario whose rules the run
    used (« Proposé » or a name of the Scénarios sheet), said on every sheet."""
    with paused_gc():
        return _build_outputs(result, source, user, file_name, now, scenario)


def _build_outputs(result: Result, source: str, user: str, file_name: str,
                   now: dt.datetime | None, scenario: str) -> Outputs:
    jrow = journal_row(result, source, user, file_name, now, scenario)
    when: dt.datetime = jrow[0]
    sheets = [
        Sheet(LOTS, [frame_block("T_Lots", lots_shown(result.lots, result.inputs.rules,
                                                      scenario), LOTS_SPEC)]),
        Sheet(AFFECTATION, [frame_block("T_Affectation", result.affectation, AFFECTATION_SPEC)]),
        _multi(result),
        synthese_sheet(result, jrow[0], scenario),
        _controles(result),
        _journal(result, jrow),
    ]
    campaign = result.inputs.campaign or "Allotissement"
    for sh in sheets:
        wide = sh.name in (LOTS, MULTI)  # too wide for one page at a readable size
        sh.page = Page(header=campaign, header_right=f"Généré le {when:%d/%m/%Y à %H:%M}",
                       header_center=f"Scénario « {scenario} »" if scenario else "",
                       fit_tall=2 if sh.name == SYNTHESE else 0,
                       title_rows=(1, 1) if sh.page is None else sh.page.title_rows,
                       scale=LOTS_PRINT_SCALE if wide else 0,
                       title_cols=(1, 1) if wide else None)
    if result.orders is not None:  # its own page: no time of run (same orders, same sheet)
        sheets.insert(4, suivi_sheet(result, campaign))
    r = result.report
    rejected = rejected_rows(result)
    line = (f"{compte(len(result.lots), 'lot généré', 'lots générés')} pour "
            f"{compte(result.affectation['id'].nunique(), 'besoin')}"
            + (f" (scénario « {scenario} »)" if scenario else "")
            + (f", {compte(rejected, 'ligne écartée', 'lignes écartées')}" if rejected else "")
            + f", {compte(r.count('Erreur'), 'erreur')}, "
            f"{compte(r.count('Avertissement'), 'avertissement')}"
            f" — voir {SYNTHESE} et {CONTROLES}."
            + (f" Commandes : {suivi_line(result)}" if result.orders is not None else ""))
    return Outputs(sheets, line)

