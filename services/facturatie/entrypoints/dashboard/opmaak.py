"""Dutch presentation of the dashboard's figures (pure): euros from integer cents, percentages from exact
fractions, dates in Dutch time, and the Dutch labels of codes. No float ever touches an amount."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from shared.kalender import NL

LEEG = "—"

MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")

DOMEIN = {"jw": "Jeugdwet", "wmo": "Wmo"}
STAND = {"op_tijd": "op tijd", "bijna_verlopen": "bijna verlopen", "verlopen": "verlopen",
         "vervuld": "op tijd beantwoord", "te_laat_vervuld": "te laat beantwoord"}
VERPLICHTING = {"325": "325 op declaratie", "retour": "retourbericht", "301_of_319": "301 of 319 op verzoek"}
STAP = {"ontvangen": "Ontvangen", "beoordeeld": "Beoordeeld", "beantwoord": "Beantwoord (325)",
        "geboekt": "Geboekt", "afgeleverd": "Afgeleverd", "verzoek_beantwoord": "Verzoek beantwoord"}
NIVEAU = {"header": "bericht", "declaratie": "declaratie", "regel": "regel"}
# For codes whose verdict names no rule text of its own.
RETOURCODE = {"0001": "Bericht technisch afgekeurd (controle niveau 2)",
              "0233": "Niet beoordeeld: de cliënt is afgekeurd"}


def _afgerond(waarde: Fraction, decimalen: int) -> Fraction:
    """Half away from zero, as people round."""
    schaal = 10 ** decimalen
    n = abs(waarde) * schaal
    heel = int(n + Fraction(1, 2))
    return Fraction(heel if waarde >= 0 else -heel, schaal)


def getal(waarde: Fraction | int | None, decimalen: int = 1) -> str:
    """1234.5 -> '1.234,5'; whole numbers without decimals; None -> '—'."""
    if waarde is None:
        return LEEG
    r = _afgerond(Fraction(waarde), decimalen)
    heel, rest = divmod(int(abs(r) * 10 ** decimalen), 10 ** decimalen)  # exact: r has at most `decimalen`
    tekst = f"{heel:,}".replace(",", ".")
    if rest:
        tekst += "," + f"{rest:0{decimalen}d}".rstrip("0")
    return ("-" if r < 0 else "") + tekst


def euro(cent: int | None) -> str:
    """Integer cents as Dutch euros: 123456 -> '€ 1.234,56', -5 -> '€ -0,05'."""
    if cent is None:
        return LEEG
    euros, centen = divmod(abs(int(cent)), 100)
    return f"€ {'-' if cent < 0 else ''}{euros:,}".replace(",", ".") + f",{centen:02d}"


def procent(waarde: Fraction | None, decimalen: int = 1) -> str:
    """Percentage (already × 100) -> '85,3%'; None -> '—'."""
    return LEEG if waarde is None else getal(waarde, decimalen) + "%"


def procentpunt(waarde: Fraction | None) -> str:
    if waarde is None:
        return LEEG
    tekst = getal(waarde, 1)
    return ("+" if waarde > 0 and tekst != "0" else "") + tekst + " procentpunt"


def datum(waarde: dt.date | str | None) -> str:
    if waarde is None:
        return LEEG
    if isinstance(waarde, str):
        waarde = dt.date.fromisoformat(waarde[:10]) if len(waarde) == 10 else dt.datetime.fromisoformat(waarde)
    if isinstance(waarde, dt.datetime):
        waarde = waarde.astimezone(NL).date()
    return f"{waarde.day:02d}-{waarde.month:02d}-{waarde.year}"


def tijdstip(waarde: dt.datetime | str | None) -> str:
    """In Dutch time, to the second."""
    if waarde is None:
        return LEEG
    if isinstance(waarde, str):
        waarde = dt.datetime.fromisoformat(waarde)
    w = waarde.astimezone(NL)
    return f"{w.day:02d}-{w.month:02d}-{w.year} {w:%H:%M:%S}"


def maand(waarde: dt.date) -> str:
    return f"{MAANDEN[waarde.month - 1]} {waarde.year}"


def rekening(code: str, aanbieders: dict[str, str]) -> str:
    """An account code as people name it; `aanbieders`: AGB -> name."""
    soort, _, rest = code.partition(":")
    if code == "bank":
        return "Bank"
    if code == "kosten:gr":
        return "Kosten GR (aandeel)"
    if code == "schuld:gr":
        return "Schuld aan de GR"
    if soort == "kosten":
        return f"Kosten categorie {rest}"
    if soort in ("crediteur", "ingehouden"):
        naam = aanbieders.get(rest, "onbekende aanbieder")
        return f"{'Crediteur' if soort == 'crediteur' else 'Ingehouden'} {naam} ({rest})"
    return code


def saldo(cent: int) -> str:
    """A balance (debit positive) as an amount with its side: '€ 1.234,56 D' / '€ 2.000,00 C'."""
    return f"{euro(abs(cent))} {'C' if cent < 0 else 'D'}"


def retourcode(code: str, reden: str | None) -> str:
    return reden or RETOURCODE.get(code, f"RetourCode {code}")
