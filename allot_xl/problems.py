"""Problems found in a workbook are values (`Problem`); exceptions only stop a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERREUR, AVERTISSEMENT, INFO = "Erreur", "Avertissement", "Info"
_SEVERITY_ORDER = {ERREUR: 0, AVERTISSEMENT: 1, INFO: 2}


@dataclass(frozen=True)
class Problem:
    """One line of `Contrôles`: a stable code, a severity and a French message.

    `row` is the Excel row number (header = its own row), `column` the header as
    written in the sheet."""

    code: str
    severity: str
    sheet: str
    row: int | None
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", ligne {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{self.severity} ({where}) : {self.message}"


@dataclass
class Report:
    """Every problem of one run, in the order found."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, code: str, severity: str, sheet: str, row: int | None, column: str,
            value: Any, message: str) -> None:
        self.problems.append(Problem(code, severity, sheet, row, column, value, message))

    def error(self, code: str, sheet: str, row: int | None, column: str, value: Any,
              message: str) -> None:
        self.add(code, ERREUR, sheet, row, column, value, message)

    def warning(self, code: str, sheet: str, row: int | None, column: str, value: Any,
                message: str) -> None:
        self.add(code, AVERTISSEMENT, sheet, row, column, value, message)

    def info(self, code: str, sheet: str, row: int | None, column: str, value: Any,
             message: str) -> None:
        self.add(code, INFO, sheet, row, column, value, message)

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(ERREUR) > 0

    def sorted(self) -> list[Problem]:
        """Errors first, then warnings, then infos; within each, the order found."""
        return sorted(self.problems, key=lambda p: _SEVERITY_ORDER.get(p.severity, 3))


# --------------------------------------------------------------------------- exceptions


class AllotError(Exception):
    """A run cannot go on; the message is one French sentence for the buyer."""


class StructuralError(AllotError):
    """The workbook lacks a required sheet, column or readable rule."""


class UnreadableFile(AllotError):
    """The file is not an Excel workbook allot_xl can read (format, encryption, damage)."""


class WriteError(AllotError):
    """The output could not be written (disk full, permission, file open elsewhere)."""


class StaleOutputs(AllotError):
    """The output sheets no longer match the input sheets."""
