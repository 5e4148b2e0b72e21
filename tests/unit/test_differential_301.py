"""Level 1 of the 301 (allocation) against the official JW301/WMO301 XSDs: the example, a fuller variant that uses
every optional part, hand-made broken variants and random mutations must get the same verdict from both."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import xsd_oracle
from tests.conftest import FIXTURES
from tests.xsd_oracle import mutate, ours_valid

VOORBEELD = (FIXTURES / "jw301-voorbeeld.xml").read_bytes()
SCHEMA = {d: xsd_oracle.schema(d, f"{d.upper()}301.xsd") for d in ("jw", "wmo")}


def fuller() -> bytes:
    """The example with every optional part filled, plus an aspecific allocation with a budget."""
    data = VOORBEELD.decode().replace("""    <jw301:Contactgegevens>""", """    <jw301:Communicatie>
      <ijw:Vorm>2</ijw:Vorm>
      <ijw:Taal>Nederlands</ijw:Taal>
    </jw301:Communicatie>
    <jw301:JuridischeStatus>01</jw301:JuridischeStatus>
    <jw301:WettelijkeVertegenwoordiging>06</jw301:WettelijkeVertegenwoordiging>
    <jw301:Commentaar>Let op:
  tweede regel.</jw301:Commentaar>
    <jw301:Relaties>
      <jw301:Relatie>
        <jw301:Nummer>R1</jw301:Nummer>
        <jw301:Volgorde>1</jw301:Volgorde>
        <jw301:Soort>03</jw301:Soort>
        <jw301:Geboortedatum><ijw:Datum>1985-01-31</ijw:Datum><ijw:DatumGebruik>1</ijw:DatumGebruik></jw301:Geboortedatum>
        <jw301:Geslacht>1</jw301:Geslacht>
        <jw301:Naam>
          <ijw:Geslachtsnaam><ijw:Achternaam>Berg</ijw:Achternaam><ijw:Voorvoegsel>van den</ijw:Voorvoegsel></ijw:Geslachtsnaam>
          <ijw:Partnernaam><ijw:Achternaam>Jansen</ijw:Achternaam></ijw:Partnernaam>
          <ijw:Voornamen>Anna Maria</ijw:Voornamen>
          <ijw:Voorletters>AMÉ</ijw:Voorletters>
          <ijw:NaamGebruik>2</ijw:NaamGebruik>
        </jw301:Naam>
        <jw301:Contact>
          <jw301:Soort>02</jw301:Soort>
          <jw301:Telefoon>
            <ijw:Telefoon01><ijw:Telefoonnummer>0348123456</ijw:Telefoonnummer><ijw:Landnummer>0031</ijw:Landnummer></ijw:Telefoon01>
          </jw301:Telefoon>
          <jw301:Emailadres>a.berg@example.org</jw301:Emailadres>
        </jw301:Contact>
      </jw301:Relatie>
    </jw301:Relaties>
    <jw301:Contactgegevens>""").replace("""          <ijw:Postcode>3441AA</ijw:Postcode>""", """          <ijw:Postcode>3441AA</ijw:Postcode>""").replace(
        """            <ijw:Huisnummer>1</ijw:Huisnummer>""", """            <ijw:Huisnummer>1</ijw:Huisnummer>
            <ijw:Huisletter>a</ijw:Huisletter>
            <ijw:HuisnummerToevoeging>bis</ijw:HuisnummerToevoeging>
            <ijw:AanduidingWoonadres>BY</ijw:AanduidingWoonadres>""").replace(
        """        </jw301:Adres>""", """        </jw301:Adres>
        <jw301:Organisatie>Gezinshuis De Linde</jw301:Organisatie>
        <jw301:Periode><ijw:Begindatum>2026-01-01</ijw:Begindatum></jw301:Periode>""").replace(
        """    </jw301:ToegewezenProducten>""", """      <jw301:ToegewezenProduct>
        <jw301:ToewijzingNummer>400125</jw301:ToewijzingNummer>
        <jw301:ReferentieAanbieder>VOT-2026-0001</jw301:ReferentieAanbieder>
        <jw301:Product><ijw:Categorie>54</ijw:Categorie></jw301:Product>
        <jw301:Toewijzingsdatum>2026-03-20</jw301:Toewijzingsdatum>
        <jw301:Toewijzingstijd>10:15:00.5</jw301:Toewijzingstijd>
        <jw301:Ingangsdatum>2026-04-01</jw301:Ingangsdatum>
        <jw301:Einddatum>2026-12-31</jw301:Einddatum>
        <jw301:RedenWijziging>04</jw301:RedenWijziging>
        <jw301:Budget>250000</jw301:Budget>
        <jw301:Commentaar>Budget voor diagnostiek</jw301:Commentaar>
      </jw301:ToegewezenProduct>
    </jw301:ToegewezenProducten>""")
    return data.encode()


FULLER = fuller()


def xsd_valid(data: bytes, domain: str = "jw") -> bool:
    return xsd_oracle.xsd_valid(SCHEMA[domain], data)


def test_the_example_and_the_fuller_variant_are_valid_for_both():
    for data in (VOORBEELD, FULLER):
        assert (ours_valid(data), xsd_valid(data)) == (True, True), SCHEMA["jw"].error_log


def sub(old: str, new: str) -> bytes:
    assert old.encode() in FULLER, old
    return FULLER.replace(old.encode(), new.encode(), 1)


CASES = {
    "Toewijzingstijd without seconds": sub(">10:15:00<", ">10:15<"),
    "Toewijzingstijd with zone": sub(">10:15:00<", ">10:15:00Z<"),
    "Toewijzingstijd 25h": sub(">10:15:00<", ">25:15:00<"),
    "Frequentie 3 (gone since 3.0)": sub("<ijw:Frequentie>2<", "<ijw:Frequentie>3<"),
    "RedenWijziging 15": sub(">04</jw301:RedenWijziging>", ">15</jw301:RedenWijziging>"),
    "Budget negative": sub(">250000<", ">-1<"),
    "Omvang without Frequentie": sub("<ijw:Frequentie>2</ijw:Frequentie>", ""),
    "Voorletters with digit": sub(">AMÉ<", ">A1<"),
    "Voorletters 7": sub(">AMÉ<", ">ABCDEFG<"),
    "Telefoonnummer with dash": sub(">0348123456<", ">0348-123456<"),
    "LandCode XX": sub(">NL<", ">XX<"),
    "LandCode lower case": sub(">NL<", ">nl<"),
    "Straatnaam 25 chars": sub(">Voorbeeldstraat<", ">Voorbeeldstraatlangenaam<"),
    "Straatnaam 24 chars": sub(">Voorbeeldstraat<", ">Voorbeeldstraatlangenaa<"),
    "Commentaar only spaces": sub(">Budget voor diagnostiek<", ">   <"),
    "Commentaar only dots": sub(">Budget voor diagnostiek<", ">...<"),
    "Huisletter two": sub(">a</ijw:Huisletter>", ">ab</ijw:Huisletter>"),
    "SoortRelatie 02": sub("<jw301:Soort>03<", "<jw301:Soort>02<"),
    "Geslacht 3": sub("<jw301:Geslacht>2<", "<jw301:Geslacht>3<"),
    "no ToegewezenProduct": sub("<jw301:ToewijzingNummer>400125</jw301:ToewijzingNummer>", ""),
    "ReferentieAanbieder 37": sub(">VOT-2026-0001<", ">" + "V" * 37 + "<"),
    "aspecific without Product (generic)": sub("<jw301:Product><ijw:Categorie>54</ijw:Categorie></jw301:Product>", ""),
}


@pytest.mark.parametrize("name", CASES)
def test_301_level1_agrees_with_the_official_xsd(name):
    data = CASES[name]
    assert ours_valid(data) == xsd_valid(data), name


def test_the_301_cases_cover_both_verdicts():
    assert {xsd_valid(d) for d in CASES.values()} == {True, False}


def _wmo(data: bytes) -> bytes:
    return (data.replace(b"http://www.istandaarden.nl/ijw/3_2/jw301/schema", b"http://www.istandaarden.nl/iwmo/3_2/wmo301/schema")
            .replace(b"http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
                     b"http://www.istandaarden.nl/iwmo/3_2/basisschema/schema")
            .replace(b"<jw301:BerichtCode>436<", b"<jw301:BerichtCode>414<"))


@pytest.mark.parametrize("categories, valid", [((b"02", b"07"), True), ((b"45", b"54"), False)])
def test_wmo_301_agrees_with_the_wmo_xsd(categories, valid):
    data = _wmo(FULLER).replace(b"Categorie>45<", b"Categorie>" + categories[0] + b"<").replace(
        b"Categorie>54<", b"Categorie>" + categories[1] + b"<")
    assert (ours_valid(data), xsd_valid(data, "wmo")) == (valid, valid)


TEXTS = st.one_of(st.sampled_from(["", " ", "0", "-1", "01", "13", "15", "NL", "XX", "10:15:00", "24:00:00", "1.0.0",
                                   "A", "AB", "abcdefg", "2026-02-29", "...", " . ", "0031", "99999", "100000"]),
                  st.text(max_size=12))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_301_mutations_get_the_same_verdict_as_the_xsd(data):
    mutated = mutate(FULLER, data, TEXTS)
    assert ours_valid(mutated) == xsd_valid(mutated), mutated.decode()[:4000]
