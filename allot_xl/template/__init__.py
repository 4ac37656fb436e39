"""The input workbook: a blank template with drop-down lists, or the bundled example campaign."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..core.contract import (
    BESOINS,
    COLUMNS,
    COMMANDES,
    CRITERE_TYPES,
    CRITERES,
    OFFRES,
    PARAMETERS,
    PARAMETRES,
    REGLES,
    REGROUPEMENTS,
    REPARTITIONS,
    UNITES,
    ZONES,
    column,
)
from . import example as example_data
from . import orders as example_orders

PARAMS_BY_LABEL = {p.label: p for p in PARAMETERS}
TABLE_NAMES = {BESOINS: "T_Besoins", ZONES: "T_Zones", REGLES: "T_Regles",
               PARAMETRES: "T_Parametres", OFFRES: "T_Offres", COMMANDES: "T_Commandes",
               CRITERES: "T_Criteres"}
LIST_ROWS = 5000   # rows of Besoins/Offres covered by validations
RULE_ROWS = 200    # rows of Règles covered, and offered to the Dispositif list
ZONE_ROWS = 2000   # rows of Zones offered to the Zone list
WORKBOOKS_DIR = Path(__file__).resolve().parents[2] / "workbooks"
BLANK_FILE, EXAMPLE_FILE = "modele_vierge.xlsx", "exemple_rhone_alpes.xlsx"
ORDERS_FILE = "exemple_commandes.xlsx"  # the example with its Offres and a year of Commandes

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
_AUTHOR = "allot_xl"

# --------------------------------------------------------------------------- helpers


def _quote(sheet: str) -> str:
    """A sheet name as written in a formula, always quoted (`'Règles'`)."""
    return "'" + sheet.replace("'", "''") + "'"


def _letter(sheet: str, column: str) -> str:
    names = [c.name for c in COLUMNS[sheet]]
    return get_column_letter(names.index(column) + 1)


# widths (characters) for free-text columns, so an empty template is already readable
_MIN_WIDTHS = {"Zone": 22, "Domaine": 26, "Métier": 30, "Commentaire": 40, "Territoire": 24,
               "Voisines": 40, "Libellé": 34, "Maille": 22, "Candidat": 30, "Paramètre": 36,
               "Valeur": 28, "Critère": 60}


def _width(header: str, values: list[Any]) -> float:
    longest = max([len(str(v)) for v in values if v is not None] + [0])
    return float(min(60, max(10, _MIN_WIDTHS.get(header, 0), len(header) + 4, longest + 2)))


def _add_list(ws: Worksheet, cells: str, values: tuple[str, ...] | str, prompt: str,
              *, strict: bool = True) -> DataValidation:
    """A drop-down list on `cells`: fixed `values`, or a range formula when given a string."""
    formula = values if isinstance(values, str) else '"' + ",".join(values) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                        showErrorMessage=True, showInputMessage=True,
                        errorStyle="stop" if strict else "warning",
                        promptTitle="Liste de choix", prompt=prompt,
                        errorTitle="Valeur hors liste",
                        error="Choisissez une valeur de la liste déroulante.")
    dv.add(cells)
    ws.add_data_validation(dv)
    return dv


def _add_number(ws: Worksheet, cells: str, kind: str, prompt: str) -> None:
    """A non-blocking check that typed values are numbers >= 0 (`kind`: whole or decimal)."""
    dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0",
                        allow_blank=True, showErrorMessage=True, showInputMessage=True,
                        errorStyle="warning", promptTitle="Nombre", prompt=prompt,
                        errorTitle="Nombre attendu",
                        error="Saisissez un nombre positif ou nul.")
    dv.add(cells)
    ws.add_data_validation(dv)


def _fill_sheet(wb: Workbook, sheet: str, rows: list[dict[str, Any]]) -> Worksheet:
    """A sheet holding `rows` under the contract's headers, as a formatted Excel table."""
    ws = wb.create_sheet(sheet)
    headers = [c.name for c in COLUMNS[sheet]]
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    last_row = max(2, len(rows) + 1)
    sample = rows[:1000]
    for idx, header in enumerate(headers, start=1):
        letter = get_column_letter(idx)
        cell = ws.cell(row=1, column=idx)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        decl = column(sheet, header)
        comment = Comment(decl.help, _AUTHOR)
        comment.width, comment.height = 280, 90
        cell.comment = comment
        dim = ws.column_dimensions[letter]
        dim.width = _width(header, [r.get(header) for r in sample])
        if decl.number_format:
            dim.number_format = decl.number_format
            for (data_cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=idx,
                                              max_col=idx):
                data_cell.number_format = decl.number_format
    ref = f"A1:{get_column_letter(len(headers))}{last_row}"
    table = Table(displayName=TABLE_NAMES[sheet], ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    return ws


# --------------------------------------------------------------------------- sheets


def _besoins(wb: Workbook, rows: list[dict[str, Any]]) -> None:
    ws = _fill_sheet(wb, BESOINS, rows)
    last = max(LIST_ROWS, len(rows) + 1)

    def col(name: str) -> str:
        letter = _letter(BESOINS, name)
        return f"{letter}2:{letter}{last}"

    _add_list(ws, col("Dispositif"), f"{_quote(REGLES)}!$A$2:$A${RULE_ROWS}",
              "Code d'un dispositif de la feuille Règles.", strict=False)
    _add_list(ws, col("Zone"), f"{_quote(ZONES)}!$A$2:$A${ZONE_ROWS}",
              "Zone de la feuille Zones.", strict=False)
    _add_number(ws, col("Places"), "whole", "Nombre entier de places.")
    _add_number(ws, col("Heures"), "decimal", "Volume en heures stagiaires.")
    _add_number(ws, col("Débouchés"), "decimal", "Offres d'emploi attendues.")


def _regles(wb: Workbook, rows: list[dict[str, Any]]) -> None:
    ws = _fill_sheet(wb, REGLES, rows)

    def col(name: str) -> str:
        letter = _letter(REGLES, name)
        return f"{letter}2:{letter}{RULE_ROWS}"

    _add_list(ws, col("Unité"), UNITES, "Unité des volumes min et max.")
    _add_list(ws, col("Regroupement"), REGROUPEMENTS, "Fusion des lots sous le volume min.")
    _add_list(ws, col("Plafonner aux débouchés"), ("oui", "non"),
              "Limiter les places aux débouchés ?")
    _add_list(ws, col("Répartition"), REPARTITIONS, "Partage des bons de commande.")
    _add_number(ws, col("Heures par place"), "decimal", "Durée d'un parcours, en heures (> 0).")


def _criteres(wb: Workbook, rows: list[dict[str, Any]]) -> None:
    ws = _fill_sheet(wb, CRITERES, rows)
    last = max(RULE_ROWS, len(rows) + 1)

    def col(name: str) -> str:
        letter = _letter(CRITERES, name)
        return f"{letter}2:{letter}{last}"

    _add_list(ws, col("Dispositif"), f"{_quote(REGLES)}!$A$2:$A${RULE_ROWS}",
              "Code d'un dispositif de la feuille Règles.", strict=False)
    _add_list(ws, col("Type"), CRITERE_TYPES, "Critère (qualité, prix, coût) ou clause.")
    _add_list(ws, col("Environnemental"), ("oui", "non"),
              "Le critère porte-t-il sur l'environnement ?")
    _add_number(ws, col("Pondération (%)"), "decimal", "Poids du critère, en %.")


def _parametres(wb: Workbook, params: list[tuple[str, Any]]) -> None:
    ws = _fill_sheet(wb, PARAMETRES, [{"Paramètre": k, "Valeur": v} for k, v in params])
    value_col = _letter(PARAMETRES, "Valeur")
    for row_idx, (key, _value) in enumerate(params, start=2):
        name_cell = ws.cell(row=row_idx, column=1)
        par = PARAMS_BY_LABEL[key]
        if par.help:
            name_cell.comment = Comment(par.help, _AUTHOR, width=280, height=70)
        value_cell = ws[f"{value_col}{row_idx}"]
        if key.endswith("(€ HT)"):
            value_cell.number_format = '#,##0 "€"'
        elif key.endswith("(%)"):
            value_cell.number_format = "0"
        if par.choices:
            _add_list(ws, value_cell.coordinate, par.choices, par.help)


# --------------------------------------------------------------------------- public


def build_template(example: bool = False, n_needs: int | None = None, *,
                   orders: bool = False) -> Workbook:
    """The input workbook: blank (rules and parameters pre-filled, empty `Offres` and
    `Commandes`) or the example campaign.

    `n_needs` sizes the example's `Besoins` (default: the example's few hundred needs);
    `orders` gives the example its `Offres` (bids for the lots it draws) and a year of
    `Commandes` for their holders (`template/orders.py`: deterministic)."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = _AUTHOR
    if example:
        wb.properties.title = example_data.CAMPAIGN
        needs, zones = example_data.needs(n_needs), example_data.zones()
        params = example_data.parameters()
        if orders:
            params = [(k, dt.date(*example_orders.ORDERS_START) if k == "Date de notification"
                       else v) for k, v in params]
    else:
        wb.properties.title = "Modèle de classeur d'allotissement"
        needs, zones = [], []
        params = example_data.parameters(campaign=None, region=None, buyer=False)
    _besoins(wb, needs)
    _fill_sheet(wb, ZONES, zones)
    _regles(wb, example_data.rules())
    _parametres(wb, params)
    bids, bons = (_bids_and_orders(needs, zones, params) if example and orders
                  else ([], []))
    if not example or orders:
        ws = _fill_sheet(wb, OFFRES, bids)
        _add_number(ws, f"{_letter(OFFRES, 'Note')}2:{_letter(OFFRES, 'Note')}{LIST_ROWS}",
                    "decimal", "Note de l'offre (la plus haute est la meilleure).")
        ws = _fill_sheet(wb, COMMANDES, bons)
        amount = _letter(COMMANDES, "Montant (€ HT)")
        _add_number(ws, f"{amount}2:{amount}{LIST_ROWS}", "decimal",
                    "Montant du bon en € HT (positif).")
    _criteres(wb, example_data.criteria() if example else [])
    wb.active = 0
    return wb


def _grid(name: str, rows: list[dict[str, Any]]) -> Any:
    from ..inputs.grid import SheetGrid

    headers = [c.name for c in COLUMNS[name]]
    return SheetGrid(name, [headers, *([r.get(h) for h in headers] for r in rows)])


def _bids_and_orders(needs: list[dict[str, Any]], zones: list[dict[str, Any]],
                     params: list[tuple[str, Any]]
                     ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The example's `Offres` for the lots its needs draw, then its `Commandes` for the
    holders those bids make (two in-memory runs of the pipeline)."""
    from ..inputs.grid import SheetGrid
    from ..verbs.pipeline import Context, run

    grids = {BESOINS: _grid(BESOINS, needs), ZONES: _grid(ZONES, zones),
             REGLES: _grid(REGLES, example_data.rules()),
             PARAMETRES: SheetGrid(PARAMETRES, [["Paramètre", "Valeur"],
                                                *([k, v] for k, v in params)])}
    lots = run(grids, Context(), outputs=False).result.lots
    shown = [{"N° lot": r.lot, "Attributaires": r.attributaires, "Répartition": r.repartition,
              "Montant estimé (€ HT)": r.montant, "Heures": r.hours,
              "Heures par place": r.hpp} for r in lots.itertuples(index=False)]
    bids = example_orders.offers(shown)
    grids[OFFRES] = _grid(OFFRES, bids)
    rows = run(grids, Context(), outputs=False).result.attribution.rows
    holders = [{"N° lot": r.lot, "Titulaire": r.titulaire, "Rang": r.rang, "Part (%)": r.part}
               for r in rows.itertuples(index=False) if not r.placeholder]
    return bids, example_orders.orders(shown, holders)


def _save(wb: Workbook, path: Path) -> None:
    """Save beside `path` then move into place (io.xlsx.write.atomic_write), so a
    failure leaves no half-written file and gives one French sentence (WriteError)."""
    from ..io.xlsx.write import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, wb.save)


def write_template(path: Path, *, example: bool = False, force: bool = False) -> Path:
    """Write the blank input workbook (or, with `example`, the example campaign) to `path`.

    Raises AllotError (French message) when `path` is not an .xlsx or already exists
    without `force`; the file is written atomically."""
    from ..core.problems import AllotError

    if path.suffix.lower() != ".xlsx":
        raise AllotError(f"Le modèle « {path.name} » doit finir par .xlsx.")
    if path.exists() and not force:
        raise AllotError(f"« {path} » existe déjà : choisissez un autre nom ou ajoutez --force.")
    _save(build_template(example=example, orders=example), path)
    return path


def main() -> None:
    """Regenerate the bundled workbooks in `workbooks/`."""
    for example, orders, name in ((False, False, BLANK_FILE), (True, False, EXAMPLE_FILE),
                                  (True, True, ORDERS_FILE)):
        path = WORKBOOKS_DIR / name
        _save(build_template(example=example, orders=orders), path)
        print(f"Écrit : {path}")

