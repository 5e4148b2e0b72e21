"""The iJw/iWmo standard from its official artefacts: one package, one folder per release (releases/<n>/ with the
XSDs, the rule stylesheets, the examples and their provenance).

- Level 1 is the official XSD run by libxml2 (niveau1.py), every problem made readable from the XSD itself.
- Level 2 is the stylesheet's in-message rules as own code, one function per rule id (niveau2/).
- Reading and writing follow the XSD's element tree (xsd.py): nothing about a message's structure is typed by hand.

Nothing outside this package names a release's namespaces; code elsewhere asks this package.
"""

from .lezen import (
                    MAX_BERICHT_BYTES,
                    declaratiebericht_from,
                    declaratiebericht_van,
                    detect,
                    lees,
                    parse_301,
                    parse_323,
                    parse_xml,
                    read_bericht,
                    read_expected,
                    toewijzingsbericht_from,
                    toewijzingsbericht_van,
                    validate_structure,
                    values_of,
)
from .niveau1 import line_of, path_of
from .niveau2 import niveau2, niveau2_323
from .problemen import MAX_PROBLEMEN, ParseError, Problem
from .release import HUIDIGE, RELEASES, Berichtsoort, Release
from .schrijven import UitgaandBerichtOngeldig, controleer_uitgaand, write_323, write_325, write_bericht

BERICHTCODES = HUIDIGE.berichtcodes

__all__ = [
    "BERICHTCODES", "HUIDIGE", "MAX_BERICHT_BYTES", "MAX_PROBLEMEN", "RELEASES", "Berichtsoort", "ParseError",
    "Problem", "Release", "UitgaandBerichtOngeldig", "controleer_uitgaand", "declaratiebericht_from",
    "declaratiebericht_van", "detect", "lees", "line_of", "niveau2", "niveau2_323", "parse_301", "parse_323",
    "parse_xml", "path_of", "read_bericht", "read_expected", "toewijzingsbericht_from", "toewijzingsbericht_van",
    "validate_structure", "values_of", "write_323", "write_325", "write_bericht",
]
