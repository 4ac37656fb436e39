"""Open Packaging Conventions helpers: safe XML parsing, part names, relationships, types."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import quoteattr

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as ET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

REL = NS_R + "/"
REL_DOCUMENT = REL + "officeDocument"
REL_WORKSHEET = REL + "worksheet"
REL_STYLES = REL + "styles"
REL_CALC_CHAIN = REL + "calcChain"
REL_TABLE = REL + "table"
REL_DRAWING = REL + "drawing"
REL_EXTENDED = REL + "extended-properties"

_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
CT_WORKSHEET = _SML + "worksheet+xml"
CT_STYLES = _SML + "styles+xml"
CT_TABLE = _SML + "table+xml"
CT_MAIN = _SML + "sheet.main+xml"
CT_MAIN_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CT_XML = "application/xml"

# limits, in bytes once decompressed
MAX_UNCOMPRESSED = 2 * 1024**3  # a larger package is refused (zip bomb guard)
MAX_XML_PART = 64 * 1024**2  # a package part parsed in memory is refused beyond this size
# shared strings, styles, workbook: python-calamine reads them whole, at about ten times
# their size in memory, so that any input stays under 1 GiB
MAX_WHOLE_PART = 64 * 1024**2
MAX_TEXT_BYTES = 32_767 * 6  # a cell text longer than Excel's 32,767 characters, escaped


class BadPart(Exception):
    """A part that cannot be parsed safely: the caller turns it into a French message."""


def parse(data: bytes) -> Element:
    """Parse a package part; DTDs, entities and external references are refused."""
    if len(data) > MAX_XML_PART:
        raise BadPart("trop volumineuse")
    try:
        return ET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BadPart("déclaration DTD ou entité XML interdite") from None
    except (ParseError, ValueError):
        raise BadPart("XML invalide") from None


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def rels_part(part: str) -> str:
    """The relationships part of `part` ("" is the package itself)."""
    d, b = posixpath.split(part)
    return posixpath.join(d, "_rels", f"{b}.rels")


def rels_source(rels: str) -> str | None:
    """The part whose relationships `rels` holds ("" for the package); None if not a rels."""
    d, b = posixpath.split(rels)
    if posixpath.basename(d) != "_rels" or not b.endswith(".rels"):
        return None
    return posixpath.join(posixpath.dirname(d), b[:-len(".rels")])


def resolve(source: str, target: str) -> str:
    """The part name a relationship target of `source` points to."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool = False


def read_rels(data: bytes) -> list[Rel]:
    root = parse(data)
    return [Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""),
                r.get("TargetMode") == "External")
            for r in root.iter(q(NS_PR, "Relationship"))]


def rels_xml(rels: list[Rel]) -> bytes:
    external = ' TargetMode="External"'
    lines = [f"<Relationship Id={quoteattr(r.id)} Type={quoteattr(r.type)} "
             f"Target={quoteattr(r.target)}{external if r.external else ''}/>" for r in rels]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PR}">{"".join(lines)}</Relationships>').encode()


def fresh_id(taken: set[str], prefix: str = "rIdAx") -> str:
    """A relationship id not in `taken` (added to it)."""
    k = 1
    while f"{prefix}{k}" in taken:
        k += 1
    taken.add(f"{prefix}{k}")
    return f"{prefix}{k}"
