"""Read the sheets allot_xl needs from an .xlsx/.xlsm file: python-calamine for values,
a scan of the sheet XML for what calamine hides (error cells, formulas without a value)."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import unescape

try:
    import python_calamine as pc
except ImportError:  # Pyodide (xlwings Lite) has no build of it: openpyxl, same calls
    from . import pure as pc  # type: ignore[no-redef]

from ...core.contract import (
    COLUMNS,
    PARAMETRES,
    PERCENT,
    CellError,
    NoCachedValue,
    PercentValue,
    fold,
)
from ...core.french import nombre
from ...core.problems import UnreadableFile
from ...core.shown import padded_zeros
from ...inputs.grid import SheetGrid, TableRef, paused_gc
from ...inputs.read import copy_of, wanted_sheets
from . import opc
from .cells import column_index, last_row, merged_ranges, walk
from .formats import percent_cells, percent_styles, shown_styles, styled_cells
from .package import EXTENSIONS, Package, has_control
from .rich import Linked, linked_texts

__all__ = ["EXTENSIONS", "check_file", "read_grids", "scan_sheet", "sheet_parts"]

def open_package(source: Path | Package) -> Package:
    """The Package of `source`: itself when already open, else opened and checked. A run
    opens its workbook once (`check_file`) and hands the Package down to every step
    (reading, the output writer), as sqlite-utils hands down its Database: there is no
    cache between calls. Raises UnreadableFile (French sentence)."""
    return source if isinstance(source, Package) else Package.open(Path(source))


def check_file(path: Path | Package) -> Package:
    """Refuse, with one French sentence (UnreadableFile), what is not a readable .xlsx/.xlsm
    workbook; the checked Package is returned (to hand to read_grids and write_outputs)."""
    return open_package(path)


def _table(xml: bytes) -> TableRef:
    t = opc.parse(xml)
    (c1, r1), (c2, r2) = (_REF_PARTS.match(x.encode()).groups()
                          for x in (t.get("ref", "A1:A1").split(":") * 2)[:2])
    header = int(t.get("headerRowCount", "1") or 1)
    totals = int(t.get("totalsRowCount", "0") or 0)
    return TableRef(t.get("displayName") or t.get("name", ""), int(r1) - (header == 0),
                    column_index(c1), int(r2) - totals, column_index(c2), totals)


def sheet_parts(z: zipfile.ZipFile | Package) -> dict[str, str]:
    """Sheet title -> its part name in the package (`xl/worksheets/sheet1.xml`); a bare
    ZipFile is read through its relationships as a Package reads it."""
    if isinstance(z, Package):
        return z.sheets_by_title()
    names = set(z.namelist())
    doc = [opc.resolve("", r.target) for r in opc.read_rels(z.read(opc.rels_part("")))
           if r.type == opc.REL_DOCUMENT]
    book = next((p for p in doc if p in names), "xl/workbook.xml")
    wb = opc.parse(z.read(book))
    target = {r.id: opc.resolve(book, r.target)
              for r in opc.read_rels(z.read(opc.rels_part(book)))}
    return {sh.get("name"): target[sh.get(opc.q(opc.NS_R, "id"))]
            for sh in wb.iter(opc.q(opc.NS_MAIN, "sheet"))
            if sh.get(opc.q(opc.NS_R, "id")) in target}


_REF_PARTS = re.compile(rb"\$?([A-Z]+)\$?(\d+)")
_CELL_START = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_E = re.compile(rb'\bt="e"')
_F_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>([^<]*)</")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_FORMULA_STARTS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_TYPE_STR = re.compile(rb'\bt="str"')
_EMPTY_V = re.compile(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*\bhidden=[\"'](?:1|true)[\"'][^>]*>")
_ROW_NUMBER = re.compile(rb"""\br=["'](\d+)["']""")
MAX_ROWS = 500_000  # an input sheet reaching further is refused (memory stays bounded)
CHUNK = 1 << 22


def _has_formula(xml: bytes) -> bool:
    """Whether one of _FORMULA_STARTS is in `xml`: `<f` and `:f` are rare in a sheet and
    quick to search (`>`, the last byte of most of them, is everywhere)."""
    for lead in (b"<f", b":f"):
        i = xml.find(lead)
        while i >= 0:
            if xml[i + 2:i + 3] in (b">", b" ", b"/"):
                return True
            i = xml.find(lead, i + 2)
    return False


def _last_value_row(block: bytes, row: int) -> int:
    """The row of the last cell holding a value in `block` (0 if none); `row` is the last
    row before the block."""
    p = max(block.rfind(b"<v>"), block.rfind(b"<is>"))
    p = max(p, block.rfind(b":v>", p + 1), block.rfind(b":is>", p + 1))  # prefixed, after
    return last_row(block, row, p) if p >= 0 else 0


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


def scan_sheet(f: BinaryIO, title: str, file_name: str,
               merged: list[tuple[int, int, int, int]] | None = None,
               hidden: set[int] | None = None) -> dict[tuple[int, int], object]:
    """Stream a sheet part: its special cells, refusing a sheet reaching beyond MAX_ROWS;
    its merged ranges are added to `merged` and its hidden rows to `hidden`, when given.
    Cells and rows written without `r=` are placed by position, as python-calamine places
    their values."""
    out: dict[tuple[int, int], object] = {}
    carry, rows_before, last, row = b"", 0, 0, 0
    while True:
        data = f.read(CHUNK)
        if not rows_before and not carry and (b"<!DOCTYPE" in data[:4096] or
                                              b"<!ENTITY" in data[:4096]):
            raise UnreadableFile(f"« {file_name} » est refusé : la feuille « {title} » déclare "
                                 f"des entités XML (fichier malveillant ou endommagé).")
        buf = carry + data
        cut = _row_end(buf) if data and len(buf) < 16 * CHUNK else len(buf)
        block, carry = buf[:cut], buf[cut:]
        last = max(last, _last_value_row(block, row))
        rows_before += _rows(block)
        if last > MAX_ROWS:
            raise UnreadableFile(
                f"La feuille « {title} » de « {file_name} » a des valeurs au-delà de la ligne "
                f"{nombre(MAX_ROWS)} : allot_xl ne lit pas une feuille aussi longue. Si les "
                f"lignes du bas sont vides, supprimez-les (Ctrl+Fin montre la dernière cellule "
                f"utilisée) ; sinon répartissez les besoins en plusieurs classeurs.")
        if has_control(block):
            raise UnreadableFile(
                f"« {file_name} » est endommagé : la feuille « {title} » contient un caractère "
                f"de contrôle qu'un fichier Excel ne peut pas contenir (XML invalide) ; ouvrez-le "
                f"dans Excel pour le réparer, ou reprenez une copie saine.")
        out.update(special_cells(block, row))
        row = last_row(block, row)
        if merged is not None:
            merged.extend(merged_ranges(block))
        if hidden is not None and b"hidden=" in block:
            for m in _HIDDEN_ROW.finditer(block):
                r = _ROW_NUMBER.search(m.group(0))
                if r is not None:
                    hidden.add(int(r.group(1)))
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


def special_cells(xml: bytes, row: int = 0) -> dict[tuple[int, int], object]:
    """(row, col) -> CellError or NoCachedValue, for the cells calamine reads as empty;
    `row` is the last row before `xml` (where a first row without `r=` follows)."""
    out: dict[tuple[int, int], object] = {}
    if b't="e"' not in xml and not _has_formula(xml):
        return out
    if b"<c>" in xml or b":c>" in xml:  # cells without attributes: placed by position
        return _special_walk(xml, row)
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
        if ref is None:  # a cell without r=: this block is placed by position
            return _special_walk(xml, row)
        _special(out, (int(ref.group(2)), column_index(ref.group(1))), tag.group(0),
                 xml[tag.end():end.start()])
    return out


def _special_walk(xml: bytes, row: int) -> dict[tuple[int, int], object]:
    out: dict[tuple[int, int], object] = {}
    for r, c, attrs, body in walk(xml, row):
        if body is not None:
            _special(out, (r, c), attrs, body)
    return out


def _special(out: dict[tuple[int, int], object], key: tuple[int, int], tag: bytes,
             body: bytes) -> None:
    v = _V.search(body)
    if _TYPE_E.search(tag):
        code = v.group(1).decode() if v else "#N/A"
        vm = _VM.search(tag)
        out[key] = Linked(code, int(vm.group(1))) if vm else CellError(code)
    elif _F_TAG.search(body) and (v is None or v.group(1) == b""):
        if _TYPE_STR.search(tag) and (v is not None or _EMPTY_V.search(body)):
            return  # a formula whose result is empty text (`=SI(…;"";…)`): an empty cell
        f = _F_TEXT.search(body)
        text = f.group(1).decode(errors="replace") if f else ""
        out[key] = NoCachedValue(unescape(text, {"&quot;": '"', "&apos;": "'"}))


_VM = re.compile(rb'\bvm="(\d+)"')


def read_grids(path: Path | Package) -> dict[str, SheetGrid]:
    """The sheets read_inputs needs, as grids from A1 (rows of python values; error cells as
    CellError, formulas without a value as NoCachedValue, percentages as PercentValue).

    `path` may be an open Package (one per run). Raises UnreadableFile (French sentence)."""
    with paused_gc():
        return _read_grids(path)


def _read_grids(path: Path | Package) -> dict[str, SheetGrid]:
    pkg = open_package(path)
    name = pkg.name
    try:
        wb = pc.load_workbook(io.BytesIO(pkg.data))
    except pc.PasswordError:
        raise UnreadableFile(f"« {name} » est protégé par un mot de passe : enregistrez "
                             f"une copie sans mot de passe, puis relancez.") from None
    except Exception as e:  # calamine's errors name no cell: turn them into one sentence
        raise _unreadable(name, e) from None
    grids: dict[str, SheetGrid] = {}
    styles: set[int] | None = None  # percentage cell formats, read when first needed
    hidden_sheets = {e.name for e in pkg.book.sheets if _HIDDEN_SHEET.search(e.raw)}
    linked: dict[int, str] | None = None  # texts of linked data types, read when first needed
    try:
        parts = pkg.sheets_by_title()
        for title in wanted_sheets(list(wb.sheet_names)):
            part = parts.get(title)
            special: dict[tuple[int, int], object] = {}
            merged: list[tuple[int, int, int, int]] = []
            hidden: set[int] = set()
            if part and pkg.has(part):
                with pkg.stream(part) as f:
                    special = scan_sheet(f, title, name, merged, hidden)
                pkg.verified.add(part)
            values = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
            for row in values:  # calamine's empty cells are "": None, as other routes
                if "" in row:
                    i = row.index("")
                    with contextlib.suppress(ValueError):
                        while True:
                            row[i] = None
                            i = row.index("", i + 1)
            if any(type(v) is Linked for v in special.values()):
                if linked is None:
                    linked = linked_texts(pkg)
                special = {k: linked.get(v.vm, CellError(v.code)) if type(v) is Linked
                           else v for k, v in special.items()}
            for (r, c), v in special.items():
                while len(values) < r:
                    values.append([])
                row = values[r - 1]
                if len(row) < c:
                    row.extend([None] * (c - len(row)))
                row[c - 1] = v
            if part and pkg.has(part) and fold(title) in PERCENT_SHEETS:
                if styles is None:
                    styles = percent_styles(pkg.styles)
                _mark_percentages(pkg, part, values, styles)
            tables = [_table(x) for x in pkg.sheet_tables(part)] if part else []
            grids[title] = SheetGrid(title, values, tables, merged, title in hidden_sheets,
                                     frozenset(hidden), _ShownFormats(pkg, part) if part
                                     else None)
        for title in wb.sheet_names:  # copies of input sheets: named, not read
            if title not in grids and copy_of(title):
                grids[title] = SheetGrid(title, [], hidden=title in hidden_sheets)
    except UnreadableFile:
        raise
    except Exception as e:  # damaged XML, entities, truncated parts: one sentence
        raise _unreadable(name, e) from None
    finally:
        wb.close()
    return grids


_HIDDEN_SHEET = re.compile(r"""\sstate\s*=\s*["'](?:hidden|veryHidden)["']""")


class _ShownFormats:
    """The format code of a sheet's cells that show a date or a zero-padded number, read
    from its XML on the first question (asked only for IDs that are dates, or numbers in
    a workbook that has a padded format: rare)."""

    def __init__(self, pkg: Package, part: str):
        self.pkg, self.part = pkg, part
        self.codes: dict[tuple[int, int], str] | None = None
        self._styles: dict[int, str] | None = None

    @property
    def styles(self) -> dict[int, str]:
        if self._styles is None:
            self._styles = shown_styles(self.pkg.styles)
        return self._styles

    @property
    def padded(self) -> bool:
        """Whether the workbook has a zero-padded number format (from its styles only)."""
        return any(padded_zeros(c) for c in self.styles.values())

    def __call__(self, row: int, col: int) -> str | None:
        if self.codes is None:
            self.codes = {}
            if self.pkg.has(self.part):
                try:
                    self.codes = styled_cells(self.pkg.read(self.part), self.styles)
                except Exception:  # a sheet too large to read whole: default display
                    self.codes = {}
        return self.codes.get((row, col))


# where percentages are expected: `Paramètres`, and every sheet declaring a percent column
PERCENT_SHEETS = {fold(PARAMETRES)} | {fold(sheet) for sheet, cols in COLUMNS.items()
                                       if any(c.kind == PERCENT for c in cols)}
MAX_PERCENT_SCAN = 16 * 1024**2  # such sheets are small; a huge one is not scanned


def _mark_percentages(pkg: Package, part: str, values: list[list],
                      styles: set[int]) -> None:
    """Numbers Excel shows as percentages become PercentValue (1.2 shown 120 % reads 120)."""
    if not styles or pkg.size(part) > MAX_PERCENT_SCAN:
        return
    for r, c in percent_cells(pkg.read(part), styles):
        if r - 1 < len(values) and c - 1 < len(values[r - 1]):
            v = values[r - 1][c - 1]
            if isinstance(v, float) and not isinstance(v, bool):
                values[r - 1][c - 1] = PercentValue(v)


def _unreadable(name: str, e: Exception) -> UnreadableFile:
    return UnreadableFile(f"« {name} » est illisible ({type(e).__name__}) : ouvrez-le dans "
                          f"Excel et enregistrez-le à nouveau au format .xlsx.")
