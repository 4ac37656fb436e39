"""`Proposé` a buyer can trust (issue « Lots within reach »): the buyer's bounds kept before
bounds the tool chose, each changed bound said with its old value, the buyer's objective
served (`Objectif`), never more contracts than `Actuel` under « moins de contrats » unless
`Actuel` breaks a cap or a bound, never coarser in trade than `Règles`, and the price unit
named."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allot_xl import api
from allot_xl.core.contract import COMPARAISON
from tests.workbooks import sheet_rows

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbooks" / "exemple_rhone_alpes.xlsx"
REAL = ROOT.parent / "shared" / "realdata" / "real_ain_isere.xlsx"
BOUNDS = ("Volume min", "Volume max", "Unité")


def _with_param(src: Path, dst: Path, label: str, value: object) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb["Paramètres"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == label:
            row[1].value = value
            break
    else:
        ws.append([label, value])
    wb.save(dst)
    return dst


def _comparison(src: Path, tmp_path: Path, name: str = "sc.xlsx") -> list[dict]:
    return sheet_rows(api.scenarios(src, tmp_path / name), COMPARAISON)


def _by_dispositif(rows: list[dict]) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for r in rows:
        out.setdefault(r["Dispositif"], {})[r["Scénario"]] = r
    return out


@pytest.mark.parametrize("source", ["example", "real"])
def test_changed_bounds_are_named_and_fewest_contracts_never_adds_lots(
        tmp_path: Path, source: str) -> None:
    src = EXAMPLE if source == "example" else REAL
    if not src.exists():
        pytest.skip("real-data workbook absent")
    rows = _comparison(Path(shutil.copy(src, tmp_path / "in.xlsx")), tmp_path)
    for code, by in _by_dispositif(rows).items():
        actuel, proposed = by["Actuel"], by["Proposé"]
        for col in BOUNDS:
            if proposed[col] != actuel[col]:
                assert f"{col} " in proposed["Motif"] and "au lieu de" in proposed["Motif"]
        chosen = [r for r in by.values() if r["Recommandé"] == "oui"]
        assert len(chosen) == 1, code
        best = chosen[0]
        assert "respecte les bornes » " not in best["Motif"]
        if best is not actuel:
            changed = [c for c in BOUNDS if best[c] != actuel[c]]
            if changed:  # a bound the tool chose is said with its old value
                assert "respecte les bornes qu'il fixe (" in best["Motif"], best["Motif"]
            if best["Lots"] > actuel["Lots"]:
                assert "Actuel n'est pas retenu : " in best["Motif"], best["Motif"]
                assert (actuel["Lots hors bornes"]
                        or actuel["Lots d'un seul besoin au-delà du max"]
                        or actuel["Part contrôlée (%)"] > actuel["Plafond (%)"])
        assert "objectif « moins de contrats »" in best["Motif"]


def test_the_example_keeps_the_buyers_trades_and_bounds(tmp_path: Path) -> None:
    """On the bundled example, `Proposé` never drops the buyer's `Domaine` and keeps the
    buyer's bounds wherever a design that keeps them meets every cap and bound."""
    rows = _comparison(Path(shutil.copy(EXAMPLE, tmp_path / "in.xlsx")), tmp_path)
    by = _by_dispositif(rows)
    for code, variants in by.items():
        actuel, proposed = variants["Actuel"], variants["Proposé"]
        if "Domaine" in actuel["Maille"]:
            assert "Domaine" in proposed["Maille"], code
    pq = by["PQ"]["Proposé"]
    assert (pq["Volume min"], pq["Volume max"]) == (12, 80)
    assert by["PQ"]["Actuel"]["Unité de prix"] == "€ HT par place"
    assert by["AOF"]["Actuel"]["Unité de prix"] == "€ HT par heure-stagiaire"


def test_the_objective_small_organisations_is_served_and_said(tmp_path: Path) -> None:
    """`Objectif` = petites structures: the recommendation ranks lots a small organisation
    can take first and says so; it never has fewer such lots than « moins de contrats »."""
    src = Path(shutil.copy(EXAMPLE, tmp_path / "in.xlsx"))
    fewest = _by_dispositif(_comparison(src, tmp_path, "a.xlsx"))
    smes = _by_dispositif(_comparison(
        _with_param(src, tmp_path / "smes.xlsx", "Objectif", "petites structures"), tmp_path,
        "b.xlsx"))
    for code in fewest:
        a = next(r for r in fewest[code].values() if r["Recommandé"] == "oui")
        b = next(r for r in smes[code].values() if r["Recommandé"] == "oui")
        assert b["Lots accessibles à une petite structure"] >= a[
            "Lots accessibles à une petite structure"]
        assert "objectif « petites structures »" in b["Motif"]
    assert any(smes[c]["Proposé"]["Lots accessibles à une petite structure"]
               > fewest[c]["Proposé"]["Lots accessibles à une petite structure"]
               for c in fewest)


def test_a_bad_objective_is_an_error_naming_the_choices(tmp_path: Path) -> None:
    src = _with_param(EXAMPLE, tmp_path / "bad.xlsx", "Objectif", "le moins cher")
    report = api.check(src)
    msgs = [p.message for p in report.problems if p.code == "parametre-invalide"]
    assert msgs == ["« Objectif » doit valoir « moins de contrats » ou « petites structures » "
                    ": la valeur par défaut est appliquée."]


def test_lots_name_their_price_unit(tmp_path: Path) -> None:
    out = api.regenerate(Path(shutil.copy(EXAMPLE, tmp_path / "in.xlsx")),
                         tmp_path / "out.xlsx").output_path
    for lot in sheet_rows(out, "Lots"):
        per_place = lot["Dispositif"] in ("CREA", "PQ")
        assert lot["Unité de prix"] == ("€ HT par place" if per_place
                                        else "€ HT par heure-stagiaire")
        volume = lot["Places"] if per_place else lot["Heures"]
        assert lot["Prix unitaire (€ HT)"] == pytest.approx(
            lot["Montant estimé (€ HT)"] / volume, abs=0.01)


def test_every_breach_is_named_and_every_row_not_chosen_says_why(tmp_path: Path) -> None:
    """A1's PSP: no design meets every cap and bound; the recommended row names each breach
    (lots out of bounds and the mini-lots share above its cap), and every other row says why
    it is not recommended."""
    a1 = ROOT.parent / "shared" / "acceptance" / "A1_petit.xlsx"
    if not a1.exists():
        pytest.skip("acceptance workbook absent")
    rows = _comparison(Path(shutil.copy(a1, tmp_path / "a1.xlsx")), tmp_path)
    for code, by in _by_dispositif(rows).items():
        for r in by.values():
            if r["Recommandé"] == "oui":
                if r["Part plafonnée (%)"] > r["Plafond (%)"]:
                    assert "au-delà du plafond" in r["Motif"], r["Motif"]
                if r["Lots hors bornes"]:
                    assert "hors des bornes de volume" in r["Motif"], r["Motif"]
            elif r["Recommandé"] == "non":
                assert r["Motif"].startswith("Non recommandé : "), (code, r["Motif"])


def test_check_refuses_what_regenerate_refuses(tmp_path: Path) -> None:
    """A sheet of the buyer's named like an output: `regenerate` refuses the workbook, and
    `check` says so beforehand with the same sentence (it used to give the all-clear)."""
    from allot_xl.core.problems import AllotError

    wb = openpyxl.load_workbook(EXAMPLE)
    wb.create_sheet("Synthese").append(["mes notes"])
    src = tmp_path / "perso.xlsx"
    wb.save(src)
    with pytest.raises(AllotError) as refused:
        api.regenerate(src, tmp_path / "out.xlsx")
    with pytest.raises(AllotError) as checked:
        api.check(src)
    assert str(checked.value) == str(refused.value)
