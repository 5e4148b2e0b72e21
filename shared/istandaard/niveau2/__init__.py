"""Control level 2: the in-message rules (CD, CS and TR) the official stylesheet of the release checks, as own
Python code, one function per rule id. declaratie.py holds the 323's (on the domain model, the hot path);
berichten.py every other message kind's (on the values the reader returns). A failure rejects the whole message:
a 325 with 0001 for a 323, a retour with 0001 for a provider's 305/307/315/317, a refusal at the door for a
municipality's 301/319 and a provider's 302/320; in a message we made, a bug that keeps it from being sent.

The official stylesheet is the oracle (tests/istandaard/test_differential_xslt.py): on seeded mutations of valid
messages of every kind, the set of rule ids reported here must be the stylesheet's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ...models import Domein
from ..problemen import Problem, begrensd
from ..release import Berichtsoort
from .berichten import regels
from .declaratie import REGELS_323, niveau2_323
from .gedeeld import Bericht


def niveau2(soort: Berichtsoort, values: dict[str, Any]) -> list[Problem]:
    """Every level-2 problem of one message that passed level 1, in the order of the rules."""
    if soort.berichttype == "323":
        from ..lezen import declaratiebericht_van_waarden

        return niveau2_323(declaratiebericht_van_waarden(values, cast(Domein, soort.domein)))
    b = Bericht(soort.domein, soort.berichttype, values)
    return begrensd([fout for rule in regels(soort.domein, soort.berichttype) for fout in rule(b)])


def regel_id(rule: Callable) -> str:
    """The rule id a rule function is named by: cd041_omvang_bij_productcode → CD041."""
    return rule.__name__.split("_", 1)[0].upper()


def regel_ids(domein: str, berichttype: str) -> set[str]:
    """The rule ids checked for one message kind."""
    funcs = REGELS_323 if berichttype == "323" else regels(domein, berichttype)
    return {regel_id(f) for f in funcs}


__all__ = ["REGELS_323", "niveau2", "niveau2_323", "regel_id", "regel_ids"]
