"""The official 3.2 XSDs as a test oracle, and the random document mutations the differential tests share."""

from __future__ import annotations

import copy

from hypothesis import strategies as st
from lxml import etree

from shared.codec import ParseError, read_bericht, validate_structure
from tests.conftest import XSD_DIR


def schema(domain: str, name: str) -> etree.XMLSchema:
    path = XSD_DIR / domain / name
    assert path.exists(), f"official XSD {path} not found: put the 3.2 XSDs there or set ISTANDAARDEN_XSD_DIR"
    # The mirror's WMO315.xsd has an example message pasted after </xs:schema>: keep only the schema document.
    text = path.read_bytes()
    end = text.find(b"</xs:schema>")
    if end >= 0:
        text = text[:end + len(b"</xs:schema>")]
    return etree.XMLSchema(etree.fromstring(text, base_url=str(path)))


def xsd_valid(s: etree.XMLSchema, data: bytes) -> bool:
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return False
    return s.validate(root)


def ours_valid(data: bytes) -> bool:
    """Our level-1 verdict for any message type the codec reads."""
    try:
        domein, berichttype, root = read_bericht(data)
        validate_structure(root, domein, berichttype)
        return True
    except ParseError:
        return False


def mutate(document: bytes, data: st.DataObject, texts: st.SearchStrategy[str]) -> bytes:
    """One random change: a leaf's text, or an element deleted, duplicated or swapped with its next sibling."""
    root = etree.fromstring(document)
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
    action = data.draw(st.sampled_from(["text", "delete", "duplicate", "swap"]))
    if action == "text":
        leaf = data.draw(st.sampled_from([el for el in elements if len(el) == 0]))
        text = data.draw(texts)
        leaf.text = "".join(ch for ch in text if ch.isprintable() or ch in "\t\n\r") or None
    else:
        el = data.draw(st.sampled_from(elements))
        parent = el.getparent()
        if action == "delete":
            parent.remove(el)
        elif action == "duplicate":
            el.addnext(copy.deepcopy(el))
        elif el.getnext() is not None:
            sibling = el.getnext()
            parent.remove(sibling)
            el.addprevious(sibling)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
