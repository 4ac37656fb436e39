"""Edit the package-wide lists that name sheets: workbook.xml, content types, app.xml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .opc import NS_CT, NS_MAIN, NS_R, BadPart, parse, q

_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a start tag's attributes, quotes honoured
EXTENDED_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


@dataclass
class SheetEntry:
    """One `<sheet>` of workbook.xml: what it says, and its text as written."""

    name: str
    sheet_id: int
    rid: str
    raw: str


@dataclass
class NameEntry:
    name: str
    local: int | None  # localSheetId: an index into the sheet list
    formula: str
    raw: str


def _elements(text: str, tag: str, empty_only: bool = False) -> list[re.Match]:
    body = "" if empty_only else rf"|<(?:\w+:)?{tag}\b{_ATTRS}>.*?</(?:\w+:)?{tag}>"
    return list(re.finditer(rf"<(?:\w+:)?{tag}\b{_ATTRS}/>{body}", text, re.S))


def _region(text: str, tag: str) -> re.Match | None:
    return re.search(rf"<(?:\w+:)?{tag}\b{_ATTRS}(?:/>|>.*?</(?:\w+:)?{tag}>)", text, re.S)


def _prefix(text: str, ns: str) -> str | None:
    """The prefix ("" for the default namespace) the root element binds to `ns`."""
    root = re.search(rf"<(?!\?|!)[\w:.-]+\b{_ATTRS}>", text)
    for m in re.finditer(r"""xmlns(?::([\w.-]+))?\s*=\s*(["'])(.*?)\2""", root.group(0)):
        if m.group(3) == ns:
            return m.group(1) or ""
    return None


class WorkbookXml:
    """workbook.xml read with a safe parser, then edited as text so that every part of it
    allot_xl does not touch (namespaces, extensions, pivot caches) stays as written."""

    def __init__(self, data: bytes):
        root = parse(data)
        try:
            self.text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadPart("encodage autre que UTF-8") from None
        if root.tag != q(NS_MAIN, "workbook"):
            raise BadPart("classeur au format « Strict Open XML » ou inconnu")
        sheets = root.findall(f"{q(NS_MAIN, 'sheets')}/{q(NS_MAIN, 'sheet')}")
        raws = _elements(self._inner("sheets"), "sheet")
        names = root.findall(f"{q(NS_MAIN, 'definedNames')}/{q(NS_MAIN, 'definedName')}")
        raw_names = _elements(self._inner("definedNames"), "definedName")
        if len(raws) != len(sheets) or len(raw_names) != len(names):
            raise BadPart("liste des feuilles illisible")
        self.sheets = [SheetEntry(s.get("name", ""), int(s.get("sheetId", "0") or 0),
                                  s.get(q(NS_R, "id"), ""), m.group(0))
                       for s, m in zip(sheets, raws, strict=True)]
        self.names = [NameEntry(n.get("name", ""), int(n.get("localSheetId"))
                                if (n.get("localSheetId") or "").isdigit() else None,
                                n.text or "", m.group(0))
                      for n, m in zip(names, raw_names, strict=True)]
        pr = root.find(q(NS_MAIN, "workbookPr"))
        self.date1904 = pr is not None and pr.get("date1904", "0") in ("1", "true")
        view = root.find(f"{q(NS_MAIN, 'bookViews')}/{q(NS_MAIN, 'workbookView')}")
        tab = view.get("activeTab", "0") if view is not None else "0"
        self.active = int(tab) if tab.isdigit() else 0
        self.prefix = _prefix(self.text, NS_MAIN) or ""
        self.r_prefix = _prefix(self.text, NS_R)

    def _inner(self, tag: str) -> str:
        m = _region(self.text, tag)
        return m.group(0) if m else ""

    def new_sheet(self, name: str, sheet_id: int, rid: str) -> str:
        p = f"{self.prefix}:" if self.prefix else ""
        if self.r_prefix:
            return (f"<{p}sheet name={quoteattr(name)} sheetId=\"{sheet_id}\" "
                    f"{self.r_prefix}:id=\"{rid}\"/>")
        return (f"<{p}sheet xmlns:rel=\"{NS_R}\" name={quoteattr(name)} sheetId=\"{sheet_id}\" "
                f"rel:id=\"{rid}\"/>")

    def rewrite(self, sheets: list[str], names: list[str], active: int,
                first: dict[int, int]) -> bytes:
        """workbook.xml with `sheets` (element texts) and `names` (definedName texts);
        `active` is the new active tab, `first` maps old tab indexes to new ones."""
        text = self.text
        m = _region(text, "sheets")
        p = f"{self.prefix}:" if self.prefix else ""
        text = f"{text[:m.start()]}<{p}sheets>{''.join(sheets)}</{p}sheets>{text[m.end():]}"
        m = _region(text, "definedNames")
        block = f"<{p}definedNames>{''.join(names)}</{p}definedNames>" if names else ""
        if m:
            text = text[:m.start()] + block + text[m.end():]
        elif block:  # after the elements the schema puts before definedNames
            end = max(r.end() for r in (_region(text, t) for t in (
                "sheets", "functionGroups", "externalReferences")) if r)
            text = text[:end] + block + text[end:]

        def view(v: re.Match) -> str:
            tag = re.sub(r"""\sactiveTab=(["'])\d*\1""", "", v.group(0))
            fs = re.search(r"""\sfirstSheet=(["'])(\d*)\1""", tag)
            if fs:
                new_first = first.get(int(fs.group(2) or 0), 0)
                tag = tag.replace(fs.group(0), f' firstSheet="{new_first}"')
            end = -2 if tag.endswith("/>") else -1
            return f'{tag[:end]} activeTab="{active}"{tag[end:]}'

        text = re.sub(rf"<(?:\w+:)?workbookView\b{_ATTRS}>", view, text)
        return text.encode("utf-8")


def local_id(raw: str, index: int) -> str:
    """A definedName's text with its localSheetId set to `index`."""
    return re.sub(r"""(\slocalSheetId=)(["'])\d*\2""", rf'\g<1>"{index}"', raw, count=1)


_QUOTED = re.compile(r"'((?:[^']|'')+)'!")
_PLAIN = re.compile(r"(?<![\w.'\]\[])([^\W\d][\w.]*)!")


def sheets_named(formula: str) -> set[str]:
    """Sheet names a defined name's formula refers to (external workbooks left out)."""
    out = {m.group(1).replace("''", "'") for m in _QUOTED.finditer(formula)}
    out |= {m.group(1) for m in _PLAIN.finditer(_QUOTED.sub("", formula))}
    return {s for s in out if not s.startswith("[")}


def content_types(data: bytes, drop: set[str], add: dict[str, str],
                  retype: dict[str, str]) -> bytes:
    """[Content_Types].xml without the overrides of `drop`, with `add` ({part: type});
    `retype` changes the type of existing overrides; part names without leading '/'."""
    root = parse(data)
    drop_f = {p.casefold() for p in drop}
    items = []
    defaults = {d.get("Extension", "").casefold() for d in root.iter(q(NS_CT, "Default"))}
    for d in root.iter(q(NS_CT, "Default")):
        items.append(f"<Default Extension={quoteattr(d.get('Extension', ''))} "
                     f"ContentType={quoteattr(d.get('ContentType', ''))}/>")
    for ext, ct in (("rels", "application/vnd.openxmlformats-package.relationships+xml"),
                    ("xml", "application/xml")):
        if ext not in defaults:
            items.append(f'<Default Extension="{ext}" ContentType="{ct}"/>')
    for o in root.iter(q(NS_CT, "Override")):
        part = o.get("PartName", "").lstrip("/")
        if part.casefold() in drop_f:
            continue
        ct = retype.get(part, o.get("ContentType", ""))
        items.append(f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(ct)}/>")
    items += [f"<Override PartName={quoteattr('/' + p)} ContentType={quoteattr(ct)}/>"
              for p, ct in add.items()]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Types xmlns="{NS_CT}">{"".join(items)}</Types>').encode()


def app_titles(data: bytes, removed: set[str], added: list[str]) -> bytes:
    """docProps/app.xml with the sheet titles updated; unchanged when its lists are unusual."""
    try:
        root = parse(data)
        text = data.decode("utf-8")
    except (BadPart, UnicodeDecodeError):
        return data
    pairs = root.find(f"{q(EXTENDED_NS, 'HeadingPairs')}/{q(VT_NS, 'vector')}")
    titles = root.find(f"{q(EXTENDED_NS, 'TitlesOfParts')}/{q(VT_NS, 'vector')}")
    vt = _prefix(text, VT_NS)
    if pairs is None or titles is None or not vt:
        return data
    variants = [v[0] for v in pairs.findall(q(VT_NS, "variant")) if len(v)]
    groups = [(variants[i].text or "", int(variants[i + 1].text or 0))
              for i in range(0, len(variants) - 1, 2)]
    names = [t.text or "" for t in titles.findall(q(VT_NS, "lpstr"))]
    if sum(n for _, n in groups) != len(names) or not groups:
        return data
    start, new_names, new_counts = 0, [], []
    for k, (_, n) in enumerate(groups):
        part = names[start:start + n]
        start += n
        if k == 0:  # the first group lists the worksheets
            part = [t for t in part if t not in removed] + added
        new_names += part
        new_counts.append(len(part))
    pair_xml = "".join(f"<{vt}:variant><{vt}:lpstr>{escape(g)}</{vt}:lpstr></{vt}:variant>"
                       f"<{vt}:variant><{vt}:i4>{c}</{vt}:i4></{vt}:variant>"
                       for (g, _), c in zip(groups, new_counts, strict=True))
    title_xml = "".join(f"<{vt}:lpstr>{escape(t)}</{vt}:lpstr>" for t in new_names)
    for tag, size, kind, inner in (("HeadingPairs", 2 * len(groups), "variant", pair_xml),
                                   ("TitlesOfParts", len(new_names), "lpstr", title_xml)):
        m = _region(text, tag)
        if m is None:
            return data
        head = re.match(rf"<[\w:]*{tag}\b{_ATTRS}>", m.group(0)).group(0)
        close = m.group(0)[m.group(0).rindex("</"):]
        vector = f'<{vt}:vector size="{size}" baseType="{kind}">{inner}</{vt}:vector>'
        text = text[:m.start()] + head + vector + close + text[m.end():]
    return text.encode("utf-8")
