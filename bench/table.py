"""One row of the figures table that ``make bench`` prints, and the table itself.

Every bench script returns its figures as rows (``rows(quick=...)``) so that ``python -m bench`` can put them
side by side in one table measured in one run. A row compares our figure with a reference measured in
the same run (the machine is noisy: the ratio is what counts, never an absolute time) and says whether the
aim is met. A row without an aim is printed for information (the 5,000-action start-up, for instance).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """``key`` names the row for the driver and its test; the rest is what the table prints (in French)."""

    key: str
    what: str
    ours: str
    reference: str
    ratio: float
    aim: float | None = None  # the ratio the issue asks for
    at_least: bool = False  # the aim is a floor (throughput), not a ceiling

    @property
    def met(self) -> bool | None:
        if self.aim is None:
            return None
        return self.ratio >= self.aim if self.at_least else self.ratio <= self.aim

    def cells(self) -> list[str]:
        aim = "—" if self.aim is None else f"{'≥' if self.at_least else '≤'} {number(self.aim)}"
        met = {None: "—", True: "atteint", False: "**non atteint**"}[self.met]
        return [self.what, self.ours, self.reference, number(self.ratio), aim, met]


HEADER = ["mesure", "Arobase", "référence (même passage)", "rapport", "objectif", "résultat"]


def number(value: float, digits: int = 2) -> str:
    """French decimal comma: 1,34."""
    return f"{value:.{digits}f}".replace(".", ",")


def markdown(rows: list[Row]) -> str:
    """The table in Markdown, ready to paste in README's « Chiffres »."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)
