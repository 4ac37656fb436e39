"""For the tests of the publication writers: typed values (a PSP consultation of three lots,
one in the Ain, one over two départements, and its results) and the offline validator of
`../shared/publication/validate.py` (eForms SDK 1.15.1 XSD + schematron, DECP v2.0.3)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from allot_xl.core.nuts import nuts3
from allot_xl.core.publication import Buyer, Criterion, Holder, LotResult, Notice, NoticeLot

BUYER = Buyer(name="Région Auvergne-Rhône-Alpes", siret="20005376700014",
              street="1 esplanade François Mitterrand", postcode="69002", city="Lyon",
              nuts="FRK26", email="achats@auvergnerhonealpes.fr", phone="+33 4 26 73 40 00",
              profile_url="https://marchespublics.auvergnerhonealpes.fr")
COURT = Buyer(name="Tribunal administratif de Lyon", siret="17690111400016",
              street="184 rue Duguesclin", postcode="69003", city="Lyon", nuts="FRK26",
              email="greffe.ta-lyon@juradm.fr", phone="+33 4 87 63 50 00")
CRITERIA = (
    Criterion("Valeur technique", "quality", 50, description="Qualité du projet pédagogique"),
    Criterion("Performance environnementale", "quality", 10, environmental=True,
              description="Déplacements des stagiaires et sobriété des locaux"),
    Criterion("Prix", "price", 40, description="Prix unitaire par heure-stagiaire"),
)
ENV = "Réduction des déplacements : 30 % des heures au plus près des stagiaires."
SOCIAL = "Insertion : 5 % des heures réalisées par des personnes éloignées de l'emploi."


def lot(number: str, title: str, deps: tuple[str, ...], estimate: float, maximum: float,
        holders: int = 2) -> NoticeLot:
    return NoticeLot(number=number, title=title, description=f"Formations {title}",
                     cpv="80530000", nuts=tuple(nuts3(d) or "" for d in deps),
                     departements=deps, estimate=estimate, maximum=maximum, months=12,
                     holders=holders, criteria=CRITERIA, renewals=3,
                     renewals_text="Reconductible tacitement trois fois un an",
                     environmental_clause=ENV, social_clause=SOCIAL)


LOTS = (
    lot("PSP-01", "Ain – Bâtiment", ("01",), 480_000.0, 624_000.0),
    lot("PSP-02", "Isère et Savoie – Numérique", ("38", "73"), 812_345.67, 1_056_049.37, 3),
    lot("PSP-03", "Rhône – Santé", ("69",), 250_000.0, 325_000.0, 1),
)


def notice(lots: tuple[NoticeLot, ...] = LOTS, **kw: object) -> Notice:
    values: dict = dict(title="Promotion sociale et professionnelle 2027",
                        description="Actions de formation professionnelle qualifiante",
                        reference="ARA-2027-PSP", dispositif="PSP", buyer=BUYER, lots=lots,
                        issue_date=dt.date(2026, 12, 7),
                        deadline=dt.datetime(2027, 1, 15, 12, 0), max_lots_bid=None,
                        max_lots_won=2, review_body=COURT)
    values.update(kw)
    return Notice(**values)


def results() -> tuple[LotResult, ...]:
    a = Holder("AFPA Entreprise", "82409687100264", size="large", city="Montreuil",
               postcode="93100", nuts="FR106")
    b = Holder("GRETA Ain", "19010013100021", size="medium", city="Bourg-en-Bresse",
               postcode="01000", nuts="FRK21")
    c = Holder("Formation Alpes SARL", "50123456700018", size="small", city="Grenoble",
               postcode="38000", nuts="FRK24")
    day = dt.date(2027, 3, 1)
    return (
        LotResult("PSP-01", bids=3, winners=(a, b), notified=day, contract_id="2027-PSP-01",
                  bids_sme=2, bids_large=1),
        LotResult("PSP-02", bids=1, winners=(c,), notified=day, contract_id="2027-PSP-02"),
        LotResult("PSP-03", bids=0, status="clos-nw", reason="no-rece"),
    )


SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "publication"
VALIDATE = SHARED / "validate.py"
needs_validator = pytest.mark.skipif(not VALIDATE.exists(),
                                     reason="../shared/publication absent (validate.py)")


class _Validator:
    """`validate.py`'s `eforms` and `decp` run in a child process: SaxonC's schematron
    compile makes a process several GB large, and Linux counts a child's memory before
    `exec` as its own, so every later child of the test process (the memory-bound tests of
    `test_files_cases`) would report that size as its peak."""

    def _call(self, kind: str, paths: list[Path]) -> dict[Path, list[str]]:
        code = ("import importlib.util, json, sys\n"
                "spec = importlib.util.spec_from_file_location('v', sys.argv[1])\n"
                "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
                "found = getattr(m, sys.argv[2])([__import__('pathlib').Path(p) "
                "for p in sys.argv[3:]])\n"
                "print(json.dumps({str(k): v for k, v in found.items()}))")
        done = subprocess.run([sys.executable, "-c", code, str(VALIDATE), kind,
                               *map(str, paths)], capture_output=True, text=True,
                              timeout=1200, env=os.environ.copy())
        assert done.returncode == 0, done.stderr[-3000:]
        found = json.loads(done.stdout.strip().splitlines()[-1])
        return {Path(k): v for k, v in found.items()}

    def eforms(self, paths: list[Path]) -> dict[Path, list[str]]:
        return self._call("eforms", paths)

    def decp(self, paths: list[Path]) -> dict[Path, list[str]]:
        return self._call("decp", paths)


def validator() -> _Validator:
    """`../shared/publication/validate.py`'s checks, run in a child process; its schematron
    cache (the ~20 s transpile) in `ALLOT_EFORMS_CACHE`, by default
    `~/.cache/allot_xl/eforms`, so that later sessions only compile (~80 s). Validate
    every notice of a session in ONE `eforms([...])` call: the compile is per call."""
    os.environ.setdefault("ALLOT_EFORMS_CACHE",
                          str(Path.home() / ".cache" / "allot_xl" / "eforms"))
    return _Validator()
