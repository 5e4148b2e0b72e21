"""The finance and control dashboard's pure parts: Dutch formatting, chart geometry, 325 turnaround, policy targets,
the statistics recorded per verdict, and what the templates put on a page. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import pytest

from facturatie.domain.beoordelingsstatistiek import Afkeuring, afkeuringen, contractsoort_uit, reden_van, statistiek
from facturatie.domain.budget import Budgetstand, Plafondstand
from facturatie.domain.dashboard import Termijn325, doelstand, doorlooptijd, mediaan, percentage
from facturatie.domain.grootboek import journaalpost_voor
from facturatie.entrypoints.dashboard import opmaak
from facturatie.entrypoints.dashboard.grafiek import staafdiagram
from facturatie.entrypoints.dashboard.weergave import omgeving
from shared.kalender import werkdagen_tussen
from shared.models import PrestatieOordeel
from shared.platform.events import BeoordeeldePrestatie, DeclaratieBeoordeeld, idempotentie_sleutel
from shared.platform.regio import RegioFileError, load_regio
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
d = dt.date.fromisoformat


# ------------------------------------------------------------------ formatting

@pytest.mark.parametrize("cent, tekst", [
    (0, "€ 0,00"), (1, "€ 0,01"), (99, "€ 0,99"), (100, "€ 1,00"), (123456, "€ 1.234,56"),
    (100000, "€ 1.000,00"), (640000000, "€ 6.400.000,00"), (-5, "€ -0,05"), (-123456, "€ -1.234,56"),
    (99_999_999_999_99, "€ 99.999.999.999,99"),
])
def test_amounts_are_dutch_euros_from_integer_cents(cent, tekst):
    assert opmaak.euro(cent) == tekst


@pytest.mark.parametrize("waarde, tekst", [
    (Fraction(200, 3), "66,7%"), (Fraction(100), "100%"), (Fraction(0), "0%"), (Fraction(1, 20), "0,1%"),
    (Fraction(-1, 20), "-0,1%"), (Fraction(1, 21), "0%"), (Fraction(17049, 200), "85,2%"), (None, "—"),
])
def test_percentages_round_half_away_from_zero_to_one_decimal(waarde, tekst):
    assert opmaak.procent(waarde) == tekst


def test_numbers_use_a_decimal_comma_and_thousands_dots():
    assert opmaak.getal(Fraction(3, 2)) == "1,5"
    assert opmaak.getal(2) == "2"
    assert opmaak.getal(Fraction(123425, 100)) == "1.234,3"  # 1234,25 rounds up
    assert opmaak.getal(None) == "—"
    assert opmaak.procentpunt(Fraction(5, 2)) == "+2,5 procentpunt"
    assert opmaak.procentpunt(Fraction(-1, 100)) == "0 procentpunt"  # rounds to nothing: no sign
    assert opmaak.procentpunt(None) == "—"


def test_dates_and_moments_are_dutch_time_across_midnight_and_summer_time():
    assert opmaak.datum(d("2026-11-23")) == "23-11-2026"
    assert opmaak.datum("2026-11-23T23:30:00+00:00") == "24-11-2026"  # 00:30 in Amsterdam (winter time)
    assert opmaak.tijdstip("2026-06-30T22:30:00+00:00") == "01-07-2026 00:30:00"  # summer time, +2
    assert opmaak.tijdstip(None) == opmaak.datum(None) == "—"
    assert opmaak.maand(d("2026-11-01")) == "november 2026" and opmaak.maand(d("2026-01-31")) == "januari 2026"


def test_balances_show_their_side_and_accounts_their_names():
    assert opmaak.saldo(-200000) == "€ 2.000,00 C"
    assert opmaak.saldo(197000) == "€ 1.970,00 D"
    assert opmaak.saldo(0) == "€ 0,00 D"
    namen = {"87654321": "Jeugdhulp Het Groene Hart B.V."}
    assert opmaak.rekening("kosten:45", namen) == "Kosten categorie 45"
    assert opmaak.rekening("crediteur:87654321", namen) == "Crediteur Jeugdhulp Het Groene Hart B.V. (87654321)"
    assert opmaak.rekening("ingehouden:11111111", namen) == "Ingehouden onbekende aanbieder (11111111)"
    assert opmaak.rekening("kosten:gr", namen) == "Kosten GR (aandeel)"
    assert opmaak.rekening("bank", namen) == "Bank"
    assert opmaak.retourcode("0233", None) == "Niet beoordeeld: de cliënt is afgekeurd"
    assert opmaak.retourcode("9999", None) == "RetourCode 9999"
    assert opmaak.retourcode("0611", "Tarief wijkt af") == "Tarief wijkt af"


# ------------------------------------------------------------------ chart geometry

def test_bars_share_one_scale_set_by_the_largest_amount():
    g = staafdiagram([("a", 50_00, 100_00, 80_00), ("b", 150_00, 100_00, 200_00)], breedte=640, links=170,
                     rechts=10)
    assert g.plot_breedte == 460 and g.schaal_cent == 200_00
    a, b = g.staven
    assert (a.budget_breedte, a.verbruikt_breedte, a.prognose_x) == (230.0, 115.0, 170 + 184.0)
    assert (b.budget_breedte, b.verbruikt_breedte, b.prognose_x) == (230.0, 345.0, 170 + 460.0)
    assert not a.over_budget and b.over_budget
    assert b.y - a.y == 30 and g.hoogte == 2 * 6 + 2 * 30


def test_a_forecast_beyond_the_budget_marks_the_row_even_when_spending_is_within():
    (s,) = staafdiagram([("x", 10, 100, 101)]).staven
    assert s.over_budget
    (s,) = staafdiagram([("x", 100, 100, 100)]).staven
    assert not s.over_budget  # exactly on budget is within it


def test_nothing_spent_and_more_credited_than_spent_draw_no_bar():
    g = staafdiagram([("leeg", 0, 0, None), ("credit", -500, 0, None)])
    assert g.schaal_cent == 1  # no division by zero
    assert [(s.budget_breedte, s.verbruikt_breedte, s.prognose_x) for s in g.staven] == [(0, 0, None), (0, 0, None)]
    assert g.staven[1].over_budget is False


def test_an_empty_chart_keeps_one_row_of_room_and_a_chart_without_room_is_refused():
    assert staafdiagram([]).hoogte == 2 * 6 + 30 and staafdiagram([]).staven == ()
    with pytest.raises(ValueError):
        staafdiagram([("a", 1, 1, 1)], breedte=100, links=90, rechts=10)


# ------------------------------------------------------------------ 325 turnaround

def t325(ontvangen: str, beantwoord: str | None, uiterlijk: str = "2026-12-07") -> Termijn325:
    return Termijn325(d(ontvangen), d(uiterlijk), d(beantwoord) if beantwoord else None)


def test_turnaround_counts_working_days_after_receipt_against_the_deadline():
    # Received Monday 23 Nov (deadline Mon 7 Dec): same day = 0; Friday 27 Nov = 4; Mon 7 Dec = 10, in time;
    # Tue 8 Dec = 11, late.
    dt_ = doorlooptijd([t325("2026-11-23", "2026-11-23"), t325("2026-11-23", "2026-11-27"),
                        t325("2026-11-23", "2026-12-07"), t325("2026-11-23", "2026-12-08")],
                       d("2026-12-10"), werkdagen_tussen)
    assert (dt_.beantwoord, dt_.op_tijd, dt_.open, dt_.open_verlopen) == (4, 3, 0, 0)
    assert dt_.mediaan_werkdagen == 7 and dt_.max_werkdagen == 11  # median of 0, 4, 10, 11
    assert dt_.aandeel_op_tijd == 75


def test_a_weekend_is_not_counted_and_open_obligations_past_their_deadline_are():
    # Received Friday 20 Nov, answered Monday 23 Nov: one working day.
    dt_ = doorlooptijd([t325("2026-11-20", "2026-11-23", "2026-12-04"), t325("2026-11-20", None, "2026-12-04"),
                        t325("2026-11-23", None, "2026-12-07")], d("2026-12-07"), werkdagen_tussen)
    assert dt_.mediaan_werkdagen == 1 and dt_.beantwoord == 1 and dt_.aandeel_op_tijd == 100
    assert (dt_.open, dt_.open_verlopen) == (2, 1)  # due 4 Dec is past on 7 Dec; due 7 Dec is not yet


def test_no_answered_323_gives_no_share_and_no_median():
    dt_ = doorlooptijd([], d("2026-12-01"), werkdagen_tussen)
    assert dt_.aandeel_op_tijd is None and dt_.mediaan_werkdagen is None and dt_.max_werkdagen is None
    assert mediaan([3]) == 3 and mediaan([1, 2]) == Fraction(3, 2) and mediaan([]) is None


# ------------------------------------------------------------------ policy targets

def test_a_share_target_is_met_at_exactly_its_value_and_not_just_below():
    assert doelstand("x", "aandeel_regionaal", "jw", 85, (85, 100), (0, 0)).gehaald is True
    onder = doelstand("x", "aandeel_regionaal", "jw", 85, (8499, 10000), (90, 100))
    assert onder.gehaald is False and onder.waarde == Fraction(8499, 100)
    assert onder.verschil_vorig_jaar == Fraction(8499, 100) - 90


def test_a_budget_target_is_a_ceiling_and_no_budget_or_spend_means_unknown():
    assert doelstand("x", "prognose_binnen_budget", None, 100, (100, 100), (0, 0)).gehaald is True
    assert doelstand("x", "prognose_binnen_budget", None, 100, (101, 100), (0, 0)).gehaald is False
    leeg = doelstand("x", "aandeel_regionaal", None, 85, (0, 0), (0, 0))
    assert leeg.waarde is None and leeg.gehaald is None and leeg.verschil_vorig_jaar is None
    assert doelstand("x", "aandeel_regionaal", None, 92.5, (925, 1000), (0, 0)).gehaald is True  # 92.5 exactly
    assert percentage(1, 3) == Fraction(100, 3) and percentage(5, 0) is None and percentage(5, -1) is None
    with pytest.raises(ValueError):
        doelstand("x", "instroom", None, 1, (0, 0), (0, 0))


def test_the_region_file_holds_policy_targets_and_refuses_an_unknown_kind(tmp_path):
    assert {(b.soort, b.domein) for b in REGIO.beleidsdoelen} >= {("aandeel_regionaal", "jw")}
    bad = tmp_path / "r.yaml"
    bad.write_text(DEFAULT_REGIO.read_text().replace("soort: aandeel_regionaal", "soort: instroom", 1))
    with pytest.raises(RegioFileError, match="soort"):
        load_regio(bad)


# ------------------------------------------------------------------ statistics per verdict

AGB = "87654321"


OKTOBER = d("2026-10-01")


def prestatie(ref: str, bedrag: int, dc: str = "D", code: str = "45A07", vorig: str | None = None,
              begin: dt.date = OKTOBER) -> BeoordeeldePrestatie:
    return BeoordeeldePrestatie(idempotentie_sleutel=idempotentie_sleutel(AGB, "jw", ref), referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie=code[:2], productcode=code,
                                periode_begin=begin, bedrag=bedrag, debet_credit=dc)


def oordeel(ref: str, *codes_en_redenen: tuple[str, str]) -> PrestatieOordeel:
    return PrestatieOordeel(referentienummer=ref, retourcodes=[c for c, _ in codes_en_redenen],
                            redenen=[r for _, r in codes_en_redenen])


TR418 = ("0611", "TR418 (0611) ProductTarief: Tarief wijkt af van het contracttarief; gevonden 21500, verwacht 21000 "
                 "/ Tariff differs from the contract tariff; found 21500, expected 21000")
TR346 = ("9346", "TR346 (9346) IngediendBedrag: Bedrag is niet volume maal tarief; gevonden 1, verwacht 2 / Amount …")


def verdict(goed: list[BeoordeeldePrestatie], oordelen: list[PrestatieOordeel], gemeente: str = "0632",
            header: list[str] | None = None, **extra) -> DeclaratieBeoordeeld:
    return DeclaratieBeoordeeld(
        event_id="e1", bericht_id="b1", domein="jw", aanbieder=AGB, gemeente=gemeente, declaratienummer="D1",
        header_retourcodes=header or ["0200"], oordelen=oordelen, goedgekeurd=goed, totaal_toegekend_bedrag=0,
        totaal_toegekend_debet_credit="D", occurred_at=dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC),
        **extra)


def test_a_verdict_counts_lines_per_code_and_the_expense_actually_booked():
    goed = [prestatie("R1", 118200), prestatie("R3", 50000, "C", vorig="R0")]
    e = verdict(goed, [oordeel("R1"), oordeel("R2", TR418), oordeel("R3"), oordeel("R4", TR418, TR346),
                       oordeel("R5", TR418, TR418)])
    posten = [journaalpost_voor(AGB, "0632", "jw", "b1", p) for p in goed]
    s = statistiek(e, posten, contractsoort_uit(REGIO))
    assert (s.regels_goedgekeurd, s.regels_afgekeurd, s.geheel_afgewezen) == (2, 3, False)
    assert s.goedgekeurd_cent == 118200 - 50000 and s.regionaal_cent == 68200 and s.lokaal_cent == 0
    assert s.maand == d("2026-11-01")  # 23:30 UTC on 31 October is 1 November in Amsterdam
    assert s.afkeuringen == (
        Afkeuring("regel", "0611", "TR418", "Tarief wijkt af van het contracttarief", 3),  # a code twice: one line
        Afkeuring("regel", "9346", "TR346", "Bedrag is niet volume maal tarief", 1))


def test_only_booked_entries_count_and_local_contracts_are_told_apart():
    # Provider 23456789 has a local contract with Stichtse Vecht (1904) for 45A07.
    lokaal = contractsoort_uit(REGIO)
    assert lokaal("23456789", "jw", "1904", "45A07", d("2026-10-01")) == "lokaal"
    assert lokaal("87654321", "jw", "1904", "45A07", d("2026-10-01")) == "regionaal"
    assert lokaal("87654321", "jw", "1904", "99X99", d("2026-10-01")) is None
    goed = [prestatie("R1", 1000), prestatie("R2", 2000, code="99X99")]
    e = verdict(goed, [oordeel("R1"), oordeel("R2")])
    alleen_r1 = [journaalpost_voor(AGB, "0632", "jw", "b1", goed[0])]  # R2 was booked before (same key)
    s = statistiek(e, alleen_r1, lokaal)
    assert (s.goedgekeurd_cent, s.regionaal_cent, s.lokaal_cent) == (1000, 1000, 0)
    alles = statistiek(e, [journaalpost_voor(AGB, "0632", "jw", "b1", p) for p in goed], lokaal)
    assert (alles.goedgekeurd_cent, alles.regionaal_cent) == (3000, 1000)  # no contract found: neither
    assert statistiek(e, alleen_r1, None).regionaal_cent == 0  # not split when no classifier is given


def test_a_message_rejected_as_a_whole_counts_once_per_code_without_lines():
    e = verdict([], [], header=["9056"], header_redenen=[
        "TR056 (9056) Header/BerichtIdentificatie/Identificatie: Identificatie is al gebruikt; gevonden X, verwacht Y"])
    s = statistiek(e, [])
    assert s.geheel_afgewezen and (s.regels_goedgekeurd, s.regels_afgekeurd, s.goedgekeurd_cent) == (0, 0, 0)
    assert s.afkeuringen == (Afkeuring("header", "9056", "TR056", "Identificatie is al gebruikt", 1),)
    d2 = verdict([], [], declaratie_retourcodes=["9333", "8214"], declaratie_redenen=[])
    assert [(a.niveau, a.retourcode, a.regel) for a in afkeuringen(d2)] == [("declaratie", "8214", None),
                                                                         ("declaratie", "9333", None)]


def test_reasons_keep_only_a_rules_fixed_text_and_never_a_nine_digit_number():
    assert reden_van(TR418[1], "0611") == ("TR418", "Tarief wijkt af van het contracttarief")
    assert reden_van(TR418[1], "9346") == (None, None)  # the reason of another code
    # A level-2 text quotes what it found (possibly a BSN): not kept.
    assert reden_van("CS002 /Bericht/Client/Bsn: elfproef; gevonden/found 999990019, verwacht/expected …",
                     "0001") == (None, None)
    assert reden_van("TR304 (8187) Client/Bsn: Client 999990019 hoort niet bij de toewijzing; gevonden ***",
                     "8187") == (None, None)
    e = verdict([], [oordeel("R1", ("0233", "TR304 (8187) Client/Bsn: Client hoort niet bij de toewijzing; "
                                           "gevonden ***, verwacht …"))])
    assert afkeuringen(e) == (Afkeuring("regel", "0233", None, None, 1),)  # the client's reason is 8187's


# ------------------------------------------------------------------ templates

def test_pages_escape_what_they_show_and_carry_no_script():
    env = omgeving(REGIO)
    maand = {"begin": d("2026-11-01"), "tot": d("2026-11-23"), "goedgekeurd_cent": 197000, "ingehouden_cent": 42000,
             "berichten": 2, "geheel_afgewezen": 0, "regels_goedgekeurd": 5, "regels_afgekeurd": 1}
    g = {"cbs": "0632", "naam": "Woerden", "jaar": 2026, "peildatum": d("2026-11-23"), "maand": maand,
         "budgetten": [Budgetstand("jw", "45", 2026, 540000000, 197000, 220000)], "zonder_budget": [],
         "plafonds": [Plafondstand("jw", "87654321", 2026, 200000, 200000, 42000)], "ingehouden_zonder_plafond": [],
         "saldi": [{"domein": "jw", "code": "kosten:45", "saldo_cent": 197000}],
         "betaalruns": [{"id": 1, "peildatum": "2026-11-23", "uitvoeringsdatum": "2026-11-24", "aantal": 1,
                         "totaal_cent": 200000}],
         "redenen_maand": [{"niveau": "regel", "retourcode": "0611", "regel": "TR418",
                            "reden": "<script>alert(1)</script>", "aantal": 1}],
         "redenen_jaar": [], "recent": [],
         "termijnen": {"fout": "berichtenverkeer is niet bereikbaar"}}
    html = env.get_template("gemeente.html").render(
        kijker=None, g=g, peildatum=d("2026-11-23"),
        diagram=staafdiagram([("Jeugdwet cat. 45", 197000, 540000000, 220000)]))
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"Segoe UI"' in html  # the page's own CSS is not escaped
    assert 'data-cent="197000">€ 1.970,00<' in html and "€ 5.400.000,00" in html and "€ 2.000,00" in html
    assert "Doorlooptijd 325 niet beschikbaar" in html and "berichtenverkeer is niet bereikbaar" in html
    assert re.search(r"<svg[^>]+role=\"img\"", html)
