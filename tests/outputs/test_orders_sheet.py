"""`Suivi des commandes` prints (landscape A4, dated by its last order, never by the time of
the run) and `Synthèse` with its consumption block still holds on one screen."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from orders_support import example_with_orders, regenerate
from test_print_setup import SCREEN_PX, _screen

from allot_xl.core.contract import SUIVI
from allot_xl.io.xlsx.read import sheet_parts


@pytest.fixture(scope="module")
def with_orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("commandes")
    return regenerate(example_with_orders(d / "ex.xlsx"), d / "ex.lots.xlsx").output_path


def test_the_orders_sheet_prints_dated_by_its_last_order(with_orders: Path) -> None:
    with zipfile.ZipFile(with_orders) as z:
        xml = z.read(sheet_parts(z)[SUIVI]).decode()
    setup = re.search(r"<pageSetup [^>]*/>", xml).group(0)
    assert 'orientation="landscape"' in setup and 'paperSize="9"' in setup
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
    assert "Situation au 29/12/2027" in header and "Généré le" not in header
    assert "<drawing " in xml  # the consumption chart


def test_synthese_with_orders_holds_on_one_screen(with_orders: Path) -> None:
    right, bottom = _screen(with_orders)
    assert right <= SCREEN_PX[0] and bottom <= SCREEN_PX[1], (right, bottom)
