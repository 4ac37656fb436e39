"""The choices a workbook's cells may take, as enums: declared once; the contract's lists of
allowed values (`contract.UNITES`, `REGROUPEMENTS`…) and the typed model both come from
here (no pandas: the command line's help loads this without it)."""

from __future__ import annotations

from enum import StrEnum


class Unite(StrEnum):
    """The unit of a rule's `Volume min` / `Volume max`."""

    HEURES = "heures"
    PLACES = "places"


class Regroupement(StrEnum):
    """How groups under `Volume min` are merged (contract, step 4)."""

    VOISINES = "voisines"
    TERRITOIRE = "territoire"
    POLE = "pôle"
    AUCUN = "aucun"


class Repartition(StrEnum):
    """How purchase orders are shared among a lot's holders."""

    CASCADE = "cascade"
    PRORATA = "prorata"
    PARTS_EGALES = "parts égales"
    ROTATION = "rotation"


class Regime(StrEnum):
    """The procurement regime of a dispositif: social and specific services (R2123-1 3°) or
    ordinary services."""

    SSS = "SSS"
    SERVICES = "services"


class AttributionRule(StrEnum):
    """How holders are chosen when `Offres` exists."""

    IMPORTANCE = "importance décroissante"
    OPTIMALE = "optimale"


class Objectif(StrEnum):
    """What `Proposé` seeks first among the designs that meet every cap and bound."""

    CONTRATS = "moins de contrats"  # the fewest contracts (the founding note's gain)
    PETITES = "petites structures"  # the most lots a small organisation can take


class CritereType(StrEnum):
    """The `Type` of a row of `Critères`: an award criterion (qualité, prix, coût, R2152-7)
    or one of the dispositif's execution clauses (L2112-2, L2112-2-1) and the recorded
    reason for no social clause."""

    QUALITE = "qualité"
    PRIX = "prix"
    COUT = "coût"
    CLAUSE_ENV = "clause environnementale"
    CLAUSE_SOCIALE = "clause sociale"
    MOTIF_SANS_SOCIALE = "motif sans clause sociale"

    @property
    def award(self) -> bool:
        """Whether the row is an award criterion (it has a weight)."""
        return self in (CritereType.QUALITE, CritereType.PRIX, CritereType.COUT)
