"""Files that are not readable .xlsx workbooks are refused with one French sentence, exit code
2, nothing written and the file left byte-identical."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from allot_xl.cli import main
from workbooks import make_workbook, need

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
ENGLISH = re.compile(r"\b(error|invalid|file|not|Traceback|Exception|zip)\b", re.IGNORECASE)


def _good(d: Path) -> Path:
    """A sound workbook in `d/src`, the base of damaged copies."""
    (d / "src").mkdir(exist_ok=True)
    return make_workbook(d / "src", [need("a", "AOF", "Belley", hours=800)])


def _xls(d: Path) -> Path:
    (d / "ancien.xls").write_bytes(OLE2)
    return d / "ancien.xls"


def _ods(d: Path, name: str = "calc.ods") -> Path:
    with zipfile.ZipFile(d / name, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return d / name


def _csv(d: Path) -> Path:
    (d / "besoins.csv").write_text("ID besoin;Dispositif;Zone;Heures\n1;AOF;Belley;800\n",
                                   encoding="utf-8")
    return d / "besoins.csv"


def _encrypted(d: Path) -> Path:
    """A password-protected workbook: real encryption when msoffcrypto-tool is installed,
    else an OLE2 compound file (what Excel saves) under an .xlsx name."""
    path = d / "protege.xlsx"
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        path.write_bytes(OLE2)
        return path
    with open(_good(d), "rb") as f, open(path, "wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    return path


def _empty(d: Path) -> Path:
    (d / "vide.xlsx").write_bytes(b"")
    return d / "vide.xlsx"


def _truncated(d: Path) -> Path:
    data = _good(d).read_bytes()
    (d / "tronque.xlsx").write_bytes(data[: len(data) // 2])
    return d / "tronque.xlsx"


def _not_a_zip(d: Path) -> Path:
    (d / "texte.xlsx").write_bytes(b"ID besoin;Dispositif\n1;AOF\n")
    return d / "texte.xlsx"


def _garbage(d: Path) -> Path:
    (d / "abime.xlsx").write_bytes(bytes(range(256)) * 8)
    return d / "abime.xlsx"


def _zip_without_workbook(d: Path) -> Path:
    with zipfile.ZipFile(d / "archive.xlsx", "w") as z:
        z.writestr("lisez-moi.txt", "rien")
    return d / "archive.xlsx"


def _corrupt_sheet_xml(d: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(_good(d)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(info, data)
    (d / "abime.xlsx").write_bytes(buf.getvalue())
    return d / "abime.xlsx"


def _directory(d: Path) -> Path:
    (d / "dossier.xlsx").mkdir()
    return d / "dossier.xlsx"


def _missing(d: Path) -> Path:
    return d / "absent.xlsx"


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "xls": (_xls, "Excel 97-2003"),
    "ods": (_ods, "OpenDocument"),
    "ods sous un nom .xlsx": (lambda d: _ods(d, "calc.xlsx"), "OpenDocument"),
    "csv": (_csv, "fichier texte"),
    "chiffré": (_encrypted, "mot de passe"),
    "vide": (_empty, "vide"),
    "tronqué": (_truncated, "endommagé"),
    "csv renommé .xlsx": (_not_a_zip, "fichier texte (CSV)"),
    "octets quelconques": (_garbage, "endommagé"),
    "zip sans classeur": (_zip_without_workbook, "xl/workbook.xml"),
    "feuille XML abîmée": (_corrupt_sheet_xml, "illisible"),
    "dossier": (_directory, "dossier"),
    "absent": (_missing, "introuvable"),
}


def _snapshot(d: Path) -> dict[str, bytes | None]:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in d.iterdir()}


@pytest.mark.parametrize("command", ["regenerate", "check"])
@pytest.mark.parametrize("case", list(CASES))
def test_unreadable_file_is_refused_in_french(tmp_path, capsys, case: str,
                                              command: str) -> None:
    make, words = CASES[case]
    d = tmp_path / "in"
    d.mkdir()
    path = make(d)
    before = _snapshot(d)
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "\n" not in err and err.startswith("Erreur : "), err
    assert words in err and "«" in err
    assert not ENGLISH.search(err.replace(str(path), "").replace(path.name, "")), err
    assert captured.out == ""
    assert _snapshot(d) == before  # nothing written, the file byte-identical


def test_output_must_be_an_excel_name(tmp_path, capsys) -> None:
    path = _good(tmp_path)
    before = _snapshot(path.parent)
    assert main(["regenerate", str(path), "-o", str(path.with_suffix(".csv"))]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert _snapshot(path.parent) == before
