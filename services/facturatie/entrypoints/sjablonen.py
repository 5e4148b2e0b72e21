"""The dashboard's HTML templates (Jinja2, autoescaped) and their environment.

Decisions: server-rendered pages with inline SVG charts and no script at all (the Content-Security-Policy forbids
any), so there is no front-end build and nothing to run in the browser. The templates live in this module rather
than in .html files so they are packaged with the code wherever facturatie is installed. Every value is escaped by
Jinja; amounts reach the templates as integer cents and are formatted by `opmaak`.
"""

from __future__ import annotations

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

from shared.platform.regio import Regio

from ..domain.dashboard import NORM_325_WERKDAGEN, percentage
from . import opmaak

_CSS = """
:root { --inkt:#1d2733; --grijs:#5b6675; --lijn:#d9dee5; --vlak:#f4f6f9; --accent:#155e75; --goed:#1b7a43;
        --fout:#b42318; --let:#a15c07; }
* { box-sizing: border-box; }
body { margin:0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--inkt); background: var(--vlak); }
header.kop { display:flex; flex-wrap:wrap; gap:12px 24px; align-items:center; justify-content:space-between;
             padding:12px 24px; background: var(--inkt); color:#fff; }
header.kop a { color:#fff; }
.merk { font-weight:600; } .merk span { font-weight:400; opacity:.8; }
nav.menu { display:flex; flex-wrap:wrap; gap:4px 14px; font-size:14px; }
form.uit { display:flex; gap:10px; align-items:center; font-size:14px; }
form.uit button { background:transparent; color:#fff; border:1px solid #fff8; border-radius:4px; padding:3px 10px;
                  cursor:pointer; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { margin: 4px 0 2px; font-size: 26px; } h2 { font-size: 18px; margin: 0 0 10px; }
.sub { color: var(--grijs); margin-bottom: 18px; }
.paneel { background:#fff; border:1px solid var(--lijn); border-radius:8px; padding:16px 18px; margin: 0 0 18px;
          overflow-x: auto; }
.rooster { display:grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 12px; }
.tegel { background:#fff; border:1px solid var(--lijn); border-radius:8px; padding:12px 14px; }
.tegel .wat { color: var(--grijs); font-size: 13px; } .tegel .hoeveel { font-size: 22px; font-weight: 600; }
.twee { display:grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 18px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--lijn); vertical-align: top; }
th { color: var(--grijs); font-weight: 600; font-size: 13px; }
td.bedrag, th.bedrag, td.getal, th.getal { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.totaal td { font-weight: 600; border-top: 2px solid var(--inkt); }
.goed { color: var(--goed); } .fout { color: var(--fout); } .let { color: var(--let); }
.label { display:inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; border:1px solid currentColor; }
.toelichting { color: var(--grijs); font-size: 13px; margin: 8px 0 0; }
.niet-beschikbaar { border-left: 4px solid var(--let); padding: 8px 12px; background: #fff8eb; }
.melding { border-left: 4px solid var(--fout); padding: 8px 12px; background: #fdeceb; margin: 0 0 14px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
svg.grafiek { display: block; max-width: 100%; height: auto; margin-bottom: 8px; }
svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: var(--inkt); }
.schuif { overflow-x: auto; }
form.inloggen { display:grid; gap:10px; max-width: 460px; }
form.inloggen input { font: inherit; padding: 8px 10px; border: 1px solid var(--lijn); border-radius: 6px; }
form.inloggen button { font: inherit; padding: 8px 12px; background: var(--accent); color:#fff; border:0;
                       border-radius: 6px; cursor: pointer; justify-self: start; }
footer { max-width: 1180px; margin: 0 auto; padding: 0 24px 30px; color: var(--grijs); font-size: 12px; }
"""

_BASIS = """<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block titel %}{% endblock %} · Backoffice Jeugd en Wmo</title>
<style>{{ css }}</style>
</head>
<body>
<header class="kop">
  <div class="merk">Regionale backoffice Jeugd en Wmo · <span>Financiën en control</span></div>
  {% if kijker %}
  <nav class="menu" aria-label="Dashboard">
    {% if kijker.soort == "regio" %}<a href="/dashboard/regio">Regio</a>
      {% for g in gemeenten %}<a href="/dashboard/gemeenten/{{ g.cbs }}">{{ g.naam }}</a>{% endfor %}
    {% else %}<a href="/dashboard/gemeenten/{{ kijker.code }}">{{ kijker.naam }}</a>{% endif %}
  </nav>
  <form class="uit" method="post" action="/dashboard/uitloggen">
    <span>Ingelogd als {{ kijker.naam }}</span><button type="submit">Uitloggen</button>
  </form>
  {% endif %}
</header>
<main>
{% block inhoud %}{% endblock %}
</main>
<footer>Bedragen in euro's uit de grootboeken van facturatie; termijnen en tijdlijnen uit berichtenverkeer.
{% if peildatum is defined %}Peildatum {{ peildatum | datum }}.{% endif %}</footer>
</body>
</html>
"""

_MACROS = """
{% macro niet_beschikbaar(wat, fout) -%}
<p class="niet-beschikbaar" data-niet-beschikbaar="{{ wat }}"><strong>{{ wat | capitalize }} niet beschikbaar</strong>:
{{ fout }}. De rest van deze pagina is wel actueel.</p>
{%- endmacro %}

{% macro staafdiagram(d, titel) -%}
<svg class="grafiek" role="img" aria-label="{{ titel }}" width="{{ d.breedte }}" height="{{ d.hoogte + 22 }}"
     viewBox="0 0 {{ d.breedte }} {{ d.hoogte + 22 }}" xmlns="http://www.w3.org/2000/svg">
  <title>{{ titel }}</title>
  {% for s in d.staven %}
  <g data-staaf="{{ s.label }}">
    <text x="{{ d.links - 8 }}" y="{{ s.y + d.staafhoogte * 0.75 }}" text-anchor="end">{{ s.label }}</text>
    <rect x="{{ d.links }}" y="{{ s.y }}" width="{{ s.budget_breedte }}" height="{{ d.staafhoogte }}" fill="#cfe3ea">
      <title>Budget {{ s.budget_cent | euro }}</title></rect>
    <rect x="{{ d.links }}" y="{{ s.y + d.staafhoogte * 0.2 }}" width="{{ s.verbruikt_breedte }}"
          height="{{ d.staafhoogte * 0.6 }}" fill="{{ '#b42318' if s.over_budget else '#155e75' }}">
      <title>Verbruikt {{ s.verbruikt_cent | euro }}</title></rect>
    {% if s.prognose_x is not none %}
    <line x1="{{ s.prognose_x }}" x2="{{ s.prognose_x }}" y1="{{ s.y - 3 }}" y2="{{ s.y + d.staafhoogte + 3 }}"
          stroke="#1d2733" stroke-width="2"><title>Prognose {{ s.prognose_cent | euro }}</title></line>
    {% endif %}
  </g>
  {% endfor %}
  <g transform="translate(0 {{ d.hoogte + 4 }})">
    <rect x="{{ d.links }}" y="0" width="12" height="10" fill="#cfe3ea"/><text x="{{ d.links + 16 }}" y="9">budget</text>
    <rect x="{{ d.links + 80 }}" y="0" width="12" height="10" fill="#155e75"/>
    <text x="{{ d.links + 96 }}" y="9">verbruikt</text>
    <rect x="{{ d.links + 170 }}" y="0" width="12" height="10" fill="#b42318"/>
    <text x="{{ d.links + 186 }}" y="9">boven budget (verwacht)</text>
    <line x1="{{ d.links + 350 }}" x2="{{ d.links + 350 }}" y1="-1" y2="11" stroke="#1d2733" stroke-width="2"/>
    <text x="{{ d.links + 356 }}" y="9">prognose 31 december</text>
  </g>
</svg>
{%- endmacro %}

{% macro redenen_tabel(rijen, soort) -%}
{% if rijen %}
<table data-redenen="{{ soort }}">
  <thead><tr><th>#</th><th>RetourCode</th><th>Regel</th><th>Reden</th><th>Niveau</th><th class="getal">Aantal</th></tr></thead>
  <tbody>
  {% for r in rijen %}
  <tr data-retourcode="{{ r.retourcode }}" data-aantal="{{ r.aantal }}">
    <td>{{ loop.index }}</td><td><code>{{ r.retourcode }}</code></td><td>{{ r.regel or "—" }}</td>
    <td>{{ r.retourcode | retourcode(r.reden) }}</td><td>{{ niveau[r.niveau] }}</td>
    <td class="getal">{{ r.aantal }}{% if r.niveau == "regel" %} regel{{ "s" if r.aantal != 1 else "" }}{% else %} bericht{{ "en" if r.aantal != 1 else "" }}{% endif %}</td>
  </tr>
  {% endfor %}
  </tbody>
</table>
{% else %}<p class="toelichting">Geen afkeuringen.</p>{% endif %}
{%- endmacro %}

{% macro doorlooptijd_tekst(t) -%}
{% if t.fout %}{{ niet_beschikbaar("doorlooptijd 325", t.fout) }}
{% else %}{% set d = t.doorlooptijd %}
<div class="rooster" data-doorlooptijd>
  <div class="tegel"><div class="wat">Beantwoorde 323's</div><div class="hoeveel" data-beantwoord="{{ d.beantwoord }}">{{ d.beantwoord }}</div></div>
  <div class="tegel"><div class="wat">Binnen de norm van {{ norm }} werkdagen</div>
    <div class="hoeveel {{ 'goed' if d.aandeel_op_tijd == 100 else 'let' }}" data-op-tijd="{{ d.op_tijd }}">{{ d.aandeel_op_tijd | procent }}</div></div>
  <div class="tegel"><div class="wat">Mediaan doorlooptijd</div>
    <div class="hoeveel" data-mediaan>{% if d.mediaan_werkdagen is none %}—{% else %}{{ d.mediaan_werkdagen | getal }} werkdag{{ "en" if d.mediaan_werkdagen != 1 else "" }}{% endif %}</div></div>
  <div class="tegel"><div class="wat">Langste doorlooptijd</div>
    <div class="hoeveel">{% if d.max_werkdagen is none %}—{% else %}{{ d.max_werkdagen }} werkdag{{ "en" if d.max_werkdagen != 1 else "" }}{% endif %}</div></div>
  <div class="tegel"><div class="wat">Nog te beantwoorden</div>
    <div class="hoeveel {{ 'fout' if d.open_verlopen else '' }}">{{ d.open }}{% if d.open_verlopen %} ({{ d.open_verlopen }} verlopen){% endif %}</div></div>
</div>
<p class="toelichting">Per beantwoorde 323 van dit jaar: werkdagen van de dag van ontvangst (telt niet mee) tot de dag van de 325,
volgens de Algemene termijnenwet.{% if t.afgekapt %} Alleen de eerste 1000 termijnen van berichtenverkeer zijn meegeteld.{% endif %}</p>
{% endif %}
{%- endmacro %}
"""

_INLOGGEN = """{% extends "basis" %}
{% block titel %}Inloggen{% endblock %}
{% block inhoud %}
<h1>Dashboard financiën en control</h1>
<p class="sub">Voor gemeenten en de controller van de regio.</p>
<section class="paneel">
  {% if melding %}<p class="melding" role="alert" data-melding>{{ melding }}</p>{% endif %}
  <form class="inloggen" method="post" action="/dashboard/inloggen">
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="off" required
           placeholder="de token van uw gemeente of van de regio">
    <button type="submit">Inloggen</button>
  </form>
  <p class="toelichting">Gebruik dezelfde token als voor de API. Hij wordt bewaard in een cookie die alleen dit
  dashboard meestuurt (HttpOnly, SameSite=Strict) en verdwijnt bij uitloggen of na 8 uur.</p>
</section>
{% endblock %}
"""

_FOUT = """{% extends "basis" %}
{% block titel %}{{ kop }}{% endblock %}
{% block inhoud %}
<h1>{{ kop }}</h1>
<section class="paneel"><p data-fout>{{ tekst }}</p>
{% if kijker %}<p><a href="/dashboard">Naar het dashboard</a></p>{% else %}<p><a href="/dashboard/inloggen">Inloggen</a></p>{% endif %}
</section>
{% endblock %}
"""

_GEMEENTE = """{% extends "basis" %}
{% import "macros" as m %}
{% block titel %}{{ g.naam }}{% endblock %}
{% block inhoud %}
<h1>{{ g.naam }} <span class="sub">({{ g.cbs }})</span></h1>
<p class="sub">Jaar {{ g.jaar }} · peildatum {{ g.peildatum | datum }} ·
{% if g.jaar != g.peildatum.year %}<a href="?jaar={{ g.peildatum.year }}">naar {{ g.peildatum.year }}</a>{% else %}<a href="?jaar={{ g.jaar - 1 }}">{{ g.jaar - 1 }}</a>{% endif %}</p>

<section class="paneel" aria-labelledby="maand">
  <h2 id="maand">Deze maand ({{ g.maand.begin | maand }})</h2>
  <div class="rooster">
    <div class="tegel"><div class="wat">Goedgekeurd (geboekt)</div>
      <div class="hoeveel bedrag" data-maand="goedgekeurd" data-cent="{{ g.maand.goedgekeurd_cent }}">{{ g.maand.goedgekeurd_cent | euro }}</div></div>
    <div class="tegel"><div class="wat">Ingehouden boven bestedingsruimte</div>
      <div class="hoeveel bedrag" data-maand="ingehouden" data-cent="{{ g.maand.ingehouden_cent }}">{{ g.maand.ingehouden_cent | euro }}</div></div>
    <div class="tegel"><div class="wat">Afgekeurd</div>
      <div class="hoeveel" data-maand="afgekeurd" data-regels="{{ g.maand.regels_afgekeurd }}">{{ g.maand.regels_afgekeurd }} regel{{ "s" if g.maand.regels_afgekeurd != 1 else "" }}</div>
      <div class="wat">{{ g.maand.geheel_afgewezen }} declaratie{{ "s" if g.maand.geheel_afgewezen != 1 else "" }} geheel afgewezen</div></div>
    <div class="tegel"><div class="wat">Beoordeelde declaraties</div>
      <div class="hoeveel" data-maand="berichten">{{ g.maand.berichten }}</div>
      <div class="wat">{{ g.maand.regels_goedgekeurd }} regel{{ "s" if g.maand.regels_goedgekeurd != 1 else "" }} goedgekeurd</div></div>
  </div>
  <p class="toelichting">Goedgekeurd en ingehouden: netto geboekt van 1 {{ g.maand.begin | maand }} tot en met vandaag
  (creditregels trekken af). Afgekeurd telt regels: het oordeel van declaratie bevat geen bedragen van afgekeurde regels.</p>
</section>

<section class="paneel" aria-labelledby="budget">
  <h2 id="budget">Besteding tegen budget {{ g.jaar }}</h2>
  {% if g.budgetten %}{{ m.staafdiagram(diagram, "Verbruik tegen budget per domein en categorie") }}{% endif %}
  <table>
    <thead><tr><th>Domein</th><th>Categorie</th><th class="bedrag">Budget</th><th class="bedrag">Verbruikt</th>
      <th class="getal">%</th><th class="bedrag">Prognose</th><th class="bedrag">Resterend</th><th></th></tr></thead>
    <tbody>
    {% for b in g.budgetten %}
    <tr data-budget="{{ b.domein }}:{{ b.categorie }}" data-budget-cent="{{ b.budget }}" data-verbruikt-cent="{{ b.verbruikt }}" data-prognose-cent="{{ b.prognose }}">
      <td>{{ domein[b.domein] }}</td><td>{{ b.categorie }}</td><td class="bedrag">{{ b.budget | euro }}</td>
      <td class="bedrag">{{ b.verbruikt | euro }}</td><td class="getal">{{ pct(b.verbruikt, b.budget) | procent }}</td>
      <td class="bedrag">{{ b.prognose | euro }}</td><td class="bedrag">{{ (b.budget - b.verbruikt) | euro }}</td>
      <td>{% if b.over_budget_verwacht %}<span class="label fout">overschrijding verwacht</span>{% endif %}</td></tr>
    {% else %}<tr><td colspan="8">Geen budgetten voor {{ g.jaar }} in het regiobestand.</td></tr>
    {% endfor %}
    {% for z in g.zonder_budget %}
    <tr data-zonder-budget="{{ z.domein }}:{{ z.categorie }}" data-verbruikt-cent="{{ z.verbruikt_cent }}">
      <td>{{ domein[z.domein] }}</td><td>{{ z.categorie }}</td><td class="bedrag">geen budget</td>
      <td class="bedrag">{{ z.verbruikt_cent | euro }}</td><td></td><td></td><td></td><td></td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="toelichting">Verbruik = netto kosten geboekt in {{ g.jaar }}; prognose = lineair doorgetrokken tot 31 december.</p>
</section>

<div class="twee">
<section class="paneel" aria-labelledby="redenen-maand">
  <h2 id="redenen-maand">Afkeurredenen deze maand</h2>
  {{ m.redenen_tabel(g.redenen_maand, "maand") }}
</section>
<section class="paneel" aria-labelledby="redenen-jaar">
  <h2 id="redenen-jaar">Afkeurredenen {{ g.jaar }}</h2>
  {{ m.redenen_tabel(g.redenen_jaar, "jaar") }}
</section>
</div>

<section class="paneel" aria-labelledby="doorlooptijd">
  <h2 id="doorlooptijd">Doorlooptijd 325 ({{ g.jaar }}, norm {{ norm }} werkdagen)</h2>
  {{ m.doorlooptijd_tekst(g.termijnen) }}
</section>

<section class="paneel" aria-labelledby="termijnen">
  <h2 id="termijnen">Open termijnen</h2>
  {% if g.termijnen.fout %}{{ m.niet_beschikbaar("open termijnen", g.termijnen.fout) }}
  {% elif g.termijnen.open %}
  <table data-open-termijnen="{{ g.termijnen.open_totaal }}">
    <thead><tr><th>Verplichting</th><th>Bericht</th><th>Van</th><th>Ontvangen</th><th>Uiterlijk</th><th>Stand</th>
      <th class="getal">Werkdagen over</th></tr></thead>
    <tbody>
    {% for t in g.termijnen.open %}
    <tr><td>{{ verplichting.get(t.verplichting, t.verplichting) }}</td><td>{{ t.berichttype }} <code>{{ t.identificatie }}</code></td>
      <td>{{ aanbieder_naam(t.van) }}</td><td>{{ t.ontvangen_at | datum }}</td><td>{{ t.uiterlijk | datum }}</td>
      <td><span class="label {{ 'fout' if t.stand == 'verlopen' else ('let' if t.stand == 'bijna_verlopen' else 'goed') }}">{{ stand.get(t.stand, t.stand) }}</span></td>
      <td class="getal">{{ t.werkdagen_over }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% if g.termijnen.open_totaal > g.termijnen.open | length %}<p class="toelichting">De eerste {{ g.termijnen.open | length }} van {{ g.termijnen.open_totaal }}.</p>{% endif %}
  {% else %}<p data-open-termijnen="0">Geen open termijnen.</p>{% endif %}
</section>

<section class="paneel" aria-labelledby="plafonds">
  <h2 id="plafonds">Bestedingsruimte {{ g.jaar }}</h2>
  {% if g.plafonds or g.ingehouden_zonder_plafond %}
  <table>
    <thead><tr><th>Domein</th><th>Aanbieder</th><th class="bedrag">Plafond</th><th class="bedrag">Betaalbaar</th>
      <th class="bedrag">Ingehouden</th><th class="bedrag">Resterend</th><th class="getal">Benut</th></tr></thead>
    <tbody>
    {% for p in g.plafonds %}{% set d = p.als_dict() %}
    <tr data-plafond="{{ p.domein }}:{{ p.aanbieder }}" data-plafond-cent="{{ p.plafond }}" data-betaalbaar-cent="{{ p.betaalbaar }}" data-ingehouden-cent="{{ p.ingehouden }}">
      <td>{{ domein[p.domein] }}</td><td>{{ aanbieder_naam(p.aanbieder) }} <span class="mono">{{ p.aanbieder }}</span></td>
      <td class="bedrag">{{ p.plafond | euro }}</td><td class="bedrag">{{ p.betaalbaar | euro }}</td>
      <td class="bedrag {{ 'let' if p.ingehouden else '' }}">{{ p.ingehouden | euro }}</td>
      <td class="bedrag">{{ d.resterend_cent | euro }}</td><td class="getal">{{ pct(p.betaalbaar, p.plafond) | procent }}</td></tr>
    {% endfor %}
    {% for z in g.ingehouden_zonder_plafond %}
    <tr data-ingehouden-zonder-plafond="{{ z.domein }}:{{ z.aanbieder }}"><td>{{ domein[z.domein] }}</td>
      <td>{{ aanbieder_naam(z.aanbieder) }}</td><td class="bedrag">geen plafond</td><td></td>
      <td class="bedrag">{{ z.ingehouden_cent | euro }}</td><td></td><td></td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p>Geen bestedingsruimtes voor {{ g.jaar }}.</p>{% endif %}
</section>

<div class="twee">
<section class="paneel" aria-labelledby="betaalruns">
  <h2 id="betaalruns">Betaalruns</h2>
  {% if g.betaalruns %}
  <table>
    <thead><tr><th>Nr.</th><th>Peildatum</th><th>Uitvoering</th><th class="getal">Betalingen</th><th class="bedrag">Totaal</th></tr></thead>
    <tbody>
    {% for r in g.betaalruns %}
    <tr data-betaalrun="{{ r.id }}" data-totaal-cent="{{ r.totaal_cent }}"><td>{{ r.id }}</td><td>{{ r.peildatum | datum }}</td>
      <td>{{ r.uitvoeringsdatum | datum }}</td><td class="getal">{{ r.aantal }}</td><td class="bedrag">{{ r.totaal_cent | euro }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p data-betaalruns="0">Nog geen betaalruns.</p>{% endif %}
</section>
<section class="paneel" aria-labelledby="saldi">
  <h2 id="saldi">Saldi</h2>
  {% if g.saldi %}
  <table>
    <thead><tr><th>Domein</th><th>Rekening</th><th class="bedrag">Saldo</th></tr></thead>
    <tbody>
    {% for s in g.saldi %}
    <tr><td>{{ domein[s.domein] }}</td><td>{{ rekening(s.code) }}</td>
      <td class="bedrag" data-saldo="{{ s.domein }}:{{ s.code }}" data-cent="{{ s.saldo_cent }}">{{ s.saldo_cent | saldo }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="toelichting">D = debet, C = credit.</p>
  {% else %}<p>Nog niets geboekt.</p>{% endif %}
</section>
</div>

<section class="paneel" aria-labelledby="recent">
  <h2 id="recent">Recent beoordeelde declaraties</h2>
  {% if g.recent %}
  <table>
    <thead><tr><th>Beoordeeld</th><th>Declaratie</th><th>Aanbieder</th><th>Domein</th><th class="getal">Goedgekeurd</th>
      <th class="getal">Afgekeurd</th><th class="bedrag">Geboekt</th></tr></thead>
    <tbody>
    {% for r in g.recent %}
    <tr data-declaratie="{{ r.bericht_id }}"><td>{{ r.beoordeeld_at | tijdstip }}</td>
      <td><a href="/dashboard/declaraties/{{ r.bericht_id }}">{{ r.declaratienummer }}</a>
        {% if r.geheel_afgewezen %}<span class="label fout">afgewezen</span>{% endif %}</td>
      <td>{{ aanbieder_naam(r.aanbieder) }}</td><td>{{ domein[r.domein] }}</td>
      <td class="getal">{{ r.regels_goedgekeurd }}</td><td class="getal">{{ r.regels_afgekeurd }}</td>
      <td class="bedrag">{{ r.goedgekeurd_cent | euro }}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% else %}<p>Nog geen beoordelingen geregistreerd.</p>{% endif %}
</section>
{% endblock %}
"""

_REGIO = """{% extends "basis" %}
{% import "macros" as m %}
{% block titel %}Regio {{ r.naam }}{% endblock %}
{% block inhoud %}
<h1>Regio {{ r.naam }}</h1>
<p class="sub">Jaar {{ r.jaar }} · peildatum {{ r.peildatum | datum }} ·
{% if r.jaar != r.peildatum.year %}<a href="?jaar={{ r.peildatum.year }}">naar {{ r.peildatum.year }}</a>{% else %}<a href="?jaar={{ r.jaar - 1 }}">{{ r.jaar - 1 }}</a>{% endif %}</p>

<section class="paneel" aria-labelledby="doelen">
  <h2 id="doelen">Beleidsdoelen</h2>
  {% if r.doelen %}
  <table>
    <thead><tr><th>Doel</th><th>Domein</th><th>Norm</th><th class="getal">{{ r.jaar }}</th><th class="getal">{{ r.jaar - 1 }}</th>
      <th class="getal">Verschil</th><th>Stand</th></tr></thead>
    <tbody>
    {% for d in r.doelen %}
    <tr data-doel="{{ d.soort }}:{{ d.domein or 'alle' }}">
      <td>{{ d.omschrijving }}</td><td>{{ domein.get(d.domein, "beide") }}</td>
      <td>{{ "minimaal" if d.richting == "minimaal" else "maximaal" }} {{ d.doel_procent | procent }}</td>
      <td class="getal" data-waarde>{{ d.waarde | procent }}</td><td class="getal">{{ d.vorig_jaar | procent }}</td>
      <td class="getal">{{ d.verschil_vorig_jaar | procentpunt }}</td>
      <td>{% if d.gehaald is none %}<span class="label">geen gegevens</span>{% elif d.gehaald %}<span class="label goed">gehaald</span>{% else %}<span class="label fout">niet gehaald</span>{% endif %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  <p class="toelichting">Aandeel regionaal: deel van de goedgekeurde netto kosten dat onder een regionaal contract valt
  (de rest: lokale contracten). facturatie ziet geen BSN's en telt dus geld, geen cliënten. Geteld vanaf de
  registratie van beoordelingen (migratie 005). Prognose binnen budget: prognose tot 31 december als deel van het
  budget van de begrote categorieën; voor een voorbij jaar het verbruik.</p>
  {% else %}<p>Het regiobestand noemt geen beleidsdoelen.</p>{% endif %}
</section>

<section class="paneel" aria-labelledby="gemeenten">
  <h2 id="gemeenten">Besteding tegen budget {{ r.jaar }}</h2>
  {{ m.staafdiagram(diagram, "Verbruik tegen budget per gemeente") }}
  <table>
    <thead><tr><th>Gemeente</th><th class="bedrag">Budget</th><th class="bedrag">Verbruikt</th><th class="getal">%</th>
      <th class="bedrag">Prognose</th><th class="bedrag">Zonder budget</th></tr></thead>
    <tbody>
    {% for g in r.gemeenten %}
    <tr data-gemeente="{{ g.cbs }}" data-budget-cent="{{ g.budget_cent }}" data-verbruikt-cent="{{ g.verbruikt_cent }}"
        data-prognose-cent="{{ g.prognose_cent }}">
      <td><a href="/dashboard/gemeenten/{{ g.cbs }}">{{ g.naam }}</a></td><td class="bedrag">{{ g.budget_cent | euro }}</td>
      <td class="bedrag">{{ g.verbruikt_cent | euro }}</td><td class="getal">{{ pct(g.verbruikt_cent, g.budget_cent) | procent }}</td>
      <td class="bedrag {{ 'fout' if g.prognose_cent > g.budget_cent else '' }}">{{ g.prognose_cent | euro }}</td>
      <td class="bedrag">{{ g.zonder_budget_cent | euro }}</td></tr>
    {% endfor %}
    <tr class="totaal" data-gemeente="totaal"><td>Regio</td><td class="bedrag">{{ totaal.budget_cent | euro }}</td>
      <td class="bedrag">{{ totaal.verbruikt_cent | euro }}</td><td class="getal">{{ pct(totaal.verbruikt_cent, totaal.budget_cent) | procent }}</td>
      <td class="bedrag">{{ totaal.prognose_cent | euro }}</td><td class="bedrag">{{ totaal.zonder_budget_cent | euro }}</td></tr>
    </tbody>
  </table>
  <p class="toelichting">Over de begrote categorieën van {{ r.jaar }}; "zonder budget" is wat in {{ r.jaar }} is geboekt
  op categorieën zonder budget (ook het aandeel in de kosten van de GR).</p>
</section>

<section class="paneel" aria-labelledby="maand">
  <h2 id="maand">Deze maand ({{ r.maand.begin | maand }}) en termijnen</h2>
  <table>
    <thead><tr><th>Gemeente</th><th class="bedrag">Goedgekeurd</th><th class="bedrag">Ingehouden</th>
      <th class="getal">Afgekeurde regels</th><th class="getal">Geheel afgewezen</th>
      <th class="getal">325 op tijd ({{ r.jaar }})</th><th class="getal">Open termijnen</th></tr></thead>
    <tbody>
    {% for g in r.gemeenten %}
    <tr data-gemeente-maand="{{ g.cbs }}" data-goedgekeurd-cent="{{ g.goedgekeurd_maand_cent }}" data-ingehouden-cent="{{ g.ingehouden_maand_cent }}">
      <td><a href="/dashboard/gemeenten/{{ g.cbs }}">{{ g.naam }}</a></td>
      <td class="bedrag">{{ g.goedgekeurd_maand_cent | euro }}</td><td class="bedrag">{{ g.ingehouden_maand_cent | euro }}</td>
      <td class="getal">{{ g.regels_afgekeurd_maand }}</td><td class="getal">{{ g.geheel_afgewezen_maand }}</td>
      {% if g.termijnen.fout %}<td class="getal" colspan="2" data-niet-beschikbaar="termijnen">niet beschikbaar</td>
      {% else %}<td class="getal">{{ g.termijnen.doorlooptijd.aandeel_op_tijd | procent }}</td><td class="getal">{{ g.termijnen.open_totaal }}</td>{% endif %}
    </tr>
    {% endfor %}
    <tr class="totaal"><td>Regio</td><td class="bedrag">{{ totaal.goedgekeurd_maand_cent | euro }}</td>
      <td class="bedrag">{{ totaal.ingehouden_maand_cent | euro }}</td><td class="getal">{{ totaal.regels_afgekeurd_maand }}</td>
      <td class="getal">{{ totaal.geheel_afgewezen_maand }}</td><td></td><td></td></tr>
    </tbody>
  </table>
  <p class="toelichting">Goedgekeurd en ingehouden: netto geboekt van 1 {{ r.maand.begin | maand }} tot en met vandaag.
  Afgekeurd telt regels; geheel afgewezen telt declaraties (een code op bericht- of declaratieniveau).</p>
</section>

<section class="paneel" aria-labelledby="redenen">
  <h2 id="redenen">Afkeurredenen in de regio deze maand</h2>
  {{ m.redenen_tabel(r.redenen_maand, "regio") }}
</section>
{% endblock %}
"""

_DECLARATIE = """{% extends "basis" %}
{% import "macros" as m %}
{% block titel %}Declaratie {{ d.kop.declaratienummer }}{% endblock %}
{% block inhoud %}
{% set k = d.kop %}
<h1>Declaratie {{ k.declaratienummer }}</h1>
<p class="sub">{{ aanbieder_naam(k.aanbieder) }} ({{ k.aanbieder }}) aan {{ gemeente_naam }} ({{ k.gemeente }}) ·
{{ domein[k.domein] }} · beoordeeld {{ k.beoordeeld_at | tijdstip }} · bericht <code>{{ k.bericht_id }}</code></p>

<section class="paneel" aria-labelledby="oordeel">
  <h2 id="oordeel">Oordeel</h2>
  <div class="rooster">
    <div class="tegel"><div class="wat">Regels goedgekeurd</div><div class="hoeveel">{{ k.regels_goedgekeurd }}</div></div>
    <div class="tegel"><div class="wat">Regels afgekeurd</div><div class="hoeveel">{{ k.regels_afgekeurd }}</div></div>
    <div class="tegel"><div class="wat">Geboekt (netto kosten)</div><div class="hoeveel" data-geboekt-cent="{{ k.goedgekeurd_cent }}">{{ k.goedgekeurd_cent | euro }}</div></div>
    <div class="tegel"><div class="wat">Declaratie</div><div class="hoeveel {{ 'fout' if k.geheel_afgewezen else 'goed' }}">{{ "geheel afgewezen" if k.geheel_afgewezen else "verwerkt" }}</div></div>
  </div>
  {% if d.afkeuringen %}<h2 style="margin-top:14px">Afkeuringen</h2>{{ m.redenen_tabel(d.afkeuringen, "declaratie") }}{% endif %}
</section>

<section class="paneel" aria-labelledby="tijdlijn">
  <h2 id="tijdlijn">Tijdlijn</h2>
  {% if tijdlijn.fout %}{{ m.niet_beschikbaar("tijdlijn", tijdlijn.fout) }}
  {% else %}
  <table data-tijdlijn>
    <thead><tr><th>Stap</th><th>Tijdstip</th><th>Trace</th></tr></thead>
    <tbody>
    {% for s in tijdlijn.stappen %}
    <tr data-stap="{{ s.stap }}"><td>{{ stap.get(s.stap, s.stap) }}</td><td>{{ s.at | tijdstip }}</td>
      <td>{% if s.trace_url %}<a href="{{ s.trace_url }}" rel="noreferrer" data-trace="{{ s.trace_id }}">trace bekijken</a>
          {% elif s.trace_id %}<code>{{ s.trace_id }}</code>{% else %}—{% endif %}</td></tr>
    {% endfor %}
    </tbody>
  </table>
  {% endif %}
</section>

<section class="paneel" aria-labelledby="boekingen">
  <h2 id="boekingen">Boekingen</h2>
  {% if d.posten %}
  <table>
    <thead><tr><th>Geboekt</th><th>Omschrijving</th><th>Rekening</th><th class="bedrag">Debet</th><th class="bedrag">Credit</th></tr></thead>
    <tbody>
    {% for p in d.posten %}{% for r in p.regels %}
    <tr{% if loop.first %} data-post="{{ p.idempotentie_sleutel }}"{% endif %}>
      <td>{% if loop.first %}{{ p.geboekt_at | tijdstip }}{% endif %}</td><td>{% if loop.first %}{{ p.omschrijving }}{% endif %}</td>
      <td>{{ rekening(r.rekening) }}</td><td class="bedrag">{{ r.debet_cent | euro if r.debet_cent else "" }}</td>
      <td class="bedrag">{{ r.credit_cent | euro if r.credit_cent else "" }}</td></tr>
    {% else %}
    <tr><td>{{ p.geboekt_at | tijdstip }}</td><td>{{ p.omschrijving }}</td><td colspan="3">nulbedrag</td></tr>
    {% endfor %}{% endfor %}
    </tbody>
  </table>
  {% if d.meer_posten %}<p class="toelichting">De eerste 200 boekingen; de rest via de journaal-API.</p>{% endif %}
  {% else %}<p>Niets geboekt voor deze declaratie.</p>{% endif %}
</section>
{% endblock %}
"""

SJABLONEN = {"basis": _BASIS, "macros": _MACROS, "inloggen": _INLOGGEN, "fout": _FOUT, "gemeente": _GEMEENTE,
             "regio": _REGIO, "declaratie": _DECLARATIE}


def omgeving(regio: Regio) -> Environment:
    aanbieders = {a.agb: a.naam for a in regio.aanbieders}
    env = Environment(loader=DictLoader(SJABLONEN), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(euro=opmaak.euro, procent=opmaak.procent, procentpunt=opmaak.procentpunt,
                       getal=opmaak.getal, datum=opmaak.datum, tijdstip=opmaak.tijdstip, maand=opmaak.maand,
                       saldo=opmaak.saldo, retourcode=opmaak.retourcode)
    env.globals.update(
        css=Markup(_CSS),  # a constant of ours; escaping would break the quotes in CSS (raw text in <style>)
        domein=opmaak.DOMEIN, stand=opmaak.STAND, verplichting=opmaak.VERPLICHTING, stap=opmaak.STAP,
        niveau=opmaak.NIVEAU, norm=NORM_325_WERKDAGEN, pct=percentage,
        gemeenten=[{"cbs": g.cbs, "naam": g.naam} for g in regio.gemeenten],
        aanbieder_naam=lambda agb: aanbieders.get(agb, agb),
        rekening=lambda code: opmaak.rekening(code, aanbieders))
    return env
