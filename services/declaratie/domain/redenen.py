"""A readable reason for a RetourCode: rule, field, value found, value expected, in Dutch and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reden:
    retourcode: str
    regel: str
    veld: str
    gevonden: str
    verwacht: str
    nl: str
    en: str

    def tekst(self) -> str:
        return (f"{self.regel} ({self.retourcode}) {self.veld}: {self.nl}; gevonden {self.gevonden}, verwacht "
                f"{self.verwacht} / {self.en}; found {self.gevonden}, expected {self.verwacht}")
