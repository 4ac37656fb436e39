"""The blank template and the bundled example: structure, drop-down lists and example data."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from allot_xl import template
from allot_xl.core.contract import (
    ATTRIBUTIONS,
    BESOINS,
    COLUMNS,
    COMMANDES,
    CRITERES,
    OFFRES,
    PARAM_DEFAULTS,
    PARAMETRES,
    REGLES,
    REGROUPEMENTS,
    REPARTITIONS,
    UNITES,
    ZONES,
)
from allot_xl.template import example as example_data

INPUTS = (BESOINS, ZONES, REGLES, PARAMETRES)


def _reload(wb: openpyxl.Workbook, path: Path) -> openpyxl.Workbook:
    wb.save(path)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    return _reload(template.build_template(), tmp_path_factory.mktemp("t") / "vierge.xlsx")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("t") / "exemple.xlsx"
    return _reload(template.build_template(example=True), path)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def _records(ws) -> list[dict]:
    headers = _headers(ws)
    rows = ws.iter_rows(min_row=2, max_col=len(headers), values_only=True)
    return [dict(zip(headers, r, strict=True)) for r in rows if any(v is not None for v in r)]


def _letter(ws, header: str) -> str:
    return get_column_letter(_headers(ws).index(header) + 1)


def _list_validation(ws, cell: str):
    found = [dv for dv in ws.data_validations.dataValidation if dv.type == "list" and cell in dv]
    assert found, f"{ws.title}!{cell}: no drop-down list"
    return found[0]


def _list_values(dv) -> list[str]:
    return dv.formula1.strip('"').split(",")


# --------------------------------------------------------------------------- structure


def test_sheet_order(blank, example) -> None:
    assert blank.sheetnames == [*INPUTS, OFFRES, COMMANDES, CRITERES]
    assert example.sheetnames == [*INPUTS, CRITERES]


@pytest.mark.parametrize("which", ["blank", "example"])
def test_headers_tables_and_frozen_rows(which: str, request: pytest.FixtureRequest) -> None:
    wb = request.getfixturevalue(which)
    for ws in wb.worksheets:
        assert _headers(ws) == [c.name for c in COLUMNS[ws.title]]
        assert all(c.font.bold for c in ws[1])
        assert all(c.comment is not None and c.comment.text for c in ws[1])
        assert ws.freeze_panes == "A2"
        (table,) = ws.tables.values()
        assert table.name == template.TABLE_NAMES[ws.title]
        last = get_column_letter(len(COLUMNS[ws.title]))
        assert table.ref == f"A1:{last}{max(2, ws.max_row)}"


def test_blank_is_empty_but_rules_and_parameters_prefilled(blank) -> None:
    for sheet in (BESOINS, ZONES, OFFRES):
        assert _records(blank[sheet]) == []
        assert blank[sheet].tables[template.TABLE_NAMES[sheet]].ref.endswith("2")
    assert [r["Dispositif"] for r in _records(blank[REGLES])] == ["AOF", "PSP", "CREA", "PQ"]
    params = {r["Paramètre"]: r["Valeur"] for r in _records(blank[PARAMETRES])}
    assert list(params) == list(PARAM_DEFAULTS)
    assert params["Attribution"] == "importance décroissante"
    assert params["Seuil petits lots (€ HT)"] is None  # empty: the legal value on the launch date


@pytest.mark.parametrize("which", ["blank", "example"])
def test_drop_down_lists(which: str, request: pytest.FixtureRequest) -> None:
    wb = request.getfixturevalue(which)
    besoins = wb[BESOINS]
    for header, source in (("Dispositif", "'Règles'!$A$2:$A$"), ("Zone", "'Zones'!$A$2:$A$")):
        col = _letter(besoins, header)
        dv = _list_validation(besoins, f"{col}2")
        assert f"{col}5000" in dv
        assert dv.formula1.startswith(source)
    regles = wb[REGLES]
    for header, values in (("Regroupement", REGROUPEMENTS), ("Répartition", REPARTITIONS),
                           ("Unité", UNITES), ("Plafonner aux débouchés", ("oui", "non"))):
        col = _letter(regles, header)
        dv = _list_validation(regles, f"{col}2")
        assert f"{col}100" in dv
        assert _list_values(dv) == list(values)
    params = wb[PARAMETRES]
    row = next(c.row for c in params["A"] if c.value == "Attribution")
    dv = _list_validation(params, f"{_letter(params, 'Valeur')}{row}")
    assert _list_values(dv) == list(ATTRIBUTIONS)


def test_number_formats(example) -> None:
    ws = example[BESOINS]
    assert ws[f"{_letter(ws, 'Places')}2"].number_format == "#,##0"
    assert ws[f"{_letter(ws, 'Heures')}2"].number_format == "#,##0.0"


# --------------------------------------------------------------------------- example content


def test_example_holds_the_seed_cases(example) -> None:
    needs = _records(example[BESOINS])
    assert any(n["Dispositif"] == "AOF" and n["Zone"] == "Belley" and n["Heures"] == 16000
               and n["Commentaire"] == "Exemple : AOF 16 000 h sur Belley (01)" for n in needs)
    assert any(n["Dispositif"] == "PSP" and n["Zone"] == "Plaine de l'Ain"
               and n["Domaine"] == "Préparation aux concours"
               and n["Heures"] == 3000 and n["Places"] == 17 for n in needs)


def test_example_is_consistent(example) -> None:
    needs = _records(example[BESOINS])
    zones = _records(example[ZONES])
    codes = {r["Dispositif"] for r in _records(example[REGLES])}
    names = {z["Zone"] for z in zones}
    assert 25 <= len(zones) <= 35
    assert {z["Département"] for z in zones} == {"01", "07", "26", "38", "42", "69", "73", "74"}
    assert 250 <= len(needs) <= 350
    assert len({n["ID besoin"] for n in needs}) == len(needs)
    assert {n["Zone"] for n in needs} <= names
    assert {n["Dispositif"] for n in needs} == codes == {"AOF", "PSP", "CREA", "PQ"}
    for z in zones:
        assert {v.strip() for v in (z["Voisines"] or "").split(";") if v.strip()} <= names
    params = {r["Paramètre"]: r["Valeur"] for r in _records(example[PARAMETRES])}
    assert params["Région"] == "Auvergne-Rhône-Alpes"
    assert params["Campagne"].startswith("Programme régional de formation 2027")


def test_neighbours_exist_and_are_mostly_symmetric() -> None:
    zones = example_data.zones()
    names = {z["Zone"] for z in zones}
    pairs = {(z["Zone"], v.strip()) for z in zones for v in z["Voisines"].split(";")}
    assert {b for _a, b in pairs} <= names
    assert all(a != b for a, b in pairs)
    one_sided = [(a, b) for a, b in pairs if (b, a) not in pairs]
    assert len(one_sided) <= 0.1 * len(pairs)


def test_rows_carry_every_besoins_column() -> None:
    headers = [c.name for c in COLUMNS[BESOINS]]
    assert all(list(row) == headers for row in example_data.needs(50))


def _group_volumes(rows: list[dict], code: str) -> list[float]:
    """Volumes per lot key in the rule's unit, before merging and splitting."""
    rule = next(r for r in example_data.rules() if r["Dispositif"] == code)
    zone = {z["Zone"]: z for z in example_data.zones()}
    hpp = rule["Heures par place"]
    groups: dict[tuple, float] = defaultdict(float)
    for r in rows:
        if r["Dispositif"] != code:
            continue
        places = r["Places"] if r["Places"] is not None else math.ceil(r["Heures"] / hpp)
        hours = r["Heures"] if r["Heures"] is not None else places * hpp
        if rule["Plafonner aux débouchés"] == "oui" and r["Débouchés"] is not None:
            if places > r["Débouchés"]:
                hours, places = hours * r["Débouchés"] / places, r["Débouchés"]
        key = tuple(r.get(c.strip(), zone[r["Zone"]].get(c.strip()))
                    for c in rule["Maille"].split("+"))
        groups[key] += hours if rule["Unité"] == "heures" else places
    return list(groups.values())


@pytest.mark.parametrize("code", ["AOF", "PSP", "CREA", "PQ"])
def test_example_has_small_and_large_groups(code: str) -> None:
    """The example merges and splits in every dispositif — but PSP, drawn by département and
    domaine, whose maximum is sized so that no département is cut into parts (parts of a
    département would mix distant zones)."""
    rule = next(r for r in example_data.rules() if r["Dispositif"] == code)
    volumes = _group_volumes(example_data.needs(), code)
    assert any(v < rule["Volume min"] for v in volumes)
    assert any(v > rule["Volume max"] for v in volumes) is (code != "PSP")


def test_pq_needs_get_capped_sometimes() -> None:
    pq = [r for r in example_data.needs() if r["Dispositif"] == "PQ"]
    assert all(r["Code ROME"] and len(r["Code ROME"]) == 5 for r in pq)
    assert any(r["Places"] is not None and r["Débouchés"] < r["Places"] for r in pq)


# --------------------------------------------------------------------------- scaling


def test_needs_scale_exactly_and_deterministically() -> None:
    rows = example_data.needs(n=1000)
    assert len(rows) == 1000
    assert len({r["ID besoin"] for r in rows}) == 1000
    assert rows == example_data.needs(n=1000)
    assert rows != example_data.needs(n=1000, seed=1)
    zones = {z["Zone"] for z in example_data.zones()}
    codes = {r["Dispositif"] for r in example_data.rules()}
    assert all(r["Zone"] in zones and r["Dispositif"] in codes for r in rows)
    assert all(r["Places"] is not None or r["Heures"] is not None for r in rows)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 333])
def test_needs_exact_count_for_any_n(n: int) -> None:
    rows = example_data.needs(n)
    assert len(rows) == n
    if n >= 2:
        assert rows[0]["Commentaire"] == "Exemple : AOF 16 000 h sur Belley (01)"
        assert any(r["Dispositif"] == "PSP" and r["Places"] == 17 for r in rows)


def test_example_with_n_needs(tmp_path: Path) -> None:
    wb = _reload(template.build_template(example=True, n_needs=1000), tmp_path / "big.xlsx")
    assert len(_records(wb[BESOINS])) == 1000
    assert wb[BESOINS].tables["T_Besoins"].ref == "A1:M1001"  # 13 contract columns


def test_main_writes_both_workbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template, "WORKBOOKS_DIR", tmp_path)
    template.main()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [template.BLANK_FILE, template.EXAMPLE_FILE, template.ORDERS_FILE])
    assert openpyxl.load_workbook(tmp_path / template.EXAMPLE_FILE).sheetnames == [
        *INPUTS, CRITERES]
    assert openpyxl.load_workbook(tmp_path / template.ORDERS_FILE).sheetnames == [
        *INPUTS, OFFRES, COMMANDES, CRITERES]
