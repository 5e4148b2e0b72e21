"""Production mode (`BACKOFFICE_ENV=production`): a service refuses to start with anything a demo needs.

The demo's tokens are `demo-gemeente-<CBS>`, `demo-aanbieder-<AGB>` and `demo-regio-controller`; CBS and AGB codes
are public, so their hashes in a region file are guessable credentials. The demo's BSN key and database password
are in the repository, and with a known key the BSN pseudonyms can be reversed by trying every valid BSN. Each
objection says what to do. Pure: the caller passes the settings, the region and the Kafka connection facts.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from shared.platform.regio import Regio, hash_token

MODES = ("demo", "production")
MIN_BSN_SLEUTEL_BYTES = 32
MIN_INTERN_TOKEN_CHARS = 32
# What the services present to each other's internal routes in the demo; production sets INTERN_TOKEN.
DEMO_INTERN_TOKEN = "demo-intern-niet-voor-productie"
# Keys and passwords that appear in this repository, its compose file or common defaults.
BEKENDE_BSN_SLEUTELS = frozenset({b"lokaal-ontwikkelgeheim-niet-voor-productie", b"change-me-in-production"})
# docker-compose.yml's defaults for the Kafka principals all start with this.
DEMO_KAFKA_PASSWORD_PREFIX = "demo-kafka-"
BEKENDE_WACHTWOORDEN = frozenset({"", "backoffice", "postgres", "password", "admin", "secret", "change-me",
                                  "change-me-in-production"})
# docker-compose.yml's defaults for the services' database roles (deploy/postgres/10-service-roles.sh) start with this.
DEMO_DATABASE_PASSWORD_PREFIX = "demo-db-"


def demo_tokens(regio: Regio) -> dict[str, str]:
    """sha256 of every demo token the region's parties could have -> the token's kind (never the token itself)."""
    tokens = {f"demo-gemeente-{g.cbs}": "municipality" for g in regio.gemeenten}
    tokens |= {f"demo-gemeente-{v.cbs}": "municipality" for g in regio.gemeenten for v in g.voorgangers}
    tokens |= {f"demo-aanbieder-{a.agb}": "provider" for a in regio.aanbieders}
    tokens["demo-regio-controller"] = "controller"
    return {hash_token(t): soort for t, soort in tokens.items()}


def _demo_hashes_in(regio: Regio) -> Iterator[str]:
    demo = demo_tokens(regio)
    parties = [(f"municipality {g.cbs}", g.token_sha256) for g in regio.gemeenten]
    parties += [(f"provider {a.agb}", a.token_sha256) for a in regio.aanbieders]
    parties += [(f"controller {c.naam}", c.token_sha256) for c in regio.controllers]
    for party, hashes in parties:
        if any(hmac.compare_digest(h, d) for h in hashes for d in demo):
            yield party


def bezwaren(*, regio: Regio, bsn_sleutel: bytes | None, database_url: str, kafka_authenticated: bool,
             kafka_password: str | None = None, intern_token: str = DEMO_INTERN_TOKEN,
             operator_token_sha256: str | None = None) -> list[str]:
    """Why this configuration may not run in production; empty when it may. `kafka_authenticated`: the service
    connects with SASL/SCRAM (KafkaConnection.authenticated), with `kafka_password`."""
    out = list(_bezwaren_dienstgeheimen(intern_token, operator_token_sha256))
    out += _bezwaren_kafka(kafka_authenticated, kafka_password)
    demo_parties = list(_demo_hashes_in(regio))
    if demo_parties:
        shown = ", ".join(demo_parties[:5]) + (f" and {len(demo_parties) - 5} more" if len(demo_parties) > 5 else "")
        out.append(f"the region file holds demo tokens for {shown}: give each party its own random token "
                   "(e.g. `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`) and put its sha256 in "
                   "token_sha256")
    if bsn_sleutel is None:
        out.append("BSN_SLEUTEL is not set: set a random secret of at least 32 bytes and keep it as long as the "
                   "registers live")
    elif bsn_sleutel in BEKENDE_BSN_SLEUTELS:
        out.append("BSN_SLEUTEL is a known default from this repository: set your own random secret")
    elif len(bsn_sleutel) < MIN_BSN_SLEUTEL_BYTES:
        out.append(f"BSN_SLEUTEL is {len(bsn_sleutel)} bytes: use at least {MIN_BSN_SLEUTEL_BYTES} random bytes")
    password = urlsplit(database_url).password or ""
    if password in BEKENDE_WACHTWOORDEN:
        out.append("the database password in DATABASE_URL is empty or a known default: give the service's role its "
                   "own password")
    return out


def _bezwaren_kafka(authenticated: bool, password: str | None) -> list[str]:
    if not authenticated:
        return ["Kafka is not authenticated: set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD to this service's own "
                "SCRAM principal (KAFKA_SASL_MECHANISM SCRAM-SHA-512, the default, or SCRAM-SHA-256), whose ACLs "
                "are in shared/platform/kafka_acl.py"]
    if (password or "") in BEKENDE_WACHTWOORDEN or (password or "").startswith(DEMO_KAFKA_PASSWORD_PREFIX):
        return ["the Kafka password in KAFKA_SASL_PASSWORD is a known default or the demo's: give the service's "
                "SCRAM principal its own random password"]
    return []


def bezwaren_databaserollen(database_url: str, migration_database_url: str | None) -> list[str]:
    """Least privilege (ADR 0042): the pool's role (DATABASE_URL) is not the one that owns and migrates the schema
    (MIGRATION_DATABASE_URL), and neither has the demo's password. What the roles may do is checked once connected
    (`bezwaren_databaserol`)."""
    out = []
    runtime = urlsplit(database_url)
    if (runtime.password or "").startswith(DEMO_DATABASE_PASSWORD_PREFIX):
        out.append("the database password in DATABASE_URL is the demo's: give the service's runtime role its own")
    if migration_database_url is None:
        out.append("MIGRATION_DATABASE_URL is not set, so DATABASE_URL's role must own the schema and could alter, "
                   "drop or disable the triggers of its tables: set MIGRATION_DATABASE_URL to the schema's owner role "
                   "(<service>_owner, runs the migrations) and DATABASE_URL to its runtime role (<service>_app, DML "
                   "only); deploy/postgres/10-service-roles.sh makes both")
        return out
    owner = urlsplit(migration_database_url)
    if owner.username == runtime.username:
        out.append("MIGRATION_DATABASE_URL and DATABASE_URL connect as the same role: DATABASE_URL must be the "
                   "runtime role (<service>_app, DML only), not the schema's owner")
    password = owner.password or ""
    if password in BEKENDE_WACHTWOORDEN or password.startswith(DEMO_DATABASE_PASSWORD_PREFIX):
        out.append("the database password in MIGRATION_DATABASE_URL is empty, a known default or the demo's: give "
                   "the schema's owner role its own password")
    return out


def bezwaren_databaserol(*, rol: str, superuser: bool, eigenaar: bool, rechten: Sequence[str] = ()) -> list[str]:
    """What production refuses of the role the service's pool runs as, found once connected
    (shared.platform.db_roles.privileged_runtime_facts). `rechten`: the role's powers beyond its own schema's
    DML (CREATEROLE, BYPASSRLS, membership of pg_write_all_data, ...). Names the role, never a password."""
    if superuser:
        return [f"DATABASE_URL connects as {rol}, a superuser, which may read and change every schema and switch "
                "off the append-only triggers: connect as the service's runtime role (<service>_app, DML only) and "
                "migrate with MIGRATION_DATABASE_URL as its owner role; deploy/postgres/10-service-roles.sh makes both"]
    if eigenaar:
        return [f"DATABASE_URL connects as {rol}, which owns (or may create) tables in the service's schema and "
                "could alter, drop or disable the triggers of its tables: connect as the runtime role "
                "(<service>_app, DML only) and put the owner role in MIGRATION_DATABASE_URL"]
    if rechten:
        # CREATEROLE can grant itself any role, pg_write_all_data writes every schema: each undoes least privilege.
        return [f"DATABASE_URL connects as {rol}, which has {', '.join(rechten)}: a runtime role needs none of "
                "these; take them away (ALTER ROLE ... NOCREATEROLE NOCREATEDB NOBYPASSRLS NOREPLICATION, "
                "REVOKE pg_write_all_data/pg_read_all_data FROM the role) or use deploy/postgres/10-service-roles.sh"]
    return []


def _bezwaren_dienstgeheimen(intern_token: str, operator_token_sha256: str | None) -> Iterator[str]:
    """The secrets of the service network: what the services show each other, and what operators show /metrics."""
    if intern_token == DEMO_INTERN_TOKEN or intern_token in BEKENDE_WACHTWOORDEN:
        yield ("INTERN_TOKEN is not set or is the demo's: give the services one random secret of at least "
               f"{MIN_INTERN_TOKEN_CHARS} characters for their calls to each other")
    elif len(intern_token) < MIN_INTERN_TOKEN_CHARS:
        yield f"INTERN_TOKEN is {len(intern_token)} characters: use at least {MIN_INTERN_TOKEN_CHARS} random ones"
    if operator_token_sha256 is None:
        yield ("OPERATOR_TOKEN_SHA256 is not set, so /metrics and /docs would be open: set the sha256 of the "
               "operators' token (Prometheus sends it as a bearer token)")
    elif len(operator_token_sha256) != 64 or any(c not in "0123456789abcdef" for c in operator_token_sha256):
        yield "OPERATOR_TOKEN_SHA256 is not a sha256 in hex (64 characters): `printf %s <token> | sha256sum`"
