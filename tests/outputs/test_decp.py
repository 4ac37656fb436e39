"""The essential data (outputs/decp.py): one `marche` per awarded lot, valid against the DECP
v2.0.3 JSON Schema, with every holder, the lot's maximum and its considerations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from publication import LOTS, needs_validator, notice, results, validator

from allot_xl.outputs.decp import ID_MAX, contract_id, decp_json, decp_records

PUBLISHED = dt.date(2027, 3, 15)


def _marches(**kw) -> list[dict]:
    return decp_records(notice(**kw), results(), PUBLISHED)["marches"]["marche"]


@needs_validator
def test_the_file_passes_the_decp_schema(tmp_path: Path) -> None:
    path = tmp_path / "decp.json"
    path.write_bytes(decp_json(decp_records(notice(), results(), PUBLISHED,
                                            advance_rate=0.05)))
    assert validator().decp([path]) == {path: []}


def test_one_record_per_awarded_lot_with_all_its_holders() -> None:
    marches = _marches()
    assert [m["id"] for m in marches] == ["2027-PSP-01", "2027-PSP-02"]  # PSP-03: no tender
    first = marches[0]
    assert [t["titulaire"]["id"] for t in first["titulaires"]] == ["82409687100264",
                                                                  "19010013100021"]
    assert first["montant"] == LOTS[0].maximum
    assert first["acheteur"] == {"id": "20005376700014"}
    assert first["lieuExecution"] == {"code": "01", "typeCode": "Code département"}
    assert first["dureeMois"] == 48  # 12 months, renewed three times
    assert first["offresRecues"] == 3
    assert first["techniques"] == {"technique": ["Accord-cadre"]}
    assert first["modalitesExecution"] == {"modaliteExecution": ["Bons de commande"]}
    assert first["dateNotification"] == "2027-03-01"
    assert first["considerationsEnvironnementales"] == {"considerationEnvironnementale": [
        "Clause environnementale", "Critère environnemental"]}
    assert first["considerationsSociales"] == {"considerationSociale": ["Clause sociale"]}


def test_a_lot_without_clauses_says_so() -> None:
    bare = tuple(dataclasses.replace(lot, environmental_clause="", social_clause="",
                                     social_reason="Prestations de courte durée",
                                     criteria=tuple(dataclasses.replace(c, environmental=False)
                                                    for c in lot.criteria))
                 for lot in LOTS)
    first = _marches(lots=bare)[0]
    assert first["considerationsSociales"] == {"considerationSociale": [
        "Pas de considération sociale"]}
    assert first["considerationsEnvironnementales"] == {"considerationEnvironnementale": [
        "Pas de considération environnementale"]}


def test_ids_are_short_stable_and_distinct() -> None:
    day = dt.date(2027, 3, 1)
    assert contract_id("PSP-01", day) == "2027-PSP-01"
    assert contract_id("AOF 03;b", day) == "2027-AOF03b"  # the schema's unsafe characters
    long = [contract_id(f"QUALIF-PRO-RHONE-{i:03d}", day) for i in range(200)]
    assert all(len(i) == ID_MAX for i in long) and len(set(long)) == 200
    assert long[7] == contract_id("QUALIF-PRO-RHONE-007", day)


def test_same_values_same_bytes() -> None:
    one = decp_json(decp_records(notice(), results(), PUBLISHED))
    assert one == decp_json(decp_records(notice(), results(), PUBLISHED))
    assert json.loads(one)["marches"]["marche"][1]["id"] == "2027-PSP-02"


def test_an_awarded_lot_needs_its_notification_date() -> None:
    undated = (dataclasses.replace(results()[0], notified=None), *results()[1:])
    with pytest.raises(ValueError, match="PSP-01"):
        decp_records(notice(), undated, PUBLISHED)
    spaced = dataclasses.replace(results()[1], winners=(
        dataclasses.replace(results()[1].winners[0], siret="501 234 567 00018"),))
    with pytest.raises(ValueError, match="14 digits"):
        decp_records(notice(), (results()[0], spaced, results()[2]), PUBLISHED)
