"""Numbers written the French way in messages and titles: one place decides the format.

`nombre(16000)` -> `16 000`, `nombre(62.8125, 2)` -> `62,81`, `euros(80000)` ->
`80 000 €`, `pct(20)` -> `20 %` (thousands separated by a no-break space)."""

from __future__ import annotations

NBSP = "\u00a0"


def nombre(x: float | int, decimals: int | None = None) -> str:
    """`x` with a decimal comma and no-break-space thousands; `decimals=None` shows a whole
    number without decimals and otherwise at most two, trailing zeros dropped."""
    x = float(x)
    if decimals is None:
        decimals = 0 if x.is_integer() else 2
        text = f"{x:,.{decimals}f}"
        if decimals:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{x:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def euros(x: float | int) -> str:
    """An amount in euros: `80 000 €`, `1 234,5 €`."""
    return f"{nombre(x)}{NBSP}€"


def pct(x: float | int) -> str:
    """A percentage given in points: `20 %`, `62,81 %`."""
    return f"{nombre(x)}{NBSP}%"


def heures(x: float | int) -> str:
    """A volume of hours: `16 000 h`."""
    return f"{nombre(x)}{NBSP}h"


def compte(k: float | int, one: str, many: str | None = None) -> str:
    """`k` and its noun, singular for 0 and 1 as French has it: `1 lot`, `0 erreur`,
    `3 lots`, `2 besoins seuls` (`many` when the plural is not `one` + s)."""
    return f"{nombre(k)} {one if abs(k) < 2 else (many or one + 's')}"


def rule_value(v: object) -> str:
    """A rule value in words: `Zone + Domaine`, `oui`, `7 200`, `sans maximum`."""
    if v is None:
        return "sans maximum"
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, tuple):
        return " + ".join(v)
    if isinstance(v, float):
        return nombre(v)
    return str(v)
