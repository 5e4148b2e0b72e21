"""The dashboard's Jinja2 environment: the templates in `templates/*.html` (autoescaped) and the page's CSS from
`static/dashboard.css`, both shipped as package data (pyproject.toml).

Decisions: server-rendered pages with inline SVG charts and no script at all (the Content-Security-Policy forbids
any), so there is no front-end build and nothing to run in the browser. The CSS is inlined in each page's <style>
(the policy allows inline styles and nothing else from anywhere), so a page is one response. Every value is
escaped by Jinja; amounts reach the templates as integer cents and are formatted by `opmaak`.
"""

from __future__ import annotations

from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from shared.platform.regio import Regio

from ...domain.dashboard import NORM_325_WERKDAGEN, percentage
from . import opmaak

PAKKET = __name__.rpartition(".")[0]  # the templates and the CSS are this package's data


def css() -> str:
    return (files(PAKKET) / "static" / "dashboard.css").read_text(encoding="utf-8")


def omgeving(regio: Regio) -> Environment:
    aanbieders = {a.agb: a.naam for a in regio.aanbieders}
    env = Environment(loader=PackageLoader(PAKKET, "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(euro=opmaak.euro, procent=opmaak.procent, procentpunt=opmaak.procentpunt,
                       getal=opmaak.getal, datum=opmaak.datum, tijdstip=opmaak.tijdstip, maand=opmaak.maand,
                       saldo=opmaak.saldo, retourcode=opmaak.retourcode)
    env.globals.update(
        css=Markup(css()),  # our own file; escaping would break the quotes in CSS (raw text in <style>)
        domein=opmaak.DOMEIN, stand=opmaak.STAND, verplichting=opmaak.VERPLICHTING, stap=opmaak.STAP,
        niveau=opmaak.NIVEAU, norm=NORM_325_WERKDAGEN, pct=percentage,
        gemeenten=[{"cbs": g.cbs, "naam": g.naam} for g in regio.gemeenten],
        aanbieder_naam=lambda agb: aanbieders.get(agb, agb),
        rekening=lambda code: opmaak.rekening(code, aanbieders))
    return env
