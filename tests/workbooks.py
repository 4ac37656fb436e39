"""Real input workbooks built in code for tests, and readers of what a run wrote.

`make_workbook(tmp_path, needs=[need(...), ...])` writes an .xlsx with a tiny geography,
the four rules and the usual parameters, so a test states only what it is about."""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.table import Table

from allot_xl import api
from allot_xl.core.contract import (
    BESOINS,
    COLUMNS,
    ERROR_CODES,
    LOTS,
    OFFRES,
    PARAMETRES,
    REGLES,
    ZONES,
)
from allot_xl.core.problems import Report
from allot_xl.inputs.read import read_inputs
from allot_xl.io.xlsx.read import read_grids, sheet_parts

KIT = Path(__file__).resolve().parents[1].parent / "shared" / "acceptance" / "kit"
REGION = "Auvergne-Rhône-Alpes"

# Ain Sud: Belley – Plaine de l'Ain – Bourg-en-Bresse form a chain, each link listed on one
# side only (the relation is symmetric); Allier Est: Vichy – Moulins; Montluçon stands alone.
ZONES_DEFAULT: list[dict[str, Any]] = [
    {"Zone": "Belley", "Territoire": "Ain Sud", "Département": "01",
     "Voisines": "Plaine de l'Ain"},
    {"Zone": "Plaine de l'Ain", "Territoire": "Ain Sud", "Département": "01",
     "Voisines": "Bourg-en-Bresse"},
    {"Zone": "Bourg-en-Bresse", "Territoire": "Bresse", "Département": "01"},
    {"Zone": "Vichy", "Territoire": "Allier Est", "Département": "03", "Voisines": "Moulins"},
    {"Zone": "Moulins", "Territoire": "Allier Est", "Département": "03"},
    {"Zone": "Montluçon", "Territoire": "Allier Ouest", "Département": "03"},
]

_RULE_KW = {
    "libelle": "Libellé", "maille": "Maille", "unite": "Unité", "hpp": "Heures par place",
    "tolerance": "Tolérance (%)", "taux": "Taux horaire (€)", "vmin": "Volume min",
    "vmax": "Volume max", "regroupement": "Regroupement",
    "plafonner": "Plafonner aux débouchés", "attributaires": "Attributaires",
    "repartition": "Répartition", "lots_max": "Lots max par titulaire",
}
_RULE_BASE: dict[str, dict[str, Any]] = {
    "AOF": {"Libellé": "Actions d'orientation formation", "Maille": "Zone", "Unité": "heures",
            "Heures par place": 80, "Taux horaire (€)": 14, "Regroupement": "voisines"},
    "PSP": {"Libellé": "Promotion sociale et professionnelle", "Maille": "Zone + Domaine",
            "Unité": "heures", "Heures par place": 180, "Taux horaire (€)": 12,
            "Regroupement": "voisines"},
    "CREA": {"Libellé": "Création d'entreprise", "Maille": "Territoire", "Unité": "places",
             "Heures par place": 120, "Taux horaire (€)": 10, "Regroupement": "territoire"},
    "PQ": {"Libellé": "Parcours qualifiants", "Maille": "Territoire + Domaine",
           "Unité": "places", "Heures par place": 450, "Taux horaire (€)": 9.5,
           "Regroupement": "territoire", "Plafonner aux débouchés": "oui"},
}

_NEED_KW = {
    "domaine": "Domaine", "metier": "Métier", "rome": "Code ROME", "debouches": "Débouchés",
    "source": "Source", "lot": "Lot imposé", "commentaire": "Commentaire",
}
_OFFER_KW = {"rang": "Rang", "prix": "Prix horaire (€)", "capacite": "Capacité (places)"}

PARAMS_DEFAULT: list[tuple[str, Any]] = [("Campagne", "Campagne de test"), ("Région", REGION)]


def rule(code: str, **kw: Any) -> dict[str, Any]:
    """A `Règles` row: the code's defaults (no volume bounds), overridden by `kw`
    (`vmin=3000`, `maille="Zone"`, `hpp=0`; None leaves the cell empty)."""
    row = {"Dispositif": code, **_RULE_BASE.get(code, _RULE_BASE["AOF"])}
    for k, v in kw.items():
        row[_RULE_KW.get(k, k)] = v
    return row


def rule_set(**overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """The four rules, each overridden by its keyword: `rule_set(AOF={"vmin": 3000})`."""
    return [rule(code, **overrides.get(code, {})) for code in _RULE_BASE]


def need(nid: Any, dispositif: str, zone: str, places: Any = None, hours: Any = None,
         **kw: Any) -> dict[str, Any]:
    """A `Besoins` row (`domaine=`, `metier=`, `debouches=`, `lot=`, … or any header)."""
    row = {"ID besoin": nid, "Dispositif": dispositif, "Zone": zone, "Places": places,
           "Heures": hours}
    for k, v in kw.items():
        row[_NEED_KW.get(k, k)] = v
    return row


def offer(lot: str, candidat: str, note: Any, **kw: Any) -> dict[str, Any]:
    row = {"N° lot": lot, "Candidat": candidat, "Note": note}
    for k, v in kw.items():
        row[_OFFER_KW.get(k, k)] = v
    return row


def _columns(sheet: str, rows: list[dict[str, Any]], always: Iterable[str] = ()) -> list[str]:
    """Contract columns used by `rows` (or listed in `always`), in contract order, then any
    unknown keys in first-seen order."""
    used = set(always) | {k for r in rows for k in r}
    known = [c.name for c in COLUMNS[sheet] if c.name in used]
    extra = list(dict.fromkeys(k for r in rows for k in r if k not in known))
    return known + extra


def write_table(ws, rows: list[dict[str, Any]], columns: list[str], *,
                headers: Mapping[str, str] | None = None, origin: str = "A1",
                as_table: bool = False, table_name: str | None = None) -> None:
    """`rows` under a header row at `origin`; the header text of a column is
    `headers.get(column, column)`; optionally an Excel table (ListObject) over them."""
    headers = headers or {}
    col_letter, row0 = coordinate_from_string(origin)
    col0 = column_index_from_string(col_letter)
    for j, c in enumerate(columns):
        ws.cell(row0, col0 + j, headers.get(c, c))
    for i, r in enumerate(rows, 1):
        for j, c in enumerate(columns):
            v = r.get(c)
            if v is not None:
                ws.cell(row0 + i, col0 + j, v)
    if as_table:
        ref = (f"{get_column_letter(col0)}{row0}:"
               f"{get_column_letter(col0 + len(columns) - 1)}{row0 + max(1, len(rows))}")
        ws.add_table(Table(displayName=table_name or f"T_{ws.title[:3]}", ref=ref))


def make_workbook(tmp_path: Path, needs: Iterable[dict[str, Any]] = (), *,
                  zones: list[dict[str, Any]] | None = None,
                  rules: list[dict[str, Any]] | None = None,
                  params: list[tuple[str, Any]] | None = None,
                  offers: list[dict[str, Any]] | None = None,
                  lots: list[tuple[str, str]] | None = None,
                  as_table: bool = False, title_rows: int = 0, origin: str | None = None,
                  headers: Mapping[str, str] | None = None, columns: list[str] | None = None,
                  omit: Iterable[str] = (), name: str = "besoins.xlsx",
                  tweak: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """Write an input workbook and return its path.

    Only `Besoins` is shaped by `as_table`, `title_rows` (title lines above the header, so
    the first need is on row `title_rows + 2`), `origin` (cell of its header, e.g. `"D5"`),
    `headers` (column -> header text as written; None drops the column) and `columns`
    (the columns written, in order). `lots` adds a previous run's `Lots` sheet as
    (N° lot, Clé) pairs; `omit` leaves sheets out; `tweak(wb)` runs just before saving."""
    needs = list(needs)
    omit = set(omit)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if BESOINS not in omit:
        ws = wb.create_sheet(BESOINS)
        cols = columns or _columns(BESOINS, needs, ("ID besoin", "Dispositif", "Zone",
                                                    "Places", "Heures"))
        heads = dict(headers or {})
        cols = [c for c in cols if heads.get(c, c) is not None]
        for i in range(title_rows):
            ws.cell(i + 1, 1, "Recensement des besoins 2027" if i == 0 else f"Note {i}")
        write_table(ws, needs, cols, headers=heads, as_table=as_table, table_name="T_Besoins",
                    origin=origin or f"A{title_rows + 1}")
    if ZONES not in omit:
        zs = ZONES_DEFAULT if zones is None else zones
        write_table(wb.create_sheet(ZONES), zs,
                    _columns(ZONES, zs, ("Zone", "Territoire", "Département")))
    if REGLES not in omit:
        rs = rule_set() if rules is None else rules
        write_table(wb.create_sheet(REGLES), rs,
                    _columns(REGLES, rs, ("Dispositif", "Maille", "Unité", "Heures par place")))
    if PARAMETRES not in omit:
        ps = PARAMS_DEFAULT if params is None else params
        write_table(wb.create_sheet(PARAMETRES), [{"Paramètre": k, "Valeur": v} for k, v in ps],
                    ["Paramètre", "Valeur"])
    if offers is not None:
        write_table(wb.create_sheet(OFFRES), offers,
                    _columns(OFFRES, offers, ("N° lot", "Candidat", "Note")))
    if lots is not None:
        write_table(wb.create_sheet(LOTS), [{"N° lot": n, "Clé": c} for n, c in lots],
                    ["N° lot", "Clé"])
    if tweak:
        tweak(wb)
    path = Path(tmp_path) / name
    wb.save(path)
    return path


# --------------------------------------------------------------------------- cell XML


def set_cached_values(path: Path, sheet: str, values: Mapping[str, Any]) -> None:
    """Give formula cells of `sheet` a cached value (what Excel saves and openpyxl cannot):
    `{"F2": 120}` turns `<c r="F2"><f>…</f><v/></c>` into `…<v>120</v></c>`; a text value
    is cached as a string, an error code (`"#DIV/0!"`) as an error cell."""
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z)[sheet]
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    out = {}
    for i, data in items:
        if i.filename == part:
            xml = data.decode()
            for ref, v in values.items():
                pat = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(<v\s*/>|<v></v>)?</c>')
                if isinstance(v, str) and v in ERROR_CODES:
                    repl = rf'<c r="{ref}"\1 t="e"><f>\2</f><v>{v}</v></c>'
                elif isinstance(v, str):
                    repl = rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{v}</v></c>'
                else:
                    repl = rf'<c r="{ref}"\1><f>\2</f><v>{v}</v></c>'
                xml, n = pat.subn(repl, xml)
                assert n == 1, f"{sheet}!{ref}: no formula cell to patch"
            data = xml.encode()
        out[i.filename] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i, _ in items:
            z.writestr(i, out[i.filename])


# --------------------------------------------------------------------------- reading runs


def read(path: Path) -> tuple[Any, Report]:
    """(Inputs, Report) of a workbook file, as a run reads it (nothing written)."""
    return read_inputs(read_grids(Path(path)), campaign=Path(path).stem)


def flat(report: Report, severity: str | None = None, sheet: str | None = None) -> list[tuple]:
    """Problems as `(row, column, code)`, optionally of one severity and sheet."""
    return [(p.row, p.column, p.code) for p in report.problems
            if (severity is None or p.severity == severity)
            and (sheet is None or p.sheet == sheet)]


def regenerate(path: Path, output: Path | None = None) -> Path:
    """Run the library's regeneration and return the output file."""
    out = output or Path(path).with_name(Path(path).stem + ".out.xlsx")
    return api.regenerate(path, out).output_path


def allot(tmp_path: Path, needs: Iterable[dict[str, Any]], *, oracle_ok: bool = True,
          **kw: Any) -> Path:
    """Write a workbook (`make_workbook` arguments), regenerate it and return the output;
    with `oracle_ok`, first assert that the acceptance checker finds nothing to say."""
    path = make_workbook(tmp_path, needs, **kw)
    out = regenerate(path)
    if oracle_ok:
        assert oracle(path, out) == []
    return out


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """Rows of the table at A1 of a sheet (up to its first blank header), as dicts."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        it = wb[sheet].iter_rows(values_only=True)
        first = next(it)
        head = list(first[:first.index(None)] if None in first else first)
        return [dict(zip(head, r, strict=False)) for r in it
                if any(v is not None for v in r[:len(head)])]
    finally:
        wb.close()


def lots(path: Path) -> dict[str, dict[str, Any]]:
    """`Lots` rows of an output workbook by N° lot."""
    return {r["N° lot"]: r for r in sheet_rows(path, "Lots")}


def affectation(path: Path) -> dict[str, str]:
    """ID besoin -> N° lot, from an output workbook."""
    return {str(r["ID besoin"]): r["N° lot"] for r in sheet_rows(path, "Affectation")}


def controles(path: Path, severity: str | None = None) -> list[tuple]:
    """`Contrôles` of an output workbook as `(Feuille, Ligne, Colonne, Code)`."""
    return [(r["Feuille"], r["Ligne"], r["Colonne"], r["Code"])
            for r in sheet_rows(path, "Contrôles")
            if severity is None or r["Gravité"] == severity]


def oracle(input_path: Path, output_path: Path) -> list[str]:
    """`name: detail` of each failed check of the acceptance checker (in-process, fast);
    empty when every check passes or when the kit (../shared/acceptance/kit) is absent."""
    if not (KIT / "check_output.py").exists():
        return []
    if str(KIT) not in sys.path:
        sys.path.insert(0, str(KIT))
    import check_output

    checker = check_output.Checker(input_path, output_path)
    return [f"{name}: {detail}" for name, ok, detail in checker.run_all() if not ok]
