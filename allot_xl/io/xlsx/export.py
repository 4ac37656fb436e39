"""The email copy, built part by part from the workbook's package: every part the recipient
needs is copied as stored (values, formats, validation lists with their x14 extensions,
pictures, charts), formulas are replaced by their cached values, and what must not leave
the office is dropped (hidden sheets, custom and personal document properties, macros,
links to other files, the Journal's user names). Returns what it removed, in French."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..._version import __version__
from ...core.contract import JOURNAL, OUTPUT_SHEETS, SYNTHESE, fold
from ...core.model import Inputs
from ...core.problems import UnreadableFile
from . import opc
from .opc import BadPart, Rel
from .package import CONTENT_TYPES, Package, damaged, rewrite_message
from .read import open_package
from .splice import _copy_raw, _zipinfo
from .workbook import _ATTRS, SheetEntry, content_types, local_id, sheets_named
from .write import atomic_write

REL_CUSTOM = opc.REL + "custom-properties"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_EXTERNAL_LINK = opc.REL + "externalLink"
REL_HYPERLINK = opc.REL + "hyperlink"
REL_CONNECTIONS = opc.REL + "connections"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_QUERY_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml"
_HIDDEN = re.compile(r"""\sstate\s*=\s*(["'])(hidden|veryHidden)\1""")
_WEB = re.compile(r"(?i)^(https?|mailto):")
JOURNAL_PRIVATE = ("Utilisateur",)  # Journal columns left empty in the copy


def is_local_link(target: str) -> bool:
    """Whether an external relationship's target points at a disk or a share (file://,
    C:\\…, \\\\server\\…, a relative path) rather than a web page or an address."""
    return not _WEB.match(target.strip())


def _state(s: SheetEntry) -> str:
    m = _HIDDEN.search(s.raw)
    return m.group(2) if m else "visible"


class _Copy:
    """The decisions of one email copy: which parts go, which are rewritten."""

    def __init__(self, src: Package, inputs: Inputs, origin: str):
        self.src, self.inputs, self.origin = src, inputs, origin
        self.removed: list[str] = []
        self.rewritten: dict[str, bytes] = {}
        book, wb = src.book, src.workbook
        parts = src.sheet_parts()
        hidden = [s for s in book.sheets if _state(s) != "visible"]
        kept = [s for s in book.sheets if _state(s) == "visible"]
        order = {fold(s): i for i, s in enumerate(OUTPUT_SHEETS)}
        kept.sort(key=lambda s: order.get(fold(s.name), len(order)))  # stable
        self.kept = kept
        roots = {parts[s.rid] for s in hidden if s.rid in parts}
        for s in hidden:
            what = "très masquée" if _state(s) == "veryHidden" else "masquée"
            self.removed.append(f"feuille {what} « {s.name} »")
        links = src.targets(wb, REL_EXTERNAL_LINK)
        if links:
            self.removed.append(f"{len(links)} liaison(s) vers d'autres classeurs")
        for kind, label in ((opc.REL_CALC_CHAIN, None), (REL_CONNECTIONS,
                            "connexions à des données externes"), (REL_VBA, "macros")):
            found = src.targets(wb, kind)
            roots |= set(found)
            if found and label:
                self.removed.append(label)
        # what only makes sense with the connections: the query tables refreshed through
        # them, and Power Query's queries (their M code names files and servers)
        queries = {src.actual(p) for p, ct in src.overrides.items() if ct == CT_QUERY_TABLE}
        mashups = {i.filename for i in src.infos if i.filename.casefold().startswith(
            "customxml/item") and not i.filename.casefold().endswith(".rels")
            and b"DataMashup" in src.zip.read(i)[:2048]}
        roots |= queries | mashups
        if mashups:
            self.removed.append("requêtes Power Query")
        roots |= set(links)
        custom = src.targets("", REL_CUSTOM)
        if custom:
            self.removed.append("propriétés personnalisées du document")
        roots |= set(custom)
        keep = src.reach([""], roots)
        drop = src.reach(sorted(roots), set()) - keep
        self.drop = {src.actual(p) for p in drop | {opc.rels_part(p) for p in drop}
                     if src.has(p)}
        macros = {i.filename for i in src.infos if "vbaproject" in i.filename.casefold()
                  or "vba" in src.overrides.get(i.filename.casefold(), "").casefold()}
        if macros - self.drop and "macros" not in self.removed:
            self.removed.append("macros")
        self.drop |= macros | {opc.rels_part(p) for p in macros if src.has(opc.rels_part(p))}
        self.gone_rids = {s.rid for s in hidden}
        self.hidden_names = {s.name.casefold() for s in hidden}
        # kept parts pointing at a dropped one (a table at its query table, the workbook
        # at a Power Query item) lose that relationship, so none dangles in the copy
        for part, rels in src.rels.items():
            if part in ("", wb) or part in self.drop:
                continue
            kept_rels = self._kept_rels(part)
            if len(kept_rels) != len(rels):
                self.rewritten[opc.rels_part(part)] = opc.rels_xml(kept_rels)

    def _kept_rels(self, part: str, leave: set[str] = frozenset()) -> list[Rel]:
        """The relationships of `part` the copy keeps: none to a dropped part, none in
        `leave`."""
        return [r for r in self.src.rels.get(part, []) if r.id not in leave and (
            r.external or self.src.actual(opc.resolve(part, r.target)) not in self.drop)]

    def workbook(self) -> None:
        src, book, wb = self.src, self.src.book, self.src.workbook
        index = {id(s): j for j, s in enumerate(self.kept)}
        old = {i: index[id(s)] for i, s in enumerate(book.sheets) if id(s) in index}
        names = []
        for n in book.names:
            refs = sheets_named(n.formula)
            if "[" in n.formula or "#REF!" in n.formula or \
                    any(r.casefold() in self.hidden_names for r in refs):
                continue
            if n.local is None:
                names.append(n.raw)
            elif n.local in old:
                names.append(local_id(n.raw, old[n.local]))
        dropped = len(book.names) - len(names)
        if dropped:
            self.removed.append(f"{dropped} nom(s) définis pointant vers une feuille retirée "
                                f"ou un autre classeur")
        titles = [fold(s.name) for s in self.kept]
        active = titles.index(fold(SYNTHESE)) if fold(SYNTHESE) in titles else 0
        self.active_name = self.kept[active].name if self.kept else ""
        text = book.rewrite([s.raw for s in self.kept], names, active, {}).decode("utf-8")
        text = re.sub(rf"<(?:\w+:)?externalReferences\b{_ATTRS}(?:/>|>.*?"
                      rf"</(?:\w+:)?externalReferences>)", "", text, flags=re.S)
        text = re.sub(rf"<(?:\w+:)?fileSharing\b{_ATTRS}/>", "", text)  # names a user
        text = re.sub(r"""\sfirstSheet=(["'])\d*\1""", ' firstSheet="0"', text)
        self.rewritten[wb] = text.encode("utf-8")
        rels = [r for r in src.rels.get(wb, []) if r.id not in self.gone_rids
                and (r.external or src.actual(opc.resolve(wb, r.target)) not in self.drop)]
        self.rewritten[opc.rels_part(wb)] = opc.rels_xml(rels)

    def sheets(self) -> None:
        parts = self.src.sheet_parts()
        local = 0
        for s in self.kept:
            part = parts.get(s.rid)
            if part is None or not self.src.has(part):
                continue
            rels = self.src.rels.get(part, [])
            private = {r.id for r in rels if r.external and r.type == REL_HYPERLINK
                       and is_local_link(r.target)}
            local += len(private)
            text = self.src.read(part).decode("utf-8")
            text = _values_only(text)
            text = _drop_hyperlinks(text, private)
            text = _select(text, s.name == self.active_name)
            if fold(s.name) == fold(JOURNAL):
                text = self._journal(part, text)
            self.rewritten[part] = text.encode("utf-8")
            if private:
                self.rewritten[opc.rels_part(part)] = opc.rels_xml(
                    self._kept_rels(part, private))
            for t in self.src.targets(part, opc.REL_TABLE):
                if t in self.src.table_xml:
                    self.rewritten[t] = _table_values_only(self.src.table_xml[t])
        if local:
            self.removed.append(f"{local} lien(s) hypertexte vers des fichiers du poste ou "
                                f"du réseau")

    def _journal(self, part: str, text: str) -> str:
        """The Journal without the user names (the columns of JOURNAL_PRIVATE emptied)."""
        for xml in self.src.sheet_tables(part):
            t = opc.parse(xml)
            ref = t.get("ref", "")
            m = re.match(r"([A-Z]+)(\d+):[A-Z]+\d+$", ref)
            if not m:
                continue
            heads = [c.get("name", "") for c in t.iter(opc.q(opc.NS_MAIN, "tableColumn"))]
            first, top = _col_number(m.group(1)), int(m.group(2))
            for j, h in enumerate(heads):
                if h in JOURNAL_PRIVATE:
                    text = _empty_column(text, _col_letter(first + j), top)
                    self.removed.append(f"colonne « {h} » de {JOURNAL} (noms de connexion)")
        return text

    def properties(self) -> None:
        src, inputs = self.src, self.inputs
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        title = f"Allotissement — {inputs.campaign or Path(self.origin).stem}"
        description = (f"Copie de « {self.origin} » : valeurs seules, sans macros ni liaisons "
                       f"externes. Empreinte des entrées : {inputs.fingerprint}.")
        core = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title>"
            "<dc:subject>Lots de l'appel d'offres de formation : copie pour envoi</dc:subject>"
            f"<dc:creator>allot_xl {__version__}</dc:creator>"
            "<cp:keywords>allotissement; formation; lots; marchés publics</cp:keywords>"
            f"<dc:description>{escape(description)}</dc:description>"
            f"<cp:lastModifiedBy>allot_xl {__version__}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>").encode()
        app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
               f'extended-properties"><Application>allot_xl {__version__}</Application>'
               "</Properties>").encode()
        rels = [r for r in src.rels.get("", []) if r.external
                or src.actual(opc.resolve("", r.target)) not in self.drop]
        types: dict[str, str] = {}
        for kind, xml, ctype, name in ((REL_CORE, core, CT_CORE, "docProps/core.xml"),
                                       (opc.REL_EXTENDED, app, CT_APP, "docProps/app.xml")):
            found = [p for p in src.targets("", kind) if src.has(p)]
            if found:
                self.rewritten[found[0]] = xml
            else:
                rels = [r for r in rels if r.type != kind]
                rels.append(Rel(opc.fresh_id({r.id for r in rels}), kind, name))
                self.rewritten[name], types[name] = xml, ctype
        self.rewritten[opc.rels_part("")] = opc.rels_xml(rels)
        self.removed.append("auteur, titre, société et autres propriétés du document "
                            "(remplacés par ceux de la copie)")
        retype = {}
        if src.overrides.get(src.workbook.casefold()) == opc.CT_MAIN_MACRO:
            retype[src.workbook] = opc.CT_MAIN
        self.rewritten[CONTENT_TYPES] = content_types(src.types, self.drop, types, retype)

    def write(self, dst: Path) -> None:
        src = self.src
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr(_zipinfo(CONTENT_TYPES), self.rewritten[CONTENT_TYPES])
            names = set()
            for info in src.infos:
                name = info.filename
                names.add(name)
                if name in self.drop or name == CONTENT_TYPES:
                    continue
                if name in self.rewritten:
                    out.writestr(_zipinfo(name, info), self.rewritten[name])
                elif info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    _copy_raw(out, src, info)
                else:
                    out.writestr(_zipinfo(name, info), src.zip.read(info))
            for name, data in self.rewritten.items():
                if name not in names and name != CONTENT_TYPES:
                    out.writestr(_zipinfo(name), data)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


_CELL = re.compile(rf"<((?:\w+:)?)c\b({_ATTRS})(?:/>|>(.*?)</\1c>)", re.S)
_F = re.compile(rf"<(?:\w+:)?f\b{_ATTRS}(?:/>|>.*?</(?:\w+:)?f>)", re.S)
_T_ATTR = re.compile(r"""\st\s*=\s*(["'])(\w+)\1""")
_V = re.compile(r"<((?:\w+:)?)v\b[^>]*>(.*?)</\1v>", re.S)


def _sheet_data(text: str) -> tuple[int, int]:
    start = re.search(r"<(?:\w+:)?sheetData\b", text)
    end = text.rfind("sheetData>")
    return (start.start(), end) if start and end > 0 else (0, 0)


def _values_only(text: str) -> str:
    """Sheet XML with each formula dropped and its cached value kept (a formula's text
    result becomes an inline string; a formula never calculated leaves the cell empty)."""
    a, b = _sheet_data(text)
    body = text[a:b]
    if not re.search(r"<(?:\w+:)?f\b", body):
        return text

    def cell(m: re.Match) -> str:
        p, attrs, inner = m.group(1), m.group(2), m.group(3)
        if inner is None or not _F.search(inner):
            return m.group(0)
        inner = _F.sub("", inner)
        kind = _T_ATTR.search(attrs)
        v = _V.search(inner)
        if kind and kind.group(2) == "str":
            attrs = _T_ATTR.sub("", attrs)
            if v:
                attrs += ' t="inlineStr"'
                inner = f'<{p}is><{p}t xml:space="preserve">{v.group(2)}</{p}t></{p}is>'
        elif kind and v is None:
            attrs = _T_ATTR.sub("", attrs)
        return f"<{p}c{attrs}>{inner}</{p}c>" if inner else f"<{p}c{attrs}/>"

    return text[:a] + _CELL.sub(cell, body) + text[b:]


def _empty_column(text: str, letter: str, header_row: int) -> str:
    """Sheet XML with the cells of column `letter` below `header_row` emptied (style kept)."""
    a, b = _sheet_data(text)
    ref = re.compile(rf"""\sr\s*=\s*(["']){letter}(\d+)\1""")

    def cell(m: re.Match) -> str:
        r = ref.search(m.group(2))
        if not r or int(r.group(2)) <= header_row:
            return m.group(0)
        return f"<{m.group(1)}c{_T_ATTR.sub('', m.group(2))}/>"

    return text[:a] + _CELL.sub(cell, text[a:b]) + text[b:]


def _drop_hyperlinks(text: str, rids: set[str]) -> str:
    if not rids:
        return text

    def link(m: re.Match) -> str:
        rid = re.search(r"""\s[\w]+:id\s*=\s*(["'])(.*?)\1""", m.group(0))
        return "" if rid and rid.group(2) in rids else m.group(0)

    text = re.sub(rf"<(?:\w+:)?hyperlink\b{_ATTRS}/>", link, text)
    return re.sub(rf"<((?:\w+:)?)hyperlinks\b{_ATTRS}>\s*</\1hyperlinks>", "", text)


def _select(text: str, selected: bool) -> str:
    """The sheet's first view with its tab selected only on the sheet the copy opens on."""
    def view(m: re.Match) -> str:
        tag = re.sub(r"""\stabSelected\s*=\s*(["'])\w*\1""", "", m.group(0))
        if not selected:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end]} tabSelected="1"{tag[end:]}'

    return re.sub(rf"<(?:\w+:)?sheetView\b{_ATTRS}>", view, text, count=1)


def _table_values_only(xml: bytes) -> bytes:
    """A table's XML without its formulas, and a query table made a plain table (its query
    and connection are not in the copy)."""
    text = xml.decode("utf-8")
    for tag in ("calculatedColumnFormula", "totalsRowFormula"):
        text = re.sub(rf"<(?:\w+:)?{tag}\b{_ATTRS}(?:/>|>.*?</(?:\w+:)?{tag}>)", "", text,
                      flags=re.S)
    text = re.sub(r"""\s(?:tableType\s*=\s*(["'])queryTable\1|queryTableFieldId\s*=\s*"""
                  r"""(["'])\d*\2)""", "", text)
    return text.encode("utf-8")


def write_email_copy(src: Path | Package, inputs: Inputs, out: Path) -> list[str]:
    """Write to `out` the copy of `src` to email; the list of what was removed (French).

    Raises UnreadableFile (French) when a part cannot be read, WriteError when `out`
    cannot be written; on failure `out` is left as it was."""
    pkg = open_package(src)
    copy = _Copy(pkg, inputs, pkg.name)
    try:
        copy.workbook()
        copy.sheets()
        copy.properties()
    except (BadPart, UnicodeDecodeError) as e:
        raise UnreadableFile(rewrite_message(pkg.name, str(e))) from None
    except (zipfile.BadZipFile, EOFError):
        raise damaged(pkg.name) from None
    atomic_write(Path(out), copy.write)
    return copy.removed
