"""Control level 2 of the 323 Declaratiebericht, on the domain model (the hot path of every declaration): the
stylesheet's in-message rules for the 323, one function per rule id.

Any failure rejects the whole message: the 325 carries header RetourCode 0001 only (§6.2); the problems are the
readable reasons shown with it. Each rule first asks, in one tight loop, whether any line breaks it; only then
does it spell out which lines and where, so a valid declaration of thousands of lines costs about a microsecond a
line for all rules together.

How the stylesheet reads the rules the domain brief left open (its version is the one implemented):
- TR134 holds the DeclaratiePeriode's and each ProductPeriode's Begindatum against the message's Dagtekening, and
  TR137 holds each of those periods: it may not end before it begins, nor after the Dagtekening. Neither looks at
  DeclaratieDagtekening.
- CS337 compares year and month of a ProductPeriode's two dates (the order of the dates is TR137's business).
- TR416 compares a debit line with the earlier debit lines of the same client only; TR101 compares a line with the
  other lines of the same client (and a client with the other clients).
- TR315 and TR316 compare each line with the lines before it in the message, TR316 both ways (a line crediting an
  earlier line's ReferentieNummer, or an earlier credit pointing at this line) and a line with itself.
- TR319 (no product period after the declaration period) is checked here as the stylesheet does, and again by
  declaratie at level 3 with its own RetourCode (9319) for the lines that reach it.
- CS002 is the stylesheet's 11-proef, under which nine zeros pass.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable
from itertools import chain, compress, repeat
from operator import attrgetter, eq, is_

from ...models import Declaratiebericht, Prestatie
from ..problemen import Problem, begrensd, problem
from .gedeeld import (
    EERSTE_DATUM,
    cd060_probleem,
    elfproef_ok,
    filled,
    laatste_dag,
    normalize_space,
    tr137_problemen,
    vijf_jaar_eerder,
)

D = "/Bericht/Declaratie"

_PRESTATIES = attrgetter("prestaties")
_BSN = attrgetter("bsn")
_REF, _VORIG = attrgetter("referentienummer"), attrgetter("vorig_referentienummer")
_NR, _CAT, _CODE = attrgetter("toewijzingnummer"), attrgetter("productcategorie"), attrgetter("productcode")
_BEGIN, _EIND = attrgetter("productperiode.begindatum"), attrgetter("productperiode.einddatum")
_VOLUME, _EENHEID, _TARIEF = attrgetter("geleverd_volume"), attrgetter("eenheid"), attrgetter("producttarief")
_BEDRAG, _DC = attrgetter("ingediend_bedrag"), attrgetter("debet_credit")


class _Kolommen:
    """One message's lines as columns, each made in one pass in C (operator.attrgetter, map, zip): most rules
    decide for the whole message with min, max, sets and counts, and only a message that breaks a rule has its
    lines walked one by one to say which. Product periods repeat (most lines cover the declaration month), so the
    rules on periods look at each distinct period once."""

    __slots__ = (
        "_posities",
        "bedragen",
        "begins",
        "bericht",
        "dcs",
        "eenheden",
        "einden",
        "perioden",
        "refs",
        "regels",
        "tarieven",
        "vorigen",
    )

    def __init__(self, b: Declaratiebericht):
        self.bericht = b
        self.regels: list[Prestatie] = list(chain.from_iterable(map(_PRESTATIES, b.declaratie.clienten)))
        r = self.regels
        self.refs, self.vorigen = list(map(_REF, r)), list(map(_VORIG, r))
        self.begins, self.einden = list(map(_BEGIN, r)), list(map(_EIND, r))
        self.perioden = set(zip(self.begins, self.einden))
        self.eenheden, self.tarieven = list(map(_EENHEID, r)), list(map(_TARIEF, r))
        self.bedragen, self.dcs = list(map(_BEDRAG, r)), list(map(_DC, r))
        self._posities: list[tuple[int, int]] | None = None

    def pad(self, index: int) -> str:
        if self._posities is None:
            self._posities = [(i, j) for i, c in enumerate(self.bericht.declaratie.clienten, 1)
                              for j in range(1, len(c.prestaties) + 1)]
        client, regel = self._posities[index]
        return f"{D}/Clienten/Client[{client}]/Prestaties/Prestatie[{regel}]"

    def credits(self) -> list[str]:
        return [v for v in self.vorigen if v is not None]


_laatste: list = [None, None]  # (message, its columns): the rules of niveau2_323 walk the same message in turn


def _kolommen(b: Declaratiebericht) -> _Kolommen:
    if _laatste[0] is not b:
        _laatste[:] = [b, _Kolommen(b)]
    return _laatste[1]


def _p(rule: str, path: str, found: object, expected: str, nl: str, en: str) -> Problem:
    return problem(rule, path, None, None if found is None else str(found), expected, nl, en)


def cs002_bsn_elfproef(b: Declaratiebericht) -> list[Problem]:
    return [_p("CS002", f"{D}/Clienten/Client[{i}]/Bsn", "***", "a BSN that passes the 11-proef",
               "BSN voldoet niet aan de elfproef", "BSN fails the 11-check")
            for i, c in enumerate(b.declaratie.clienten, 1) if not elfproef_ok(c.bsn)]


def cs100_niet_voor_2021(b: Declaratiebericht) -> list[Problem]:
    out = []
    begin = b.declaratie.declaratieperiode.begindatum
    if begin < EERSTE_DATUM:
        out.append(_p("CS100", f"{D}/DeclaratiePeriode/Begindatum", begin, f"on or after {EERSTE_DATUM}",
                      "Datum ligt voor 1 januari 2021", "Date is before 1 January 2021"))
    k = _kolommen(b)
    if any(begin < EERSTE_DATUM for begin, _e in k.perioden):
        out += [_p("CS100", f"{k.pad(i)}/ProductPeriode/Begindatum", begin, f"on or after {EERSTE_DATUM}",
                   "Datum ligt voor 1 januari 2021", "Date is before 1 January 2021")
                for i, begin in enumerate(k.begins) if begin < EERSTE_DATUM]
    return out


def cs325_nul_is_debet(b: Declaratiebericht) -> list[Problem]:
    out = []
    d = b.declaratie
    if d.totaal_ingediend_bedrag == 0 and d.totaal_debet_credit == "C":
        out.append(_p("CS325", f"{D}/TotaalIngediendBedrag/DebetCredit", "C", "D",
                      "Een bedrag van 0 heeft indicatie D", "An amount of 0 carries D"))
    k = _kolommen(b)
    if 0 in k.bedragen:
        out += [_p("CS325", f"{k.pad(i)}/IngediendBedrag/DebetCredit", "C", "D",
                   "Een bedrag van 0 heeft indicatie D", "An amount of 0 carries D")
                for i, (bedrag, dc) in enumerate(zip(k.bedragen, k.dcs)) if bedrag == 0 and dc == "C"]
    return out


def _andere_maand(begin: dt.date, eind: dt.date) -> bool:
    return begin.month != eind.month or begin.year != eind.year


def cs337_productperiode_in_een_maand(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    if not any(_andere_maand(begin, eind) for begin, eind in k.perioden):
        return []
    return [_p("CS337", f"{k.pad(i)}/ProductPeriode", f"{begin}..{eind}",
               "both dates in the same calendar month of the same year",
               "Productperiode valt niet binnen één kalendermaand", "Product period is not within one calendar month")
            for i, (begin, eind) in enumerate(zip(k.begins, k.einden)) if _andere_maand(begin, eind)]


def cs339_euro_bedrag_is_volume(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    if "83" not in k.eenheden:
        return []
    return [_p("CS339", f"{k.pad(i)}/IngediendBedrag/Bedrag", p.ingediend_bedrag, str(p.geleverd_volume),
               "Bij Eenheid 83 is het bedrag gelijk aan het geleverd volume",
               "With Eenheid 83 the amount equals the delivered volume")
            for i, p in enumerate(k.regels) if p.eenheid == "83" and p.ingediend_bedrag != p.geleverd_volume]


def cs340_declaratieperiode_is_een_maand(b: Declaratiebericht) -> list[Problem]:
    p = b.declaratie.declaratieperiode
    if p.begindatum.day == 1 and (p.einddatum.year, p.einddatum.month) == (p.begindatum.year, p.begindatum.month) \
            and p.einddatum.day == laatste_dag(p.einddatum):
        return []
    return [_p("CS340", f"{D}/DeclaratiePeriode", f"{p.begindatum}..{p.einddatum}", "one whole calendar month",
               "Declaratieperiode is niet precies één kalendermaand",
               "Declaration period is not exactly one calendar month")]


def cd060_vorigreferentienummer_alleen_bij_credit(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    credits = k.credits()
    if set(zip(k.dcs, map(is_, k.vorigen, repeat(None)))) <= _CD060_GOED and all(map(filled, credits)):
        return []
    return [fout for i, p in enumerate(k.regels)
            if (fout := cd060_probleem(k.pad(i), p.debet_credit, p.vorig_referentienummer)) is not None]


_CD060_GOED = {("D", True), ("C", False)}  # (DebetCredit, VorigReferentieNummer absent)


def cd087_tarief_tenzij_euro(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    if all((eenheid == "83") == geen for eenheid, geen in set(zip(k.eenheden, map(is_, k.tarieven, repeat(None))))):
        return []
    return [_p("CD087", f"{k.pad(i)}/ProductTarief", "(leeg/empty)" if tarief is None else tarief,
               "present exactly when Eenheid is not 83",
               "ProductTarief is verplicht, behalve bij Eenheid 83 (euro's) waar het leeg blijft",
               "ProductTarief is required, except with Eenheid 83 (euros) where it stays empty")
            for i, (eenheid, tarief) in enumerate(zip(k.eenheden, k.tarieven)) if (tarief is None) != (eenheid == "83")]


def tr358_totaal_klopt(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    credit = sum(compress(k.bedragen, map(eq, k.dcs, repeat("C"))))
    netto = sum(k.bedragen) - 2 * credit
    d = b.declaratie
    # The stylesheet compares the total's text with the net amount written out, so a credit total must be the
    # negated net and a debit total the net itself; a negative net cannot be written as a debit total.
    verwacht = netto if d.totaal_debet_credit == "D" else -netto
    if d.totaal_ingediend_bedrag == verwacht:
        return []
    return [_p("TR358", f"{D}/TotaalIngediendBedrag", f"{d.totaal_ingediend_bedrag} {d.totaal_debet_credit}",
               f"{abs(netto)} {'C' if netto < 0 else 'D'}",
               "Totaal ingediend bedrag is niet de som van debet min credit",
               "Total submitted amount is not the sum of debits minus credits")]


def _norm(text: str) -> str:
    # Most references are letters and digits only; only others need XPath's normalize-space.
    return text if text.isalnum() else normalize_space(text)


def tr315_vorigreferentienummer_uniek(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    vorige = k.credits()
    if len(set(map(_norm, vorige))) == len(vorige):
        return []
    out = []
    eerder: Counter = Counter()
    for i, v in enumerate(k.vorigen):
        if v is None:
            continue
        for _ in range(eerder[_norm(v)]):
            out.append(_p("TR315", f"{k.pad(i)}/ProductReferentie/VorigReferentieNummer", v,
                          "each VorigReferentieNummer once per message",
                          "VorigReferentieNummer komt meer dan eens voor",
                          "VorigReferentieNummer occurs more than once"))
        eerder[v] += 1
    return out


def tr316_geen_credit_van_regel_in_zelfde_bericht(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    if not k.credits():
        return []  # every way to break it needs a credit line
    out = []
    eerdere_refs: Counter = Counter()
    eerdere_vorige: Counter = Counter()
    for i, (raw_ref, raw_vorig) in enumerate(zip(k.refs, k.vorigen)):
        ref, vorig = _norm(raw_ref), _norm(raw_vorig or "")
        # An earlier line whose ReferentieNummer this credits, an earlier credit of this line, or itself.
        treffers = (eerdere_refs[vorig] if vorig else 0) + eerdere_vorige[ref] + (1 if ref == vorig else 0)
        for _ in range(treffers):
            out.append(_p("TR316", f"{k.pad(i)}/ProductReferentie", raw_vorig or raw_ref,
                          "a credit of a line from an earlier message",
                          "Een regel mag niet in hetzelfde bericht worden gecrediteerd",
                          "A line may not be credited in the same message"))
        eerdere_refs[raw_ref] += 1
        if raw_vorig is not None:
            eerdere_vorige[raw_vorig] += 1
    return out


def tr416_een_debetregel_per_sleutel(b: Declaratiebericht) -> list[Problem]:
    k = _kolommen(b)
    debet = list(map(eq, k.dcs, repeat("D")))
    sleutels = list(compress(zip(map(_NR, k.regels), k.begins, k.einden, map(_CAT, k.regels),
                                 map(_CODE, k.regels)), debet))
    if len(set(sleutels)) == len(sleutels):
        return []  # unique in the whole message, so within each client
    out = []
    for ci, c in enumerate(b.declaratie.clienten, 1):
        eerder: Counter = Counter()
        for pi, p in enumerate(c.prestaties, 1):
            if p.debet_credit != "D":
                continue
            key = (p.toewijzingnummer, p.productperiode, p.productcategorie, p.productcode)
            for _ in range(eerder[key]):
                out.append(_p("TR416", f"{D}/Clienten/Client[{ci}]/Prestaties/Prestatie[{pi}]", p.referentienummer,
                              "one debit line per ToewijzingNummer + ProductPeriode + ProductCategorie + ProductCode",
                              "Meer dan één debetregel voor dezelfde toewijzing, periode en product",
                              "More than one debit line for the same allocation, period and product"))
            eerder[key] += 1
    return out


def _prestatie_pad(ci: int, i: int) -> str:
    return f"{D}/Clienten/Client[{ci}]/Prestaties/Prestatie[{i + 1}]"


def _dubbel(keys: list, path: Callable[[int], str], nl: str, en: str) -> list[Problem]:
    """The stylesheet reports a duplicate group once, at its last member."""
    counts = Counter(keys)
    if len(counts) == len(keys):
        return []
    seen: Counter = Counter()
    out = []
    for i, k in enumerate(keys):
        seen[k] += 1
        if counts[k] > 1 and seen[k] == counts[k]:
            out.append(_p("TR101", path(i), None, "each class once per message (by its logical key)", nl, en))
    return out


def tr101_geen_dubbele_klassen(b: Declaratiebericht) -> list[Problem]:
    clienten = b.declaratie.clienten
    out = _dubbel(list(map(_BSN, clienten)), lambda i: f"{D}/Clienten/Client[{i + 1}]",
                  "Cliënt komt meer dan eens voor in het bericht", "Client occurs more than once in the message")
    k = _kolommen(b)
    if len(set(zip(k.refs, k.vorigen))) == len(k.refs):
        return out  # unique in the whole message, so within each client
    for ci, c in enumerate(clienten, 1):
        out += _dubbel(list(zip(map(_REF, c.prestaties), map(_VORIG, c.prestaties))),
                       functools.partial(_prestatie_pad, ci),
                       "Prestatie komt meer dan eens voor bij deze cliënt",
                       "Line occurs more than once for this client")
    return out


def tr134_begindatum_niet_na_dagtekening(b: Declaratiebericht) -> list[Problem]:
    ref = b.header.dagtekening
    out = []
    begin = b.declaratie.declaratieperiode.begindatum
    if begin > ref:
        out.append(_p("TR134", f"{D}/DeclaratiePeriode/Begindatum", begin, f"on or before {ref}",
                      "Datum ligt na de dagtekening van het bericht", "Date lies after the message date"))
    k = _kolommen(b)
    if any(begin > ref for begin, _e in k.perioden):
        out += [_p("TR134", f"{k.pad(i)}/ProductPeriode/Begindatum", begin, f"on or before {ref}",
                   "Datum ligt na de dagtekening van het bericht", "Date lies after the message date")
                for i, begin in enumerate(k.begins) if begin > ref]
    return out


def tr137_periode_geldig_en_niet_na_dagtekening(b: Declaratiebericht) -> list[Problem]:
    ref = b.header.dagtekening
    per = b.declaratie.declaratieperiode
    out = tr137_problemen(f"{D}/DeclaratiePeriode", per.begindatum, per.einddatum, ref)
    k = _kolommen(b)
    if any(begin > eind or eind > ref for begin, eind in k.perioden):
        for i, (begin, eind) in enumerate(zip(k.begins, k.einden)):
            out += tr137_problemen(f"{k.pad(i)}/ProductPeriode", begin, eind, ref)
    return out


def tr319_productperiode_niet_na_declaratieperiode(b: Declaratiebericht) -> list[Problem]:
    grens = b.declaratie.declaratieperiode.einddatum
    k = _kolommen(b)
    if all(begin <= grens and eind <= grens for begin, eind in k.perioden):
        return []
    out = []
    for i, (begin, eind) in enumerate(zip(k.begins, k.einden)):
        for veld, datum in (("Begindatum", begin), ("Einddatum", eind)):
            if datum > grens:
                out.append(_p("TR319", f"{k.pad(i)}/ProductPeriode/{veld}", datum, f"on or before {grens}",
                              "Productperiode ligt na de declaratieperiode",
                              "Product period lies after the declaration period"))
    return out


def tr335_niet_ouder_dan_vijf_jaar(b: Declaratiebericht) -> list[Problem]:
    grens = vijf_jaar_eerder(b.declaratie.declaratiedagtekening)
    k = _kolommen(b)
    if all(eind >= grens for _b, eind in k.perioden):
        return []
    return [_p("TR335", f"{k.pad(i)}/ProductPeriode/Einddatum", eind, f"on or after {grens}",
               "Productperiode eindigt meer dan 5 jaar voor de declaratiedagtekening",
               "Product period ends more than 5 years before the declaration date")
            for i, eind in enumerate(k.einden) if eind < grens]


REGELS_323: tuple[Callable[[Declaratiebericht], list[Problem]], ...] = (
    cs002_bsn_elfproef, cs100_niet_voor_2021, cs325_nul_is_debet, cs337_productperiode_in_een_maand,
    cs339_euro_bedrag_is_volume, cs340_declaratieperiode_is_een_maand, cd060_vorigreferentienummer_alleen_bij_credit,
    cd087_tarief_tenzij_euro, tr101_geen_dubbele_klassen, tr134_begindatum_niet_na_dagtekening,
    tr137_periode_geldig_en_niet_na_dagtekening, tr315_vorigreferentienummer_uniek,
    tr316_geen_credit_van_regel_in_zelfde_bericht, tr319_productperiode_niet_na_declaratieperiode,
    tr335_niet_ouder_dan_vijf_jaar, tr358_totaal_klopt, tr416_een_debetregel_per_sleutel,
)


def niveau2_323(b: Declaratiebericht) -> list[Problem]:
    """Every level-2 problem of a 323, in the order of the rules (at most MAX_PROBLEMEN and a note)."""
    return begrensd([fout for rule in REGELS_323 for fout in rule(b)])

