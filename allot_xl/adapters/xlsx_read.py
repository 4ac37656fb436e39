"""Read the sheets allot_xl needs from an .xlsx/.xlsm file: python-calamine for values,
a scan of the sheet XML for what calamine hides (error cells, formulas without a value)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import BinaryIO

import python_calamine as pc
from defusedxml import ElementTree as ET

from ..contract import PARAMETRES, REGLES, CellError, NoCachedValue, PercentValue, fold
from ..grid import SheetGrid, TableRef
from ..inputs import wanted_sheets
from ..problems import UnreadableFile
from .xlsx_formats import column_index, percent_cells, percent_styles

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
EXTENSIONS = (".xlsx", ".xlsm")
MAX_UNCOMPRESSED = 2 * 1024**3  # a larger package is refused (zip bomb guard)
MAX_WHOLE_PART = 256 * 1024**2  # shared strings, styles: read whole, so capped
WHOLE_PARTS = ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml")


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
            big = [i.filename for i in infos if i.file_size > MAX_WHOLE_PART and
                   i.filename in WHOLE_PARTS]
            if big:  # calamine loads these parts whole, before any sheet
                raise UnreadableFile(
                    f"« {name} » est refusé : sa partie {big[0]} dépasse "
                    f"{MAX_WHOLE_PART // 1024**2} Mo une fois décompressée (classeur anormal) ; "
                    f"enregistrez-le à nouveau dans Excel, puis relancez.")
    except zipfile.BadZipFile:
        raise UnreadableFile(f"« {name} » est endommagé ou tronqué : ouvrez-le dans Excel pour "
                             f"le réparer, ou reprenez une copie saine.") from None


def _sheet_rels(z: zipfile.ZipFile) -> tuple[dict[str, str], dict[str, list[TableRef]]]:
    """Sheet title -> part name, and sheet title -> its Excel tables (as calamine bounds
    them: header row, first column, last data row, last column), from the package XML."""
    wb = ET.fromstring(z.read("xl/workbook.xml"), forbid_dtd=True)
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    target = {rel.get("Id"): _resolve("xl/workbook.xml", rel.get("Target", ""))
              for rel in rels.iter(f"{{{NS_PR}}}Relationship")}
    parts, tables = {}, {}
    names = set(z.namelist())
    for sh in wb.iter(f"{{{NS_MAIN}}}sheet"):
        rid = sh.get(f"{{{NS_R}}}id")
        if rid not in target:
            continue
        title, part = sh.get("name"), target[rid]
        parts[title] = part
        d, b = posixpath.split(part)
        rels_name = posixpath.join(d, "_rels", b + ".rels")
        if rels_name not in names:
            continue
        for rel in ET.fromstring(z.read(rels_name), forbid_dtd=True).iter(
                f"{{{NS_PR}}}Relationship"):
            t = _resolve(part, rel.get("Target", ""))
            if rel.get("Type", "").endswith("/table") and t in names:
                tables.setdefault(title, []).append(_table(z.read(t)))
    return parts, tables


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _table(xml: bytes) -> TableRef:
    t = ET.fromstring(xml, forbid_dtd=True)
    (c1, r1), (c2, r2) = (_REF_PARTS.match(x.encode()).groups()
                          for x in (t.get("ref", "A1:A1").split(":") * 2)[:2])
    header = int(t.get("headerRowCount", "1") or 1)
    totals = int(t.get("totalsRowCount", "0") or 0)
    return TableRef(t.get("displayName") or t.get("name", ""), int(r1) - (header == 0),
                    column_index(c1), int(r2) - totals, column_index(c2), totals)


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part name in the package (`xl/worksheets/sheet1.xml`)."""
    return _sheet_rels(z)[0]


_REF_PARTS = re.compile(rb"\$?([A-Z]+)\$?(\d+)")
_CELL_START = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_E = re.compile(rb'\bt="e"')
_F_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>([^<]*)</")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA_STARTS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=[\"'](\d+)")
MAX_ROWS = 500_000  # an input sheet reaching further is refused (memory stays bounded)
CHUNK = 1 << 22


def _last_value_row(block: bytes, rows_before: int) -> int:
    """The row of the last cell holding a value in `block` (0 if none)."""
    p = max(block.rfind(m) for m in (b"<v>", b":v>", b"<is>", b":is>"))
    if p < 0:
        return 0
    k = max(block.rfind(b"<row", 0, p), block.rfind(b":row ", 0, p))
    m = _ROW_TAG.match(block, block.rfind(b"<", 0, k + 1)) if k >= 0 else None
    if m:
        return int(m.group(1))
    return rows_before + _rows(block[:p])  # rows without r="…": count them


def _rows(block: bytes) -> int:
    return block.count(b"<row") + block.count(b":row ")


def _row_end(buf: bytes) -> int:
    """Where the last complete row of `buf` ends (0 if none)."""
    end = buf.rfind(b"</row>")
    j = buf.rfind(b":row>")
    while j > end + 5:  # a prefixed end tag (</x:row>) after the last plain one
        lt = buf.rfind(b"<", 0, j)
        if buf[lt + 1:lt + 2] == b"/":
            return j + 5
        j = buf.rfind(b":row>", 0, lt)
    return end + 6 if end >= 0 else 0


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def scan_sheet(f: BinaryIO, title: str, file_name: str) -> dict[tuple[int, int], object]:
    """Stream a sheet part: its special cells, refusing a sheet reaching beyond MAX_ROWS."""
    out: dict[tuple[int, int], object] = {}
    carry, rows_before, last = b"", 0, 0
    while True:
        data = f.read(CHUNK)
        if not rows_before and not carry and (b"<!DOCTYPE" in data[:4096] or
                                              b"<!ENTITY" in data[:4096]):
            raise UnreadableFile(f"« {file_name} » est refusé : la feuille « {title} » déclare "
                                 f"des entités XML (fichier malveillant ou endommagé).")
        buf = carry + data
        cut = _row_end(buf) if data and len(buf) < 16 * CHUNK else len(buf)
        block, carry = buf[:cut], buf[cut:]
        last = max(last, _last_value_row(block, rows_before))
        rows_before += _rows(block)
        if last > MAX_ROWS:
            raise UnreadableFile(
                f"La feuille « {title} » de « {file_name} » a des valeurs au-delà de la ligne "
                f"{_thousands(MAX_ROWS)} : allot_xl ne lit pas une feuille aussi longue. Si les "
                f"lignes du bas sont vides, supprimez-les (Ctrl+Fin montre la dernière cellule "
                f"utilisée) ; sinon répartissez les besoins en plusieurs classeurs.")
        out.update(special_cells(block))
        if not data:
            return out


def _cell_start(xml: bytes, pos: int) -> int:
    """Where the cell tag holding `pos` starts: `<c ` or a prefixed `<x:c `."""
    plain = xml.rfind(b"<c ", 0, pos)
    j = xml.rfind(b":c ", 0, pos)
    if j > plain:
        lt = xml.rfind(b"<", 0, j)
        if lt >= 0 and xml[lt + 1:j].isalnum():
            return lt
    return plain


def special_cells(xml: bytes) -> dict[tuple[int, int], object]:
    """(row, col) -> CellError or NoCachedValue, for the cells calamine reads as empty."""
    out: dict[tuple[int, int], object] = {}
    if b't="e"' not in xml and not any(f in xml for f in _FORMULA_STARTS):
        return out
    hits = sorted({m.start() for m in _TYPE_E.finditer(xml)} |
                  {m.start() for m in _F_TAG.finditer(xml)})
    seen: set[int] = set()
    for pos in hits:
        start = _cell_start(xml, pos)
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
        key = (int(ref.group(2)), column_index(ref.group(1)))
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
        wb = pc.load_workbook(str(path))
    except pc.PasswordError:
        raise UnreadableFile(f"« {path.name} » est protégé par un mot de passe : enregistrez "
                             f"une copie sans mot de passe, puis relancez.") from None
    except Exception as e:  # calamine's errors name no cell: turn them into one sentence
        raise _unreadable(path, e) from None
    grids: dict[str, SheetGrid] = {}
    styles: set[int] | None = None  # percentage cell formats, read when first needed
    try:
        with zipfile.ZipFile(path) as z:
            parts, tables = _sheet_rels(z)
            for name in wanted_sheets(list(wb.sheet_names)):
                part = parts.get(name)
                special = {}
                if part and part in z.namelist():
                    with z.open(part) as f:
                        special = scan_sheet(f, name, path.name)
                values = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for i, row in enumerate(values):
                    if "" in row:
                        values[i] = [None if v == "" else v for v in row]
                for (r, c), v in special.items():
                    while len(values) < r:
                        values.append([])
                    row = values[r - 1]
                    if len(row) < c:
                        row.extend([None] * (c - len(row)))
                    row[c - 1] = v
                if part and fold(name) in PERCENT_SHEETS:
                    if styles is None:
                        styles = percent_styles(z)
                    _mark_percentages(z, part, values, styles)
                grids[name] = SheetGrid(name, values, tables.get(name, []))
    except UnreadableFile:
        raise
    except Exception as e:  # damaged XML, entities, truncated parts: one sentence
        raise _unreadable(path, e) from None
    finally:
        wb.close()
    return grids


PERCENT_SHEETS = {fold(REGLES), fold(PARAMETRES)}  # where percentages are expected
MAX_PERCENT_SCAN = 16 * 1024**2  # such sheets are small; a huge one is not scanned


def _mark_percentages(z: zipfile.ZipFile, part: str, values: list[list],
                      styles: set[int]) -> None:
    """Numbers Excel shows as percentages become PercentValue (1.2 shown 120 % reads 120)."""
    if not styles or z.getinfo(part).file_size > MAX_PERCENT_SCAN:
        return
    for r, c in percent_cells(z.read(part), styles):
        if r - 1 < len(values) and c - 1 < len(values[r - 1]):
            v = values[r - 1][c - 1]
            if isinstance(v, float) and not isinstance(v, bool):
                values[r - 1][c - 1] = PercentValue(v)


def _unreadable(path: Path, e: Exception) -> UnreadableFile:
    return UnreadableFile(f"« {path.name} » est illisible ({type(e).__name__}) : ouvrez-le dans "
                          f"Excel et enregistrez-le à nouveau au format .xlsx.")
