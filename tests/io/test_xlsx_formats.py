"""Percentages typed in Excel (`120 %`, stored 1.2 with a % format) are read as percentages."""

from __future__ import annotations

import zipfile
from pathlib import Path

from allot_xl.io.xlsx.formats import percent_cells, percent_styles
from allot_xl.io.xlsx.read import check_file, sheet_parts
from workbooks import controles, lots, make_workbook, need, read, regenerate


def _percent_params(wb) -> None:
    ws = wb["Paramètres"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Maximum bons de commande (%)":
            row[1].value, row[1].number_format = 1.2, "0%"
        if row[0].value == "Part max petits lots (%)":
            row[1].value, row[1].number_format = 0.25, "0.00%"


def _workbook(tmp_path: Path) -> Path:
    return make_workbook(
        tmp_path, [need("a", "AOF", "Belley", hours=1000)],
        params=[("Maximum bons de commande (%)", 120), ("Part max petits lots (%)", 20)],
        tweak=_percent_params)


def test_percent_formatted_cells_are_found(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    pkg = check_file(path)
    styles = percent_styles(pkg.styles)
    cells = percent_cells(pkg.read(sheet_parts(pkg)["Paramètres"]), styles)
    assert len(styles) >= 2 and len(cells) == 2


def test_a_percentage_typed_in_excel_counts_in_points(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    inputs, report = read(path)
    assert inputs.params.max_bons_pct == 120
    assert inputs.params.part_max_petits_pct == 25
    lot = lots(regenerate(path))["AOF-01"]
    assert lot["Montant maximum (€ HT)"] == lot["Montant estimé (€ HT)"] * 1.2


def test_a_percentage_typed_as_a_fraction_is_questioned(tmp_path: Path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=1000)],
                         params=[("Maximum bons de commande (%)", 1.2)])
    rows = controles(regenerate(path), "Avertissement")
    assert ("Paramètres", 2, "Valeur", "parametre-suspect") in rows


def test_error_cells_are_found_in_prefixed_sheet_xml(tmp_path: Path) -> None:
    """Some tools write `<x:c …>` (a namespace prefix): error cells are still errors."""
    import re

    src = make_workbook(tmp_path, [need("a", "PQ", "Belley", places=14, domaine="Industrie",
                                        debouches="#N/A")])
    out = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        part = sheet_parts(zin)["Besoins"]
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == part:
                x = data.decode().replace(
                    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                    'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
                data = re.sub(r"<(/?)([a-zA-Z]+)([ />])", r"<\1x:\2\3", x).encode()
            zout.writestr(i, data)
    for path in (src, out):
        inputs, report = read(path)
        assert inputs.needs.empty
        assert [(p.row, p.column, p.code) for p in report.problems] == [
            (2, "Débouchés", "nombre-invalide")]
