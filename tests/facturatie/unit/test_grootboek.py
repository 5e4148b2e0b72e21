"""Ledger postings (pure): double entry, reversal of credits, netting per account."""

from __future__ import annotations

import datetime as dt

import pytest

from facturatie.domain.grootboek import Journaalpost, Regel, definitieve_posten, journaalpost_voor, saldomutaties
from shared.platform.events import BeoordeeldePrestatie


def p(ref="R1", bedrag=118200, dc="D", vorig=None, cat="45"):
    # Provider 87654321, Jeugdwet: the key declaratie would send for this line.
    return BeoordeeldePrestatie(idempotentie_sleutel=f"87654321:jw:{ref}", referentienummer=ref,
                                vorig_referentienummer=vorig, productcategorie=cat,
                                productcode="45A07", periode_begin=dt.date(2026, 4, 1), bedrag=bedrag, debet_credit=dc)


def test_debit_line_debits_expense_and_credits_the_provider():
    post = journaalpost_voor("87654321", "0632", "jw", "b1", p())
    assert post.idempotentie_sleutel == "87654321:jw:R1"
    assert post.regels == (Regel("kosten:45", 118200, 0), Regel("crediteur:87654321", 0, 118200))


def test_credit_line_is_the_exact_reversal_referencing_the_original():
    post = journaalpost_voor("87654321", "0632", "jw", "b1", p("R2", 98500, "C", vorig="R0"))
    assert post.regels == (Regel("crediteur:87654321", 98500, 0), Regel("kosten:45", 0, 98500))
    assert post.tegenboeking_van == "87654321:jw:R0"


def test_unbalanced_or_negative_posts_are_impossible():
    with pytest.raises(ValueError):
        Journaalpost("k", "0632", "jw", "b", "x", None, (Regel("a", 10, 0), Regel("b", 0, 9)))
    with pytest.raises(ValueError):
        Journaalpost("k", "0632", "jw", "b", "x", None, (Regel("a", -10, 0), Regel("b", 0, -10)))


def test_balance_changes_are_netted_per_account():
    posts = [journaalpost_voor("87654321", "0632", "jw", "b", x) for x in
             (p("A", 100), p("B", 40, "C", vorig="A"), p("C", 7, cat="54"))]
    assert saldomutaties(posts) == {("0632", "jw", "kosten:45"): 60, ("0632", "jw", "crediteur:87654321"): -67,
                                    ("0632", "jw", "kosten:54"): 7}


def test_content_hash_ignores_origin_but_not_amounts():
    a = journaalpost_voor("87654321", "0632", "jw", "bericht-1", p())
    b = journaalpost_voor("87654321", "0632", "jw", "bericht-2", p())
    c = journaalpost_voor("87654321", "0632", "jw", "bericht-1", p(bedrag=118201))
    assert a.inhoud_hash == b.inhoud_hash != c.inhoud_hash


# Spending ceilings (maximale bestedingsruimte): keyed (gemeente, domein, aanbieder, jaar of the care).
PLAFOND = ("0632", "jw", "87654321", 2026)


def booked(*lines, ruimte=None, originelen=None):
    posts = [journaalpost_voor("87654321", "0632", "jw", "b", x) for x in lines]
    return definitieve_posten(posts, originelen or {}, ruimte if ruimte is not None else {})


def test_a_line_that_exactly_fits_the_room_left_is_payable_in_full():
    ruimte = {PLAFOND: 118200}
    (post,) = booked(p(bedrag=118200), ruimte=ruimte)
    assert post.regels == (Regel("kosten:45", 118200, 0), Regel("crediteur:87654321", 0, 118200))
    assert ruimte[PLAFOND] == 0


def test_one_cent_beyond_the_ceiling_is_withheld_not_payable():
    ruimte = {PLAFOND: 118199}
    (post,) = booked(p(bedrag=118200), ruimte=ruimte)
    assert post.regels == (Regel("kosten:45", 118200, 0), Regel("crediteur:87654321", 0, 118199),
                           Regel("ingehouden:87654321", 0, 1))
    assert ruimte[PLAFOND] == 0


@pytest.mark.parametrize("room", [0, -5000])  # used up, or a ceiling lowered below what was paid
def test_without_room_the_whole_line_is_withheld(room):
    ruimte = {PLAFOND: room}
    (post,) = booked(p(bedrag=700), ruimte=ruimte)
    assert post.regels == (Regel("kosten:45", 700, 0), Regel("ingehouden:87654321", 0, 700))
    assert ruimte[PLAFOND] == room


def test_lines_in_one_batch_use_the_room_in_order():
    posts = booked(p("R1", 600), p("R2", 600), p("R3", 600), ruimte={PLAFOND: 1000})
    assert [{r.rekening: r.credit for r in x.regels if r.credit} for x in posts] == [
        {"crediteur:87654321": 600}, {"crediteur:87654321": 400, "ingehouden:87654321": 200},
        {"ingehouden:87654321": 600}]


def test_a_reversal_gives_back_the_room_its_original_used_and_unwithholds_its_withheld_part():
    ruimte = {PLAFOND: 1000}
    _, credit, next_line = booked(p("R1", 1500), p("R2", 1500, "C", vorig="R1"), p("R3", 800), ruimte=ruimte)
    assert credit.regels == (Regel("crediteur:87654321", 1000, 0), Regel("ingehouden:87654321", 500, 0),
                             Regel("kosten:45", 0, 1500))
    assert next_line.regels[1:] == (Regel("crediteur:87654321", 0, 800),)
    assert ruimte[PLAFOND] == 200


def test_a_reversal_mirrors_its_booked_original_whatever_amount_the_credit_line_carries():
    (orig,) = booked(p("R1", 1500), ruimte={PLAFOND: 1000})
    (credit,) = booked(p("R2", 9999, "C", vorig="R1"), originelen={orig.idempotentie_sleutel: orig})
    assert sorted(credit.regels, key=lambda r: r.rekening) == [
        Regel("crediteur:87654321", 1000, 0), Regel("ingehouden:87654321", 500, 0), Regel("kosten:45", 0, 1500)]


def test_a_reversal_counts_in_its_originals_year_and_other_years_or_providers_are_not_limited():
    december = p("R1", 1000).model_copy(update={"periode_begin": dt.date(2025, 12, 1)})
    ruimte = {PLAFOND: 0}
    orig, = booked(december, ruimte=ruimte)
    assert [r.rekening for r in orig.regels] == ["kosten:45", "crediteur:87654321"]  # no 2025 ceiling
    credit, = booked(p("R2", 1000, "C", vorig="R1"), ruimte=ruimte, originelen={orig.idempotentie_sleutel: orig})
    assert credit.prestatiejaar == 2025 and ruimte[PLAFOND] == 0
    other = definitieve_posten([journaalpost_voor("12345678", "0632", "jw", "b", p("R9", 500))], {}, ruimte)
    assert other[0].regels[1] == Regel("crediteur:12345678", 0, 500)
