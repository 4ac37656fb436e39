"""Values read exactly as written, round 3 (issue 22): each case of tests/data/reading3
(built from the public A1 workbook) gives A1's lots, or a message naming the cell, through
`check` and `regenerate`, with python-calamine and with the pure-Python reader alike; each
kind is also built in code (tests/test_reading3_kinds.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import python_calamine

from allot_xl import api
from allot_xl.cli import main
from allot_xl.core.problems import StructuralError
from allot_xl.io.xlsx import pure as xlsx_pure
from allot_xl.io.xlsx import read as xlsx_read
from workbooks import affectation, read, sheet_rows

DATA = Path(__file__).resolve().parent / "data"
CASES = DATA / "reading3"


@pytest.fixture(params=["calamine", "pure"])
def reader(request) -> Iterator[str]:
    """Run the test with python-calamine, then with the pure-Python reader (xlwings Lite)."""
    saved = xlsx_read.pc
    xlsx_read.pc = python_calamine if request.param == "calamine" else xlsx_pure
    try:
        yield request.param
    finally:
        xlsx_read.pc = saved


def _case(tmp_path: Path, name: str, folder: Path = CASES) -> Path:
    path = tmp_path / f"{name}.xlsx"
    shutil.copy(folder / f"{name}.xlsx", path)
    path.chmod(0o644)
    return path


def _problems(report, severity: str | None = None) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.code) for p in report.problems
            if severity is None or p.severity == severity]


def _by_row(out: Path) -> dict[int, str]:
    """`Ligne Besoins` -> N° lot of an output workbook."""
    return {r["Ligne Besoins"]: r["N° lot"] for r in sheet_rows(out, "Affectation")}


@pytest.fixture(scope="module")
def a1_run(tmp_path_factory) -> tuple[dict[str, str], list[tuple]]:
    """A1's affectation and problems, from this very test run (the lots change with the
    engine: a case is compared with A1 as the same code allots it)."""
    path = _case(tmp_path_factory.mktemp("a1"), "A1_petit", DATA)
    out = api.regenerate(path, path.with_name("a1.out.xlsx")).output_path
    return affectation(out), _problems(api.check(path))


def _same_as_a1(path: Path, a1_run, extra: set[str] = frozenset()) -> dict[str, str]:
    """`check` finds A1's problems (plus the codes of `extra`), `regenerate` A1's lots."""
    a1, a1_problems = a1_run
    report = api.check(path)
    got = [p for p in _problems(report) if p[3] not in extra]
    assert sorted(got, key=str) == sorted(a1_problems, key=str)
    out = api.regenerate(path, path.with_name("sortie.xlsx")).output_path
    lots = affectation(out)
    assert lots == a1
    return lots


# --------------------------------------------------------------------------- silent values


def test_duplicate_heures_column_stops_naming_both(tmp_path, reader, capsys) -> None:
    path = _case(tmp_path, "06a_duplicate_header_heures")
    with pytest.raises(StructuralError) as e:
        read(path)
    text = str(e.value)
    assert "H « Heures » et M « Heures »" in text and "ligne 1" in text
    assert "renommez" in text and text.count(".") <= 3  # one sentence and what to do
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["check", str(path)]) == 2
    assert main(["regenerate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("H « Heures » et M « Heures »") == 2 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_hidden_original_beside_a_visible_copy_stops_and_asks(tmp_path, reader,
                                                               capsys) -> None:
    path = _case(tmp_path, "08_hidden_original_visible_copy")
    with pytest.raises(StructuralError) as e:
        read(path)
    text = str(e.value)
    assert "« Besoins » est masquée" in text and "« Besoins (2) »" in text
    assert "laquelle lire" in text
    assert main(["regenerate", str(path)]) == 2
    assert not path.with_name(f"{path.stem}.lots.xlsx").exists()
    assert "Traceback" not in capsys.readouterr().err


def test_ids_excel_turned_into_dates_are_written_as_shown(tmp_path, reader, a1_run) -> None:
    path = _case(tmp_path, "18_ids_auto_converted_to_dates")
    inputs, report = read(path)
    warnings = _problems(report, "Avertissement")
    assert warnings == [("Besoins", r, "ID besoin", "id-en-date") for r in (2, 3, 4)]
    assert "en A2" in report.problems[0].message and "« 01-mars »" in report.problems[0].message
    assert list(inputs.needs["id"][:3]) == ["01-mars", "02-déc.", "03-avr."]
    out = api.regenerate(path, tmp_path / "sortie.xlsx").output_path
    ids = {r["Ligne Besoins"]: r["ID besoin"] for r in sheet_rows(out, "Affectation")}
    assert (ids[2], ids[3], ids[4]) == ("01-mars", "02-déc.", "03-avr.")
    a1 = _case(tmp_path, "A1_petit", DATA)
    assert _by_row(out) == _by_row(api.regenerate(a1, tmp_path / "a1.xlsx").output_path)


def test_float_noise_from_formulas_is_read_as_excel_shows_it(tmp_path, reader,
                                                              a1_run) -> None:
    path = _case(tmp_path, "03_float_noise_from_formulas")
    inputs, report = read(path)
    places = dict(zip(inputs.needs["row"], inputs.needs["places_in"], strict=True))
    assert places[10] == 40
    _same_as_a1(path, a1_run)


# --------------------------------------------------------------------------- messages


def test_bom_and_zero_width_space_never_make_names_differ(tmp_path, reader, a1_run) -> None:
    path = _case(tmp_path, "05a_bom_zwsp_in_header_and_values")
    _, report = read(path)
    infos = [p for p in report.problems if p.code == "caractere-invisible"]
    assert [(p.row, p.column, p.severity) for p in infos] == [
        (1, "ID besoin", "Info"), (11, "Dispositif", "Info"), (15, "Zone", "Info")]
    assert "A1" in infos[0].message and "U+FEFF" in infos[0].message
    assert "U+200B" in infos[1].message
    _same_as_a1(path, a1_run, {"caractere-invisible"})


def test_header_repeated_mid_sheet_is_one_info(tmp_path, reader, a1_run) -> None:
    path = _case(tmp_path, "07_header_repeated_mid_sheet")
    _, report = read(path)
    repeated = [p for p in report.problems if p.code == "en-tete-repete"]
    assert len(repeated) == 1 and repeated[0].severity == "Info"
    assert "Lignes 23 et 45" in repeated[0].message
    assert not _problems(report, "Erreur")
    a1, a1_problems = a1_run
    out = api.regenerate(path, tmp_path / "sortie.xlsx").output_path
    assert affectation(out) == a1


def test_formulas_with_an_empty_result_are_empty_cells(tmp_path, reader, a1_run) -> None:
    path = _case(tmp_path, "14_formulas_returning_empty_text")
    _, report = read(path)
    assert not _problems(report, "Erreur")
    assert all("formule" not in p.message and "&gt;" not in p.message
               for p in report.problems)
    _same_as_a1(path, a1_run)


def test_hidden_and_collapsed_rows_are_said_once(tmp_path, reader, a1_run) -> None:
    path = _case(tmp_path, "16_hidden_and_grouped_rows")
    _, report = read(path)
    hidden = [p for p in report.problems if p.code == "lignes-masquees"]
    assert len(hidden) == 1 and hidden[0].severity == "Avertissement"
    assert hidden[0].message.startswith("Lignes 10 à 12 et 20 masquées")
    _same_as_a1(path, a1_run, {"lignes-masquees"})


@pytest.mark.parametrize("name", sorted(p.stem for p in CASES.glob("*.xlsx")))
def test_every_case_is_checked_and_regenerated_without_traceback(tmp_path, name,
                                                                 capsys) -> None:
    path = _case(tmp_path, name)
    before = path.read_bytes()
    code = main(["check", str(path)])
    done = main(["regenerate", str(path), "-q"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and path.read_bytes() == before
    structural = name.startswith(("06a", "08"))
    assert (code, done) == ((2, 2) if structural else (0, 0)), err
