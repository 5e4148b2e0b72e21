"""Deadlines of the standard in Dutch working days (pure: no I/O). Reference: ijw-iwmo-3.2 §7.7.

Decision (the standard does not define it): "within N working days after receipt": the day of receipt does not
count (a message received on a non-working day counts from the next working day); the obligation is due at the end
of the N-th working day after it (Dutch time). Working days themselves: `shared.kalender`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from shared.kalender import nederlandse_datum, werkdagen_na, werkdagen_tussen


class Soort(StrEnum):
    """What must be sent, and by whom (§7.7)."""

    ANTWOORD_325 = "325"  # municipality answers a 323: 10 working days (OP090x4)
    RETOUR = "retour"  # 302/306/308/316/318/320 to any heen message: 3 working days (OP090)
    TOEWIJZING_OF_319 = "301_of_319"  # municipality answers a 315/317: 5 working days (OP274, OP346)


WERKDAGEN = {Soort.ANTWOORD_325: 10, Soort.RETOUR: 3, Soort.TOEWIJZING_OF_319: 5}


def uiterlijk(soort: Soort, ontvangen_at: dt.datetime) -> dt.date:
    """The last day (Dutch date) on which the obligation from a message received at `ontvangen_at` is met in time."""
    return werkdagen_na(nederlandse_datum(ontvangen_at), WERKDAGEN[soort])


class Stand(StrEnum):
    VERVULD = "vervuld"  # met in time
    TE_LAAT_VERVULD = "te_laat_vervuld"
    OP_TIJD = "op_tijd"
    BIJNA_VERLOPEN = "bijna_verlopen"  # due today or on the next working day
    VERLOPEN = "verlopen"


@dataclass(frozen=True)
class Verplichting:
    soort: Soort
    uiterlijk: dt.date
    vervuld_op: dt.date | None = None

    def stand(self, vandaag: dt.date) -> Stand:
        if self.vervuld_op is not None:
            return Stand.VERVULD if self.vervuld_op <= self.uiterlijk else Stand.TE_LAAT_VERVULD
        if vandaag > self.uiterlijk:
            return Stand.VERLOPEN
        return Stand.BIJNA_VERLOPEN if werkdagen_tussen(vandaag, self.uiterlijk) <= 1 else Stand.OP_TIJD
