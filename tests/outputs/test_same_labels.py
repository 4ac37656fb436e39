"""One meaning per label: the figures `Synthèse` and `Comparaison des scénarios` both name
carry the same numbers for the same rules (the comparison's `Actuel` rows), per dispositif
and in the key figures; dispositifs without needs count nowhere on Synthèse."""

from __future__ import annotations

import re

import openpyxl
import pytest

from allot_xl import api
from workbooks import make_workbook, need

COMPARISON = "Comparaison des scénarios"


def _number(text: object) -> float:
    """The leading number of a key figure (`63 (56 %)` -> 63, `1 234` -> 1234)."""
    if isinstance(text, int | float):
        return float(text)
    m = re.match(r"-?[\d\s\u00a0\u202f]+(,\d+)?", str(text))
    assert m, text
    return float(re.sub(r"[\s\u00a0\u202f]", "", m.group()).replace(",", "."))


def key_figures(path) -> dict[str, str]:
    """Label -> value of Synthèse's band of key figures."""
    ws = openpyxl.load_workbook(path)["Synthèse"]
    for row in ws.iter_rows():
        for c in row:
            if c.value == "Besoins allotis" and c.font.b:
                below = {k.column: k.value for k in ws[c.row + 1] if k.value is not None}
                return {k.value: below[k.column] for k in ws[c.row] if k.value is not None}
    raise AssertionError("pas de chiffres clés")


def synthese_table(path, title: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)["Synthèse"]
    for row in ws.iter_rows(max_col=1):
        if row[0].value == title:
            r = row[0].row + 1
            head = [c.value for c in ws[r] if c.value is not None]
            out = []
            # the table ends at its total or at the note merged across from column A
            while ws.cell(r + 1, 1).value not in (None, "Total") and ws.cell(r + 1, 2).value:
                r += 1
                out.append(dict(zip(head, [ws.cell(r, k + 1).value for k in range(len(head))],
                                    strict=True)))
            return out
    raise AssertionError(title)


def actuel_rows(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[COMPARISON]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    out = [dict(zip(head, r, strict=False)) for r in rows[1:]]
    return [r for r in out if r["Scénario"] == "Actuel" and r["Recommandé"] != "sans objet"]


@pytest.mark.parametrize("name", ["exemple", "réel"])
def test_synthese_and_the_comparison_give_one_number_per_label(runs, name: str) -> None:
    if name not in runs:
        pytest.skip("données réelles absentes (../shared/realdata)")
    synthese, comparison = runs[name], runs[f"{name}.scenarios"]
    actuel = actuel_rows(comparison)
    per = synthese_table(synthese, "Lots par dispositif")
    assert [r["Dispositif"] for r in per] == [r["Dispositif"] for r in actuel]
    shared = (set(per[0]) & set(actuel[0])) - {"Dispositif"}
    assert {"Lots", "Besoins allotis", "Contrats évités"} <= shared
    for s, c in zip(per, actuel, strict=True):
        assert {k: s[k] for k in shared} == {k: c[k] for k in shared}, s["Dispositif"]
    small = synthese_table(synthese, "Petits lots et mini-lots : part plafonnée à "
                           f"{actuel[0]['Plafond (%)']:g}\u00a0% de la valeur totale")
    shared = (set(small[0]) & set(actuel[0])) - {"Dispositif"}
    assert {"Lots", "Part plafonnée (%)", "Plafond (%)"} <= shared
    for s, c in zip(small, actuel, strict=True):
        assert {k: s[k] for k in shared} == {k: c[k] for k in shared}, s["Dispositif"]
    figures = key_figures(synthese)
    named = set(figures) & set(actuel[0])
    assert {"Lots", "Besoins allotis", "Contrats évités", "Lots hors bornes",
            "Lots d'un seul besoin au-delà du max"} <= named
    for label in named:
        assert _number(figures[label]) == sum(r[label] for r in actuel), label


def test_dispositifs_without_needs_count_nowhere(tmp_path) -> None:
    path = make_workbook(tmp_path, needs=[need("a", "AOF", "Belley", hours=4000),
                                          need("b", "PQ", "Vichy", places=20)])
    out = api.regenerate(path, tmp_path / "sortie.xlsx").output_path
    assert [r["Dispositif"] for r in synthese_table(out, "Lots par dispositif")] == [
        "AOF", "PQ"]
    assert key_figures(out)["Plafond petits lots tenu"].endswith("sur 2")
    texts = [c for row in openpyxl.load_workbook(out)["Synthèse"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert sum("Sans besoins\u00a0: PSP, CREA" in t for t in texts) == 1
    assert not any(t in ("PSP", "CREA") for t in texts)  # in no table
