"""Rebuild a workbook package: the output sheets' parts are new, every other part is copied."""

from __future__ import annotations

import io
import posixpath
import time
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from ...core.contract import OUTPUT_SHEETS, SYNTHESE, fold
from ...core.problems import UnreadableFile
from ...outputs.look import looks, unique_name
from ...outputs.model import Outputs, Page
from . import opc
from .charts import render_charts
from .opc import BadPart, Rel
from .package import CONTENT_TYPES, Package, damaged, rewrite_message
from .sheet import TablePart, is_table, letter, table_xml, write_sheet
from .styles import StylesFull, append_styles
from .workbook import (
    SheetEntry,
    WorkbookXml,
    app_titles,
    content_types,
    local_id,
    sheets_named,
)

COMPRESS_LEVEL = 3
# defined names an output sheet's new part replaces rather than inherits
_OURS = ("_xlnm._FilterDatabase", "_xlnm.Print_Titles")


class _Names:
    """Fresh part names, never taken in the package (OPC compares them case-insensitively)."""

    def __init__(self, taken: set[str]):
        self.taken = {t.casefold() for t in taken}

    def part(self, like: str) -> str:
        d, base = posixpath.split(like)
        stem, ext = posixpath.splitext(base)
        stem = stem.rstrip("0123456789") or "part"
        k = 1
        while f"{d}/{stem}{k}{ext}".casefold() in self.taken:
            k += 1
        self.taken.add(f"{d}/{stem}{k}{ext}".casefold())
        return f"{d}/{stem}{k}{ext}"


def _copy_tree(z: zipfile.ZipFile, old: str, names: _Names, ctype: dict[str, str],
               parts: dict[str, bytes], types: dict[str, str]) -> str:
    """Copy `old` and what it points to from `z` under fresh names; the new name of `old`."""
    new = names.part(old)
    parts[new], types[new] = z.read(old), ctype.get(old, opc.CT_XML)
    if opc.rels_part(old) in z.namelist():
        rels = [r if r.external else Rel(r.id, r.type, opc.relative(new, _copy_tree(
            z, opc.resolve(old, r.target), names, ctype, parts, types)))
            for r in opc.read_rels(z.read(opc.rels_part(old)))]
        parts[opc.rels_part(new)] = opc.rels_xml(rels)
    return new


def _import_charts(stub: bytes | None, names: _Names) -> dict[str, tuple[
        str, dict[str, bytes], dict[str, str]]]:
    """Sheet name -> (drawing part, {new part: bytes}, {new part: content type}) for the
    drawings xlsxwriter made, renamed so as not to clash with the workbook's parts."""
    out: dict[str, tuple[str, dict[str, bytes], dict[str, str]]] = {}
    if stub is None:
        return out
    with zipfile.ZipFile(io.BytesIO(stub)) as z:
        ctype = {o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
                 for o in opc.parse(z.read(CONTENT_TYPES)).iter(opc.q(opc.NS_CT, "Override"))}
        wb_rels = {r.id: opc.resolve("xl/workbook.xml", r.target)
                   for r in opc.read_rels(z.read("xl/_rels/workbook.xml.rels"))}
        for s in WorkbookXml(z.read("xl/workbook.xml")).sheets:
            sheet = wb_rels[s.rid]
            if opc.rels_part(sheet) not in z.namelist():
                continue
            drawings = [opc.resolve(sheet, r.target)
                        for r in opc.read_rels(z.read(opc.rels_part(sheet)))
                        if r.type == opc.REL_DRAWING]
            if drawings:
                parts: dict[str, bytes] = {}
                types: dict[str, str] = {}
                top = _copy_tree(z, drawings[0], names, ctype, parts, types)
                out[s.name] = (top, parts, types)
    return out


def _defined_names(book: WorkbookXml, kept: list[SheetEntry], outputs: Outputs) -> list[str]:
    """The definedName elements to keep, their localSheetId following the new sheet order."""
    old = {id(s): i for i, s in enumerate(book.sheets)}
    index = {old[id(s)]: j for j, s in enumerate(kept)}
    new_by_fold = {fold(s.name): len(kept) + j for j, s in enumerate(outputs.sheets)}
    titles = {s.name.casefold() for s in kept} | {s.name.casefold() for s in outputs.sheets}
    out = []
    for n in book.names:
        if any(s.casefold() not in titles for s in sheets_named(n.formula)):
            continue  # it points at a sheet that is gone: Excel would ask to repair it
        if n.local is None:
            out.append(n.raw)
        elif n.local in index:
            out.append(local_id(n.raw, index[n.local]))
        elif (n.local < len(book.sheets) and n.name not in _OURS
              and fold(book.sheets[n.local].name) in new_by_fold):  # e.g. a print area
            out.append(local_id(n.raw, new_by_fold[fold(book.sheets[n.local].name)]))
    for j, s in enumerate(outputs.sheets):  # the header rows each printed page repeats
        if s.page and (s.page.title_rows or s.page.title_cols):
            ref = escape(print_titles(s.name, s.page))
            tag = f"{book.prefix}:definedName" if book.prefix else "definedName"
            out.append(f'<{tag} name="_xlnm.Print_Titles" '
                       f'localSheetId="{len(kept) + j}">{ref}</{tag}>')
    return out


def print_titles(name: str, page: Page) -> str:
    """The _xlnm.Print_Titles formula of sheet `name`: the repeated columns, then rows
    (`'Lots'!$A:$B,'Lots'!$1:$1`)."""
    sheet = "'" + name.replace("'", "''") + "'"
    parts = []
    if page.title_cols:
        parts.append(f"{sheet}!${letter(page.title_cols[0])}:${letter(page.title_cols[1])}")
    if page.title_rows:
        parts.append(f"{sheet}!${page.title_rows[0]}:${page.title_rows[1]}")
    return ",".join(parts)


def rebuild(src: Package, dst: Path, outputs: Outputs, macro: bool = False,
            drop_sheets: tuple[str, ...] = ()) -> None:
    """Write to `dst` the package of `src` with the output sheets replaced by `outputs`;
    `macro` when the file will be an .xlsm. `drop_sheets` names more sheets left out (a
    relaunch workbook leaves out the bids)."""
    book, wb = src.book, src.workbook
    # a partial description (the scenario comparison alone) replaces only its own sheets
    partial = fold(OUTPUT_SHEETS[0]) not in {fold(s.name) for s in outputs.sheets}
    owned = (set() if partial else {fold(s) for s in OUTPUT_SHEETS}) | {
        fold(s.name) for s in outputs.sheets} | {fold(s) for s in drop_sheets}
    sheet_part = src.sheet_parts()
    removed = [s for s in book.sheets if fold(s.name) in owned]
    kept = [s for s in book.sheets if fold(s.name) not in owned]
    # parts only the removed sheets reach go; the calculation chain names them: Excel
    # rebuilds it when it is absent
    calc = src.targets(wb, opc.REL_CALC_CHAIN) if removed else []
    gone = {sheet_part[s.rid] for s in removed if s.rid in sheet_part} | set(calc)
    keep = src.reach([""], gone)
    drop = src.reach(sorted(gone), set()) - keep
    drop = {src.actual(p) for p in drop | {opc.rels_part(p) for p in drop} if src.has(p)}

    names = _Names(set(src.parts.values()))
    rel_ids = {r.id for r in src.rels.get(wb, [])}
    new_rels = [r for r in src.rels.get(wb, []) if r.id not in {s.rid for s in removed}
                and (r.external or src.actual(opc.resolve(wb, r.target)) not in calc)]
    add_types: dict[str, str] = {}
    styles = [p for p in src.targets(wb, opc.REL_STYLES) if src.has(p)]
    if styles:
        styles_part = styles[0]
    else:  # no styles part (or a dangling relationship to one): a new one
        new_rels = [r for r in new_rels if r.type != opc.REL_STYLES]
        styles_part = names.part("xl/styles.xml")
        new_rels.append(Rel(opc.fresh_id(rel_ids), opc.REL_STYLES, opc.relative(wb, styles_part)))
        add_types[styles_part] = opc.CT_STYLES
    charts = _import_charts(render_charts(outputs), names)

    # the new sheets, their tables and drawings; table names and ids unique in the workbook
    kept_tables = [v for p, v in src.tables.items() if p not in drop]
    used = {n.name.casefold() for n in book.names} | {n for ns, _ in kept_tables for n in ns}
    table_id = max([i for _, i in kept_tables] + [0])
    first_id = max([s.sheet_id for s in book.sheets] + [0]) + 1
    sheets, plan = [s.raw for s in kept], []
    for i, sheet in enumerate(outputs.sheets):
        part = names.part("xl/worksheets/sheet1.xml")
        rid = opc.fresh_id(rel_ids)
        new_rels.append(Rel(rid, opc.REL_WORKSHEET, opc.relative(wb, part)))
        sheets.append(book.new_sheet(sheet.name, first_id + i, rid))
        add_types[part] = opc.CT_WORKSHEET
        rels: list[Rel] = []
        if sheet.name in charts:
            drawing, _, types = charts[sheet.name]
            rels.append(Rel("rId1", opc.REL_DRAWING, opc.relative(part, drawing)))
            add_types.update(types)
        tables = []
        for b in sheet.blocks:
            if is_table(b):
                tpart, table_id = names.part("xl/tables/table1.xml"), table_id + 1
                tables.append((tpart, table_xml(TablePart(b, unique_name(b.name, used)),
                                                table_id)))
                rels.append(Rel(f"rId{len(rels) + 1}", opc.REL_TABLE, opc.relative(part, tpart)))
                add_types[tpart] = opc.CT_TABLE
        plan.append((sheet, part, rels, tables))

    # Excel opens on the buyer's selected sheet when one is kept (selecting a second tab
    # would group them); otherwise on Synthèse
    selected = [s for s in kept if sheet_part.get(s.rid) in src.selected]
    chosen = None
    if selected:
        current = book.sheets[book.active] if book.active < len(book.sheets) else None
        active = kept.index(current if current in selected else selected[0])
    else:
        titles = [s.name for s in outputs.sheets]
        chosen = next((n for n in titles if fold(n) == fold(SYNTHESE)), titles[-1])
        active = len(kept) + titles.index(chosen)
    first = {book.sheets.index(s): j for j, s in enumerate(kept)}
    wb_xml = book.rewrite(sheets, _defined_names(book, kept, outputs), active, first)
    try:
        styles_xml, xf = append_styles(src.styles, looks(outputs))
    except StylesFull as e:
        raise UnreadableFile(f"« {src.name} » ne peut pas recevoir les feuilles de sortie : il "
                             f"compte {e} ; supprimez les styles de cellule inutilisés (ou "
                             f"copiez les feuilles d'entrée dans un classeur neuf), puis "
                             f"relancez. Rien n'a été écrit.") from None
    retype = {}
    if macro and src.overrides.get(wb.casefold()) == opc.CT_MAIN:
        retype[wb] = opc.CT_MAIN_MACRO  # Excel refuses an .xlsm whose type says .xlsx
    rewritten = {CONTENT_TYPES: content_types(src.types, drop, add_types, retype),
                 wb: wb_xml, opc.rels_part(wb): opc.rels_xml(new_rels), styles_part: styles_xml}
    app = [p for p in src.targets("", opc.REL_EXTENDED) if src.has(p)]
    if app and src.app is not None:
        rewritten[app[0]] = app_titles(src.app, {s.name for s in removed},
                                       [s.name for s in outputs.sheets])
    try:
        for info in src.infos:  # a part Excel cannot parse is never passed on
            if (info.filename not in drop and info.filename not in rewritten
                    and info.filename.lower().endswith((".xml", ".rels"))):
                src.check_xml(info.filename)
        _write(src, dst, drop, rewritten, plan, charts, xf, chosen)
    except BadPart as e:
        raise UnreadableFile(rewrite_message(src.name, str(e))) from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise damaged(src.name) from None


def _zipinfo(name: str, like: zipfile.ZipInfo | None = None) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, like.date_time if like else time.localtime()[:6])
    zi.compress_type = like.compress_type if like else zipfile.ZIP_DEFLATED
    zi.external_attr = like.external_attr if like else 0o600 << 16
    zi._compresslevel = COMPRESS_LEVEL  # ZipInfo's own level (compress_level from 3.13)
    return zi


def _copy_raw(out: zipfile.ZipFile, src: Package, info: zipfile.ZipInfo) -> None:
    """Copy a member as stored: its compressed bytes, CRC and sizes, without inflating it."""
    zi = zipfile.ZipInfo(info.filename, info.date_time)
    zi.compress_type, zi.external_attr = info.compress_type, info.external_attr
    zi.create_system = info.create_system
    zi.flag_bits = info.flag_bits & 0x800  # the UTF-8 name flag; sizes go in the header
    zi.CRC, zi.compress_size, zi.file_size = info.CRC, info.compress_size, info.file_size
    data = src.raw(info)
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT))
    out.fp.write(data)
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out.start_dir = out.fp.tell()


def _write(src: Package, dst: Path, drop: set[str], rewritten: dict[str, bytes], plan: list,
           charts: dict, xf: dict, chosen: str | None) -> None:
    """The new package: the content types first, then every source part in its order
    (copied as stored, or rewritten when owned), then the new sheets and their parts."""
    infos = {i.filename: i for i in src.infos}
    # the parts written here are deflated at level 3: four times faster than the default
    # level 6 on sheet XML, for files about a tenth larger
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as out:
        out.comment = src.zip.comment
        out.writestr(_zipinfo(CONTENT_TYPES, infos.get(CONTENT_TYPES)), rewritten[CONTENT_TYPES])
        for info in src.infos:
            name = info.filename
            if name in drop or name == CONTENT_TYPES:
                continue
            if name in rewritten:
                out.writestr(_zipinfo(name, info), rewritten[name])
            elif info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                _copy_raw(out, src, info)
            else:  # a method Excel does not write: re-deflated
                out.writestr(_zipinfo(name, info), src.zip.read(info))
        for name, data in rewritten.items():  # parts the source lacked (a new styles part)
            if name not in infos:
                out.writestr(_zipinfo(name), data)
        for sheet, part, rels, tables in plan:
            with out.open(_zipinfo(part), "w") as w:
                write_sheet(w, sheet, xf, tables=[r.id for r in rels if r.type == opc.REL_TABLE],
                            drawing="rId1" if sheet.name in charts else None,
                            selected=sheet.name == chosen, date1904=src.book.date1904)
            if rels:
                out.writestr(_zipinfo(opc.rels_part(part)), opc.rels_xml(rels))
            for tpart, data in tables:
                out.writestr(_zipinfo(tpart), data)
            for p, data in charts.get(sheet.name, (None, {}))[1].items():
                out.writestr(_zipinfo(p), data)
