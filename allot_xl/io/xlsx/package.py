"""One workbook package per run: opened, size-checked and listed once, read by the reader and
the writer alike (parts, relationships, workbook.xml, styles, tables)."""

from __future__ import annotations

import io
import pyexpat
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote

import numpy as np

from ...core.problems import UnreadableFile, system_reason
from . import opc
from .file_kind import EXTENSIONS as EXTENSIONS  # re-exported (xlsx_read)
from .file_kind import check_path, refuse_other_zip
from .opc import BadPart, Rel
from .workbook import WorkbookXml

CONTENT_TYPES = "[Content_Types].xml"
_SELECTED = re.compile(rb"""<(?:\w+:)?sheetView\b[^>]*\btabSelected=["'](?:1|true)["']""")
_WHOLE_PARTS = ("xl/sharedstrings.xml", "xl/styles.xml", "xl/workbook.xml")
MAX_FULL_CHECK = 16 * 1024**2  # XML parts up to this size are parsed whole when copied
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip member's local file header


def has_control(data: bytes) -> bool:
    """Whether `data` holds a control character XML 1.0 cannot carry (one vectorised pass)."""
    low = np.count_nonzero(np.frombuffer(data, dtype=np.uint8) < 32)
    return bool(low) and low != data.count(b"\t") + data.count(b"\n") + data.count(b"\r")


def rewrite_message(name: str, why: str) -> str:
    """The sentence for a package allot_xl cannot rewrite safely."""
    return (f"« {name} » ne peut pas être réécrit ({why}) : ouvrez-le dans Excel, enregistrez-le "
            f"au format Classeur Excel (.xlsx ou .xlsm), puis relancez.")


def damaged(name: str) -> UnreadableFile:
    return UnreadableFile(f"« {name} » est endommagé ou tronqué : ouvrez-le dans Excel pour le "
                          f"réparer, ou reprenez une copie saine.")


NS_STRICT = b"http://purl.oclc.org/ooxml/"  # Strict Open XML namespaces start so


def _refuse_strict(name: str, pkg: Package) -> None:
    """A Strict Open XML workbook is refused by every command alike (see docs/decisions.md):
    Excel saves it again as an ordinary workbook in one step."""
    part = pkg._workbook_part() or "xl/workbook.xml"
    with pkg.stream(part) as f:
        head = f.read(4096)
    if NS_STRICT in head or any(r.type.encode().startswith(NS_STRICT)
                                for r in pkg.rels.get("", [])):
        raise UnreadableFile(
            f"« {name} » est enregistré au format « Feuille de calcul Open XML Strict », "
            f"qu'allot_xl ne lit pas : ouvrez-le dans Excel, puis Fichier > Enregistrer sous, "
            f"type « Classeur Excel (*.xlsx) » (pas « Open XML Strict »), et relancez avec le "
            f"fichier enregistré.")


_LONG_TEXT = re.compile(rb"[^<]{%d,}" % opc.MAX_TEXT_BYTES)


def _check_texts(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse a shared-strings part holding a text longer than Excel allows in a cell (one
    such string would cost ten times its size in memory once read)."""
    carry = b""
    with z.open(info) as f:
        while chunk := f.read(1 << 22):
            buf = carry + chunk
            if _LONG_TEXT.search(buf):
                raise UnreadableFile(
                    f"« {name} » est refusé : une cellule y contient un texte de plus de "
                    f"32\u00a0767 caractères, au-delà de ce qu'Excel accepte (classeur anormal).")
            cut = buf.rfind(b"<")
            carry = buf[cut:] if cut >= 0 else buf[-opc.MAX_TEXT_BYTES:]


@dataclass
class Package:
    """A workbook package held in memory, its lists parsed once.

    Built by `Package.open(path)`, which refuses (UnreadableFile, a French sentence) what is
    not a safe .xlsx/.xlsm: wrong kind of file, zip bomb, oversized whole-read parts,
    encrypted or duplicated members, unreadable lists."""

    path: Path
    data: bytes
    zip: zipfile.ZipFile
    infos: list[zipfile.ZipInfo]
    parts: dict[str, str]  # casefolded name -> zip entry name
    stat: tuple[int, int, int] = (0, 0, 0)  # size, mtime_ns, inode when opened
    types: bytes = b""
    overrides: dict[str, str] = field(default_factory=dict)  # casefolded part -> type
    rels: dict[str, list[Rel]] = field(default_factory=dict)  # source ("" package) -> rels
    workbook: str = ""
    book: WorkbookXml | None = None
    styles_part: str | None = None
    styles: bytes | None = None
    app: bytes | None = None
    tables: dict[str, tuple[set[str], int]] = field(default_factory=dict)  # names, id
    table_xml: dict[str, bytes] = field(default_factory=dict)
    selected: set[str] = field(default_factory=set)  # sheet parts whose tab is selected
    verified: set[str] = field(default_factory=set)  # parts already checked (reader's scan)

    @property
    def name(self) -> str:
        return self.path.name

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path) -> Package:
        """Read `path` once and check it (see the class docstring)."""
        path = Path(path)
        try:
            check_path(path)
            st = path.stat()
            data = path.read_bytes()
        except OSError as e:  # unreadable: rights, a lost share, a name too long
            raise UnreadableFile(f"Impossible de lire « {path.name} » : {system_reason(e)}. "
                                 f"Vérifiez le fichier et ses droits, puis relancez.") from None
        name = path.name
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            infos = z.infolist()
            names = [i.filename for i in infos]
            if "mimetype" in names and b"opendocument" in z.read("mimetype")[:200]:
                raise UnreadableFile(
                    f"« {name} » est un classeur OpenDocument : enregistrez-le au format .xlsx.")
            if sum(i.file_size for i in infos) > opc.MAX_UNCOMPRESSED:
                raise UnreadableFile(f"« {name} » décompressé dépasse 2 Go : fichier refusé "
                                     f"(classeur anormal ou « bombe zip »).")
            big = [i.filename for i in infos if i.file_size > opc.MAX_WHOLE_PART and
                   i.filename.casefold() in _WHOLE_PARTS]
            if big:  # calamine loads these parts whole, before any sheet
                raise UnreadableFile(
                    f"« {name} » est refusé : sa partie {big[0]} dépasse "
                    f"{opc.MAX_WHOLE_PART // 1024**2} Mo une fois décompressée (classeur "
                    f"anormal) ; enregistrez-le à nouveau dans Excel, puis relancez.")
            for i in infos:
                if i.filename.casefold() == "xl/sharedstrings.xml":
                    _check_texts(z, i, name)
            pkg = cls(path, data, z, infos, {n.casefold(): n for n in names},
                      (st.st_size, st.st_mtime_ns, st.st_ino))
            refuse_other_zip(name, pkg.parts)
            if CONTENT_TYPES not in pkg.parts.values() or not pkg._workbook_part():
                raise UnreadableFile(f"« {name} » n'est pas un classeur Excel (.xlsx) valide : "
                                     f"il n'a pas de partie xl/workbook.xml.")
            if len(pkg.parts) != len(names):
                raise BadPart("parties en double")
            if any(i.flag_bits & 0x1 for i in infos):
                raise BadPart("parties chiffrées")
            _refuse_strict(name, pkg)
            pkg._load()
        except BadPart as e:
            raise UnreadableFile(rewrite_message(name, str(e))) from None
        except KeyError as e:
            raise UnreadableFile(rewrite_message(name, f"partie absente : {e.args[0]}")) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error):
            raise damaged(name) from None
        return pkg

    def _workbook_part(self) -> str | None:
        if CONTENT_TYPES not in self.parts.values():
            return None
        rels = opc.rels_part("")
        if rels in self.parts.values():
            self.rels[""] = opc.read_rels(self.read(rels))
            for p in self.targets("", opc.REL_DOCUMENT):
                if self.has(p):
                    return p
        return "xl/workbook.xml" if "xl/workbook.xml" in self.parts.values() else None

    def _load(self) -> None:
        self.types = self.read(CONTENT_TYPES)
        self.overrides = {o.get("PartName", "").lstrip("/").casefold(): o.get("ContentType", "")
                          for o in opc.parse(self.types).iter(opc.q(opc.NS_CT, "Override"))}
        for n in self.parts.values():
            source = opc.rels_source(n)
            if source is not None and source != "":
                self.rels[self.actual(source)] = opc.read_rels(self.read(n))
        self.workbook = self._workbook_part() or "xl/workbook.xml"
        self.book = WorkbookXml(self.read(self.workbook))
        styles = [p for p in self.targets(self.workbook, opc.REL_STYLES) if self.has(p)]
        if styles:
            self.styles_part = styles[0]
            self.styles = self.read(styles[0])
            opc.parse(self.styles)
        app = [p for p in self.targets("", opc.REL_EXTENDED) if self.has(p)]
        self.app = self.read(app[0]) if app else None
        for part, kind in self.overrides.items():
            if kind == opc.CT_TABLE and part in self.parts:
                xml = self.read(self.parts[part])
                t = opc.parse(xml)
                self.table_xml[self.parts[part]] = xml
                self.tables[self.parts[part]] = ({t.get("name", "").casefold(), t.get(
                    "displayName", "").casefold()}, int(t.get("id", "0") or 0))
        for part in self.sheet_parts().values():
            if self.has(part) and _SELECTED.search(self.head(part)):
                self.selected.add(part)

    # ------------------------------------------------------------------ parts

    def actual(self, part: str) -> str:
        """The zip entry name of `part` (relationship targets may differ in case or quoting)."""
        return self.parts.get(part.casefold()) or self.parts.get(unquote(part).casefold()) or part

    def has(self, part: str) -> bool:
        return self.actual(part).casefold() in self.parts

    def size(self, part: str) -> int:
        """The uncompressed size of `part`, in bytes."""
        return self.zip.getinfo(self.actual(part)).file_size

    def read(self, part: str) -> bytes:
        """A part read whole; refused (BadPart) beyond opc.MAX_XML_PART."""
        info = self.zip.getinfo(self.actual(part))
        if info.file_size > opc.MAX_XML_PART:
            raise BadPart(f"partie {info.filename} trop volumineuse")
        return self.zip.read(info)

    def stream(self, part: str) -> IO[bytes]:
        """A part as a stream, for parts too large to read whole (sheets)."""
        return self.zip.open(self.actual(part))

    def head(self, part: str) -> bytes:
        """The start of a sheet part, up to its cell data: where its views are."""
        with self.stream(part) as f:
            head = f.read(1 << 16)
        cut = head.find(b"sheetData")
        return head[:cut] if cut >= 0 else head

    def raw(self, info: zipfile.ZipInfo) -> memoryview:
        """The compressed bytes of a member, as stored (to copy it without re-deflating)."""
        start = info.header_offset
        fields = _LOCAL_HEADER.unpack_from(self.data, start)
        if fields[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile("en-tête local invalide")
        begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]
        end = begin + info.compress_size
        if end > len(self.data):
            raise zipfile.BadZipFile("membre tronqué")
        return memoryview(self.data)[begin:end]

    def check_xml(self, part: str) -> None:
        """Refuse (BadPart) a part that is not well-formed XML, so that it is never copied
        into a file Excel would refuse: parsed whole up to MAX_FULL_CHECK, beyond that
        scanned for the control characters XML cannot carry."""
        if part in self.verified:
            return
        info = self.zip.getinfo(self.actual(part))
        why = f"partie {info.filename} mal formée (XML invalide)"
        with self.zip.open(info) as f:
            if info.file_size <= MAX_FULL_CHECK:
                parser = pyexpat.ParserCreate()
                try:
                    while chunk := f.read(1 << 20):
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
                except pyexpat.ExpatError:
                    raise BadPart(why) from None
            else:
                while chunk := f.read(1 << 22):
                    if has_control(chunk):
                        raise BadPart(why)
        self.verified.add(part)

    # ------------------------------------------------------------------ relationships

    def targets(self, part: str, kind: str | None = None) -> list[str]:
        return [self.actual(opc.resolve(part, r.target)) for r in self.rels.get(part, [])
                if not r.external and (kind is None or r.type == kind)]

    def reach(self, roots: list[str], skip: set[str]) -> set[str]:
        """Parts reachable from `roots` through relationships, not entering `skip`."""
        seen: set[str] = set()
        todo = [r for r in roots if r not in skip]
        while todo:
            p = todo.pop()
            if p not in seen:
                seen.add(p)
                todo += [t for t in self.targets(p) if t not in seen and t not in skip]
        return seen

    def sheet_parts(self) -> dict[str, str]:
        """Relationship id -> sheet part, for the sheets of workbook.xml."""
        rels = {r.id: r for r in self.rels.get(self.workbook, []) if not r.external}
        return {s.rid: self.actual(opc.resolve(self.workbook, rels[s.rid].target))
                for s in self.book.sheets if s.rid in rels}

    def sheets_by_title(self) -> dict[str, str]:
        """Sheet title -> its part name (`xl/worksheets/sheet1.xml`)."""
        parts = self.sheet_parts()
        return {s.name: parts[s.rid] for s in self.book.sheets if s.rid in parts}

    def sheet_tables(self, part: str) -> list[bytes]:
        """The table parts' XML of a sheet part."""
        return [self.table_xml[t] for t in self.targets(part, opc.REL_TABLE)
                if t in self.table_xml]

    def unchanged(self) -> bool:
        """Whether the file on disk is still the one read."""
        try:
            st = self.path.stat()
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns, st.st_ino) == self.stat
