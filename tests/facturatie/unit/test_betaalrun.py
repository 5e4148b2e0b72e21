"""Payment runs (pure) and their SEPA file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from facturatie.adapters.sepa import BetaalbestandFout, pain001
from facturatie.domain.betaalrun import Betaling, betaalposten, te_betalen
from shared.platform.regio import load_regio
from tools.checkout import DEFAULT_REGIO

REGIO = load_regio(DEFAULT_REGIO)
AANBIEDERS = {a.agb: a for a in REGIO.aanbieders}
PEIL = dt.date(2026, 10, 31)
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def test_only_payables_with_a_credit_balance_are_paid_in_a_stable_order():
    openstaand = {("wmo", "34567890"): 500, ("jw", "87654321"): 143500, ("jw", "12345678"): 0,
                  ("jw", "23456789"): -2000}
    assert te_betalen(openstaand) == [Betaling("jw", "87654321", 143500), Betaling("wmo", "34567890", 500)]


def test_a_payment_debits_the_payable_and_credits_the_bank_under_a_key_per_run():
    (post,) = betaalposten("0632", PEIL, 7, [Betaling("jw", "87654321", 143500)])
    assert [(r.rekening, r.debet, r.credit) for r in post.regels] == [("crediteur:87654321", 143500, 0),
                                                                       ("bank", 0, 143500)]
    assert post.soort == "betaling" and post.idempotentie_sleutel == "betaalrun:0632:2026-10-31:jw:87654321"
    assert Betaling("wmo", "87654321", 1).end_to_end_id("0632", PEIL) == "0632-20261031-wmo-87654321"


def test_the_pain001_file_holds_every_transfer_and_the_control_sum():
    betalingen = [Betaling("jw", "87654321", 143500), Betaling("wmo", "34567890", 1)]
    doc = etree.fromstring(pain001(REGIO.gemeente("0632"), AANBIEDERS, betalingen, 7, PEIL, dt.date(2026, 11, 24)))
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "1435.01"  # 1,435.00 + 0.01
    assert doc.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "NL58BNGH0285063201"
    tx = doc.findall(".//p:CdtTrfTxInf", namespaces=NS)
    assert [(t.findtext(".//p:IBAN", namespaces=NS), Decimal(t.findtext(".//p:InstdAmt", namespaces=NS)),
             t.findtext(".//p:EndToEndId", namespaces=NS)) for t in tx] == [
        ("NL91ABNA0417164300", Decimal("1435.00"), "0632-20261031-jw-87654321"),
        ("NL02ABNA0123456789", Decimal("0.01"), "0632-20261031-wmo-34567890")]
    assert doc.findtext(".//p:ReqdExctnDt", namespaces=NS) == "2026-11-24"


def test_no_file_without_the_municipalitys_iban_or_for_an_unknown_provider():
    zonder_iban = REGIO.gemeente("0632").model_copy(update={"iban": None})
    with pytest.raises(BetaalbestandFout, match="no IBAN"):
        pain001(zonder_iban, AANBIEDERS, [Betaling("jw", "87654321", 1)], 1, PEIL, PEIL)
    with pytest.raises(BetaalbestandFout, match="not in the region file"):
        pain001(REGIO.gemeente("0632"), AANBIEDERS, [Betaling("jw", "99999999", 1)], 1, PEIL, PEIL)
