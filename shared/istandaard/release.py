"""Releases of the iJw/iWmo standard, each a folder under releases/ holding the official artefacts.

A release folder has `release.yaml`, `xsd/jw/*.xsd` and `xsd/wmo/*.xsd` (the message schemas and the
basisschema each imports), `xslt/` (the official in-message rule stylesheets, a test oracle only) and `README.md`
with their provenance. Everything about a message type is read from its XSD: namespace, BerichtCode, XSD versions,
element tree and code lists. A message names its release by the namespace of its root element, so several releases
can be loaded at once (the national switch-over happens on one date; messages of the old release still arrive).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from lxml import etree

from .xsd import MessageSchema, read_message_schema

RELEASES_DIR = Path(__file__).resolve().parent / "releases"
DOMEINEN = ("jw", "wmo")
_XSD_NAME = re.compile(r"^(JW|WMO)(\d{3})\.xsd$")
_COMPILING = threading.Lock()


def read_release_file(release_dir: Path) -> dict:
    return yaml.safe_load((release_dir / "release.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True, eq=False)
class Berichtsoort:
    """One message kind of one release, e.g. JW323 of 3.2: its XSD read as a tree, and libxml2's compiled schema."""

    release: Release
    domein: str
    berichttype: str
    schema: MessageSchema

    @property
    def naam(self) -> str:
        return f"{self.domein.upper()}{self.berichttype}"

    @property
    def namespace(self) -> str:
        return self.schema.namespace

    @property
    def berichtcode(self) -> str:
        return self.schema.berichtcode

    @property
    def xmlschema(self) -> etree.XMLSchema:
        """libxml2's compiled XSD (level 1), one per thread, compiled on first use there (a process that never reads
        a 315 pays nothing). Not shared: one lxml XMLSchema validating in two threads at once lets an invalid message
        pass now and then (tests/istandaard/test_threads.py), and messages are read in a thread pool."""
        per_thread = self.__dict__.setdefault("_xmlschema_per_thread", threading.local())
        schema = getattr(per_thread, "schema", None)
        if schema is None:
            # libxml2's schema compiler is not safe to run in two threads at once (it crashed the process).
            with _COMPILING:
                doc = etree.parse(str(self.schema.path), etree.XMLParser(no_network=True, resolve_entities=False))
                schema = per_thread.schema = etree.XMLSchema(doc)
        return schema

    def __repr__(self) -> str:
        return f"<Berichtsoort {self.naam} {self.release.naam}>"


class Release:
    def __init__(self, folder: Path):
        spec = read_release_file(folder)
        self.folder = folder
        self.naam: str = spec["release"]
        self.berichtversie: int = spec["berichtversie"]
        self.berichtsubversie: int = spec["berichtsubversie"]
        self.xslt_versie: str = spec["xslt"]["versie"]
        self.xslt_paden = {d: folder / spec["xslt"][d] for d in DOMEINEN}
        self.afgeleid: dict = spec.get("afgeleid", {})
        self.soorten: dict[tuple[str, str], Berichtsoort] = {}
        for domein in DOMEINEN:
            for path in sorted((folder / "xsd" / domein).glob("*.xsd")):
                m = _XSD_NAME.match(path.name)
                if m is None:
                    continue  # basisschema.xsd
                if m.group(1).lower() != domein:
                    raise ValueError(f"{path}: a {m.group(1)} schema in the {domein} folder")
                self.soorten[(domein, m.group(2))] = Berichtsoort(self, domein, m.group(2), read_message_schema(path))
        self.basis_namespace = {d: next(s.schema.basis_namespace for (dd, _), s in self.soorten.items() if dd == d)
                                for d in DOMEINEN}

    @property
    def voorbeelden(self) -> Path:
        """The release's example messages (fictitious data): the demo sends them, the tests start from them."""
        return self.folder / "voorbeelden"

    def soort(self, domein: str, berichttype: str) -> Berichtsoort:
        return self.soorten[(domein, berichttype)]

    @property
    def berichttypes(self) -> tuple[str, ...]:
        return tuple(sorted({t for _, t in self.soorten}))

    @property
    def berichtcodes(self) -> dict[str, dict[str, str]]:
        return {d: {t: s.berichtcode for (dd, t), s in sorted(self.soorten.items()) if dd == d} for d in DOMEINEN}

    def __repr__(self) -> str:
        return f"<Release {self.naam}>"


def load_releases(root: Path = RELEASES_DIR) -> dict[str, Release]:
    releases = {}
    for spec in sorted(root.glob("*/release.yaml")):
        release = Release(spec.parent)
        releases[release.naam] = release
    if not releases:
        raise RuntimeError(f"no iJw/iWmo release found under {root}")
    return releases


RELEASES = load_releases()
# The release this back office writes in when nothing else decides it (an answer follows its heen message).
HUIDIGE = RELEASES[max(RELEASES, key=lambda n: tuple(int(x) for x in n.split(".")))]
_BY_NAMESPACE = {s.namespace: s for r in RELEASES.values() for s in r.soorten.values()}


def soort_van_namespace(namespace: str | None) -> Berichtsoort | None:
    return _BY_NAMESPACE.get(namespace or "")
