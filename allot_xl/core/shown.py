"""What a cell shows: dates and numbers padded with zeros as Excel in French shows them
under their number format, so that an identifier is written as the buyer sees it."""

from __future__ import annotations

import datetime as dt
import re

MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")
MOIS_COURTS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
               "oct.", "nov.", "déc.")
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
SHORT_DATE = "dd/mm/yyyy"  # Excel's short date in a French locale
_DATE_TOKEN = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|'
                         r"hh|h|ss|s|am/pm|a/p|.", re.IGNORECASE)


def date_text(value: dt.date | dt.datetime, code: str = SHORT_DATE) -> str:
    """A date as Excel in French shows it under the number format `code` (`dd-mmm` ->
    `01-mars`): days, months (French names), years, hours, minutes, seconds and literal
    text; the first section of the format only."""
    code = code.split(";")[0]
    tokens = [t for t in _DATE_TOKEN.findall(code)]
    low = [t.lower() for t in tokens]
    hour = getattr(value, "hour", 0)
    minute, second = getattr(value, "minute", 0), getattr(value, "second", 0)
    out = []
    for i, (t, k) in enumerate(zip(tokens, low, strict=True)):
        if t.startswith('"'):
            out.append(t[1:-1])
        elif t.startswith("\\"):
            out.append(t[1:])
        elif t.startswith("["):
            continue  # locale, colour or condition
        elif k == "yyyy":
            out.append(f"{value.year:04d}")
        elif k == "yy":
            out.append(f"{value.year % 100:02d}")
        elif k in ("m", "mm") and (_after(low, i, ("h", "hh")) or _before(low, i, ("s", "ss"))):
            out.append(f"{minute:0{len(k)}d}")
        elif k == "m":
            out.append(str(value.month))
        elif k == "mm":
            out.append(f"{value.month:02d}")
        elif k == "mmm":
            out.append(MOIS_COURTS[value.month - 1])
        elif k == "mmmm":
            out.append(MOIS[value.month - 1])
        elif k == "mmmmm":
            out.append(MOIS[value.month - 1][0])
        elif k == "d":
            out.append(str(value.day))
        elif k == "dd":
            out.append(f"{value.day:02d}")
        elif k == "ddd":
            out.append(JOURS[value.weekday()][:3] + ".")
        elif k == "dddd":
            out.append(JOURS[value.weekday()])
        elif k in ("h", "hh"):
            out.append(f"{hour:0{len(k)}d}")
        elif k in ("s", "ss"):
            out.append(f"{second:0{len(k)}d}")
        elif k in ("am/pm", "a/p"):
            continue
        else:
            out.append(t)
    return "".join(out).strip()


def _after(tokens: list[str], i: int, kinds: tuple[str, ...]) -> bool:
    prev = next((t for t in reversed(tokens[:i]) if t.isalpha() or "/" in t), "")
    return prev in kinds


def _before(tokens: list[str], i: int, kinds: tuple[str, ...]) -> bool:
    nxt = next((t for t in tokens[i + 1:] if t.isalpha()), "")
    return nxt in kinds


_FORMAT_TOKEN = re.compile(r'"[^"]*"|\\.|0+|.')
_LITERAL = frozenset(" -_/().:#")


def padded_zeros(code: str) -> int:
    """The number of digits a format of zeros pads to (`00000` -> 5, `"ID-"0000` -> 4), 0
    when `code` is not such a format (literal text and one run of zeros only)."""
    zeros = 0
    for t in _FORMAT_TOKEN.findall(code.split(";")[0]):
        if t[0] == "0":
            if zeros:
                return 0
            zeros = len(t)
        elif not (t[0] in '"\\' or t in _LITERAL):
            return 0
    return zeros if zeros > 1 else 0


def padded_text(x: float, code: str) -> str:
    """A whole number as a format of zeros shows it (`123` under `00000` -> `00123`)."""
    out = []
    for t in _FORMAT_TOKEN.findall(code.split(";")[0]):
        if t[0] == "0":
            out.append(str(int(x)).zfill(len(t)))
        elif t[0] == '"':
            out.append(t[1:-1])
        elif t[0] == "\\":
            out.append(t[1:])
        else:
            out.append(t)
    return "".join(out)
