"""The `Synthèse` sheet: a one-screen dashboard (campaign, scenario, thresholds, key figures,
charts) above the detailed tables, stacked one under the other so that none leaves blank
bands in another; notes are single wrapped cells merged across the tables' width. It
prints on at most two landscape A4 pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..core.contract import CONTROLES, SYNTHESE
from ..core.french import compte, euros
from ..engine import Result
from . import synthese_tables as tables
from .look import column_px, sheet_widths
from .model import Block, Chart, Sheet, Text
from .orders import consumption_block, consumption_notes
from .words import keep_together

CHART_ROWS = (10, 17)  # each line of charts' height in rows of 20 pixels (15 points)
ROW_PX = 20
PX_PER_CM = 96 / 2.54
GAP_PX = 12  # between two charts side by side
PER_ROW = 3  # charts side by side
FIGURE_PT = 16  # the key figures' font size
# at most this wide: 1 920 pixels of screen less Excel's row headers and scroll bar,
# so that the dashboard holds on one screen at 100 %
MAX_DASHBOARD_PX = 1850


def _thresholds_line(result: Result) -> str:
    """The launch date and every threshold applied, with its article."""
    law = result.thresholds
    parts = []
    for label, a in (("mini-lots", law.mini_lots), ("petits lots", law.petits_lots),
                     ("procédure formalisée (services)", law.procedure_formalisee),
                     ("publicité JOUE (services sociaux et spécifiques)", law.publicite_sss)):
        who = (" (fixé par l'acheteur)" if a.overridden else
               " (valeur de Paramètres plus souple que la loi, écartée)" if a.looser else "")
        parts.append(f"{label} {euros(a.value)}{who} ({a.legal.article})")
    return (f"Seuils en vigueur au {law.day:%d/%m/%Y} (date de lancement) : "
            + " ; ".join(parts) + ".")


class _Grid:
    """Column edges in pixels, from the widths the tables give the sheet's columns."""

    def __init__(self, widths: dict[int, float], last: int):
        self.left = [0]
        for c in range(1, last + 2):
            self.left.append(self.left[-1] + (column_px(widths[c]) if c in widths else 64))

    def column_at(self, x: float) -> int:
        """The 1-based column whose left edge is nearest `x`."""
        return min(range(1, len(self.left)), key=lambda c: abs(self.left[c - 1] - x))

    def last_within(self, x: float) -> int:
        """The last column whose right edge is at most `x` pixels (at least column 1)."""
        return max([c for c in range(1, len(self.left)) if self.left[c] <= x] or [1])


def _spread(grid: _Grid, full: float, n: int) -> list[int]:
    """`n` columns whose left edges spread evenly over `full` pixels (distinct, rising)."""
    cols: list[int] = []
    for k in range(n):
        c = grid.column_at(k * full / n)
        cols.append(max(c, cols[-1] + 1) if cols else c)
    return cols


def _shares(grid: _Grid, last: int, n: int) -> list[int]:
    """The first columns of `n` consecutive shares of columns 1..`last` whose narrowest
    share is as wide as the columns allow (in pixels), so that every figure has room."""
    if last < n:
        return list(range(1, n + 1))
    edge = grid.left

    # best[k][c]: the widest narrowest share splitting columns 1..c-1 into k shares
    best: list[dict[int, tuple[float, list[int]]]] = [{1: (float("inf"), [])}]
    for k in range(1, n + 1):
        row: dict[int, tuple[float, list[int]]] = {}
        for c in range(k + 1, last + 2):
            options = [(min(w, edge[c - 1] - edge[b - 1]), cuts + [b])
                       for b, (w, cuts) in best[k - 1].items() if b < c]
            if options:
                row[c] = max(options, key=lambda o: o[0])
        best.append(row)
    return best[n][last + 1][1]


def synthese_sheet(result: Result, when: dt.datetime, scenario: str = "") -> Sheet:
    """The Synthèse of `result`, generated at `when`, under `scenario` if one was applied."""
    p = result.inputs.params
    campaign = result.inputs.campaign or "campagne"
    stack: list[tuple[Block, list[str]]] = [
        (tables.rules_applied(result, scenario), tables.rules_applied_notes(result, scenario)),
        (tables.dispositifs(result), tables.dispositifs_notes(result)),
        (tables.small_lots(result), tables.small_lots_notes(result)),
        (tables.publicity(result), tables.publicity_notes(result)),
        (tables.concentration(result), tables.concentration_notes(result))]
    compared = tables.rules_compared(result)
    if compared is not None:
        stack.append((compared, ["Places d'attributaire pourvues : places des lots réparties "
                                 "entre titulaires selon chaque règle ; la règle annoncée est "
                                 "celle de Paramètres."]))
    consumption = consumption_block(result)
    if consumption is not None:
        stack.append((consumption, consumption_notes(result)))
    stack += [(tables.territoires(result), tables.territoires_notes()),
              (tables.sizes(result), [])]
    blocks = [b for b, _ in stack]
    widths = sheet_widths(Sheet(SYNTHESE, blocks))
    last_col = max(b.last_col for b in blocks)
    grid = _Grid(widths, max(last_col, 40))
    full = MAX_DASHBOARD_PX  # the dashboard spans the screen, whatever the tables
    band = grid.last_within(full)  # notes are merged across columns 1..band

    # the dashboard: what the campaign is, the scenario, the key figures, the charts
    title = f"Synthèse de l'allotissement — {campaign}"
    if scenario:
        title += f" — scénario « {scenario} »"
    texts = [Text(1, 1, title, bold=True, size=14)]
    intro = (f"Généré le {when:%d/%m/%Y à %H:%M} par allot_xl. Les montants sont en € HT ; la "
             f"valeur d'un accord-cadre est son montant maximum sur toute sa durée "
             f"(CCP R2121-8), ici {compte(p.duree_mois, 'mois', 'mois')} × "
             f"{compte(1 + p.reconductions, 'période')}.")
    if scenario:
        intro = (f"Lots générés avec les règles du scénario « {scenario} », et non celles de la "
                 f"feuille Règles (inchangée) : voir « Règles appliquées » ci-dessous. " + intro)
    texts += [Text(2, 1, intro, bold=bool(scenario), last_col=band),
              Text(3, 1, _thresholds_line(result), last_col=band)]
    row = 4
    figures = tables.key_figures(result)
    cols = _shares(grid, band, len(figures))
    ends = [c - 1 for c in cols[1:]] + [max(band, cols[-1])]
    for (label, value), col, end in zip(figures, cols, ends, strict=True):
        # each figure wraps within its share of the band, never under the next one
        texts += [Text(row, col, label, bold=True, last_col=end),
                  Text(row + 1, col, value, bold=True, size=FIGURE_PT, last_col=end)]
    rejected = tables.rejected_rows(result)
    others = tables.other_errors(result)
    said = ([f"{compte(rejected, 'ligne écartée', 'lignes écartées')} — voir {CONTROLES}."]
            if rejected else [])
    if others:
        said.append(f"{compte(others, 'erreur')} dans d'autres feuilles — voir {CONTROLES}.")
    note = " ".join([*said, tables.key_figures_note(result)])
    texts.append(Text(row + 2, 1, note, bold=bool(said), last_col=band))
    top = row + 3
    charts = _charts(result, grid, full, top)

    # the tables, stacked under the charts, each with its notes below it
    row = top + sum(CHART_ROWS) + len(CHART_ROWS) + 1
    for b, notes in stack:
        b.row = row + 1  # the title above the header
        row = b.last_row + 1
        for n in notes:
            texts.append(Text(row, 1, n, last_col=max(band, b.last_col)))
            row += 1
        row += 1
    texts = [replace(t, value=keep_together(t.value)) if t.wrap else t for t in texts]
    return Sheet(SYNTHESE, blocks, texts, charts, freeze=None)


def _charts(result: Result, grid: _Grid, full: int, top: int) -> list[Chart]:
    """Three charts a row, across the dashboard's width, from row `top`."""
    specs = [
        ("column", "Contrats : pratique fragmentée et lots", "T_Synthese", "Dispositif",
         ("Lots en pratique fragmentée", "Lots"), "contrats", False),
        ("column", "Part plafonnée des petits lots ou mini-lots (%)", "T_PetitsLots",
         "Dispositif", ("Part plafonnée (%)", "Plafond (%)"), "%", False),
        ("column", "Lots par tranche de montant maximum", "T_Tailles",
         "Montant maximum du lot", tuple(tables.shown_codes(result)), "lots", True),
        ("bar", "Lots par territoire", "T_Territoires", "Territoire", ("Lots",), "lots",
         False),
        ("bar", "Montant maximum par territoire (€ HT)", "T_Territoires", "Territoire",
         ("Montant maximum (€ HT)",), "€ HT", False),
    ]
    if len(result.attribution.holders):
        specs.append(("bar", "Montant attribué par titulaire (€ HT)", "T_Titulaires",
                      "Titulaire", ("Montant (€ HT)",), "€ HT", False))
    specs = [s for s in specs if s[4]]  # no dispositif with needs: no series to draw
    starts = _spread(grid, full, PER_ROW)
    edges = [grid.left[c - 1] for c in starts] + [full + GAP_PX]
    out = []
    for i, (kind, title, block, category, series, unit, stacked) in enumerate(specs):
        k, line = i % PER_ROW, i // PER_ROW
        px_wide = edges[k + 1] - edges[k] - GAP_PX
        out.append(Chart(kind, title, block, category, series,
                         row=top + sum(CHART_ROWS[:line]) + line, col=starts[k],
                         width_cm=round(px_wide / PX_PER_CM, 2),
                         height_cm=round(CHART_ROWS[line] * ROW_PX / PX_PER_CM, 2),
                         y_title=unit, stacked=stacked))
    return out
