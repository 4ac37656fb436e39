"""What a file given as a workbook really is: refuse, with one French sentence naming its
real format, what is not an .xlsx/.xlsm package (web page, text, PDF, .xls, .ods…)."""

from __future__ import annotations

from pathlib import Path

from ...core.problems import UnreadableFile

EXTENSIONS = (".xlsx", ".xlsm")
SAVE_AS = ("ouvrez-le dans Excel, puis Fichier > Enregistrer sous, type « Classeur Excel "
           "(*.xlsx) », et relancez avec le fichier enregistré.")
_OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_WORKBOOK = "Workbook".encode("utf-16-le")  # the stream of an Excel 97-2003 workbook
_SNIFF = 8192  # bytes read to tell a text, a web page or an XML workbook


def sniff(head: bytes) -> str | None:
    """What a file that is neither a zip nor an OLE compound file really is, from its first
    bytes, in French (« une page web (HTML) »…); None when nothing is recognised."""
    if head.startswith(b"%PDF"):
        return "un document PDF"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "un fichier texte (texte Unicode ou CSV)"
    text = head.removeprefix(b"\xef\xbb\xbf")
    low = text[:_SNIFF].lower()
    start = low.lstrip()
    if start.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in low:
            return "une feuille de calcul XML 2003"
        if any(t in low for t in (b"<html", b"<!doctype html", b"<table", b"<body")):
            return "une page web (HTML)"
        return None
    if b"\x00" in text or not text.strip():
        return None
    controls = sum(1 for b in text if b < 32 and b not in (9, 10, 13))
    if controls:
        return None
    first = text.split(b"\n", 1)[0]
    if any(sep in first for sep in (b";", b",", b"\t")):
        return "un fichier texte (CSV)"
    return "un fichier texte"


def check_path(path: Path) -> None:
    """Refuse, with one French sentence, a path that is not an .xlsx/.xlsm file (by name and
    first bytes, which name the real format of a file renamed .xlsx; the package itself is
    checked by Package.open)."""
    name = path.name
    if not path.exists():
        raise UnreadableFile(f"Le fichier « {path} » est introuvable.")
    if path.is_dir():
        raise UnreadableFile(f"« {path} » est un dossier, pas un classeur Excel.")
    ext = path.suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"Le fichier « {name} » est vide : ce n'est pas un classeur Excel.")
    with open(path, "rb") as f:
        head = f.read(_SNIFF)
        if head.startswith(b"\xd0\xcf\x11\xe0") and size <= 64 * 1024**2:
            head += f.read()  # an OLE file's directory may be anywhere
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if ext == ".xls" or (_OLE_WORKBOOK in head and _OLE_ENCRYPTED not in head):
            raise UnreadableFile(
                f"« {name} » est au format Excel 97-2003 (.xls) : ouvrez-le dans Excel et "
                f"enregistrez-le au format .xlsx, puis relancez.")
        raise UnreadableFile(
            f"« {name} » est protégé par un mot de passe (chiffré) : enregistrez une copie "
            f"sans mot de passe (Fichier > Informations > Protéger le classeur), puis relancez.")
    if ext == ".ods":
        raise UnreadableFile(
            f"« {name} » est un classeur OpenDocument (.ods) : enregistrez-le au format .xlsx "
            f"(Fichier > Enregistrer sous), puis relancez.")
    if ext in (".csv", ".txt"):
        raise UnreadableFile(
            f"« {name} » est un fichier texte ({ext}) : allot_xl lit un classeur .xlsx avec les "
            f"feuilles Besoins, Zones et Règles (allot-xl template crée un modèle).")
    kind = None if head.startswith(b"PK") else sniff(head)
    if kind == "un document PDF":
        raise UnreadableFile(
            f"« {name} » n'est pas un classeur Excel mais un document PDF : reprenez le "
            f"classeur d'origine (.xlsx), un PDF ne peut pas être relu.")
    if kind:
        named = f", malgré son extension {ext}," if ext else ""
        raise UnreadableFile(f"« {name} » n'est pas un classeur Excel{named} mais {kind} : "
                             f"{SAVE_AS}")
    if ext not in EXTENSIONS:
        raise UnreadableFile(
            f"« {name} » n'est pas un classeur .xlsx ou .xlsm : enregistrez-le au format .xlsx.")
    if not head.startswith(b"PK"):
        raise UnreadableFile(f"« {name} » est endommagé (ce n'est pas un classeur .xlsx "
                             f"valide) : ouvrez-le dans Excel pour le réparer, puis relancez.")


_OTHER_ZIPS = {  # a part that only such a package has -> what the file is
    "xl/workbook.bin": "un classeur binaire Excel (.xlsb)",
    "word/document.xml": "un document Word",
    "ppt/presentation.xml": "une présentation PowerPoint",
}


def refuse_other_zip(name: str, parts: dict[str, str]) -> None:
    for part, kind in _OTHER_ZIPS.items():
        if part in parts and "xl/workbook.xml" not in parts:
            raise UnreadableFile(f"« {name} » n'est pas un classeur .xlsx mais {kind} : "
                                 f"{SAVE_AS}")
