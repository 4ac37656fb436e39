"""The `Synthèse` sheet: a one-screen dashboard (campaign, thresholds, key figures, charts)
above the detailed tables, laid out in two bands of columns so that each table keeps
widths of its own; it prints on at most two landscape A4 pages."""

from __future__ import annotations

import datetime as dt
import textwrap

from ..contract import SYNTHESE
from ..engine import Result
from ..french import euros, nombre
from . import synthese_tables as tables
from .look import sheet_widths
from .model import Chart, Sheet, Text

CHART_ROWS = (12, 17)  # each line of charts' height in rows of 20 pixels (15 points)
ROW_PX = 20
PX_PER_CM = 96 / 2.54
GAP_PX = 12  # between two charts side by side
PER_ROW = 3  # charts side by side
FIGURE_PT = 16  # the key figures' font size
MIN_DASHBOARD_PX = 1500  # the dashboard is at least this wide, whatever the tables


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


def _px(chars: float) -> int:
    """Pixels of a column `chars` characters wide (7-pixel digits, 5 pixels of padding)."""
    return int(chars * 7 + 0.5) + 5


class _Grid:
    """Column edges in pixels, from the widths the tables give the sheet's columns."""

    def __init__(self, widths: dict[int, float], last: int):
        self.left = [0]
        for c in range(1, last + 2):
            self.left.append(self.left[-1] + (_px(widths[c]) if c in widths else 64))

    def column_at(self, x: float) -> int:
        """The 1-based column whose left edge is nearest `x`."""
        return min(range(1, len(self.left)), key=lambda c: abs(self.left[c - 1] - x))

    def chars(self, first: int, last: int) -> int:
        """About how many characters of text fit from column `first` to `last`."""
        return max(40, int((self.left[last] - self.left[first - 1]) / 7))


def _spread(grid: _Grid, full: float, n: int) -> list[int]:
    """`n` columns whose left edges spread evenly over `full` pixels (distinct, rising)."""
    cols: list[int] = []
    for k in range(n):
        c = grid.column_at(k * full / n)
        cols.append(max(c, cols[-1] + 1) if cols else c)
    return cols


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


def synthese_sheet(result: Result, when: dt.datetime) -> Sheet:
    """The Synthèse of `result`, generated at `when`."""
    p = result.inputs.params
    campaign = result.inputs.campaign or "campagne"
    left = [(tables.dispositifs(result), tables.dispositifs_notes(result)),
            (tables.small_lots(result), tables.small_lots_notes(result)),
            (tables.publicity(result), tables.publicity_notes(result)),
            (tables.concentration(result), tables.concentration_notes(result))]
    compared = tables.rules_compared(result)
    if compared is not None:
        left.append((compared, ["Places d'attributaire pourvues : places des lots réparties "
                                "entre titulaires selon chaque règle ; la règle annoncée est "
                                "celle de Paramètres."]))
    band2 = left[0][0].last_col + 2
    right = [(tables.territoires(result), tables.territoires_notes()),
             (tables.sizes(result), [])]
    for b, _ in right:
        b.col = band2
    blocks = [b for b, _ in left + right]
    widths = sheet_widths(Sheet(SYNTHESE, blocks))
    last_col = max(b.last_col for b in blocks)
    grid = _Grid(widths, last_col)
    full = max(grid.left[last_col], MIN_DASHBOARD_PX)

    # the dashboard: what the campaign is, the key figures, the charts
    texts = [Text(1, 1, f"Synthèse de l'allotissement — {campaign}", bold=True, size=14)]
    intro = (f"Généré le {when:%d/%m/%Y à %H:%M} par allot_xl. Les montants sont en € HT ; la "
             f"valeur d'un accord-cadre est son montant maximum sur toute sa durée (CCP "
             f"R2121-8), ici {nombre(p.duree_mois)} mois × {nombre(1 + p.reconductions)} "
             f"période(s).")
    row = 2
    width = max(60, int(full / 7))
    for line in _lines(intro, width) + _lines(_thresholds_line(result), width):
        texts.append(Text(row, 1, line))
        row += 1
    row += 1
    figures = tables.key_figures(result)
    cols = _spread(grid, full, len(figures))
    for (label, value), col in zip(figures, cols, strict=True):
        texts += [Text(row, col, label, bold=True), Text(row + 1, col, value, bold=True,
                                                         size=FIGURE_PT)]
    texts.append(Text(row + 2, 1, tables.key_figures_note(result)))
    top = row + 4
    charts = _charts(result, grid, full, top)

    # the tables, each band from the first row under the charts
    start = top + sum(CHART_ROWS) + len(CHART_ROWS) + 1
    for band in (left, right):
        row = start
        for b, notes in band:
            b.row = row + 1  # the title above the header
            row = b.last_row + 1
            chars = grid.chars(b.col, max(b.last_col, b.col + 4))
            for note in notes:
                for line in _lines(note, chars):
                    texts.append(Text(row, b.col, line))
                    row += 1
            row += 1
    return Sheet(SYNTHESE, blocks, texts, charts, freeze=None)


def _charts(result: Result, grid: _Grid, full: int, top: int) -> list[Chart]:
    """Three charts a row, across the dashboard's width, from row `top`."""
    specs = [
        ("column", "Contrats : pratique fragmentée et lots", "T_Synthese", "Dispositif",
         ("Lots en pratique fragmentée", "Lots"), "contrats", False),
        ("column", "Part plafonnée des petits lots ou mini-lots (%)", "T_PetitsLots",
         "Dispositif", ("Part plafonnée (%)", "Plafond (%)"), "%", False),
        ("column", "Lots par tranche de montant maximum", "T_Tailles",
         "Montant maximum du lot", tuple(result.summary.dispositif), "lots", True),
        ("bar", "Lots par territoire", "T_Territoires", "Territoire", ("Lots",), "lots",
         False),
        ("bar", "Montant maximum par territoire (€ HT)", "T_Territoires", "Territoire",
         ("Montant maximum (€ HT)",), "€ HT", False),
    ]
    if len(result.attribution.holders):
        specs.append(("bar", "Montant attribué par titulaire (€ HT)", "T_Titulaires",
                      "Titulaire", ("Montant (€ HT)",), "€ HT", False))
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
