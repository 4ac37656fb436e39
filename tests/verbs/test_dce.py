"""`allot-xl dce` on the bundled example (issue 24): the RC table, the DQE and the Word
annex agree with the `Lots` and `Synthèse` sheets of the same workbook; the law of
21 August 2026 stops the file without an environmental criterion; nothing is written when
the inputs are incomplete."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from dce_support import example_workbook

from allot_xl import api
from allot_xl.cli import main

HEADERS = ("N° lot", "Zone(s)", "Code CPV", "Montant estimé annuel (€ HT)",
           "Montant maximum (€ HT)")


@pytest.fixture(scope="module")
def dossier(tmp_path_factory) -> dict:
    """The example's tender file (launch 7 December 2026) and its regenerated outputs."""
    tmp = tmp_path_factory.mktemp("dce")
    src = example_workbook(tmp / "exemple.xlsx")
    done = api.dce(src, tmp / "dce")
    run = api.regenerate(src, tmp / "exemple.lots.xlsx")
    return {"src": src, "out": tmp / "dce", "done": done, "outputs": run.outputs, "tmp": tmp}


def _lots(outputs) -> list[dict]:
    block = outputs.sheet("Lots").block("T_Lots")
    heads = [c.header for c in block.columns]
    return [dict(zip(heads, r, strict=True)) for r in block.rows]


def _table(path: Path, sheet: str | None = None, header_row: int = 3) -> list[dict]:
    ws = openpyxl.load_workbook(path)[sheet] if sheet else openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(
        v is not None for v in r)]


def test_one_line_per_file_and_every_dispositif(dossier) -> None:
    names = sorted(p.name for p in dossier["out"].iterdir())
    codes = ("AOF", "CREA", "PQ", "PSP")
    assert names == sorted(f"{kind}-{c}.{ext}" for c in codes for kind, ext in (
        ("rc", "xlsx"), ("rc", "docx"), ("dqe", "xlsx"), ("avis", "xml")))
    assert [Path(line.split(" : ")[0]).name for line in dossier["done"].summary] == [
        w.path.name for w in dossier["done"].files]
    assert len(dossier["done"].summary) == len(names)


def test_rc_table_has_the_lots_of_the_lots_sheet(dossier) -> None:
    lots = _lots(dossier["outputs"])
    synthese = dossier["outputs"].sheet("Synthèse").block("T_Synthese")
    heads = [c.header for c in synthese.columns]
    for row in synthese.rows:
        code = row[0]
        rc = _table(dossier["out"] / f"rc-{code}.xlsx")
        mine = [lot for lot in lots if lot["Dispositif"] == code]
        assert [tuple(r[h] for h in HEADERS) for r in rc] == [
            (lot["N° lot"], lot["Zone(s)"].replace(" + ", ", "), lot["Code CPV"],
             lot["Montant estimé (€ HT)"], lot["Montant maximum (€ HT)"]) for lot in mine]
        expected = dict(zip(heads, row, strict=True))
        assert round(sum(r["Montant maximum (€ HT)"] for r in rc), 2) == round(
            expected["Montant maximum (€ HT)"], 2)
        assert round(sum(r["Montant estimé annuel (€ HT)"] for r in rc), 2) == round(
            expected["Montant estimé (€ HT)"], 2)


def test_rc_table_says_places_nuts_split_caps_and_criteria(dossier) -> None:
    rc = {r["N° lot"]: r for code in ("AOF", "CREA", "PQ", "PSP")
          for r in _table(dossier["out"] / f"rc-{code}.xlsx")}
    ain = [r for r in rc.values() if r["Zone(s)"] == "Belley"]
    assert ain and ain[0]["Lieu d'exécution (NUTS)"] == "FRK21"
    assert "tour de rôle" in rc["AOF-01"]["Répartition des bons de commande"]  # rotation
    pq = next(r for n, r in rc.items() if n.startswith("PQ-"))
    assert "prorata" in pq["Répartition des bons de commande"]
    assert "4 lots au plus" in pq["Plafonds et règle d'attribution"]
    assert "importance décroissante" in pq["Plafonds et règle d'attribution"]
    assert "Performance environnementale" in pq["Critères et pondérations"]
    assert "10 %" in pq["Critères et pondérations"].replace("\u00a0", " ")
    crea = next(r for n, r in rc.items() if n.startswith("CREA-"))
    assert "parts égales" in crea["Répartition des bons de commande"]
    psp = next(r for n, r in rc.items() if n.startswith("PSP-"))
    assert "mono-attributaire" in psp["Répartition des bons de commande"]
    lots = {lot["N° lot"]: lot for lot in _lots(dossier["outputs"])}
    assert all(r["CA exigible max (€ HT)"] == lots[n]["CA exigible max (€ HT)"]
               for n, r in rc.items())


def test_one_dqe_sheet_per_lot_with_its_quantity_and_an_open_price(dossier) -> None:
    lots = _lots(dossier["outputs"])
    for code in ("AOF", "CREA", "PQ", "PSP"):
        path = dossier["out"] / f"dqe-{code}.xlsx"
        wb = openpyxl.load_workbook(path)
        mine = [lot for lot in lots if lot["Dispositif"] == code]
        assert wb.sheetnames == [lot["N° lot"] for lot in mine]
        for lot in mine:
            ws = wb[lot["N° lot"]]
            head = [c.value for c in ws[4]]
            line = [c for c in ws[5]]
            quantity = line[head.index("Quantité annuelle estimée")].value
            unit = line[head.index("Unité")].value
            assert quantity == (lot["Places"] if unit == "place" else lot["Heures"])
            assert unit == ("place" if lot["Unité de prix"] == "€ HT par place"
                            else "heure-stagiaire")
            price = line[head.index("Prix unitaire (€ HT)")]
            assert price.value is None and price.protection.locked is False
            assert ws.protection.sheet is True
            assert all(c.protection.locked for c in line if c is not price)
        with zipfile.ZipFile(path) as z:
            assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist()
                           if n.startswith("xl/worksheets/"))


def test_the_word_annex_holds_the_same_table(dossier) -> None:
    from docx import Document

    for code in ("AOF", "PQ"):
        doc = Document(str(dossier["out"] / f"rc-{code}.docx"))
        (table,) = doc.tables
        cells = [[c.text for c in row.cells] for row in table.rows]
        rc = _table(dossier["out"] / f"rc-{code}.xlsx")
        assert tuple(cells[0]) == tuple(rc[0])
        assert [r[0] for r in cells[1:]] == [r["N° lot"] for r in rc]
        j = cells[0].index("Montant maximum (€ HT)")
        shown = [float(r[j].replace("\u00a0", "").replace("€", "").replace(",", "."))
                 for r in cells[1:]]
        assert shown == [r["Montant maximum (€ HT)"] for r in rc]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_the_dqe_opens_in_libreoffice(dossier) -> None:
    from io_support import to_ods

    ods = to_ods(dossier["out"] / "dqe-CREA.xlsx", dossier["tmp"] / "lo")
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml").decode()
    assert content.count("<table:table ") == len(openpyxl.load_workbook(
        dossier["out"] / "dqe-CREA.xlsx").sheetnames)
    assert "table:protected=\"true\"" in content


def test_without_environmental_criterion_dce_stops_citing_l2152_7(tmp_path, capsys) -> None:
    src = example_workbook(tmp_path / "sans.xlsx", environmental=False)
    assert main(["dce", str(src), "-o", str(tmp_path / "dce"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "L2152-7" in err and "R2152-7" in err and "rien n'a été écrit" in err
    assert not (tmp_path / "dce").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["sans.xlsx"]  # no temp folder left


def test_before_21_august_2026_nothing_of_it_is_required(tmp_path, capsys) -> None:
    src = example_workbook(tmp_path / "juin.xlsx", launch="01/06/2026", environmental=False,
                           clauses=False)
    assert main(["dce", str(src), "-o", str(tmp_path / "dce"), "-q"]) == 0
    assert "rc-PQ.docx" in capsys.readouterr().out
    report = api.check(src)
    assert not [p for p in report.problems if p.code.endswith(("-manquant", "-manquante"))]


def test_regenerate_warns_of_each_missing_clause_and_still_designs_lots(tmp_path) -> None:
    src = example_workbook(tmp_path / "sans.xlsx", environmental=False, clauses=False)
    report = api.check(src)
    found = sorted({(p.code, p.value, p.severity) for p in report.problems
                    if p.sheet == "Critères"})
    codes = ("AOF", "CREA", "PQ", "PSP")
    assert found == sorted({(c, d, "Avertissement") for d in codes for c in (
        "critere-environnemental-manquant", "clause-environnementale-manquante",
        "clause-sociale-manquante")})
    message = next(p.message for p in report.problems
                   if p.code == "critere-environnemental-manquant")
    assert "21/08/2026" in message and "L2152-7" in message
    social = next(p.message for p in report.problems if p.code == "clause-sociale-manquante")
    assert "L2112-2-1" in social and "750\u00a0000" in social


def test_without_a_criteres_sheet_regenerate_says_it_once(tmp_path) -> None:
    src = example_workbook(tmp_path / "ancien.xlsx", criteres=False)
    report = api.check(src)
    assert [(p.code, p.severity) for p in report.problems if p.sheet == "Critères"] == [
        ("criteres-absents", "Info")]
    with pytest.raises(api.AllotError, match="feuille « Critères » est absente"):
        api.dce(src, tmp_path / "dce")


def test_incomplete_buyer_and_deadline_one_sentence_each(tmp_path) -> None:
    src = example_workbook(tmp_path / "x.xlsx", params={
        "SIRET de l'acheteur": "20005376700012", "Ville de l'acheteur": None,
        "Date limite de remise des offres": None})
    with pytest.raises(api.AllotError) as e:
        api.dce(src, tmp_path / "dce")
    lines = str(e.value).splitlines()
    assert len(lines) == 4 and "SIRET" in lines[1] and "Ville" in lines[2]
    assert "Date limite de remise des offres" in lines[3]
    assert not (tmp_path / "dce").exists()


def test_below_the_eu_threshold_the_national_notice_lot_section(tmp_path) -> None:
    src = example_workbook(tmp_path / "petit.xlsx", n_needs=24)
    done = api.dce(src, tmp_path / "dce")
    texts = [w.path for w in done.files if w.path.suffix == ".txt"]
    assert texts, [w.line for w in done.files]
    text = texts[0].read_text(encoding="utf-8")
    assert "Section « Lots »" in text and "NUTS" in text and "L2112-2" in text


def test_a_second_run_replaces_the_files_of_the_folder(dossier) -> None:
    again = api.dce(dossier["src"], dossier["out"])
    assert sorted(p.name for p in dossier["out"].iterdir()) == sorted(
        w.path.name for w in again.files)


def test_a_workbook_whose_inputs_changed_since_its_lots_is_refused(tmp_path: Path) -> None:
    """The documents must agree with the workbook's `Lots`: after an input changes, `dce`
    asks for a regeneration first and writes nothing (a never-generated workbook runs)."""
    from allot_xl.core.problems import StaleOutputs

    src = example_workbook(tmp_path / "e.xlsx")
    out = api.regenerate(src).output_path
    wb = openpyxl.load_workbook(out)
    wb["Besoins"]["G2"] = 999
    wb.save(out)
    with pytest.raises(StaleOutputs, match="La feuille Lots n'est plus à jour"):
        api.dce(out, tmp_path / "dce")
    assert not (tmp_path / "dce").exists()
