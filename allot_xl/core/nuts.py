"""The département -> NUTS 3 table: one table of facts, read by every place of performance
(eForms BT-5071, the buyer's BT-507) and checked against the eForms codelist.

Source: Eurostat, NUTS 2021 classification (Commission Delegated Regulation (EU)
2019/1755, in force from 1 January 2021), as published in the eForms SDK 1.15.1 codelist
`nuts-fra-lvl3` (`codelists/nuts_nuts-fra-lvl3.gc`); département codes of the INSEE
Code officiel géographique. Each French département is one NUTS 3 region; the Rhône
(69) includes the Métropole de Lyon (`69D`/`69M` in some files). Saint-Pierre-et-Miquelon
(975) and the other overseas collectivities are outside the EU and have no NUTS code.
"""

from __future__ import annotations

# (INSEE département code, NUTS 2021 level-3 code, name as in the codelist)
DEPARTEMENTS: tuple[tuple[str, str, str], ...] = (
    ("01", "FRK21", "Ain"),
    ("02", "FRE21", "Aisne"),
    ("03", "FRK11", "Allier"),
    ("04", "FRL01", "Alpes-de-Haute-Provence"),
    ("05", "FRL02", "Hautes-Alpes"),
    ("06", "FRL03", "Alpes-Maritimes"),
    ("07", "FRK22", "Ardèche"),
    ("08", "FRF21", "Ardennes"),
    ("09", "FRJ21", "Ariège"),
    ("10", "FRF22", "Aube"),
    ("11", "FRJ11", "Aude"),
    ("12", "FRJ22", "Aveyron"),
    ("13", "FRL04", "Bouches-du-Rhône"),
    ("14", "FRD11", "Calvados"),
    ("15", "FRK12", "Cantal"),
    ("16", "FRI31", "Charente"),
    ("17", "FRI32", "Charente-Maritime"),
    ("18", "FRB01", "Cher"),
    ("19", "FRI21", "Corrèze"),
    ("2A", "FRM01", "Corse-du-Sud"),
    ("2B", "FRM02", "Haute-Corse"),
    ("21", "FRC11", "Côte-d’Or"),
    ("22", "FRH01", "Côtes-d’Armor"),
    ("23", "FRI22", "Creuse"),
    ("24", "FRI11", "Dordogne"),
    ("25", "FRC21", "Doubs"),
    ("26", "FRK23", "Drôme"),
    ("27", "FRD21", "Eure"),
    ("28", "FRB02", "Eure-et-Loir"),
    ("29", "FRH02", "Finistère"),
    ("30", "FRJ12", "Gard"),
    ("31", "FRJ23", "Haute-Garonne"),
    ("32", "FRJ24", "Gers"),
    ("33", "FRI12", "Gironde"),
    ("34", "FRJ13", "Hérault"),
    ("35", "FRH03", "Ille-et-Vilaine"),
    ("36", "FRB03", "Indre"),
    ("37", "FRB04", "Indre-et-Loire"),
    ("38", "FRK24", "Isère"),
    ("39", "FRC22", "Jura"),
    ("40", "FRI13", "Landes"),
    ("41", "FRB05", "Loir-et-Cher"),
    ("42", "FRK25", "Loire"),
    ("43", "FRK13", "Haute-Loire"),
    ("44", "FRG01", "Loire-Atlantique"),
    ("45", "FRB06", "Loiret"),
    ("46", "FRJ25", "Lot"),
    ("47", "FRI14", "Lot-et-Garonne"),
    ("48", "FRJ14", "Lozère"),
    ("49", "FRG02", "Maine-et-Loire"),
    ("50", "FRD12", "Manche"),
    ("51", "FRF23", "Marne"),
    ("52", "FRF24", "Haute-Marne"),
    ("53", "FRG03", "Mayenne"),
    ("54", "FRF31", "Meurthe-et-Moselle"),
    ("55", "FRF32", "Meuse"),
    ("56", "FRH04", "Morbihan"),
    ("57", "FRF33", "Moselle"),
    ("58", "FRC12", "Nièvre"),
    ("59", "FRE11", "Nord"),
    ("60", "FRE22", "Oise"),
    ("61", "FRD13", "Orne"),
    ("62", "FRE12", "Pas-de-Calais"),
    ("63", "FRK14", "Puy-de-Dôme"),
    ("64", "FRI15", "Pyrénées-Atlantiques"),
    ("65", "FRJ26", "Hautes-Pyrénées"),
    ("66", "FRJ15", "Pyrénées-Orientales"),
    ("67", "FRF11", "Bas-Rhin"),
    ("68", "FRF12", "Haut-Rhin"),
    ("69", "FRK26", "Rhône"),
    ("70", "FRC23", "Haute-Saône"),
    ("71", "FRC13", "Saône-et-Loire"),
    ("72", "FRG04", "Sarthe"),
    ("73", "FRK27", "Savoie"),
    ("74", "FRK28", "Haute-Savoie"),
    ("75", "FR101", "Paris"),
    ("76", "FRD22", "Seine-Maritime"),
    ("77", "FR102", "Seine-et-Marne"),
    ("78", "FR103", "Yvelines"),
    ("79", "FRI33", "Deux-Sèvres"),
    ("80", "FRE23", "Somme"),
    ("81", "FRJ27", "Tarn"),
    ("82", "FRJ28", "Tarn-et-Garonne"),
    ("83", "FRL05", "Var"),
    ("84", "FRL06", "Vaucluse"),
    ("85", "FRG05", "Vendée"),
    ("86", "FRI34", "Vienne"),
    ("87", "FRI23", "Haute-Vienne"),
    ("88", "FRF34", "Vosges"),
    ("89", "FRC14", "Yonne"),
    ("90", "FRC24", "Territoire de Belfort"),
    ("91", "FR104", "Essonne"),
    ("92", "FR105", "Hauts-de-Seine"),
    ("93", "FR106", "Seine-Saint-Denis"),
    ("94", "FR107", "Val-de-Marne"),
    ("95", "FR108", "Val-d’Oise"),
    ("971", "FRY10", "Guadeloupe"),
    ("972", "FRY20", "Martinique"),
    ("973", "FRY30", "Guyane"),
    ("974", "FRY40", "La Réunion"),
    ("976", "FRY50", "Mayotte"),
)

NUTS3: dict[str, str] = {code: nuts for code, nuts, _ in DEPARTEMENTS}
NAMES: dict[str, str] = {code: name for code, _, name in DEPARTEMENTS}
_ALIASES = {"69D": "69", "69M": "69", "20A": "2A", "20B": "2B"}


def departement_code(value: object) -> str:
    """A département code as INSEE writes it, from what a cell may hold: `1`, `1.0`,
    `"1"`, `" 01 "` -> `"01"`; `"2a"` -> `"2A"`; `974` -> `"974"`. Returns the text
    stripped and upper-cased when it is not a number (it may not be a code at all)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) < 2:
        text = text.zfill(2)
    return _ALIASES.get(text, text)


def nuts3(departement: object) -> str | None:
    """The NUTS 3 code (2021) of a département (`"01"` -> `"FRK21"`), None when the code is
    not a French département of the EU (a typo, 975)."""
    return NUTS3.get(departement_code(departement))
