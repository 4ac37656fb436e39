"""The typed values a publication is made from: the EU notices in eForms (contract notice
`cn-social`, subtype 20; award notice `can-social`, subtype 33) and the French essential
data (DECP v2.0.3). Plain frozen dataclasses, no pandas, no XML: the writers in
`outputs/eforms.py` and `outputs/decp.py` turn them into bytes and dicts.

Amounts are in € HT, durations in months, dates are `datetime.date`. The `BT-…` numbers
are the eForms business terms each field becomes (eForms SDK 1.15, `fields/fields.json`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

# uuid5 namespace of allot_xl's notices: the same reference gives the same notice identifiers
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://allot-xl/eforms")

CRITERION_TYPES = ("quality", "price", "cost")  # eForms codelist `award-criterion-type`
WINNER_SIZES = ("micro", "small", "medium", "large")  # codelist `economic-operator-size`
LOT_RESULTS = ("selec-w", "clos-nw")  # codelist `winner-selection-status`, used here
# codelist `non-award-justification`: no tenders (`no-rece`), all withdrawn or
# inadmissible (`all-rej`), a single admissible one (`one-admis`), the buyer's decision on a
# change of needs (`chan-need`) or for want of funds (`ins-fund`), other (`other`)
NON_AWARD_REASONS = ("no-rece", "all-rej", "one-admis", "chan-need", "ins-fund", "other")


@dataclass(frozen=True)
class Buyer:
    """The buyer (or any French organisation named in a notice: the review body).

    `siret`: 14 digits (BT-501, the organisation's national identifier); `nuts`: the NUTS 3
    code of its address (BT-507, e.g. `FRK21`); `country`: ISO 3166-1 alpha-3 (BT-514,
    `FRA`); `email` (BT-506), `phone` (BT-503); `profile_url`: the buyer profile (BT-508),
    where the tender documents are. The buyer of a notice needs all three (the writers
    refuse it otherwise); a review body may leave them empty."""

    name: str
    siret: str
    street: str
    postcode: str
    city: str
    nuts: str
    country: str = "FRA"
    email: str = ""
    phone: str = ""
    profile_url: str = ""
    legal_type: str = "body-pl"  # BT-11 `buyer-legal-type`: a body governed by public law
    activity: str = "gen-pub"  # BT-10 `authority-activity`: general public services


@dataclass(frozen=True)
class Criterion:
    """An award criterion of a lot (CCP R2152-7; L2152-7 from 21 August 2026 wants one on
    the offer's environmental characteristics).

    `kind`: `quality`, `price` or `cost` (BT-539, the eForms codes of qualité/prix/coût);
    `weight`: its weight in % (BT-541, 0–100; the weights of a lot add up to 100);
    `environmental`: whether it takes the offer's environmental characteristics into
    account; `name` (BT-734) and `description` (BT-540) in French."""

    name: str
    kind: str
    weight: float
    environmental: bool = False
    description: str = ""


@dataclass(frozen=True)
class NoticeLot:
    """One lot of a notice, as the `Lots` sheet shows it.

    `number`: the lot's « N° lot » (`AOF-03`), also its BT-22 internal identifier;
    `cpv`: 8 digits without the check digit (BT-262); `nuts`: the NUTS 3 codes of the places
    of performance (BT-5071), one or more; `departements`: their département codes
    (`01`, `2A`, `974`), for the DECP's place of performance; `estimate`: € HT over the whole
    term including renewals (BT-27): the `Lots` sheet's « Montant estimé (€ HT) » is one
    year's, so × `Params.term_years`; `maximum`: the framework agreement's maximum, € HT over
    the whole term (BT-271): « Montant maximum (€ HT) » as it is (`engine.describe.
    term_maximum`); `months`: the initial term (BT-36, `Durée de l'accord-cadre (mois)`);
    `renewals`: how many times
    it may be renewed and `renewals_text` how (BT-57, BT-58); `holders`: the maximum number
    of holders of the framework agreement (BT-113); `criteria`: the award criteria
    (BT-539/540/541); `environmental_clause`: the environmental execution condition
    (CCP L2112-2); `social_clause`: the social execution condition (L2112-2-1) or, when
    `social_reason` is set, the reason there is none."""

    number: str
    title: str
    description: str
    cpv: str
    nuts: tuple[str, ...]
    estimate: float
    maximum: float
    months: int
    holders: int
    criteria: tuple[Criterion, ...]
    renewals: int = 0
    renewals_text: str = ""
    departements: tuple[str, ...] = ()
    environmental_clause: str = ""
    social_clause: str = ""
    social_reason: str = ""


@dataclass(frozen=True)
class Notice:
    """A consultation of one dispositif, as an EU contract notice publishes it.

    `reference`: the buyer's reference of the procedure (BT-22), the seed of every
    identifier (`notice_id`, `folder_id`): two runs give the same file; `dispositif`: its
    code in `Règles`; `max_lots_bid`: lots one tenderer may bid for (BT-31, None: all);
    `max_lots_won`: lots one tenderer may win (BT-33, `Lots max par titulaire`; None: no
    cap); `issue_date`: the notice's date (BT-05); `deadline`: the tender deadline (BT-131),
    a local French time; `language`: ISO 639-2 code (BT-702, `FRA`); `review_body`: the
    body hearing appeals (the administrative court, OPT-301-Lot-ReviewOrg), the buyer when
    None; `procedure_code`: BT-105 (`open`: every interested operator may bid)."""

    title: str
    description: str
    reference: str
    dispositif: str
    buyer: Buyer
    lots: tuple[NoticeLot, ...]
    issue_date: dt.date
    deadline: dt.datetime | None = None
    max_lots_bid: int | None = None
    max_lots_won: int | None = None
    language: str = "FRA"
    review_body: Buyer | None = None
    procedure_code: str = "open"

    def notice_id(self, kind: str) -> str:
        """The notice's UUID (BT-701), stable for one reference and kind (`cn`, `can`)."""
        return stable_uuid(f"{kind}:{self.reference}")

    @property
    def folder_id(self) -> str:
        """The procedure's UUID (BT-04), shared by its contract and award notices."""
        return stable_uuid(f"procedure:{self.reference}")


def stable_uuid(seed: str) -> str:
    """A UUID made from `seed` alone (the uuid5 hash of it in allot_xl's namespace), written
    as a version-4 UUID: the SDK accepts only that shape for notice and procedure
    identifiers (rules BR-BT-00701-0052, BR-BT-00004-0052)."""
    return str(uuid.UUID(bytes=uuid.uuid5(NAMESPACE, seed).bytes, version=4))


@dataclass(frozen=True)
class Holder:
    """A holder (winning tenderer) of a lot: `siret` 14 digits; `size` its size in the
    eForms codes `micro`, `small`, `medium`, `large` (BT-165, required for winners in an
    award notice); `city`, `postcode`, `country` (ISO alpha-3) of its address (BT-513,
    BT-512, BT-514); `nuts` its NUTS 3 code (BT-507) when in France."""

    name: str
    siret: str
    size: str = ""
    city: str = ""
    postcode: str = ""
    nuts: str = ""
    country: str = "FRA"


@dataclass(frozen=True)
class LotResult:
    """What became of one lot (award notice, DECP).

    `lot`: the lot's « N° lot »; `bids`: tenders received (BT-759); `winners`: its holders
    (empty when not awarded); `status`: `selec-w` (awarded) or `clos-nw` (closed, no winner,
    BT-142); `reason`: why not awarded (BT-144, `no-rece`: no tenders or no suitable
    tender); `notified`: the date the framework agreement was notified (BT-145, the DECP's
    `dateNotification`); `contract_id`: the buyer's number of the contract (BT-150).

    The award notice counts the tenders by kind (BT-760): `bids_sme` from SMEs and
    `bids_large` from large enterprises (None: unknown, then taken from the holders' sizes
    when every tender won); `bids_other_eea` from another EEA country and `bids_non_eea`
    from outside the EEA (0: every tenderer established in France)."""

    lot: str
    bids: int
    winners: tuple[Holder, ...] = ()
    status: str = "selec-w"
    reason: str = ""
    notified: dt.date | None = None
    contract_id: str = ""
    bids_sme: int | None = None
    bids_large: int | None = None
    bids_other_eea: int = 0
    bids_non_eea: int = 0

    @property
    def awarded(self) -> bool:
        return self.status == "selec-w"
