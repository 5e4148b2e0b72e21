"""The region file: every region-specific fact (municipalities, providers, contracts, tokens) as data.

Tokens are stored as SHA-256 hashes only; a party authenticates with the plain token and we compare hashes
in constant time. Another region = another YAML file named by REGIO_CONFIG.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

Domein = Literal["jw", "wmo"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Voorganger(_Strict):
    """A municipality merged into this one (TR378): its CBS code stays valid in messages about allocations
    that started before the merger."""

    cbs: str = Field(pattern=r"^\d{4}$")
    naam: str
    opgeheven_per: dt.date


class Gemeente(_Strict):
    cbs: str = Field(pattern=r"^\d{4}$")
    naam: str
    inwoners: int = Field(ge=0)
    # Ingroeimodel: from this date the regional back office handles the municipality's traffic.
    aangesloten_per: dt.date
    token_sha256: list[str] = Field(default_factory=list)
    voorgangers: list[Voorganger] = Field(default_factory=list)
    # The account payment runs pay providers from (debtor of the pain.001); without it no run can be made.
    iban: str | None = Field(default=None, pattern=r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")


class Aanbieder(_Strict):
    agb: str = Field(pattern=r"^\d{8}$")
    naam: str
    iban: str = Field(pattern=r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
    token_sha256: list[str] = Field(default_factory=list)


class Tarief(_Strict):
    van: dt.date
    tot: dt.date | None = None  # inclusive; None = open-ended
    cent: int = Field(ge=0)


class ContractProduct(_Strict):
    categorie: str = Field(pattern=r"^\d{2}$")
    code: str = Field(min_length=1, max_length=5)
    omschrijving: str = ""
    eenheid: str = Field(pattern=r"^\d{2}$")
    # Eenheid 83 (euro's) has no tariff: the volume is the amount.
    tarieven: list[Tarief] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tariff_needed(self) -> ContractProduct:
        if self.eenheid != "83" and not self.tarieven:
            raise ValueError(f"product {self.code}: unit {self.eenheid} needs at least one tariff")
        return self

    def tarief_op(self, datum: dt.date) -> int | None:
        for t in self.tarieven:
            if t.van <= datum and (t.tot is None or datum <= t.tot):
                return t.cent
        return None


class Contract(_Strict):
    id: str
    aanbieder: str = Field(pattern=r"^\d{8}$")
    domein: Domein
    soort: Literal["regionaal", "lokaal"]
    gemeenten: list[str]
    geldig_van: dt.date
    geldig_tot: dt.date | None = None
    producten: list[ContractProduct]

    def geldig_op(self, datum: dt.date) -> bool:
        return self.geldig_van <= datum and (self.geldig_tot is None or datum <= self.geldig_tot)


class Budget(_Strict):
    """What a municipality has budgeted for a domain and product category in a year (cents)."""

    gemeente: str = Field(pattern=r"^\d{4}$")
    domein: Domein
    categorie: str = Field(pattern=r"^\d{2}$")
    jaar: int = Field(ge=2015, le=2100)
    cent: int = Field(ge=0)


class Bestedingsruimte(_Strict):
    """Maximale bestedingsruimte: the most a municipality pays a provider in a domain for care delivered in a year
    (cents). Approved lines beyond it are booked as withheld: approved, not payable."""

    gemeente: str = Field(pattern=r"^\d{4}$")
    aanbieder: str = Field(pattern=r"^\d{8}$")
    domein: Domein
    jaar: int = Field(ge=2015, le=2100)
    cent: int = Field(ge=0)


class Beleidsdoel(_Strict):
    """A policy target of the GR, shown to its controller beside this year's and last year's value.

    Only what facturatie can compute honestly from its own books (it never sees a BSN, so it cannot count clients):
    - `aandeel_regionaal`: share of the approved net expense booked under a regional contract (the rest: local
      contracts, or none found for the line) — the money going into regionally contracted care; at least the target.
    - `prognose_binnen_budget`: the year-end forecast of expense as a share of the budget; at most the target."""

    omschrijving: str = Field(min_length=1, max_length=200)
    soort: Literal["aandeel_regionaal", "prognose_binnen_budget"]
    domein: Domein | None = None  # None: both domains together
    doel_procent: float = Field(ge=0, le=1000)


class Controller(_Strict):
    """Finance and control of the region (the GR): reads every municipality's books, starts cost sharing."""

    naam: str
    token_sha256: list[str] = Field(default_factory=list)


class Regio(_Strict):
    code: str
    naam: str
    gemeenten: list[Gemeente]
    aanbieders: list[Aanbieder]
    contracten: list[Contract]
    controllers: list[Controller] = Field(default_factory=list)
    budgetten: list[Budget] = Field(default_factory=list)
    bestedingsruimtes: list[Bestedingsruimte] = Field(default_factory=list)
    beleidsdoelen: list[Beleidsdoel] = Field(default_factory=list)
    # How long the gateway keeps every message in and out, byte-exact (Archiefwet practice for the social domain).
    archief_bewaartermijn_jaren: int = Field(default=7, ge=1, le=100)
    # Contracts per (AGB, domain): every declaration line looks its contract up, and a region has hundreds.
    _contracten_van: dict[tuple[str, str], list[Contract]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context) -> None:
        for c in self.contracten:
            self._contracten_van.setdefault((c.aanbieder, c.domein), []).append(c)

    @model_validator(mode="after")
    def _references(self) -> Regio:
        cbs = {g.cbs for g in self.gemeenten}
        voorgangers = [v.cbs for g in self.gemeenten for v in g.voorgangers]
        if cbs & set(voorgangers) or len(voorgangers) != len(set(voorgangers)):
            raise ValueError("a predecessor's CBS code is used twice or is also a current municipality's code")
        agb = {a.agb for a in self.aanbieders}
        for c in self.contracten:
            if c.aanbieder not in agb:
                raise ValueError(f"contract {c.id}: unknown provider AGB {c.aanbieder}")
            unknown = set(c.gemeenten) - cbs
            if unknown:
                raise ValueError(f"contract {c.id}: unknown municipalities {sorted(unknown)}")
        sleutels = [(b.gemeente, b.domein, b.categorie, b.jaar) for b in self.budgetten]
        onbekend = {b.gemeente for b in self.budgetten} - cbs
        if onbekend:
            raise ValueError(f"budget for unknown municipalities {sorted(onbekend)}")
        if len(sleutels) != len(set(sleutels)):
            raise ValueError("a budget (municipality, domain, category, year) is given twice")
        plafonds = [(b.gemeente, b.domein, b.aanbieder, b.jaar) for b in self.bestedingsruimtes]
        if {b.gemeente for b in self.bestedingsruimtes} - cbs or {b.aanbieder for b in self.bestedingsruimtes} - agb:
            raise ValueError("a spending ceiling names an unknown municipality or provider")
        if len(plafonds) != len(set(plafonds)):
            raise ValueError("a spending ceiling (municipality, provider, domain, year) is given twice")
        return self

    def plafonds(self) -> dict[tuple[str, str, str, int], int]:
        """Spending ceilings keyed (municipality, domain, provider, year), as the ledger looks them up."""
        return {(b.gemeente, b.domein, b.aanbieder, b.jaar): b.cent for b in self.bestedingsruimtes}

    def gemeente(self, cbs: str) -> Gemeente | None:
        """The municipality with this CBS code, or the successor of a merged municipality's code."""
        return next((g for g in self.gemeenten if g.cbs == cbs or any(v.cbs == cbs for v in g.voorgangers)), None)

    def huidige_code(self, cbs: str) -> str:
        """The code registers and ledgers are kept under: a predecessor's code maps to its successor."""
        g = self.gemeente(cbs)
        return g.cbs if g is not None else cbs

    def opgeheven_per(self, cbs: str) -> dt.date | None:
        """The merger date when cbs is a predecessor's code, else None."""
        return next((v.opgeheven_per for g in self.gemeenten for v in g.voorgangers if v.cbs == cbs), None)

    def aanbieder(self, agb: str) -> Aanbieder | None:
        return next((a for a in self.aanbieders if a.agb == agb), None)

    def authenticate(self, token: str) -> tuple[Literal["aanbieder", "gemeente", "regio"], str] | None:
        """Return (party kind, AGB or CBS code, or the region's code for a controller) for a valid token."""
        digest = hash_token(token)
        found: tuple[Literal["aanbieder", "gemeente", "regio"], str] | None = None
        for a in self.aanbieders:
            if any(hmac.compare_digest(digest, h) for h in a.token_sha256):
                found = ("aanbieder", a.agb)
        for g in self.gemeenten:
            if any(hmac.compare_digest(digest, h) for h in g.token_sha256):
                found = ("gemeente", g.cbs)
        for c in self.controllers:
            if any(hmac.compare_digest(digest, h) for h in c.token_sha256):
                found = ("regio", self.code)
        return found

    def contractproduct(
        self, agb: str, domein: str, cbs: str, code: str, datum: dt.date
    ) -> tuple[Contract, ContractProduct] | None:
        """The contract line valid for this provider, municipality and product on a date.

        A local contract for the municipality wins over the regional one ("lokaal én regionaal").
        """
        best = None
        for c in self._contracten_van.get((agb, domein), ()):
            if cbs not in c.gemeenten or not c.geldig_op(datum):
                continue
            for p in c.producten:
                if p.code == code and (best is None or (c.soort == "lokaal" and best[0].soort != "lokaal")):
                    best = (c, p)
        return best


class RegioFileError(ValueError):
    pass


def load_regio(path: str | Path) -> Regio:
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegioFileError(f"region file {p} not found: set REGIO_CONFIG to a region YAML file") from exc
    except yaml.YAMLError as exc:
        raise RegioFileError(f"region file {p} is not valid YAML: {exc}") from exc
    try:
        return Regio.model_validate(data)
    except ValueError as exc:
        raise RegioFileError(f"region file {p} is invalid: {exc}") from exc



