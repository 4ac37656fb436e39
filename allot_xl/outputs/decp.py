"""The essential data (DECP) of the awarded lots, to the national schema v2.0.3 (arrêté du
22 décembre 2022 relatif aux données essentielles des marchés publics, modifié; CCP
R2196-1: published on data.gouv.fr within two months of notification). One `marche` per
awarded lot. Pure writer: typed values in (`core/publication.py`), a dict out; the same
values give the same JSON bytes (`decp_json`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from ..core.publication import LotResult, Notice, NoticeLot

ID_MAX = 16  # IdentifiantMarche: 1 to 16 characters
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # the schema asks to avoid & " \ < space , ;
_SIRET = re.compile(r"\d{14}")


def contract_id(lot_number: str, notified: dt.date) -> str:
    """The DECP `id` of a lot's framework agreement: `{year of notification}-{lot number}`
    (`2027-PSP-01`), keeping letters, digits, `-` and `_` only. When that passes 16
    characters: the year, `-`, the first 6 kept characters of the lot number and the first
    5 hex digits of the SHA-1 of the whole lot number (`2027-QUALIF3fa9c`), 16 characters.
    Stable: the same lot notified the same year has the same id; lot numbers are never
    reused within a campaign, so ids are unique."""
    kept = _UNSAFE.sub("", lot_number)
    short = f"{notified.year}-{kept}"
    if len(short) <= ID_MAX:
        return short
    digest = hashlib.sha1(lot_number.encode("utf-8")).hexdigest()[:5]
    return f"{notified.year}-{kept[:6]}{digest}"


def _considerations(lot: NoticeLot) -> tuple[list[str], list[str]]:
    social = ["Clause sociale"] if lot.social_clause else ["Pas de considération sociale"]
    env = []
    if lot.environmental_clause:
        env.append("Clause environnementale")
    if any(c.environmental for c in lot.criteria):
        env.append("Critère environnemental")
    return social, env or ["Pas de considération environnementale"]


def _marche(notice: Notice, lot: NoticeLot, res: LotResult, published: dt.date,
            terms: dict[str, Any]) -> dict[str, Any]:
    if res.notified is None:
        raise ValueError(f"lot {lot.number}: its notification date is required")
    if res.bids < 1 or not res.winners:
        raise ValueError(f"lot {lot.number}: an awarded lot has tenders and holders")
    social, env = _considerations(lot)
    where = lot.departements[0] if lot.departements else ""
    if not where:
        raise ValueError(f"lot {lot.number}: its département is required (lieuExecution)")
    holders = list(dict.fromkeys(h.siret for h in res.winners))
    bad = [s for s in [notice.buyer.siret, *holders] if not _SIRET.fullmatch(s)]
    if bad:
        raise ValueError(f"lot {lot.number}: SIRET {bad} not of 14 digits")
    return {
        "id": contract_id(lot.number, res.notified),
        "acheteur": {"id": notice.buyer.siret},
        "nature": "Marché",
        "objet": f"{notice.title} – lot {lot.number} : {lot.title}"[:1000],
        "codeCPV": lot.cpv,
        "techniques": {"technique": ["Accord-cadre"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "marcheInnovant": False,
        "ccag": terms["ccag"],
        "offresRecues": res.bids,
        "attributionAvance": terms["advance_rate"] is not None,
        **({"tauxAvance": terms["advance_rate"]} if terms["advance_rate"] is not None else {}),
        "typeGroupementOperateurs": "Pas de groupement",
        "sousTraitanceDeclaree": False,
        "procedure": terms["procedure"],
        "lieuExecution": {"code": where, "typeCode": "Code département"},
        "dureeMois": lot.months * (1 + lot.renewals),
        "dateNotification": res.notified.isoformat(),
        "datePublicationDonnees": published.isoformat(),
        "montant": round(lot.maximum, 2),
        "typesPrix": {"typePrix": [terms["price_type"]]},
        "formePrix": "Unitaire",
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": s}} for s in holders],
        "considerationsSociales": {"considerationSociale": social},
        "considerationsEnvironnementales": {"considerationEnvironnementale": env},
    }


def decp_records(notice: Notice, results: Sequence[LotResult], published: dt.date, *,
                 procedure: str = "Procédure adaptée",
                 ccag: str = "Fournitures courantes et services",
                 price_type: str = "Définitif révisable",
                 advance_rate: float | None = None) -> dict[str, Any]:
    """`{"marches": {"marche": [...]}}`: one record per awarded lot of `notice` (its
    `results` with status `selec-w`), in the lots' order, keys in the schema's order.

    Each record: `id` (`contract_id`), the buyer's SIRET, `objet` (the consultation and
    the lot), the lot's CPV, `Accord-cadre` with `Bons de commande`, `procedure` (a social
    and specific services consultation is a `Procédure adaptée`, CCP R2123-1 3°), the
    place of performance as the lot's first département code, `dureeMois` = the initial
    term × (1 + renewals) (the schema counts renewals in), `montant` = the lot's maximum
    in € HT over the whole term, unit prices (`Unitaire`, the BPU of a framework with
    purchase orders), `typesPrix` (`Définitif révisable` by default: CCP R2112-13 wants a
    revision clause on multi-year services), every holder by SIRET, and the social and
    environmental considerations read off the lot's clauses and criteria.
    `published`: the publication date of the data (`datePublicationDonnees`);
    `advance_rate`: the advance paid as a share (0.05 = 5 %, 0: paid, rate unknown; None:
    none, CCP R2191-3). Raises ValueError when an awarded lot has no notification date,
    holder or département, when a SIRET is not 14 digits, when a result names an unknown
    lot, or when two ids collide."""
    lots = {lot.number: lot for lot in notice.lots}
    unknown = [r.lot for r in results if r.lot not in lots]
    if unknown:
        raise ValueError(f"result(s) for unknown lot(s) {', '.join(unknown)}")
    terms = {"procedure": procedure, "ccag": ccag, "price_type": price_type,
             "advance_rate": advance_rate}
    by_lot = {r.lot: r for r in results}
    records = [_marche(notice, lot, by_lot[lot.number], published, terms)
               for lot in notice.lots if lot.number in by_lot and by_lot[lot.number].awarded]
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError(f"two lots give the same DECP id: {sorted(ids)}")
    return {"marches": {"marche": records}}


def decp_json(records: dict[str, Any]) -> bytes:
    """`records` as UTF-8 JSON bytes: accents kept, two-space indent, keys in their order
    (the same records give the same bytes)."""
    return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
