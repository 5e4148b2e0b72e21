"""Ledger postings (pure): double entry, reversal of credits, netting per account."""

from __future__ import annotations

import datetime as dt

import pytest

from facturatie.domain.grootboek import Journaalpost, Regel, journaalpost_voor, saldomutaties
from shared.events import BeoordeeldePrestatie


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
