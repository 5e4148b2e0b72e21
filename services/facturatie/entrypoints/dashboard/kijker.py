"""Who is looking at the dashboard: the API's bearer tokens, from an `Authorization: Bearer` header or the login
cookie, checked by `shared.platform.auth`.

A browser cannot send a bearer header, so the login form puts the token in a cookie (HttpOnly: no script can read
it; SameSite=Strict: no other site's page can make the browser send it, which is also the CSRF defence of these
read-only pages; Path=/dashboard; Secure over https; 8 hours). A header wins over the cookie. A provider's token
is refused: the dashboard is for municipalities and the region. An unknown or revoked token gives the login page
with a message, never an error. Login and logout also refuse a POST whose Origin is another site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import Request

from shared.platform.auth import authenticate_token
from shared.platform.regio import Regio

COOKIE = "backoffice_dashboard"
COOKIE_SECONDEN = 8 * 3600
ONBEKEND = "Onbekende of ingetrokken token. Controleer de token of vraag de regionale backoffice om een nieuwe."
AANBIEDER = ("Dit dashboard is voor gemeenten en de controller van de regio. Zorgaanbieders volgen hun berichten "
             "via de API van berichtenverkeer.")


@dataclass(frozen=True)
class Kijker:
    soort: str  # "gemeente" or "regio"
    code: str  # CBS code, or the region's code
    naam: str
    token: str = field(repr=False)  # forwarded to berichtenverkeer; never shown or logged

    def mag_zien(self, cbs: str) -> bool:
        return self.soort == "regio" or self.code == cbs


def kijker_van(request: Request, regio: Regio) -> tuple[Kijker | None, str | None, int]:
    """(viewer, message for the login page, status): no token at all is no message."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
    else:
        token = request.cookies.get(COOKIE, "").strip()
    if not token:
        return None, (ONBEKEND if header is not None else None), 401
    return controleer(token, regio)


def controleer(token: str, regio: Regio) -> tuple[Kijker | None, str | None, int]:
    party = authenticate_token(token, regio)
    if party is None:
        return None, ONBEKEND, 401
    if party.soort == "aanbieder":
        return None, AANBIEDER, 403
    if party.soort == "gemeente":
        gemeente = regio.gemeente(party.code)
        return Kijker(party.soort, party.code, gemeente.naam if gemeente else party.code, token), None, 200
    return Kijker(party.soort, party.code, f"controller {regio.naam}", token), None, 200


def zelfde_herkomst(request: Request) -> bool:
    """A form POST from our own page: an Origin, when the browser sends one, must be this host."""
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")
