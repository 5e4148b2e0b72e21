"""Control level 2 for the 323: the CD/CS/RS conditions and in-message TRs (§7.2 of the domain brief).

Pure functions, one per rule, named by rule id; each returns the problems it finds (empty = rule holds).
A level-2 failure rejects the whole message: the 325 carries header RetourCode 0001 only (§6.2), and the
problems are the readable reasons shown with it.

Decisions where the standard is not explicit ([unconfirmed] in the brief):
- CS319 (DeclaratieNummer letters and digits only) is also a pattern in the 323 XSD, so it is enforced at
  level 1 by the reader; it can never reach level 2.
- TR134: DeclaratieDagtekening may not be after the message's Dagtekening.
  TR137: DeclaratieDagtekening may not be before the start of the DeclaratiePeriode.
- TR101 logical keys: Client by Bsn; Prestatie by ReferentieNummer + VorigReferentieNummer.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from typing import Callable

from .bsn import elfproef
from .codec import Problem
from .models import Declaratiebericht, Periode, Prestatie, Toewijzingsbericht

EERSTE_DATUM = dt.date(2021, 1, 1)  # release 3.0 in force (CS100)

D = "/Bericht/Declaratie"


def _p(rule: str, path, found: str | None, expected: str, nl: str, en: str) -> Problem:
    return Problem(rule, str(path), None, found, expected, f"{nl} / {en}")


class _Regelpad:
    """A line's path, spelled out only when a problem names it: most lines of most messages have none."""

    __slots__ = ("client", "regel")

    def __init__(self, client: int, regel: int):
        self.client, self.regel = client, regel

    def __str__(self) -> str:
        return f"{D}/Clienten/Client[{self.client}]/Prestaties/Prestatie[{self.regel}]"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


_laatste: list = [None, []]  # (message, its lines): the rules of level2_323 walk the same message in turn


def _lines(b: Declaratiebericht) -> list[tuple[_Regelpad, Prestatie]]:
    if _laatste[0] is not b:
        _laatste[:] = [b, [(_Regelpad(i, j), p) for i, c in enumerate(b.declaratie.clienten, 1)
                           for j, p in enumerate(c.prestaties, 1)]]
    return _laatste[1]


def _last_day(d: dt.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def _bsn_fout(path: str) -> Problem:
    return _p("CS002", path, "***", "a BSN that passes the 11-proef", "BSN voldoet niet aan de elfproef",
              "BSN fails the 11-check")


def cs002_bsn_elfproef(b: Declaratiebericht) -> list[Problem]:
    return [_bsn_fout(f"{D}/Clienten/Client[{i}]/Bsn") for i, c in enumerate(b.declaratie.clienten, 1)
            if not elfproef(c.bsn)]


def cs340_declaratieperiode_is_een_maand(b: Declaratiebericht) -> list[Problem]:
    p = b.declaratie.declaratieperiode
    if p.begindatum.day == 1 and (p.einddatum.year, p.einddatum.month) == (p.begindatum.year, p.begindatum.month) \
            and p.einddatum.day == _last_day(p.einddatum):
        return []
    return [_p("CS340", f"{D}/DeclaratiePeriode", f"{p.begindatum}..{p.einddatum}", "one whole calendar month",
               "Declaratieperiode is niet precies één kalendermaand",
               "Declaration period is not exactly one calendar month")]


def cs100_niet_voor_2021(b: Declaratiebericht) -> list[Problem]:
    periods: list[tuple[str, Periode]] = [(f"{D}/DeclaratiePeriode", b.declaratie.declaratieperiode)]
    periods += [(f"{path}/ProductPeriode", p.productperiode) for path, p in _lines(b)]
    return [_p("CS100", f"{path}/Begindatum", str(per.begindatum), f"on or after {EERSTE_DATUM}",
               "Datum ligt voor 1 januari 2021", "Date is before 1 January 2021")
            for path, per in periods if per.begindatum < EERSTE_DATUM]


def cs337_productperiode_in_een_maand(b: Declaratiebericht) -> list[Problem]:
    out = []
    for path, p in _lines(b):
        per = p.productperiode
        same_month = (per.begindatum.year, per.begindatum.month) == (per.einddatum.year, per.einddatum.month)
        if not same_month or per.begindatum > per.einddatum:
            out.append(_p("CS337", f"{path}/ProductPeriode", f"{per.begindatum}..{per.einddatum}",
                          "begin ≤ end, both in the same calendar month",
                          "Productperiode valt niet binnen één kalendermaand",
                          "Product period is not within one calendar month"))
    return out


def cs325_nul_is_debet(b: Declaratiebericht) -> list[Problem]:
    out = []
    if b.declaratie.totaal_ingediend_bedrag == 0 and b.declaratie.totaal_debet_credit != "D":
        out.append(_p("CS325", f"{D}/TotaalIngediendBedrag/DebetCredit", "C", "D",
                      "Een bedrag van 0 heeft indicatie D", "An amount of 0 carries D"))
    out += [_p("CS325", f"{path}/IngediendBedrag/DebetCredit", "C", "D",
               "Een bedrag van 0 heeft indicatie D", "An amount of 0 carries D")
            for path, p in _lines(b) if p.ingediend_bedrag == 0 and p.debet_credit != "D"]
    return out


def cd060_vorigreferentienummer_alleen_bij_credit(b: Declaratiebericht) -> list[Problem]:
    out = []
    for path, p in _lines(b):
        has = p.vorig_referentienummer is not None
        if has != (p.debet_credit == "C"):
            out.append(_p("CD060", f"{path}/ProductReferentie/VorigReferentieNummer",
                          p.vorig_referentienummer or "(leeg/empty)",
                          "present exactly when DebetCredit is C",
                          "VorigReferentieNummer is verplicht bij credit en niet toegestaan bij debet",
                          "VorigReferentieNummer is required on credit lines and not allowed on debit lines"))
    return out


def cd087_tarief_tenzij_euro(b: Declaratiebericht) -> list[Problem]:
    out = []
    for path, p in _lines(b):
        if (p.producttarief is not None) == (p.eenheid == "83"):
            out.append(_p("CD087", f"{path}/ProductTarief",
                          "(leeg/empty)" if p.producttarief is None else str(p.producttarief),
                          "present exactly when Eenheid is not 83",
                          "ProductTarief is verplicht, behalve bij Eenheid 83 (euro's) waar het leeg blijft",
                          "ProductTarief is required, except with Eenheid 83 (euros) where it stays empty"))
    return out


def cs339_euro_bedrag_is_volume(b: Declaratiebericht) -> list[Problem]:
    return [_p("CS339", f"{path}/IngediendBedrag/Bedrag", str(p.ingediend_bedrag), str(p.geleverd_volume),
               "Bij Eenheid 83 is het bedrag gelijk aan het geleverd volume",
               "With Eenheid 83 the amount equals the delivered volume")
            for path, p in _lines(b) if p.eenheid == "83" and p.ingediend_bedrag != p.geleverd_volume]


def tr358_totaal_klopt(b: Declaratiebericht) -> list[Problem]:
    netto = sum(p.signed_bedrag for _, p in _lines(b))
    d = b.declaratie
    opgegeven = d.totaal_ingediend_bedrag if d.totaal_debet_credit == "D" else -d.totaal_ingediend_bedrag
    if opgegeven == netto:
        return []
    return [_p("TR358", f"{D}/TotaalIngediendBedrag", f"{d.totaal_ingediend_bedrag} {d.totaal_debet_credit}",
               f"{abs(netto)} {'C' if netto < 0 else 'D'}",
               "Totaal ingediend bedrag is niet de som van debet min credit",
               "Total submitted amount is not the sum of debits minus credits")]


def tr315_vorigreferentienummer_uniek(b: Declaratiebericht) -> list[Problem]:
    counts = Counter(p.vorig_referentienummer for _, p in _lines(b) if p.vorig_referentienummer)
    return [_p("TR315", f"{path}/ProductReferentie/VorigReferentieNummer", p.vorig_referentienummer,
               "each VorigReferentieNummer once per message",
               "VorigReferentieNummer komt meer dan eens voor", "VorigReferentieNummer occurs more than once")
            for path, p in _lines(b) if p.vorig_referentienummer and counts[p.vorig_referentienummer] > 1]


def tr316_geen_credit_van_regel_in_zelfde_bericht(b: Declaratiebericht) -> list[Problem]:
    refs = {p.referentienummer for _, p in _lines(b)}
    return [_p("TR316", f"{path}/ProductReferentie/VorigReferentieNummer", p.vorig_referentienummer,
               "a line from an earlier message",
               "Een regel mag niet in hetzelfde bericht worden gecrediteerd",
               "A line may not be credited in the same message")
            for path, p in _lines(b) if p.vorig_referentienummer in refs]


def _debet_sleutel(p: Prestatie) -> tuple:
    return (p.toewijzingnummer, p.productperiode.begindatum, p.productperiode.einddatum, p.productcategorie,
            p.productcode)


def tr416_een_debetregel_per_sleutel(b: Declaratiebericht) -> list[Problem]:
    counts = Counter(_debet_sleutel(p) for _, p in _lines(b) if p.debet_credit == "D")
    return [_p("TR416", path, p.referentienummer,
               "one debit line per ToewijzingNummer + ProductPeriode + ProductCategorie + ProductCode",
               "Meer dan één debetregel voor dezelfde toewijzing, periode en product",
               "More than one debit line for the same allocation, period and product")
            for path, p in _lines(b) if p.debet_credit == "D" and counts[_debet_sleutel(p)] > 1]


def tr101_geen_dubbele_klassen(b: Declaratiebericht) -> list[Problem]:
    out = []
    bsns = Counter(c.bsn for c in b.declaratie.clienten)
    out += [_p("TR101", f"{D}/Clienten/Client[{i}]", "***", "each client (Bsn) once per message",
               "Cliënt komt meer dan eens voor in het bericht", "Client occurs more than once in the message")
            for i, c in enumerate(b.declaratie.clienten, 1) if bsns[c.bsn] > 1]
    keys = Counter((p.referentienummer, p.vorig_referentienummer) for _, p in _lines(b))
    out += [_p("TR101", path, p.referentienummer, "each line (ReferentieNummer + VorigReferentieNummer) once",
               "Prestatie komt meer dan eens voor in het bericht", "Line occurs more than once in the message")
            for path, p in _lines(b) if keys[(p.referentienummer, p.vorig_referentienummer)] > 1]
    return out


def tr134_dagtekening_niet_na_bericht(b: Declaratiebericht) -> list[Problem]:
    d = b.declaratie.declaratiedagtekening
    if d <= b.header.dagtekening:
        return []
    return [_p("TR134", f"{D}/DeclaratieDagtekening", str(d), f"on or before {b.header.dagtekening}",
               "DeclaratieDagtekening ligt na de dagtekening van het bericht",
               "DeclaratieDagtekening is after the message's Dagtekening")]


def tr137_dagtekening_niet_voor_periode(b: Declaratiebericht) -> list[Problem]:
    d = b.declaratie.declaratiedagtekening
    begin = b.declaratie.declaratieperiode.begindatum
    if d >= begin:
        return []
    return [_p("TR137", f"{D}/DeclaratieDagtekening", str(d), f"on or after {begin}",
               "DeclaratieDagtekening ligt voor het begin van de declaratieperiode",
               "DeclaratieDagtekening is before the start of the declaration period")]


def _vijf_jaar_eerder(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 5)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 5, day=28)


def tr335_niet_ouder_dan_vijf_jaar(b: Declaratiebericht) -> list[Problem]:
    grens = _vijf_jaar_eerder(b.declaratie.declaratiedagtekening)
    return [_p("TR335", f"{path}/ProductPeriode/Einddatum", str(p.productperiode.einddatum), f"on or after {grens}",
               "Productperiode eindigt meer dan 5 jaar voor de declaratiedagtekening",
               "Product period ends more than 5 years before the declaration date")
            for path, p in _lines(b) if p.productperiode.einddatum < grens]


LEVEL2_323: tuple[Callable[[Declaratiebericht], list[Problem]], ...] = (
    cs002_bsn_elfproef, cs340_declaratieperiode_is_een_maand, cs100_niet_voor_2021,
    cs337_productperiode_in_een_maand, cs325_nul_is_debet, cd060_vorigreferentienummer_alleen_bij_credit,
    cd087_tarief_tenzij_euro, cs339_euro_bedrag_is_volume, tr358_totaal_klopt, tr315_vorigreferentienummer_uniek,
    tr316_geen_credit_van_regel_in_zelfde_bericht, tr416_een_debetregel_per_sleutel, tr101_geen_dubbele_klassen,
    tr134_dagtekening_niet_na_bericht, tr137_dagtekening_niet_voor_periode, tr335_niet_ouder_dan_vijf_jaar,
)


def level2_323(b: Declaratiebericht) -> list[Problem]:
    return [problem for rule in LEVEL2_323 for problem in rule(b)]


# --------------------------------------------------------------------------- 301 (§10 of the domain brief)
#
# Decision: CD080 ("Omvang empty when Code empty") applies to allocations ending after 2020 or without an end
# date, as the brief states; older allocations predate the rule.

T = "/Bericht/Client/ToegewezenProducten/ToegewezenProduct"


def _toewijzingen(b: Toewijzingsbericht):
    for i, t in enumerate(b.toewijzingen, 1):
        yield f"{T}[{i}]", t


def cs003_einddatum_na_ingangsdatum(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CS003", f"{path}/Einddatum", str(t.einddatum), f"on or after {t.ingangsdatum}",
               "Einddatum ligt voor de ingangsdatum", "Einddatum is before Ingangsdatum")
            for path, t in _toewijzingen(b) if t.einddatum is not None and t.einddatum < t.ingangsdatum]


def cs335_verwijderd_heeft_einddatum_is_ingangsdatum(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CS335", f"{path}/Einddatum", str(t.einddatum) if t.einddatum else "(leeg/empty)",
               str(t.ingangsdatum), "Bij RedenWijziging 13 (verwijderd) is de einddatum gelijk aan de ingangsdatum",
               "With RedenWijziging 13 (deleted) Einddatum equals Ingangsdatum")
            for path, t in _toewijzingen(b) if t.reden_wijziging == "13" and t.einddatum != t.ingangsdatum]


def cs338_eenheid_past_bij_frequentie(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CS338", f"{path}/Omvang/Frequentie", t.omvang.frequentie, "2, 4 or 6 with Eenheid 14, 16, 83 or 84",
               f"Eenheid {t.omvang.eenheid} kan niet met frequentie {t.omvang.frequentie}",
               f"Eenheid {t.omvang.eenheid} cannot be combined with frequency {t.omvang.frequentie}")
            for path, t in _toewijzingen(b)
            if t.omvang and t.omvang.eenheid in ("14", "16", "83", "84") and t.omvang.frequentie not in ("2", "4", "6")]


def cd041_omvang_bij_productcode(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD041", f"{path}/Omvang", "(leeg/empty)", "Omvang when Product/Code is filled",
               "Omvang is verplicht bij een productcode", "Omvang is required with a product code")
            for path, t in _toewijzingen(b) if t.productcode is not None and t.omvang is None]


def cd075_einddatum_bij_budget(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD075", f"{path}/Einddatum", "(leeg/empty)", "an Einddatum when a Budget is given",
               "Einddatum is verplicht bij een budget", "Einddatum is required with a budget")
            for path, t in _toewijzingen(b) if t.budget is not None and t.einddatum is None]


def cd076_einddatum_bij_frequentie_week(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD076", f"{path}/Einddatum", "(leeg/empty)", "an Einddatum when Frequentie is 2 (per week)",
               "Einddatum is verplicht bij frequentie per week", "Einddatum is required with frequency per week")
            for path, t in _toewijzingen(b) if t.omvang and t.omvang.frequentie == "2" and t.einddatum is None]


def cd077_cd078_budget_of_omvang(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD077", f"{path}/Omvang", "Omvang + Budget", "either Omvang or Budget",
               "Omvang en budget mogen niet samen", "Omvang and Budget may not both be filled")
            for path, t in _toewijzingen(b) if t.omvang is not None and t.budget is not None]


def cd079_product_zonder_budget(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD079", f"{path}/Product", "(leeg/empty)", "a Product when no Budget is given",
               "Product is verplicht als er geen budget is", "Product is required when there is no budget")
            for path, t in _toewijzingen(b) if t.productcategorie is None and t.budget is None]


def cd080_geen_omvang_zonder_productcode(b: Toewijzingsbericht) -> list[Problem]:
    return [_p("CD080", f"{path}/Omvang", "Omvang", "no Omvang without a product code",
               "Omvang moet leeg zijn zonder productcode", "Omvang must be empty without a product code")
            for path, t in _toewijzingen(b)
            if t.productcode is None and t.omvang is not None and (t.einddatum is None or t.einddatum > dt.date(2020, 12, 31))]


def cs002_bsn_301(b: Toewijzingsbericht) -> list[Problem]:
    return [] if elfproef(b.bsn) else [_bsn_fout("/Bericht/Client/Bsn")]


LEVEL2_301: tuple[Callable[[Toewijzingsbericht], list[Problem]], ...] = (
    cs002_bsn_301, cs003_einddatum_na_ingangsdatum, cs335_verwijderd_heeft_einddatum_is_ingangsdatum, cs338_eenheid_past_bij_frequentie,
    cd041_omvang_bij_productcode, cd075_einddatum_bij_budget, cd076_einddatum_bij_frequentie_week,
    cd077_cd078_budget_of_omvang, cd079_product_zonder_budget, cd080_geen_omvang_zonder_productcode,
)


def level2_301(b: Toewijzingsbericht) -> list[Problem]:
    return [problem for rule in LEVEL2_301 for problem in rule(b)]
