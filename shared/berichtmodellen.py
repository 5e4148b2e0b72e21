"""Typed (pydantic v2) models for every 3.2 message type, generated from the level-1 structure tables.

One source of truth: the tables in shared.structuur / shared.structuur_overig define element order, cardinality and
types; the models mirror them (field = element name as in the standard, optional elements default to None, repeated
elements are lists), so reading, validating, modelling and writing can never disagree. The hand-written models in
shared.models stay as the business view of the 301/323/325 that assessment and the ledger use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from .codec import _STRUCTURES, read_bericht, validate_structure, write_bericht
from .structuur import E

_PRIVATE = {"Bsn"}  # personal data: never in a repr (and so never in a log line by accident)


class BerichtDeel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _annotation(e: E, prefix: str) -> Any:
    if isinstance(e.type, tuple):
        inner: Any = _model(f"{prefix}_{e.name}", e.type)
    else:
        simple = next(iter(e.type.values())) if isinstance(e.type, dict) else e.type
        inner = simple.pytype
    return list[inner] if e.repeated else inner


def _model(name: str, spec: tuple[E, ...]) -> type[BerichtDeel]:
    fields: dict[str, Any] = {}
    for e in spec:
        annotation = _annotation(e, name)
        repr_ = e.name not in _PRIVATE
        if e.repeated:
            default = Field(default_factory=list, repr=repr_) if e.min == 0 else Field(..., repr=repr_)
        elif e.min == 0:
            annotation, default = Optional[annotation], Field(None, repr=repr_)
        else:
            default = Field(..., repr=repr_)
        fields[e.name] = (annotation, default)
    return create_model(name, __base__=BerichtDeel, **fields)


@cache
def model(berichttype: str) -> type[BerichtDeel]:
    """The model of a message type's Bericht element, e.g. model("305")."""
    return _model(f"Bericht{berichttype}", _STRUCTURES[berichttype])


@dataclass(frozen=True)
class GelezenBericht:
    domein: str
    berichttype: str
    bericht: BerichtDeel


def lees(data: bytes) -> GelezenBericht:
    """Parse, check level 1 and model any 3.2 message. Raises codec.ParseError listing every problem."""
    domein, berichttype, root = read_bericht(data)
    values = validate_structure(root, domein, berichttype)
    return GelezenBericht(domein, berichttype, model(berichttype).model_validate(values))


def schrijf(domein: str, berichttype: str, bericht: BerichtDeel) -> bytes:
    return write_bericht(domein, berichttype, bericht.model_dump(exclude_none=True))
