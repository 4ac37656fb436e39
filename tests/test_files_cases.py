"""The workbook and every copy of it stay whole, private and within Excel's limits: the case
files of the issue (tests/data/files), each run end to end through the command line."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.problems import AllotError, StructuralError
from workbooks import make_workbook, need, rule

DATA = Path(__file__).parent / "data"
FILES = DATA / "files"
PY = sys.executable
GIB = 1024**3
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cf000000030101004ac7fd0f0000000049454e44ae426082")


def _copy(name: str, tmp_path: Path) -> Path:
    src = (FILES / name) if (FILES / name).exists() else DATA / name
    dst = tmp_path / src.name
    dst.write_bytes(src.read_bytes())
    return dst


# Linux counts in a child's ru_maxrss the resident set of the process it was forked from (at
# exec, the copied address space's high-water mark is kept): forked from the test process,
# whose size grows with the suite, the command would be charged for it. So a small fresh
# launcher forks the command and writes the command's own peak (KiB) to the pipe it is given.
_LAUNCH = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(int(sys.argv[1]), str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    """Run the command line in its own process; the result's `peak` is that process's own
    largest resident set in bytes (not the test process's, nor any other child's)."""
    read, write = os.pipe()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([PY, "-c", _LAUNCH, str(write), PY, "-m", "allot_xl.cli",
                                  *args], stdout=out, stderr=err, pass_fds=(write,))
        os.close(write)
        child.wait()
        with os.fdopen(read, "rb") as r:
            kib = int(r.read() or 0)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(child.args, child.returncode,
                                           out.read().decode(), err.read().decode())
    done.peak = kib * (1 if sys.platform == "darwin" else 1024)  # type: ignore
    return done


@pytest.mark.parametrize("name", ["03_memory_attributaires_2e6.xlsx",
                                  "04_rows_over_excel_limit_attributaires_200k.xlsx"])
def test_millions_of_holders_are_refused_in_french_in_bounded_memory(name, tmp_path) -> None:
    src = _copy(name, tmp_path)
    p = _cli("regenerate", str(src))
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("Erreur : Feuille « Règles » : ligne 2, « Attributaires »")
    assert "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == [name]
    assert p.peak < GIB


def test_an_output_sheet_past_excels_rows_is_refused_before_the_work(tmp_path) -> None:
    # 11 112 lots of one divisible need × 100 holders: Multi-attribution past 1 048 576 rows
    path = make_workbook(tmp_path, [need("B1", "AOF", "Belley", hours=1_000_000)],
                         rules=[rule("AOF", vmax=90, attributaires=100,
                                     **{"Besoins divisibles": "oui"})])
    with pytest.raises(StructuralError, match=r"^La feuille Multi-attribution aurait "
                       r"1\xa0111\xa0201 lignes .* au plus 1\xa0048\xa0576"):
        api.regenerate(path)
    # a need of 1e8 hours shared in pieces of 50: Affectation past Excel's rows
    path = make_workbook(tmp_path, [need("B1", "AOF", "Belley", hours=1e8)],
                         rules=[rule("AOF", vmax=50, **{"Besoins divisibles": "oui"})],
                         name="pieces.xlsx")
    p = _cli("regenerate", str(path))
    assert p.returncode == 2
    assert p.stderr.startswith("Erreur : La feuille Affectation aurait 2\xa0000\xa0001 "
                               "lignes"), p.stderr
    assert not path.with_name("pieces.lots.xlsx").exists()
    assert p.peak < GIB


def test_a_buyers_sheet_named_like_an_output_is_never_replaced(tmp_path) -> None:
    src = _copy("12_user_sheet_named_Synthese_dropped.xlsx", tmp_path)
    before = src.read_bytes()
    p = _cli("regenerate", str(src), "--in-place")
    assert p.returncode == 2
    assert p.stderr.startswith("Erreur : Feuille « Synthese » de "
                               "« 12_user_sheet_named_Synthese_dropped.xlsx » porte le nom "
                               "d'une feuille de résultats mais n'a pas été écrite par allot_xl")
    assert src.read_bytes() == before and sorted(x.name for x in tmp_path.iterdir()) == [
        src.name]
    # renamed, it is kept beside the outputs, its data untouched
    wb = openpyxl.load_workbook(src)
    wb["Synthese"].title = "Synthese (perso)"
    wb.save(src)
    out = api.regenerate(src).output_path
    wb = openpyxl.load_workbook(out)
    assert "Synthese (perso)" in wb.sheetnames and "Synthèse" in wb.sheetnames
    # the outputs allot_xl wrote are recognised by their tables: a second run replaces them
    api.regenerate(out, in_place=True)
    assert openpyxl.load_workbook(out).sheetnames == wb.sheetnames


def test_output_naming_the_input_and_a_workbook_open_in_excel_are_refused(tmp_path) -> None:
    src = _copy("A1_petit.xlsx", tmp_path)
    before = src.read_bytes()
    with pytest.raises(AllotError, match="^La sortie -o désigne le classeur d'entrée "
                       "« A1_petit.xlsx » lui-même : utilisez --in-place"):
        api.regenerate(src, tmp_path / "." / "A1_petit.xlsx")
    owner = tmp_path / "~$A1_petit.xlsx"
    owner.write_bytes(b"\x0bjdupont")
    assert main(["regenerate", str(src), "--in-place"]) == 2
    with pytest.raises(AllotError, match="^« A1_petit.xlsx » est ouvert dans Excel "
                       r"\(fichier « ~\$A1_petit.xlsx » à côté\) : fermez-le"):
        api.regenerate(src, in_place=True)
    assert src.read_bytes() == before and not (tmp_path / "A1_petit.bak.xlsx").exists()
    owner.unlink()
    out = api.regenerate(src).output_path
    (tmp_path / "~$A1_petit.lots.xlsx").write_bytes(b"x")
    with pytest.raises(AllotError, match="est ouvert dans Excel"):
        api.regenerate(src)
    with pytest.raises(AllotError, match="est ouvert dans Excel"):
        api.regenerate(out, in_place=True)


def test_three_in_place_runs_of_a_case_file_leave_styles_stable(tmp_path) -> None:
    src = _copy("14_dv_list_other_sheet_x14.xlsx", tmp_path)
    styles = []
    for _ in range(3):
        api.regenerate(src, in_place=True)
        styles.append(zipfile.ZipFile(src).read("xl/styles.xml"))
    assert styles[0] == styles[1] == styles[2]


# ----------------------------------------------------------------------------- email copy


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _exported(src: Path) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    lots = api.regenerate(src).output_path
    done = api.export_copy(lots)
    return _parts(lots), _parts(done.path), done.removed


def _sheet_part(parts: dict[str, bytes], title: str) -> bytes:
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(title)}"[^>]*r:id="(\w+)"', wb).group(1)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"',
                       rels)
    t = (target.group(1) or target.group(2)).lstrip("/")
    return parts[t if t.startswith("xl/") else "xl/" + t]


def test_export_keeps_x14_drop_down_lists_without_a_library_warning(tmp_path) -> None:
    src = _copy("14_dv_list_other_sheet_x14.xlsx", tmp_path)
    p = _cli("regenerate", str(src))
    assert p.returncode == 0, p.stderr
    p = _cli("export", str(src.with_name(src.stem + ".lots.xlsx")))
    assert p.returncode == 0 and p.stderr == "", p.stderr
    before, after, _ = _exported(src)
    for part in (_sheet_part(before, "Besoins"), _sheet_part(after, "Besoins")):
        assert b"<x14:dataValidation type=\"list\"" in part
        assert b"<xm:f>'R\xc3\xa8gles'!$A$2:$A$10</xm:f>" in part
    # the sheet goes out as written, but for its tab no longer selected (Synthèse is)
    assert _sheet_part(before, "Besoins").replace(b' tabSelected="1"', b"") == \
        _sheet_part(after, "Besoins")


def test_export_removes_hidden_sheets_custom_properties_and_file_links(tmp_path) -> None:
    src = _copy("11_export_source_hidden_sheets_custom_props.xlsx", tmp_path)
    before, after, removed = _exported(src)
    assert {"docProps/custom.xml", "xl/externalLinks/externalLink1.xml"} <= set(before)
    assert not [n for n in after if "custom" in n or "externalLink" in n]
    wb = after["xl/workbook.xml"].decode()
    assert "Contacts" not in wb and "Privé" not in wb and "externalReference" not in wb
    assert "[1]" not in wb and "ListeDispositifs" in wb
    assert "custom" not in after["[Content_Types].xml"].decode()
    assert "custom" not in after["_rels/.rels"].decode()
    hidden = [_sheet_part(before, "Contacts"), _sheet_part(before, "Privé")]
    assert not [n for n, data in after.items() if data in hidden]
    for name, data in after.items():
        for secret in (b"jdupont", b"Jean Dupont", b"06 12 34 56 78", b"file:", b"C:\\Users"):
            assert secret not in data, (name, secret)
    assert b"<hyperlink" not in _sheet_part(after, "Notes")
    assert removed[:2] == ["feuille masquée « Contacts »", "feuille très masquée « Privé »"]
    assert "propriétés personnalisées du document" in removed
    assert "1 liaison(s) vers d'autres classeurs" in removed
    assert "1 lien(s) hypertexte vers des fichiers du poste ou du réseau" in removed
    # the chart of Notes and its drawing go out unchanged
    assert after["xl/charts/chart1.xml"] == before["xl/charts/chart1.xml"]
    wb = openpyxl.load_workbook(io.BytesIO(_zip(after)))
    assert wb.sheetnames[:6] == ["Lots", "Affectation", "Multi-attribution", "Synthèse",
                                 "Contrôles", "Journal"]
    assert wb.active.title == "Synthèse"
    journal = list(wb["Journal"].iter_rows(values_only=True))
    user = journal[0].index("Utilisateur")
    assert all(r[user] is None for r in journal[1:]) and journal[1][0] is not None


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return buf.getvalue()


def test_export_keeps_pictures_and_cached_values_without_pillow(tmp_path) -> None:
    """A workbook as Excel writes it (xlsxwriter): a logo sheet, a formula with its cached
    value, a hidden list sheet and a custom property."""
    a1 = openpyxl.load_workbook(DATA / "A1_petit.xlsx")
    path = tmp_path / "avec_image.xlsx"
    wb = xlsxwriter.Workbook(path)
    for ws in a1.worksheets:
        out = wb.add_worksheet(ws.title)
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, v in enumerate(row):
                if v is not None:
                    out.write(r, c, v)
    carte = wb.add_worksheet("Carte")
    carte.insert_image("B2", "logo.png", {"image_data": io.BytesIO(PNG)})
    carte.write_formula("A1", "=1+1", None, 2)
    carte.write_formula("A2", '="Région "&"Ain"', None, "Région Ain")
    wb.add_worksheet("Listes").hide()
    wb.set_custom_property("Responsable", "Jean Dupont")
    wb.close()
    before, after, removed = _exported(path)
    media = [n for n in before if n.startswith("xl/media/")]
    assert media and all(after[n] == before[n] for n in media)
    drawings = [n for n in before if n.startswith("xl/drawings/drawing")]
    assert drawings and all(n in after for n in drawings)
    sheet = _sheet_part(after, "Carte")
    assert b"<f>" not in sheet and b"<v>2</v>" in sheet
    assert b'<is><t xml:space="preserve">R\xc3\xa9gion Ain</t></is>' in sheet
    assert b"<drawing" in sheet
    assert "Listes" not in after["xl/workbook.xml"].decode()
    assert "docProps/custom.xml" in before and "docProps/custom.xml" not in after
    assert "feuille masquée « Listes »" in removed
    values = openpyxl.load_workbook(io.BytesIO(_zip(after)))["Carte"]
    assert (values["A1"].value, values["A2"].value) == (2, "Région Ain")


# --------------------------------------------------------------------------- a full disk

FSIZE_CHILD = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
from allot_xl.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["template", "export"])
def test_a_full_destination_gives_one_french_sentence(command, tmp_path) -> None:
    src = _copy("14_dv_list_other_sheet_x14.xlsx", tmp_path)
    api.regenerate(src)
    out = tmp_path / "sortie.xlsx"
    args = (["template", str(out), "--exemple"] if command == "template"
            else ["export", str(src.with_name(src.stem + ".lots.xlsx")), "-o", str(out)])
    files = sorted(x.name for x in tmp_path.iterdir())
    p = subprocess.run([PY, "-c", FSIZE_CHILD, *args], capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.startswith("Erreur : Fichier trop gros pour la destination : impossible "
                               "d'écrire « sortie.xlsx »"), p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == files
