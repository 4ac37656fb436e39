"""Bad cells become lines of `Contrôles` (French, Excel row, header as written, value) and
exclude only their row; structural problems stop the run with one French sentence."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from allot_xl.cli import main
from allot_xl.core.contract import BESOINS, OFFRES, PARAMETRES, REGLES, ZONES
from workbooks import (
    ZONES_DEFAULT,
    affectation,
    controles,
    flat,
    lots,
    make_workbook,
    need,
    offer,
    read,
    regenerate,
    rule,
    rule_set,
    sheet_rows,
)

ENGLISH = re.compile(r"\b(error|warning|invalid|missing|unknown|None|nan|Traceback|Exception)\b",
                     re.IGNORECASE)
GOOD = [need("G1", "AOF", "Belley", hours=800), need("G2", "PQ", "Vichy", places=12,
                                                     domaine="Industrie")]


def assert_french(message: str) -> None:
    """French typography (« », or a space before the colon) and no English word."""
    assert "«" in message or " : " in message, message
    assert not ENGLISH.search(message), message


# --------------------------------------------------------------------------- Besoins rows

# id: (bad need, its column, code, words of the message, value shown, extra rules)
BAD_NEEDS = {
    "id manquant": (need(None, "AOF", "Belley", hours=80), "ID besoin", "id-manquant",
                    "Identifiant du besoin manquant", ""),
    "id en double": (need("G1", "AOF", "Vichy", hours=999), "ID besoin", "id-double",
                     "déjà utilisé ligne 2", "G1"),
    "dispositif inconnu": (need("B", "XYZ", "Belley", hours=80), "Dispositif",
                           "dispositif-inconnu", "absent de la feuille Règles", "XYZ"),
    "zone inconnue": (need("B", "AOF", "Paris", hours=80), "Zone", "zone-inconnue",
                      "absente de la feuille Zones", "Paris"),
    "zone vide": (need("B", "AOF", None, hours=80), "Zone", "cellule-manquante",
                  "« Zone » manquant : complétez la cellule", None),
    "domaine manquant": (need("B", "PSP", "Belley", hours=80), "Domaine", "domaine-manquant",
                         "maille du dispositif PSP", ""),
    "métier manquant": (need("B", "PSP", "Belley", hours=80, domaine="Soin"), "Métier",
                        "metier-manquant", "maille du dispositif PSP", ""),
    "places texte": (need("B", "AOF", "Belley", places="abc"), "Places", "nombre-invalide",
                     "texte non numérique", "abc"),
    "heures date": (need("B", "AOF", "Belley", hours=dt.datetime(2027, 3, 1)), "Heures",
                    "nombre-invalide", "date", dt.datetime(2027, 3, 1)),
    "heures #N/A": (need("B", "AOF", "Belley", hours="#N/A"), "Heures", "nombre-invalide",
                    "#N/A", "#N/A"),
    "places #DIV/0!": (need("B", "AOF", "Belley", places="#DIV/0!"), "Places",
                       "nombre-invalide", "#DIV/0!", "#DIV/0!"),
    "heures formule sans valeur": (need("B", "AOF", "Belley", hours="=B9*2"), "Heures",
                                   "nombre-invalide", "formule sans valeur", "=B9*2"),
    "débouchés texte": (need("B", "PQ", "Vichy", places=3, domaine="Industrie",
                             debouches="abc"), "Débouchés", "nombre-invalide",
                        "texte non numérique", "abc"),
    "places négatives": (need("B", "AOF", "Belley", places=-3), "Places", "nombre-negatif",
                         "ne peut pas être négatif", -3),
    "heures négatives": (need("B", "AOF", "Belley", hours=-80), "Heures", "nombre-negatif",
                         "ne peut pas être négatif", -80),
    "débouchés négatifs": (need("B", "PQ", "Vichy", places=3, domaine="Industrie",
                                debouches=-1), "Débouchés", "nombre-negatif",
                           "ne peut pas être négatif", -1),
    "places non entières": (need("B", "AOF", "Belley", places=2.5), "Places",
                            "places-non-entieres", "nombre entier", 2.5),
    "ni places ni heures": (need("B", "AOF", "Belley"), "Places", "volume-manquant",
                            "Ni places ni heures", None),
}


@pytest.mark.parametrize("case", list(BAD_NEEDS))
def test_bad_need_is_reported_and_only_it_is_excluded(tmp_path, case: str) -> None:
    bad, column, code, words, value = BAD_NEEDS[case]
    metier = case == "métier manquant"
    rules = rule_set(PSP={"maille": "Zone + Domaine + Métier"}) if metier else None
    path = make_workbook(tmp_path, [GOOD[0], bad, GOOD[1]], rules=rules)
    _, report = read(path)
    assert flat(report, "Erreur") == [(3, column, code)]
    problem = report.problems[0]
    assert problem.sheet == BESOINS and words in problem.message
    assert_french(problem.message)
    out = regenerate(path)
    assert affectation(out) == {"G1": "AOF-01", "G2": "PQ-01"}
    assert lots(out)["AOF-01"]["Heures"] == 800  # a duplicate never replaces the first row
    row = next(r for r in sheet_rows(out, "Contrôles") if r["Gravité"] == "Erreur")
    assert (row["Feuille"], row["Ligne"], row["Colonne"], row["Code"]) == (
        BESOINS, 3, column, code)
    if value is None or value == "":
        assert row["Valeur"] in (None, "")
    elif isinstance(value, dt.datetime):
        assert row["Valeur"] == value or str(row["Valeur"]).startswith("2027-03-01")
    elif isinstance(value, int | float):
        assert float(row["Valeur"]) == value
    else:
        assert str(row["Valeur"]) == str(value)


def test_every_bad_row_at_once_keeps_every_good_row(tmp_path) -> None:
    bads = [b[0] if b[2] in ("id-manquant", "id-double") else {**b[0], "ID besoin": f"B{i}"}
            for i, b in enumerate(BAD_NEEDS.values()) if b[2] != "metier-manquant"]
    needs = [GOOD[0], *bads, GOOD[1], need("G3", "CREA", "Moulins", places=4)]
    path = make_workbook(tmp_path, needs)
    out = regenerate(path)
    assert set(affectation(out)) == {"G1", "G2", "G3"}
    errors = controles(out, "Erreur")
    assert sorted(r for _, r, _, _ in errors) == list(range(3, 3 + len(bads)))


def test_column_is_named_as_written(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", places="deux")],
                         headers={"Places": "Nb places"})
    _, report = read(path)
    assert flat(report) == [(2, "Nb places", "nombre-invalide")]
    assert "« Nb places »" in report.problems[0].message


def test_unknown_lot_impose_is_a_warning_and_allotted_normally(tmp_path) -> None:
    path = make_workbook(tmp_path, [GOOD[0], need("L", "AOF", "Belley", hours=80,
                                                  lot="AOF-07")])
    _, report = read(path)
    assert flat(report) == [(3, "Lot imposé", "lot-impose-inconnu")]
    assert report.problems[0].severity == "Avertissement"
    assert_french(report.problems[0].message)
    assert affectation(regenerate(path)) == {"G1": "AOF-01", "L": "AOF-01"}


def test_lot_impose_of_another_dispositif_is_a_warning(tmp_path) -> None:
    path = make_workbook(tmp_path, [need("L", "AOF", "Belley", hours=80, lot="PQ-01")],
                         lots=[("PQ-01", "PQ | Territoire=Ain Sud | Domaine=Industrie")])
    _, report = read(path)
    assert flat(report, "Avertissement") == [(2, "Lot imposé", "lot-impose-autre-dispositif")]
    assert affectation(regenerate(path)) == {"L": "AOF-01"}


# --------------------------------------------------------------------------- Zones


def test_zone_problems(tmp_path) -> None:
    zones = [*ZONES_DEFAULT,
             {"Zone": "belley", "Territoire": "Autre", "Département": "01"},   # row 8
             {"Zone": "Riom", "Département": "63"},                            # row 9
             {"Zone": "Thiers", "Territoire": "Livradois", "Département": "63",
              "Voisines": "Ambert ; Vichy"}]                                   # row 10
    needs = [GOOD[0], need("R", "AOF", "Riom", hours=80), need("T", "AOF", "Thiers", hours=80)]
    path = make_workbook(tmp_path, needs, zones=zones)
    inputs, report = read(path)
    assert [(p.severity, p.sheet, *t) for p, t in zip(report.problems, flat(report),
                                                      strict=True)] == [
        ("Erreur", ZONES, 8, "Zone", "zone-double"),
        ("Erreur", ZONES, 9, "Territoire", "zone-incomplete"),
        ("Avertissement", ZONES, 10, "Voisines", "voisine-inconnue"),
        ("Erreur", BESOINS, 3, "Zone", "zone-inconnue"),
    ]
    for p in report.problems:
        assert_french(p.message)
    assert inputs.zones["Belley"].territoire == "Ain Sud"  # the first definition is kept
    assert inputs.zones["Thiers"].voisines == {"Vichy"}
    assert "Thiers" in inputs.zones["Vichy"].voisines
    assert set(affectation(regenerate(path))) == {"G1", "T"}


# --------------------------------------------------------------------------- Paramètres


def test_parameter_problems_keep_the_defaults(tmp_path) -> None:
    params = [("Région", "Auvergne"), ("Seuil des petits lots", 5),
              ("Seuil petits lots (€ HT)", "beaucoup"), ("Attribution", "au hasard"),
              ("Minimum bons de commande (%)", "abc"), ("Part max petits lots (%)", -5)]
    # a 67 200 € maximum: a small lot only if the 80 000 € legal value still applies
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=4000)], params=params)
    inputs, report = read(path)
    assert [(p.severity, *t) for p, t in zip(report.problems, flat(report), strict=True)] == [
        ("Avertissement", 3, "Paramètre", "parametre-inconnu"),
        ("Erreur", 4, "Valeur", "parametre-invalide"),
        ("Erreur", 5, "Valeur", "parametre-invalide"),
        ("Erreur", 6, "Valeur", "parametre-invalide"),
        ("Erreur", 7, "Valeur", "parametre-invalide"),
    ]
    for p in report.problems:
        assert_french(p.message)
    assert "80\u00a0000" in report.problems[1].message
    assert inputs.params.attribution == "importance décroissante"
    assert inputs.params.min_bons_pct is None
    assert inputs.params.part_max_petits_pct == 20.0
    assert lots(regenerate(path))["AOF-01"]["Petit lot"] == "oui"


# --------------------------------------------------------------------------- Offres


def test_offer_row_problems(tmp_path) -> None:
    offers = [offer("AOF-01", "Sans note", None), offer("AOF-01", "Note texte", "bien"),
              offer("AOF-01", "Capacité négative", 15, capacite=-2),
              offer("AOF-01", "Retenu", 12)]
    path = make_workbook(tmp_path, [GOOD[0]], offers=offers)
    _, report = read(path)
    assert [(p.sheet, *t) for p, t in zip(report.problems, flat(report), strict=True)] == [
        (OFFRES, 2, "Note", "note-manquante"),
        (OFFRES, 3, "Note", "nombre-invalide"),
        (OFFRES, 4, "Capacité (places)", "nombre-negatif"),
    ]
    for p in report.problems:
        assert p.severity == "Erreur"
        assert_french(p.message)
    out = regenerate(path)
    holders = {r["Titulaire"] for r in sheet_rows(out, "Multi-attribution") if r["N° lot"]}
    assert holders == {"Retenu"}


# --------------------------------------------------------------------------- structure


def _drop_column(sheet: str, col: int):
    def tweak(wb: openpyxl.Workbook) -> None:
        wb[sheet].delete_cols(col)
    return tweak


STRUCTURAL = {
    "sans Besoins": (dict(omit=[BESOINS]), "« Besoins » est absente"),
    "sans Zones": (dict(omit=[ZONES]), "« Zones » est absente"),
    "sans Règles": (dict(omit=[REGLES]), "« Règles » est absente"),
    "sans colonne Zone": (dict(headers={"Zone": None}), "« Zone »"),
    "sans colonne Dispositif": (dict(tweak=_drop_column(BESOINS, 2)), "« Dispositif »"),
    "ni Places ni Heures": (dict(columns=["ID besoin", "Dispositif", "Zone"]), "« Places »"),
    "Zones sans Territoire": (dict(tweak=_drop_column(ZONES, 2)), "« Territoire »"),
    "Règles sans Maille": (dict(tweak=_drop_column(REGLES, 3)), "« Maille »"),
    "Offres sans Note": (dict(offers=[offer("AOF-01", "X", 12)],
                              tweak=_drop_column(OFFRES, 3)), "« Note »"),
    "composant de Maille inconnu": (dict(rules=[rule("AOF", maille="Zone + Ville")]),
                                    "« Ville »"),
    "Maille vide": (dict(rules=[rule("AOF", maille=None)]), "« Maille » manquante"),
    "Unité inconnue": (dict(rules=[rule("AOF", unite="jours")]), "« jours »"),
    "Unité vide": (dict(rules=[rule("AOF", unite=None)]), "« Unité » manquante"),
    "Heures par place 0": (dict(rules=[rule("AOF", hpp=0)]), "strictement positif"),
    "Heures par place vide": (dict(rules=[rule("AOF", hpp=None)]), "strictement positif"),
    "Heures par place texte": (dict(rules=[rule("AOF", hpp="abc")]), "illisible"),
    "Volume max < Volume min": (dict(rules=[rule("AOF", vmin=5000, vmax=3000)]),
                                "inférieur à « Volume min »"),
    "Regroupement inconnu": (dict(rules=[rule("AOF", regroupement="département")]),
                             "« Regroupement »"),
    "Répartition inconnue": (dict(rules=[rule("AOF", repartition="au mérite")]),
                             "« Répartition »"),
    "Plafonner illisible": (dict(rules=[rule("AOF", plafonner="peut-être")]), "oui ou non"),
    "dispositif en double": (dict(rules=[rule("AOF"), rule("aof", maille="Territoire")]),
                             "a déjà une règle"),
    "Attributaires 0": (dict(rules=[rule("AOF", attributaires=0)]), "un nombre entier de 1 à 100"),
    "Règles vide": (dict(rules=[]), "aucune règle"),
    "Zones vide": (dict(zones=[]), "aucune zone"),
}


@pytest.mark.parametrize("case", list(STRUCTURAL))
def test_structural_problem_stops_with_one_french_sentence(tmp_path, capsys,
                                                           case: str) -> None:
    kw, words = STRUCTURAL[case]
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)], **kw)
    before = path.read_bytes()
    assert main(["regenerate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("Erreur : ") and err.endswith(".")
    assert words in err and "«" in err
    assert_french(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert path.read_bytes() == before


def test_check_reports_structural_problem_with_exit_code_2(tmp_path, capsys) -> None:
    path = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)],
                         rules=[rule("AOF", hpp=0)])
    assert main(["check", str(path)]) == 2
    assert "« Heures par place »" in capsys.readouterr().err


def test_check_exit_codes_for_bad_rows(tmp_path, capsys) -> None:
    ok = make_workbook(tmp_path, [need("a", "AOF", "Belley", hours=800)], name="ok.xlsx")
    bad = make_workbook(tmp_path, [need("a", "AOF", "Paris", hours=800)], name="bad.xlsx")
    assert main(["check", str(ok)]) == 0
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "Besoins, ligne 2, colonne « Zone »" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx", "ok.xlsx"]


def test_strict_regenerate_writes_but_exits_1_on_errors(tmp_path) -> None:
    path = make_workbook(tmp_path, [GOOD[0], need("x", "AOF", "Paris", hours=800)])
    out = tmp_path / "sortie.xlsx"
    assert main(["regenerate", str(path), "-o", str(out), "--strict", "-q"]) == 1
    assert affectation(out) == {"G1": "AOF-01"}
    assert main(["regenerate", str(path), "-o", str(out), "-q"]) == 0


def test_optional_sheets_may_be_absent(tmp_path) -> None:
    path = make_workbook(tmp_path, [GOOD[0]], omit=[PARAMETRES])
    inputs, report = read(path)
    assert flat(report) == [] and inputs.params.max_bons_pct == 120.0
    assert affectation(regenerate(path)) == {"G1": "AOF-01"}


def test_rules_and_parameters_cells_are_read_by_the_declarations_backend() -> None:
    """`Règles` and `Paramètres` cells go through the same checks as `Besoins`
    (`inputs.checks`): each answer is a registered code with its template's fields."""
    from allot_xl.core import contract as C
    from allot_xl.inputs.checks import read_cell, read_choice, read_yes_no

    hpp = C.column(C.REGLES, "Heures par place")
    assert read_cell(hpp, "Heures par place", 0)[1] == [
        ("nombre-non-positif", {"colonne": "Heures par place"})]
    assert read_cell(hpp, "Heures par place", "1.200")[1][0][0] == "nombre-ambigu"
    unite = C.column(C.REGLES, "Unité")
    assert read_choice(unite, "Unité", "Places ") == ("places", None)
    assert read_choice(unite, "Unité", "jours")[1][0] == "choix-invalide"
    assert read_yes_no("Plafonner", "peut-être") == (None, (
        "oui-non-invalide", {"colonne": "Plafonner"}))
    duree = next(p for p in C.PARAMETERS if p.label == "Durée de l'accord-cadre (mois)")
    assert read_cell(duree.column, duree.label, "0")[1][0][0] == "nombre-non-positif"
