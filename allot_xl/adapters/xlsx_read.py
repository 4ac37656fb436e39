"""Read the sheets allot_xl needs from an .xlsx/.xlsm file: python-calamine for values,
a scan of the sheet XML for what calamine hides (error cells, formulas without a value)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import python_calamine as pc
from defusedxml import ElementTree as ET

from ..contract import CellError, NoCachedValue
from ..grid import SheetGrid, TableRef
from ..inputs import wanted_sheets
from ..problems import UnreadableFile

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
EXTENSIONS = (".xlsx", ".xlsm")
MAX_UNCOMPRESSED = 2 * 1024**3  # a larger package is refused (zip bomb guard)


def check_file(path: Path) -> None:
    """Refuse, with one French sentence, what is not a readable .xlsx/.xlsm workbook."""
    name = path.name
    if not path.exists():
        raise UnreadableFile(f"Le fichier « {path} » est introuvable.")
    if path.is_dir():
        raise UnreadableFile(f"« {path} » est un dossier, pas un classeur Excel.")
    ext = path.suffix.lower()
    if path.stat().st_size == 0:
        raise UnreadableFile(f"Le fichier « {name} » est vide : ce n'est pas un classeur Excel.")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if ext == ".xls":
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
    if ext not in EXTENSIONS:
        raise UnreadableFile(
            f"« {name} » n'est pas un classeur .xlsx ou .xlsm : enregistrez-le au format .xlsx.")
    if not head.startswith(b"PK"):
        raise UnreadableFile(f"« {name} » est endommagé (ce n'est pas un classeur .xlsx "
                             f"valide) : ouvrez-le dans Excel pour le réparer, puis relancez.")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if "mimetype" in names and b"opendocument" in z.read("mimetype"):
                raise UnreadableFile(
                    f"« {name} » est un classeur OpenDocument : enregistrez-le au format .xlsx.")
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(f"« {name} » n'est pas un classeur Excel (.xlsx) valide : "
                                     f"il n'a pas de partie xl/workbook.xml.")
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise UnreadableFile(f"« {name} » décompressé dépasse 2 Go : fichier refusé "
                                     f"(classeur anormal ou « bombe zip »).")
    except zipfile.BadZipFile:
        raise UnreadableFile(f"« {name} » est endommagé ou tronqué : ouvrez-le dans Excel pour "
                             f"le réparer, ou reprenez une copie saine.") from None


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part name in the package (`xl/worksheets/sheet1.xml`)."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {}
    for rel in rels.iter(f"{{{NS_PR}}}Relationship"):
        t = rel.get("Target", "")
        target[rel.get("Id")] = t[1:] if t.startswith("/") else posixpath.normpath(
            posixpath.join("xl", t))
    out = {}
    for sh in wb.iter(f"{{{NS_MAIN}}}sheet"):
        rid = sh.get(f"{{{NS_R}}}id")
        if rid in target:
            out[sh.get("name")] = target[rid]
    return out


_CELL_START = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_E = re.compile(rb'\bt="e"')
_F_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>([^<]*)</")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def special_cells(xml: bytes) -> dict[tuple[int, int], object]:
    """(row, col) -> CellError or NoCachedValue, for the cells calamine reads as empty."""
    out: dict[tuple[int, int], object] = {}
    if b't="e"' not in xml and b"<f" not in xml and b":f" not in xml:
        return out
    hits = sorted({m.start() for m in _TYPE_E.finditer(xml)} |
                  {m.start() for m in _F_TAG.finditer(xml)})
    seen: set[int] = set()
    for pos in hits:
        start = xml.rfind(b"<c ", 0, pos)
        if start < 0 or start in seen:
            continue
        seen.add(start)
        tag = _CELL_START.match(xml, start)
        end = _CELL_END.search(xml, start)
        if tag is None or end is None:
            continue
        ref = _REF.search(tag.group(0))
        if ref is None:
            continue
        body = xml[tag.end():end.start()]
        key = (int(ref.group(2)), _col_index(ref.group(1)))
        v = _V.search(body)
        if _TYPE_E.search(tag.group(0)):
            out[key] = CellError(v.group(1).decode() if v else "#N/A")
        elif _F_TAG.search(body) and (v is None or v.group(1) == b""):
            f = _F_TEXT.search(body)
            out[key] = NoCachedValue(f.group(1).decode(errors="replace") if f else "")
    return out


def read_grids(path: Path) -> dict[str, SheetGrid]:
    """The sheets read_inputs needs, as grids from A1."""
    check_file(path)
    try:
        wb = pc.load_workbook(str(path), load_tables=True)
    except pc.PasswordError:
        raise UnreadableFile(f"« {path.name} » est protégé par un mot de passe : enregistrez "
                             f"une copie sans mot de passe, puis relancez.") from None
    except Exception as e:  # calamine's errors name no cell: turn them into one sentence
        raise UnreadableFile(f"« {path.name} » est illisible ({type(e).__name__}) : ouvrez-le "
                             f"dans Excel et enregistrez-le à nouveau au format .xlsx.") from None
    names = wanted_sheets(list(wb.sheet_names))
    tables: dict[str, list[TableRef]] = {}
    try:
        for tname in wb.table_names:
            t = wb.get_table_by_name(tname)
            (r0, c0), (r1, c1) = t.start, t.end
            tables.setdefault(t.sheet, []).append(
                TableRef(t.name, r0, c0 + 1, r1 + 1, c1 + 1))
    except (pc.TablesNotSupported, pc.TablesNotLoaded):
        pass
    grids: dict[str, SheetGrid] = {}
    with zipfile.ZipFile(path) as z:
        parts = sheet_parts(z)
        for name in names:
            values = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            values = [[None if v == "" else v for v in row] for row in values]
            part = parts.get(name)
            if part and part in z.namelist():
                for (r, c), v in special_cells(z.read(part)).items():
                    while len(values) < r:
                        values.append([])
                    row = values[r - 1]
                    if len(row) < c:
                        row.extend([None] * (c - len(row)))
                    row[c - 1] = v
            grids[name] = SheetGrid(name, values, tables.get(name, []))
    wb.close()
    return grids
