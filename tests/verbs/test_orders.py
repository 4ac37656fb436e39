"""`allot-xl suivi` / `api.suivi` / « Suivre les commandes » (issue 25): only `Suivi des
commandes` is written, the same orders give the same sheet part byte for byte, stale lots
are refused, and the Book route (xlwings' remote engine) writes the same sheet."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from orders_support import acceptance_case, example_with_orders, regenerate, table, with_orders

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.contract import SUIVI
from allot_xl.core.problems import StaleOutputs, StructuralError
from allot_xl.io.xlsx.read import sheet_parts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "excel"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example regenerated, then given the acceptance case's orders (the inputs are
    unchanged: the lots are current)."""
    folder = tmp_path_factory.mktemp("suivi")
    base = regenerate(example_with_orders(folder / "ex.xlsx"),
                      folder / "ex.lots.xlsx").output_path
    return with_orders(base, acceptance_case(base).rows, folder / "cas.xlsx")


def _part(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(sheet_parts(z)[sheet])


def test_suivi_writes_only_its_sheet_and_twice_the_same(regenerated: Path,
                                                          tmp_path: Path) -> None:
    first = api.suivi(regenerated, tmp_path / "un.xlsx")
    second = api.suivi(first, tmp_path / "deux.xlsx")
    assert _part(first, SUIVI) == _part(second, SUIVI)  # byte-identical
    before = openpyxl.load_workbook(regenerated).sheetnames
    after = openpyxl.load_workbook(first).sheetnames
    assert SUIVI in before and sorted(after) == sorted(before)
    for sheet in ("Lots", "Multi-attribution", "Commandes", "Journal"):
        assert _part(first, sheet) == _part(regenerated, sheet)  # nothing else changes
    # regenerate writes the same sheet (same values; its style numbers are the workbook's),
    # and twice the same bytes too
    again = regenerate(regenerated, tmp_path / "regen.xlsx").output_path
    for name in ("T_SuiviAlertes", "T_SuiviLots", "T_SuiviLotsTitulaires"):
        assert table(again, SUIVI, name) == table(first, SUIVI, name)
    twice = regenerate(again, tmp_path / "regen2.xlsx").output_path
    assert _part(twice, SUIVI) == _part(again, SUIVI)


def test_suivi_refuses_stale_lots_and_a_workbook_without_orders(regenerated: Path,
                                                                 tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(regenerated)
    wb["Zones"]["B2"] = "Autre territoire"
    wb.save(stale := tmp_path / "perime.xlsx")
    with pytest.raises(StaleOutputs, match="ont changé depuis la dernière génération"):
        api.suivi(stale, tmp_path / "out.xlsx")
    del wb["Commandes"]
    wb.save(none := tmp_path / "sans.xlsx")
    with pytest.raises(StructuralError, match="Feuille « Commandes » absente"):
        api.suivi(none, tmp_path / "out.xlsx")
    src = example_with_orders(tmp_path / "jamais.xlsx")
    with pytest.raises(StaleOutputs, match="Journal vide"):
        api.suivi(src, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()


def test_the_command(regenerated: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.xlsx"
    assert main(["suivi", str(regenerated), "-o", str(out), "-q"]) == 0
    assert f"Suivi des commandes écrit : {out}" in capsys.readouterr().out
    assert main(["suivi", str(regenerated), "-o", str(regenerated)]) == 2
    assert "autre fichier" in capsys.readouterr().err
    src = example_with_orders(tmp_path / "jamais.xlsx")
    assert main(["suivi", str(src)]) == 2
    assert "Générer les lots" in capsys.readouterr().err


def test_the_book_route_writes_the_same_sheet(regenerated: Path, tmp_path: Path) -> None:
    from excel_support import run_book

    import allot_xl.excel as excel

    outputs, replayed = run_book(excel.entry.track_orders, regenerated)
    assert [s.name for s in outputs.sheets] == [SUIVI]
    file_alerts = table(api.suivi(regenerated, tmp_path / "f.xlsx"), SUIVI, "T_SuiviAlertes")
    ws = replayed.wb[SUIVI]
    messages = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {a["Message"] for a in file_alerts} <= messages
    assert "Lots" in replayed.wb.sheetnames  # the file's own sheets, untouched
