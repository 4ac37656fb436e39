"""From the sheets of a workbook (grids, whichever route read them) to `Inputs` and a `Report`."""

from __future__ import annotations

import re

import pandas as pd

from ..core import contract as C
from ..core.model import Inputs
from ..core.problems import Report, StructuralError
from .checks import report_invisible
from .closeout import free_imposed, read_awarded
from .dce import check_buyer, read_criteres
from .grid import SheetGrid, find_sheet, fingerprint, paused_gc, read_table
from .needs import (
    read_needs,
    read_offers,
    read_previous_journal,
    read_previous_lots,
    read_referentiel,
)
from .orders import read_orders, read_previous_maxima
from .validation import read_params, read_rules, read_zones, report_totals, required_table

JOURNAL_COLUMNS = ["Horodatage", "Version", "Empreinte des entrées", "Besoins reçus",
                   "Besoins allotis", "Lots", "Erreurs", "Avertissements", "Lancé depuis",
                   "Utilisateur", "Fichier", "Scénario"]
# `Scénario`: the scenario whose rules the run applied (empty: `Règles`), as a value of its
# own, so that a later run reads it back without parsing the `Lancé depuis` sentence

# sheets a route must hand to read_inputs (the outputs Lots and Journal are read back too)
SHEETS_READ = (*C.INPUT_SHEETS, C.LOTS, C.JOURNAL, C.SCENARIOS,  # Scénarios: scenarios only
               C.COMMANDES)  # Commandes: the orders followed (issue 25)


def wanted_sheets(names: list[str]) -> list[str]:
    """The titles among `names` that read_inputs uses."""
    return [n for n in names if any(C.fold(n) == C.fold(s) for s in SHEETS_READ)]


# the names Excel (`Besoins (2)`), LibreOffice (`Besoins_2`) and Google Sheets (`Copie de
# Besoins`) give a copied sheet, and the usual hand-made ones (`Besoins - copie`)
_COPY = re.compile(r"^(?:copie de |copy of )?(.+?)(?:\s*\(\d+\)|_\d+|\s*-\s*cop(?:ie|y)"
                   r"(?:\s*\(\d+\))?)?$", re.IGNORECASE)


def copy_of(name: str) -> str | None:
    """The input sheet `name` is a copy of (`Besoins (2)` -> `Besoins`), or None."""
    m = _COPY.match(name.strip())
    if m is None or m.group(0) == m.group(1):
        return None
    base = C.fold(m.group(1))
    return next((s for s in C.INPUT_SHEETS if C.fold(s) == base), None)


def check_sheets(grids: dict[str, SheetGrid], report: Report) -> None:
    """Hidden input sheets and copies of them (`Besoins (2)`): a hidden sheet read is said
    (Avertissement), so is a visible copy that is not read; a hidden input sheet beside a
    visible copy stops the run, asking which one to read (never a silent guess)."""
    for kind in C.INPUT_SHEETS:
        title = find_sheet(list(grids), kind)
        copies = [g.name for g in grids.values() if not g.hidden and copy_of(g.name) == kind]
        if title is None:
            if copies:
                raise StructuralError(
                    f"La feuille « {kind} » est absente du classeur, mais « {copies[0]} » en "
                    f"a le nom d'une copie : renommez-la « {kind} » si c'est elle qu'il faut "
                    f"lire, puis relancez.")
            continue
        hidden = grids[title].hidden
        if hidden and copies:
            names = " et ".join(f"« {c} »" for c in copies)
            raise StructuralError(
                f"La feuille « {title} » est masquée et {names} en est une copie visible : "
                f"allot_xl ne devine pas laquelle lire. Nommez « {kind} » celle qui fait "
                f"foi et renommez l'autre (par exemple « {kind} ancien »), ou supprimez-la, "
                f"puis relancez.")
        if hidden:
            report.add("feuille-masquee", title, None, "", "", feuille=title)
        for c in copies:
            report.add("copie-de-feuille", c, None, "", "", feuille=c, originale=title,
                       nom=kind)


def read_inputs(grids: dict[str, SheetGrid], campaign: str = "") -> tuple[Inputs, Report]:
    """Validate the input sheets. Raises StructuralError when the run cannot go on."""
    with paused_gc():
        return _read_inputs(grids, campaign)


def _read_inputs(grids: dict[str, SheetGrid], campaign: str) -> tuple[Inputs, Report]:
    report = Report()
    check_sheets(grids, report)
    names = list(grids)
    zones_t = required_table(grids, C.ZONES)
    rules_t = required_table(grids, C.REGLES)
    needs_t = required_table(grids, C.BESOINS)
    if "Places" not in needs_t.columns and "Heures" not in needs_t.columns:
        raise StructuralError(
            f"Feuille « {needs_t.sheet} » : ni colonne « Places » ni colonne « Heures » "
            f"(en-têtes en ligne {needs_t.header_row}) : ajoutez au moins l'une des deux.")
    for t in (zones_t, rules_t, needs_t):
        report_totals(t, report)
        report_invisible(t, report)
    zones = read_zones(zones_t, report)
    if not zones:
        raise StructuralError(f"Feuille « {zones_t.sheet} » : aucune zone valide.")
    rules = read_rules(rules_t, report)
    p_title = find_sheet(names, C.PARAMETRES)
    params_t = read_table(grids[p_title], C.PARAMETRES) if p_title else None
    if params_t is not None and params_t.header_row == 0:
        report.add("parametres-illisibles", params_t.sheet, None, "", "")
        params_t = None
    params = check_buyer(read_params(params_t, report), report)
    lots_title = find_sheet(names, C.LOTS)
    prev_by_cle, prev_by_num, prev_cles = read_previous_lots(
        grids[lots_title] if lots_title else None)
    needs, received = read_needs(needs_t, zones, rules, prev_by_num, report)
    a_title = find_sheet(names, C.LOTS_ATTRIBUES)
    reserved = read_awarded(grids[a_title], report) if a_title else {}
    needs = free_imposed(needs, reserved, needs_t.sheet, needs_t.header("Lot imposé"), report)
    offers, offers_headers = None, {}
    o_title = find_sheet(names, C.OFFRES)
    if o_title:
        offers_t = read_table(grids[o_title], C.OFFRES)
        if offers_t.header_row == 0 or offers_t.missing:
            missing = ", ".join(f"« {m} »" for m in offers_t.missing)
            raise StructuralError(f"Feuille « {o_title} » : colonne(s) obligatoire(s) "
                                  f"absente(s) : {missing}.")
        report_totals(offers_t, report)
        report_invisible(offers_t, report)
        offers, offers_headers = read_offers(offers_t, report), offers_t.headers
        if offers.empty and not offers_t.rows:
            offers = None  # an empty Offres sheet (the template's) means "no bids yet"
    referentiel = None
    r_title = find_sheet(names, C.REFERENTIEL)
    if r_title:
        ref_t = read_table(grids[r_title], C.REFERENTIEL)
        if ref_t.header_row and ("Code ROME" in ref_t.columns or "Métier" in ref_t.columns):
            report_totals(ref_t, report)
            referentiel = read_referentiel(ref_t, report)
        else:
            raise StructuralError(f"Feuille « {r_title} » : colonnes « Code ROME » ou "
                                  f"« Métier », et « Heures par place » ou « Taux horaire (€) »"
                                  f" introuvables dans les 10 premières lignes.")
    terms, c_title = None, find_sheet(names, C.CRITERES)
    if c_title:
        crit_t = required_table(grids, C.CRITERES)
        report_totals(crit_t, report)
        terms = read_criteres(crit_t, rules, report)
    orders, orders_title, orders_headers = _orders(grids, report)
    j_title = find_sheet(names, C.JOURNAL)
    journal = read_previous_journal(grids[j_title] if j_title else None, JOURNAL_COLUMNS)
    inputs_grids = [grids[n] for n in names
                    if any(C.fold(n) == C.fold(s) for s in C.INPUT_SHEETS)]
    inputs = Inputs(
        zones=zones, rules=rules, params=params, needs=needs, needs_received=received,
        offers=offers, previous_lots=prev_by_cle,
        **({"referentiel": referentiel} if referentiel is not None else {}),
        previous_numbers=prev_by_num,
        previous_cles=prev_cles, reserved_lots=reserved,
        previous_journal=journal, fingerprint=fingerprint(inputs_grids),
        campaign=params.campagne or campaign, offers_sheet=o_title or C.OFFRES,
        offers_headers=offers_headers, besoins_sheet=needs_t.sheet,
        besoins_headers=needs_t.headers, regles_sheet=rules_t.sheet,
        regles_headers=rules_t.headers, terms=terms, criteres_sheet=c_title or C.CRITERES,
        orders=orders, orders_sheet=orders_title,
        orders_headers=orders_headers,
        previous_maxima=read_previous_maxima(grids[lots_title]) if lots_title and orders
        is not None else {})
    return inputs, report


def _orders(grids: dict[str, SheetGrid], report: Report
            ) -> tuple[pd.DataFrame | None, str, dict[str, str]]:
    """The orders of `Commandes` (None when the sheet is absent or has no row), its title
    as written ("" when absent) and its headers. StructuralError when a required column is
    missing."""
    title = find_sheet(list(grids), C.COMMANDES)
    if title is None:
        return None, "", {}
    t = read_table(grids[title], C.COMMANDES)
    if t.header_row == 0 or t.missing:
        missing = ", ".join(f"« {m} »" for m in (t.missing or C.HEADER_KEYS[C.COMMANDES]))
        raise StructuralError(f"Feuille « {title} » : colonne(s) obligatoire(s) "
                              f"absente(s) : {missing}.")
    if not t.rows:
        return None, title, t.headers
    report_totals(t, report)
    report_invisible(t, report)
    return read_orders(t, report), title, t.headers
