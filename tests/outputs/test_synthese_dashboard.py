"""Synthèse reads at a glance: key figures, terms defined, per-territoire figures that add
up; output columns shown only when they carry information; hours without decimals."""

from __future__ import annotations

import openpyxl
import pytest

from allot_xl import api
from allot_xl.outputs.model import FMT_HOURS, FMT_INT, hours_format
from workbooks import allot, lots, make_workbook, need, sheet_rows


def _texts(path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [c for row in wb["Synthèse"].iter_rows(values_only=True) for c in row
            if isinstance(c, str)]


def _table(path, title: str) -> list[list]:
    """Rows of the table under the bold title `title` on Synthèse (header first)."""
    ws = openpyxl.load_workbook(path)["Synthèse"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == title:
                out, r = [], c.row + 1
                while ws.cell(r, c.column).value is not None:
                    width = 5 if title == "Par territoire" else 12
                    out.append([ws.cell(r, c.column + k).value for k in range(width)])
                    if out[-1][0] == "Total":
                        break
                    r += 1
                return out
    raise AssertionError(title)


def test_dashboard_says_what_it_shows(written) -> None:
    texts = " ".join(_texts(written["exemple"][1])).replace("\u00a0", " ")
    for words in ("Besoins allotis", "Contrats évités", "Valeur sur la durée",
                  "Lots hors bornes", "Au-delà du seuil européen", "Seuils en vigueur au",
                  "un contrat par zone et par clé de besoin", "HHI :", "Par territoire"):
        assert words in texts, words
    assert "16,71 M€" in texts  # key figures written the French way


def test_per_territoire_adds_up_to_the_lots(written) -> None:
    out = written["exemple"][1]
    rows = _table(out, "Par territoire")
    assert rows[0] == ["Territoire", "Lots", "Places", "Heures", "Montant maximum (€ HT)"]
    body, total = rows[1:-1], rows[-1]
    lots_rows = sheet_rows(out, "Lots")
    assert total[0] == "Total" and total[1] == len(lots_rows)
    assert sum(r[2] for r in body) == total[2] == sum(r["Places"] for r in lots_rows)
    assert sum(r[3] for r in body) == pytest.approx(sum(r["Heures"] for r in lots_rows))
    assert sum(r[4] for r in body) == pytest.approx(
        sum(r["Montant maximum (€ HT)"] for r in lots_rows), abs=0.1)
    assert max(r[1] for r in body) <= total[1]


def test_minimum_column_only_when_a_minimum_is_set(tmp_path) -> None:
    needs = [need("a", "AOF", "Belley", hours=4000)]
    (tmp_path / "sans").mkdir()
    out = allot(tmp_path / "sans", needs)
    assert "Montant minimum (€ HT)" not in lots(out)["AOF-01"]
    (tmp_path / "avec").mkdir()
    out = allot(tmp_path / "avec", needs, params=[("Minimum bons de commande (%)", 10)])
    assert lots(out)["AOF-01"]["Montant minimum (€ HT)"] == 5600


def test_whole_hours_show_without_decimals(tmp_path) -> None:
    assert hours_format([16000.0, 200.0, None]) == FMT_INT
    assert hours_format([16000.0, 12.5]) == FMT_HOURS
    path = make_workbook(tmp_path, needs=[need("a", "AOF", "Belley", hours=16000)])
    out = tmp_path / "sortie.xlsx"
    api.regenerate(path, out)
    ws = openpyxl.load_workbook(out)["Lots"]
    col = [c.value for c in ws[1]].index("Heures") + 1
    assert ws.cell(2, col).value == 16000 and ws.cell(2, col).number_format == FMT_INT
