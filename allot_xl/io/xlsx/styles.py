"""Append the output sheets' cell formats to a workbook's styles part, keeping every index."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element
from xml.sax.saxutils import quoteattr

from ...core.french import nombre
from ...outputs import look as _look
from ...outputs.look import Look
from .opc import NS_MAIN, BadPart, parse, q

__all__ = ["Look", "append_styles"]
# number formats Excel knows by id: they need no numFmt record
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9,
                   "0.00%": 10, "@": 49}
FIRST_CUSTOM_FORMAT = 164
# the styleSheet children in schema order: a missing section is inserted at its place
ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
         "dxfs", "tableStyles", "colors", "extLst")
DEFAULTS = {  # what a section must start with when the workbook has none
    "fonts": ['<{p}font><{p}sz val="11"/><{p}name val="Calibri"/><{p}family val="2"/></{p}font>'],
    "fills": ['<{p}fill><{p}patternFill patternType="none"/></{p}fill>',
              '<{p}fill><{p}patternFill patternType="gray125"/></{p}fill>'],
    "borders": ["<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>"],
    "cellStyleXfs": ['<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'],
    "cellXfs": ['<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'],
}
EMPTY_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<styleSheet xmlns="{NS_MAIN}"></styleSheet>').encode()


def _section(text: str, p: str, tag: str) -> re.Match | None:
    return re.search(rf"<{p}{tag}\b([^>]*?)(/?)>", text)


def _append(text: str, p: str, tag: str, items: list[str], total: int) -> str:
    """Add `items` at the end of section `tag` (created in schema order when absent)."""
    if not items:
        return text
    m = _section(text, p, tag)
    body = "".join(items)
    if m is None:
        nxt = [n for n in ORDER[ORDER.index(tag) + 1:] if _section(text, p, n)]
        at = _section(text, p, nxt[0]).start() if nxt else text.rindex(f"</{p}styleSheet>")
        return f'{text[:at]}<{p}{tag} count="{total}">{body}</{p}{tag}>{text[at:]}'
    attrs = re.sub(r"\bcount=([\"'])\d*\1", f'count="{total}"', m.group(1))
    if m.group(2):  # <fonts count="0"/>
        return f"{text[:m.start()]}<{p}{tag}{attrs}>{body}</{p}{tag}>{text[m.end():]}"
    end = text.index(f"</{p}{tag}>", m.end())
    return f"{text[:m.start()]}<{p}{tag}{attrs}>{text[m.end():end]}{body}{text[end:]}"


def _font_xml(p: str, base: dict[str, dict[str, str]], size: float | None) -> str:
    """A bold copy of the workbook's default font, at `size` points when given."""
    parts = [f"<{p}b/>"]
    sz = {"val": f"{size:g}"} if size else base.get("sz")
    for tag in ("sz", "color", "name", "family", "charset", "scheme"):
        attrs = sz if tag == "sz" else base.get(tag)
        if attrs:
            parts.append(f"<{p}{tag}" + "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
                         + "/>")
    return f"<{p}font>{''.join(parts)}</{p}font>"


MAX_XFS = 64_000  # Excel's cell formats per workbook
MAX_FONTS = 1_024  # Excel's fonts per workbook


class StylesFull(BadPart):
    """The workbook holds as many formats as Excel allows: nothing can be appended."""


def _key(e: Element) -> tuple:
    """A record compared by content: local names, attributes, children, text."""
    return (e.tag.rsplit("}", 1)[-1], tuple(sorted(e.attrib.items())),
            tuple(_key(c) for c in e), (e.text or "").strip())


class _Records:
    """A section's records: the index of an identical record is reused, else it is added."""

    def __init__(self, existing: list[Element], p: str, items: list[str]):
        self.p, self.items, self.start = p, items, len(existing)
        self.index: dict[tuple, int] = {}
        for i, e in enumerate(existing):
            self.index.setdefault(_key(e), i)

    def add(self, xml: str) -> int:
        ns = f"xmlns:{self.p[:-1]}" if self.p else "xmlns"
        key = _key(parse(f'<r {ns}="{NS_MAIN}">{xml}</r>'.encode())[0])
        if key not in self.index:
            self.index[key] = self.start + len(self.items)
            self.items.append(xml)
        return self.index[key]


def append_styles(xml: bytes | None, looks: Iterable[Look]) -> tuple[bytes, dict[Look, int]]:
    """The styles part with one cell format per look appended, and each look's xf index.

    Existing records keep their position, so every `s=` index of the other sheets, every
    differential format and every cell style stays valid; a record identical to an existing
    one (a previous run's) is reused, so repeated runs leave the part as it is. Raises
    StylesFull (a BadPart) when Excel's limits would be passed."""
    root = parse(xml or EMPTY_STYLES)
    try:
        text = (xml or EMPTY_STYLES).decode("utf-8")
    except UnicodeDecodeError:
        raise BadPart("encodage autre que UTF-8") from None
    m = re.search(r"<(?:(\w+):)?styleSheet\b", text)
    p = f"{m.group(1)}:" if m and m.group(1) else ""

    def children(tag: str, child: str) -> list:
        sec = root.find(q(NS_MAIN, tag))
        return [] if sec is None else sec.findall(q(NS_MAIN, child))

    counts = {tag: len(children(tag, child)) for tag, child in (
        ("fonts", "font"), ("fills", "fill"), ("borders", "border"),
        ("cellStyleXfs", "xf"), ("cellXfs", "xf"))}
    new: dict[str, list[str]] = {tag: [] for tag in ORDER}
    for tag, items in DEFAULTS.items():
        if counts[tag] == 0:
            new[tag] = [s.format(p=p) for s in items]
    fonts = children("fonts", "font")
    base = {c.tag.split("}")[-1]: dict(c.attrib) for c in fonts[0]} if fonts else {
        "sz": {"val": "11"}, "name": {"val": "Calibri"}, "family": {"val": "2"}}
    formats = {f.get("formatCode"): int(f.get("numFmtId", "0"))
               for f in children("numFmts", "numFmt")}
    next_format = max([FIRST_CUSTOM_FORMAT - 1, *formats.values()]) + 1
    font_rec = _Records(children("fonts", "font"), p, new["fonts"])
    fill_rec = _Records(children("fills", "fill"), p, new["fills"])
    xf_rec = _Records(children("cellXfs", "xf"), p, new["cellXfs"])
    index: dict[Look, int] = {}
    for look in dict.fromkeys(looks):
        num_id = 0
        if look.num:
            num_id = BUILTIN_FORMATS.get(look.num, formats.get(look.num, -1))
            if num_id < 0:
                num_id = formats[look.num] = next_format
                next_format += 1
                new["numFmts"].append(f"<{p}numFmt numFmtId=\"{num_id}\" "
                                      f"formatCode={quoteattr(look.num)}/>")
        font_id = 0
        if look.is_bold or look.size:
            font_id = font_rec.add(_font_xml(p, base, look.size))
        attrs = f'numFmtId="{num_id}" fontId="{font_id}" fillId="0" borderId="0" xfId="0"'
        if num_id:
            attrs += ' applyNumberFormat="1"'
        if font_id:
            attrs += ' applyFont="1"'
        inner = ""
        if look.header:
            fill_id = fill_rec.add(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor '
                                   f'rgb="{_look.header_argb()}"/><{p}bgColor indexed="64"/>'
                                   f"</{p}patternFill></{p}fill>")
            attrs = attrs.replace('fillId="0"', f'fillId="{fill_id}"')
            attrs += ' applyFill="1" applyAlignment="1"'
            wrap = ' wrapText="1"' if _look.HEADER_WRAP else ""
            inner = f'<{p}alignment vertical="{_look.HEADER_VALIGN}"{wrap}/>'
        elif look.wrap:
            attrs += ' applyAlignment="1"'
            inner = f'<{p}alignment vertical="top" wrapText="1"/>'
        index[look] = xf_rec.add(f"<{p}xf {attrs}>{inner}</{p}xf>" if inner
                                 else f"<{p}xf {attrs}/>")
    totals = {"numFmts": len(formats), **{t: counts[t] + len(new[t]) for t in counts}}
    if totals["cellXfs"] > MAX_XFS or totals["fonts"] > MAX_FONTS:
        raise StylesFull(f"{nombre(totals['cellXfs'])} formats de cellule et "
                         f"{nombre(totals['fonts'])} polices : Excel accepte au plus "
                         f"{nombre(MAX_XFS)} formats et {nombre(MAX_FONTS)} polices")
    for tag in ORDER:
        if new[tag]:
            text = _append(text, p, tag, new[tag], totals[tag])
    return text.encode("utf-8"), index
