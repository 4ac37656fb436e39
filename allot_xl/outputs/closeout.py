"""The sheets of a relaunch workbook (`relance.xlsx`): its needs (`Besoins`, the rows of
the unsuccessful lots as the buyer wrote them), the awarded lots whose numbers stay
reserved (`Lots attribués`), the lots relaunched (`Lots`, read back to keep their numbers)
and what the buyer may do with each (`Relance`)."""

from __future__ import annotations

from typing import Any

from ..core.contract import BESOINS, LOTS, LOTS_ATTRIBUES, clean_text, fold
from ..core.french import compte
from ..engine.closeout import Cause, Closeout, LotOutcome
from ..inputs.grid import RawTable, SheetGrid
from .model import FMT_EUR, FMT_HOURS, FMT_INT, Block, Column, Outputs, Sheet, cell_value

RELANCE = "Relance"
PREVIOUS = "(consultation précédente)"  # holders of a lot reserved by an earlier relaunch
_CAUSE = {Cause.NO_BID: "aucune offre", Cause.CAPPED_OUT: "offres reçues, candidats au "
          "plafond « Lots max par titulaire »"}
RELANCE_COLUMNS = [
    Column("N° lot"), Column("Dispositif"), Column("Intitulé", wrap=True),
    Column("Zone(s)", wrap=True), Column("Places", FMT_INT), Column("Heures", FMT_HOURS),
    Column("Montant estimé (€ HT)", FMT_EUR), Column("Montant maximum (€ HT)", FMT_EUR),
    Column("Cause"), Column("Titulaires retenus", wrap=True),
    Column("Marché sans publicité"), Column("Article"), Column("Pourquoi", wrap=True),
    Column("Conseil", wrap=True),
]


def relaunch_outputs(besoins: Sheet, closeout: Closeout, reserved: dict[str, str]) -> Outputs:
    """The sheets written into `relance.xlsx`, `Relance` last (the one Excel opens on).
    `reserved`: the numbers an earlier `Lots attribués` reserved already (kept reserved)."""
    n = len(closeout.unsuccessful)
    line = (f"{compte(n, 'lot infructueux', 'lots infructueux')} à relancer, "
            f"{compte(len(closeout.needs), 'besoin')} ; "
            f"{compte(len(closeout.awarded), 'lot attribué', 'lots attribués')} réservés.")
    return Outputs([besoins, awarded_sheet(closeout, reserved), lots_sheet(closeout),
                    relance_sheet(closeout)], line)


def besoins_sheet(grid: SheetGrid, t: RawTable, keep: dict[int, tuple[int, float] | None],
                  ids: dict[int, str], reserved: set[str]) -> Sheet:
    """`Besoins` of the relaunch: the header and the rows of `t` (read from `grid`) whose
    Excel row is in `keep`, every cell as the buyer wrote it but: the ID as the run read it
    (a date Excel made of an ID stays the text it showed), `Places` and `Heures` replaced
    by the share `(places, hours)` a need split among lots has in the unsuccessful ones
    (None: the whole need), and a `Lot imposé` naming an awarded (`reserved`, folded) lot
    emptied."""
    header = _header(grid, t)
    width = len(header)
    at = {c: t.columns.get(c) for c in ("ID besoin", "Places", "Heures", "Lot imposé")}
    rows = []
    for row, vals in t.rows:
        if row not in keep:
            continue
        out = [cell_value(v) for v in (list(vals) + [None] * width)[:width]]
        if at["ID besoin"] is not None and row in ids:
            raw = out[at["ID besoin"]]
            out[at["ID besoin"]] = raw if clean_text(raw) == ids[row] else ids[row]
        share = keep[row]
        if share is not None:
            for col, v in (("Places", share[0]), ("Heures", share[1])):
                if at[col] is not None and out[at[col]] is not None:
                    out[at[col]] = v
        j = at["Lot imposé"]
        if j is not None and out[j] is not None and fold(out[j]) in reserved:
            out[j] = None
        rows.append(out)
    return Sheet(BESOINS, [Block("T_Besoins", [Column(h) for h in header], rows)])


def _header(grid: SheetGrid, t: RawTable) -> list[str]:
    """The header cells of `t` as written (blank ones named `Colonne N`), each unique."""
    width = max([max(t.columns.values(), default=-1) + 1]
                + [len(v) for _, v in t.rows[:1000]])
    cells = list(grid.values[t.header_row - 1][t.first_col - 1:t.first_col - 1 + width])
    cells += [None] * (width - len(cells))
    out: list[str] = []
    for i, v in enumerate(cells):
        name = clean_text(v) or f"Colonne {i + 1}"
        base, k = name, 2
        while fold(name) in {fold(x) for x in out}:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return out


def awarded_sheet(closeout: Closeout, reserved: dict[str, str]) -> Sheet:
    """`Lots attribués`: each awarded lot (and each number an earlier relaunch reserved),
    its dispositif and holders: the numbers a regeneration never gives again."""
    rows: list[list[Any]] = [[x.lot, x.dispositif, " ; ".join(x.holders), x.intitule,
                              x.montant_max] for x in closeout.awarded]
    mine = {fold(x.lot) for x in closeout.awarded}
    rows += [[lot, lot.rsplit("-", 1)[0], PREVIOUS, None, None]
             for key, lot in sorted(reserved.items()) if key not in mine]
    columns = [Column("N° lot"), Column("Dispositif"), Column("Titulaires", wrap=True),
               Column("Intitulé", wrap=True), Column("Montant maximum (€ HT)", FMT_EUR)]
    return Sheet(LOTS_ATTRIBUES, [Block("T_Lots_attribues", columns, rows)])


def lots_sheet(closeout: Closeout) -> Sheet:
    """`Lots` as a previous run's: the unsuccessful lots' numbers and keys, read back on
    regeneration so that a lot relaunched unchanged keeps its number (contract, step 6)."""
    columns = [Column("N° lot"), Column("Clé"), Column("Dispositif"),
               Column("Intitulé", wrap=True)]
    rows: list[list[Any]] = [[x.lot, x.cle, x.dispositif, x.intitule]
                             for x in closeout.unsuccessful]
    return Sheet(LOTS, [Block("T_Lots", columns, rows)])


def relance_sheet(closeout: Closeout) -> Sheet:
    """`Relance`: one row per unsuccessful lot: volume, estimate, cause, holders kept,
    whether it may be let without publicity (R2122-2) and why, and advice."""
    rows = [[x.lot, x.dispositif, x.intitule, x.zones, x.places, x.hours, x.montant,
             x.montant_max, cause_words(x), " ; ".join(x.holders), *option_words(x),
             advice(x)] for x in closeout.unsuccessful]
    return Sheet(RELANCE, [Block("T_Relance", RELANCE_COLUMNS, rows, top=True)])


def cause_words(x: LotOutcome) -> str:
    """`aucune offre`, `1 offre pour 3 titulaires`…"""
    if x.cause is Cause.SHORT:
        if x.bids < x.planned:
            return f"{compte(x.bids, 'offre')} pour {x.planned} titulaires"
        return (f"{compte(len(x.holders), 'titulaire retenu', 'titulaires retenus')} pour "
                f"{x.planned} (plafond « Lots max par titulaire »)")
    return _CAUSE[x.cause] if x.cause else ""


def option_words(x: LotOutcome) -> tuple[str, str, str]:
    """(« oui »/« non », the article, why): the marché sans publicité of R2122-2."""
    d = x.derogation
    if d is not None:
        return ("oui", d.article, f"Aucune offre reçue. Condition : {d.condition}. Relancez "
                f"le lot tel quel (même périmètre, mêmes conditions) auprès d'un organisme, "
                f"sans publicité ni mise en concurrence. Source : {d.source}.")
    return ("non", "CCP R2122-2", "Des offres ont été reçues : ce marché sans publicité "
            "n'est ouvert que si toutes étaient inappropriées (L2152-4) ou les candidatures "
            "irrecevables (R2144-7).")


def advice(x: LotOutcome) -> str:
    """What to do with the lot: relaunch it alone, or redrawn with neighbouring lots."""
    near = ", ".join(x.neighbours)
    redrawn = (f" Ou redessinez-le avec {near} (lots voisins eux aussi infructueux) : une "
               f"nouvelle consultation, le périmètre changeant." if near else "")
    if x.cause is Cause.SHORT:
        return ("Notifiez l'accord-cadre au(x) titulaire(s) retenu(s), ou déclarez le lot "
                "sans suite et relancez-le avec ses besoins (feuille Besoins)." + redrawn)
    if x.cause is Cause.NO_BID:
        return ("Relancez-le seul : marché sans publicité, ou nouvelle consultation (les "
                "organismes ont-ils eu connaissance de l'avis ? le prix est-il réaliste ?)."
                + redrawn)
    return "Relancez une consultation : les candidats ont atteint leur plafond de lots." + (
        redrawn)


def reserved_of(closeout: Closeout, reserved: dict[str, str]) -> set[str]:
    """Folded numbers of every lot a relaunch must never reuse: this award's and earlier."""
    return {fold(x.lot) for x in closeout.awarded} | set(reserved)


DECP_SHEET = "Données essentielles"  # the DECP preview the ribbon writes
DECP_COLUMNS = [
    Column("Identifiant"), Column("Objet", wrap=True), Column("Code CPV"),
    Column("Procédure"), Column("Lieu d'exécution"), Column("Durée (mois)", FMT_INT),
    Column("Date de notification"), Column("Montant maximum (€ HT)", FMT_EUR),
    Column("Offres reçues", FMT_INT), Column("Titulaires (SIRET)", wrap=True),
    Column("Considérations sociales", wrap=True),
    Column("Considérations environnementales", wrap=True),
]


def decp_sheet(records: dict[str, Any]) -> Sheet:
    """The DECP preview (`decp.json`'s records, one row per awarded lot): id, object, CPV,
    procedure, département, term in months, notification date (JJ/MM/AAAA text), maximum
    € HT, tenders received, holders' SIRETs, the social and environmental considerations."""
    rows = []
    for m in records["marches"]["marche"]:
        y, mo, d = m["dateNotification"].split("-")
        rows.append([
            m["id"], m["objet"], m["codeCPV"], m["procedure"], m["lieuExecution"]["code"],
            m["dureeMois"], f"{d}/{mo}/{y}", m["montant"], m["offresRecues"],
            ", ".join(t["titulaire"]["id"] for t in m["titulaires"]),
            ", ".join(m["considerationsSociales"]["considerationSociale"]),
            ", ".join(m["considerationsEnvironnementales"]["considerationEnvironnementale"])])
    return Sheet(DECP_SHEET, [Block("T_DECP", DECP_COLUMNS, rows, top=True)], [],
                 freeze=(2, 2))

