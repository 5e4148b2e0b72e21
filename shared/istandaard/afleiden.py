"""The iWmo schemas a release's public copy lacks, derived mechanically from their iJw twin.

    .venv/bin/python -m shared.istandaard.afleiden          # rewrites the derived files of every release

A release's `release.yaml` lists them under `afgeleid` (e.g. WMO302 from JW302, dropping the Jeugdwet-only
GezagsdragerBekend). The iWmo and iJw schemas of one release differ only in namespaces, BerichtCode, XSD version
and a few Jeugdwet-only elements, and they import their own domain's basisschema (so product categories and
other code lists are iWmo's). tests/istandaard/test_istandaard_release.py applies the same derivation to every message
both domains publish and checks that it yields the official iWmo schema element for element: that is what makes
the derived ones trustworthy. The derived files are committed, each marked as derived in its appinfo comment.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from lxml import etree

from .xsd import XS


def derive_wmo(jw_text: str, berichttype: str, berichtcode: str, xsd_versie: str, zonder: list[str]) -> str:
    """The iWmo schema text made from the iJw one: namespaces, prefixes, BerichtCode and versions rewritten,
    and the named Jeugdwet-only elements (and complex types of that name) removed."""
    text = jw_text.replace("/ijw/", "/iwmo/").replace("ijw:", "iwmo:").replace("xmlns:ijw=", "xmlns:iwmo=")
    text = text.replace("<iwmo:standaard>ijw</iwmo:standaard>", "<iwmo:standaard>iwmo</iwmo:standaard>")
    text = re.sub(rf"\bjw{berichttype}\b", f"wmo{berichttype}", text)
    text = re.sub(r'(<xs:element name="BerichtCode">.*?<xs:pattern value=")\d{3}(")',
                  rf"\g<1>{berichtcode}\g<2>", text, count=1, flags=re.S)
    text = re.sub(r"(<iwmo:(?:Bericht|Basisschema)Xsd(?:Min|Max)?Versie>)[^<]*(<)", rf"\g<1>{xsd_versie}\g<2>", text)
    doc = etree.fromstring(text.encode("utf-8"))
    for name in zonder:
        found = [el for el in doc.iter(f"{{{XS}}}element", f"{{{XS}}}complexType") if el.get("name") == name]
        if not found:
            raise ValueError(f"JW{berichttype}: no element {name} to leave out")
        for el in found:
            el.getparent().remove(el)
    note = etree.Comment(f" Derived mechanically from JW{berichttype}.xsd (shared/istandaard/afleiden.py): "
                         f"iWmo namespaces, BerichtCode {berichtcode}, XSD version {xsd_versie}"
                         + (f", without {', '.join(zonder)}" if zonder else "") + ". ")
    doc.insert(0, note)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"


def write_derived(release_dir: Path, afgeleid: dict) -> list[Path]:
    out = []
    for berichttype, spec in sorted(afgeleid.items()):
        jw = (release_dir / "xsd" / "jw" / f"JW{berichttype}.xsd").read_text(encoding="utf-8")
        path = release_dir / "xsd" / "wmo" / f"WMO{berichttype}.xsd"
        path.write_text(derive_wmo(jw, berichttype, spec["berichtcode"], spec["xsd_versie"], spec.get("zonder", [])),
                        encoding="utf-8")
        out.append(path)
    return out


def main() -> int:
    from .release import RELEASES_DIR, read_release_file

    for release_dir in sorted(p.parent for p in RELEASES_DIR.glob("*/release.yaml")):
        spec = read_release_file(release_dir)
        for path in write_derived(release_dir, spec.get("afgeleid", {})):
            print(f"derived {path.relative_to(RELEASES_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
