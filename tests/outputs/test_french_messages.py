"""Numbers a person reads are French: no decimal point, thousands separated, in Contrôles
and on the console, for the example and the public A1 workbook."""

from __future__ import annotations

import re

import pytest

from allot_xl.cli import main
from workbooks import sheet_rows

QUOTED = re.compile(r"«[^»]*»")  # values quoted as the buyer wrote them
# a decimal point between digits, or four digits and more in a row that are not part of an
# article (R2122-8), a lot or need number (PQ-100, RA-0040), a date or a year
POINT = re.compile(r"\d\.\d")
UNSEPARATED = re.compile(r"(?<![\w/.-])\d{4,}(?![\w/-])")


def unfrench(text: str) -> list[str]:
    """The numbers of `text` not written the French way."""
    text = QUOTED.sub("", text)
    bad = POINT.findall(text)
    bad += [m for m in UNSEPARATED.findall(text) if not (len(m) == 4 and m.startswith("20"))]
    return bad


def test_the_pattern() -> None:
    assert unfrench("pèsent 45.94 % de 12000 €") == ["5.9", "12000"]
    assert unfrench("pèsent 45,94 % de 12\u00a0000 € (R2122-8), lot PQ-1000, 01/04/2026") == []
    assert unfrench("« 5.600 » lu comme 5\u00a0600") == []


@pytest.mark.parametrize("name", ["exemple", "A1"])
def test_controles_messages_are_french(written, name: str) -> None:
    messages = [r["Message"] for r in sheet_rows(written[name][1], "Contrôles")]
    assert messages
    assert [(m, unfrench(m)) for m in messages if unfrench(m)] == []


@pytest.mark.parametrize("name", ["exemple", "A1"])
def test_console_is_french(written, name: str, capsys, tmp_path) -> None:
    src = written[name][0]
    main(["regenerate", str(src), "-o", str(tmp_path / "sortie.xlsx")])
    main(["check", str(src)])
    out = capsys.readouterr()
    lines = (out.out + out.err).splitlines()
    assert lines and [(x, unfrench(x)) for x in lines if unfrench(x)] == []
