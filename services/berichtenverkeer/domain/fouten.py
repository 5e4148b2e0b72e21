"""Why the gateway refuses a request (pure). Nothing refused is stored or published; `body` says why to the party
that asked (an error, usually a hint, sometimes problems or ids). Which HTTP status each kind becomes is the HTTP
entrypoint's business, not the domain's."""

from __future__ import annotations

from typing import Any


class Geweigerd(Exception):
    """The request is refused before anything is stored or published."""

    def __init__(self, body: dict[str, Any]):
        super().__init__(body.get("error", ""))
        self.body = body


class NietLeesbaar(Geweigerd):
    """Not a valid iJw/iWmo 3.2 message (control level 1)."""


class NietBevoegd(Geweigerd):
    """This party may not submit this message, or not as the party its header names."""


class NietGevonden(Geweigerd):
    """No such message for this party (someone else's is reported as absent), or no answer yet."""


class Dubbel(Geweigerd):
    """It was done before: a retour on a message already answered, an Identificatie a municipality reused."""


class Gewist(Geweigerd):
    """The message's content was erased after its retention period; its hash remains."""


class NietVerwerkbaar(Geweigerd):
    """Well-formed but not handled here: the type, the routing, an in-message rule (level 2), nothing to answer."""


class NietBeschikbaar(Geweigerd):
    """A service this request needs cannot be reached; the same request may be sent again shortly."""
