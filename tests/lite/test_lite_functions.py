"""The custom functions of main.py on known values, and `allot-xl lite`."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import openpyxl
import pytest
from lite_support import EXAMPLE

from allot_xl import api, lite
from allot_xl.cli import main
from allot_xl.lite.functions import HEADERS


def test_the_mini_lots_threshold_changes_on_1_april_2026() -> None:
    assert lite.legal_threshold(dt.date(2026, 4, 1)) == 60_000
    assert lite.legal_threshold(dt.date(2026, 3, 31)) == 40_000
    assert lite.legal_threshold(46113) == 60_000  # the date as Excel hands it: a serial
    assert lite.legal_threshold(46112.0, "Mini-lots") == 40_000
    assert lite.legal_threshold("01/04/2026", "mini lots") == 60_000
    assert lite.legal_threshold("2026-04-01", "petits lots") == 80_000
    assert lite.legal_threshold(dt.date(2026, 1, 1), "procédure formalisée") == 216_000
    assert lite.legal_threshold(dt.date(2026, 1, 1), "ratio CA") == 1.5


def test_the_threshold_function_answers_bad_arguments_in_french() -> None:
    assert lite.legal_threshold(dt.date(2026, 4, 1), "grands lots").startswith(
        "Seuil inconnu « grands lots » : choisissez « mini-lots »")
    assert lite.legal_threshold("demain") == ("Date : date illisible (écrivez-la "
                                              "JJ/MM/AAAA).")


def test_a_four_year_maximum() -> None:
    # 50 000 € a year, maximum 120 %, 12 months renewed 3 times: 4 years
    assert lite.lot_maximum(50_000, 120, 12, 3) == 240_000
    assert lite.lot_maximum(50_000, 120, 48) == 240_000
    assert lite.lot_maximum(50_000) == 60_000  # the defaults: 120 %, one year
    assert lite.lot_maximum("12 500,50", "100", 24) == 25_001
    assert lite.lot_maximum(50_000, 120, 12, 4) == ("Durée totale de 60 mois : un "
                                                   "accord-cadre ne peut dépasser 48 mois "
                                                   "(CCP L2125-1).")
    assert lite.lot_maximum("beaucoup") == "Montant annuel : texte non numérique."


def _ranges(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [["" if v is None else v for v in r]
                       for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def _summary(path: Path, code: str) -> tuple:
    """(lots, mini-lots share in %) of `code` in the `Lots` sheet the file route writes."""
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True)["Lots"]
    rows = list(ws.iter_rows(values_only=True))
    lots = [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[2] == code]
    total = sum(x["Montant maximum (€ HT)"] for x in lots)
    mini = sum(x["Montant maximum (€ HT)"] for x in lots if x["Mini-lot"] == "oui")
    return len(lots), round(100 * mini / total, 2) if total else 0.0


def test_lots_for_bounds_is_what_generating_with_those_bounds_gives(tmp_path: Path) -> None:
    r = _ranges(EXAMPLE)
    args = (r["Besoins"], r["Zones"], r["Règles"], r["Paramètres"])
    as_is = lite.lots_for_bounds("AOF", 3000, 30000, *args)
    api.regenerate(EXAMPLE, tmp_path / "tel_quel.xlsx")
    assert as_is == [list(_summary(tmp_path / "tel_quel.xlsx", "AOF"))] == [[22, 3.46]]
    # other bounds: the same numbers as a workbook with those bounds typed in Règles
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["Règles"]["H2"], wb["Règles"]["I2"] = 10_000, None  # AOF: Volume min, Volume max
    wb.save(tmp_path / "bornes.xlsx")
    api.regenerate(tmp_path / "bornes.xlsx", tmp_path / "bornes.lots.xlsx")
    assert lite.lots_for_bounds("aof", 10_000, "", *args) == [
        list(_summary(tmp_path / "bornes.lots.xlsx", "AOF"))]
    assert HEADERS == ("Lots", "Part des mini-lots (%)")


def test_lots_for_bounds_answers_bad_arguments_in_french() -> None:
    r = _ranges(EXAMPLE)
    args = (r["Besoins"], r["Zones"], r["Règles"])
    assert lite.lots_for_bounds("XYZ", 0, "", *args) == [["Dispositif « XYZ » absent de "
                                                          "Règles."]]
    assert lite.lots_for_bounds("AOF", "deux", "", *args) == [["Volume min : texte non "
                                                               "numérique."]]
    assert lite.lots_for_bounds("AOF", 0, "", "A1", r["Zones"], r["Règles"]) == [[
        "Besoins : donnez la plage de la feuille, ligne d'en-tête comprise."]]


def test_main_py_buttons_are_the_lite_verbs() -> None:
    path = Path(lite.__file__).with_name("templates") / "main.py"
    text = path.read_text(encoding="utf-8")
    labels = [line.split('"')[1] for line in text.splitlines()
              if line.startswith("@script(name=")]
    assert labels == list(lite.BUTTONS)
    assert {"Comparer les scénarios", "Appliquer le scénario proposé"} <= set(labels)
    assert "à venir" not in text  # no developer note in the buyer's main.py
    ns = runpy.run_path(str(path))  # the no-op decorators of xlwings outside a runtime
    assert {"seuil_legal", "maximum_lot", "lots_selon_bornes"} <= set(ns)
    assert ns["seuil_legal"](46113) == 60_000
    assert ns["maximum_lot"](50_000, 120, 12, 3) == 240_000


def test_allot_xl_lite_writes_main_py_and_requirements_beside_the_workbook(
        tmp_path: Path, capsys) -> None:
    book = tmp_path / "campagne.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    assert main(["lite", str(book)]) == 0
    assert "Écrit :" in capsys.readouterr().out
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == lite.project_files()["main.py"]
    lines = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [x for x in lines if not x.startswith("#")] == ["xlwings>=0.33.14", "allot_xl"]
    # a second run refuses, and writes nothing
    (tmp_path / "main.py").write_text("# à moi", encoding="utf-8")
    assert main(["lite", str(book)]) == 2
    assert capsys.readouterr().err.startswith("Erreur : main.py et requirements.txt existe")
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == "# à moi"
    wheel = "https://intranet.exemple.fr/roues/allot_xl-0.1.0-py3-none-any.whl"
    assert main(["lite", str(book), "--paquet", wheel, "--force"]) == 0
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8").endswith(wheel + "\n")


@pytest.mark.parametrize("args, message", [
    (["absent.xlsx"], "Erreur : Classeur introuvable : « absent.xlsx »."),
    (["{book}", "--paquet", "allot xl"], "Erreur : « allot xl » n'est pas un paquet"),
])
def test_allot_xl_lite_refusals(tmp_path: Path, capsys, args, message, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    book = tmp_path / "c.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    assert main(["lite", *[a.format(book=book) for a in args]]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not (tmp_path / "main.py").exists()
