"""Excel's rich values behind cells (linked data types such as Geography): the text such a
cell shows, which the sheet itself stores as the error `#VALUE!`."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.contract import CellError
from . import opc
from .package import Package


@dataclass(frozen=True)
class Linked(CellError):
    """An error cell carrying a rich value (`vm=`): an Excel linked data type (Geography,
    Organisation…), whose shown text lives in the workbook's rich data parts."""

    vm: int = 0


_RICH = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata"


def linked_texts(pkg: Package) -> dict[int, str]:
    """`vm` index (1-based, as cells write it) -> the text a linked data type cell shows
    (its `_DisplayString`), from xl/metadata.xml and xl/richData; {} when absent or
    unreadable (such cells then stay error cells)."""
    parts = {p.rsplit("/", 1)[-1].casefold(): p for p in pkg.parts.values()}
    names = ("metadata.xml", "rdrichvalue.xml", "rdrichvaluestructure.xml")
    if not all(n in parts for n in names):
        return {}
    try:
        meta, values, structs = (opc.parse(pkg.read(parts[n])) for n in names)
    except Exception:  # damaged rich data: the cells stay error cells
        return {}
    main = opc.NS_MAIN
    keys = [[k.get("n", "") for k in s.iter(opc.q(_RICH, "k"))]
            for s in structs.iter(opc.q(_RICH, "s"))]
    shown: list[str | None] = []
    for rv in values.iter(opc.q(_RICH, "rv")):
        fields = [v.text or "" for v in rv.findall(opc.q(_RICH, "v"))]
        s = int(rv.get("s", "0") or 0)
        names_ = keys[s] if s < len(keys) else []
        shown.append(fields[names_.index("_DisplayString")]
                     if "_DisplayString" in names_ and names_.index("_DisplayString") <
                     len(fields) else None)
    future = [b.find(f".//{opc.q(_RICH, 'rvb')}")
              for f in meta.iter(opc.q(main, "futureMetadata")) if f.get("name") == "XLRICHVALUE"
              for b in f.findall(opc.q(main, "bk"))]
    out: dict[int, str] = {}
    value_meta = meta.find(opc.q(main, "valueMetadata"))
    for n, bk in enumerate(value_meta.findall(opc.q(main, "bk")) if value_meta is not None
                           else [], start=1):
        rc = bk.find(opc.q(main, "rc"))
        k = int(rc.get("v", "-1")) if rc is not None else -1
        rvb = future[k] if 0 <= k < len(future) else None
        i = int(rvb.get("i", "-1")) if rvb is not None else -1
        if 0 <= i < len(shown) and shown[i]:
            out[n] = shown[i]
    return out
