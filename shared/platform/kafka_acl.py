"""Who may do what on Kafka: the one table of principals, their topics and consumer groups, as data.

The local broker (tools/localinfra.py) creates these ACLs when it starts, the compose setup runs the kafka-acls.sh
commands rendered from them (deploy/kafka/acls.sh, checked against this table by tests/tools/test_deploy_files.py),
and every service creates only the topics it uses (`topics_of`). The broker denies what no ACL allows
(allow.everyone.if.no.acl.found=false); the admin principal is the broker's super user and needs no ACL.
See docs/adr/0043-kafka-sasl-scram-and-acls.md.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from shared.platform.events import (
    TOPIC_DEAD_LETTER,
    TOPIC_DECLARATIE_BEOORDEELD,
    TOPIC_ONTVANGEN,
    TOPIC_PRESTATIES_GEBOEKT,
)

ADMIN = "admin"  # the broker's super user: inter-broker traffic, SCRAM credentials and ACLs, nothing else
OPERATOR = "operator"  # the operators' tools: `backoffice deadletter list/replay`


@dataclass(frozen=True)
class Access:
    """What one principal may do. `consumes` are read (in `groups`, or by assigned partitions without a group);
    `produces` are written; a service also creates the topics it uses (idempotently, at start)."""

    principal: str
    consumes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    creates_its_topics: bool = True

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.consumes, *self.produces)))


ACCESS = (
    Access("berichtenverkeer", consumes=(TOPIC_DECLARATIE_BEOORDEELD, TOPIC_PRESTATIES_GEBOEKT),
           groups=("berichtenverkeer",), produces=(TOPIC_ONTVANGEN, TOPIC_DEAD_LETTER)),
    Access("declaratie", consumes=(TOPIC_ONTVANGEN,), groups=("declaratie",),
           produces=(TOPIC_DECLARATIE_BEOORDEELD, TOPIC_DEAD_LETTER)),
    Access("facturatie", consumes=(TOPIC_DECLARATIE_BEOORDEELD,), groups=("facturatie",),
           produces=(TOPIC_PRESTATIES_GEBOEKT, TOPIC_DEAD_LETTER)),
    # Reads the dead letters by assigned partition (no group) and replays them to the topic they came from.
    Access(OPERATOR, consumes=(TOPIC_DEAD_LETTER,),
           produces=(TOPIC_ONTVANGEN, TOPIC_DECLARATIE_BEOORDEELD, TOPIC_PRESTATIES_GEBOEKT), creates_its_topics=False),
)
PRINCIPALS = (ADMIN, *(a.principal for a in ACCESS))


@dataclass(frozen=True, order=True)
class AclBinding:
    """One ALLOW rule on a literal resource name, for any host."""

    principal: str  # without the "User:" prefix
    resource_type: str  # "topic" or "group"
    resource_name: str
    operation: str  # READ, WRITE, CREATE or DESCRIBE


def access_of(principal: str) -> Access:
    for access in ACCESS:
        if access.principal == principal:
            return access
    raise KeyError(f"no Kafka access is defined for principal {principal!r} (shared/platform/kafka_acl.py)")


def topics_of(service: str) -> tuple[str, ...]:
    """The topics a service reads or writes: the ones it creates at start."""
    return access_of(service).topics


def bindings(access: tuple[Access, ...] = ACCESS) -> list[AclBinding]:
    """Every ACL of the table. READ and WRITE imply DESCRIBE in Kafka; DESCRIBE is still listed, so the table says
    plainly that a principal may see the topic's metadata (the producer and the topic check need it)."""
    out: set[AclBinding] = set()
    for a in access:
        for topic in a.consumes:
            out |= {AclBinding(a.principal, "topic", topic, op) for op in ("READ", "DESCRIBE")}
        for topic in a.produces:
            out |= {AclBinding(a.principal, "topic", topic, op) for op in ("WRITE", "DESCRIBE")}
        if a.creates_its_topics:
            out |= {AclBinding(a.principal, "topic", topic, "CREATE") for topic in a.topics}
        out |= {AclBinding(a.principal, "group", group, "READ") for group in a.groups}
    return sorted(out)


def password_variable(principal: str) -> str:
    """The compose broker's and kafka-setup's variable holding a principal's password (docker-compose.yml)."""
    return f"SCRAM_{principal.upper()}_PASSWORD"


def compose_setup_script(bootstrap_server: str = "kafka:9092", mechanism: str = "SCRAM-SHA-512") -> str:
    """deploy/kafka/setup.sh, which docker-compose.yml's one-shot kafka-setup runs as the admin on every `up`:
    each principal's SCRAM password from the environment (so a new password in .env takes effect), then the ACLs.
    Both are idempotent."""
    config = "/tmp/admin.properties"
    lines = [
        "#!/usr/bin/env bash",
        "# Generated from shared/platform/kafka_acl.py (`python -m tools.kafka_acls > deploy/kafka/setup.sh`); do not",
        "# edit: tests/tools/test_deploy_files.py checks it. docker-compose.yml's kafka-setup runs it as the admin.",
        "set -euo pipefail",
        "umask 077",
        f"cat > {config} <<EOF",
        "security.protocol=SASL_PLAINTEXT",
        f"sasl.mechanism={mechanism}",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN}" password="${{{password_variable(ADMIN)}}}";',
        "EOF",
    ]
    for principal in PRINCIPALS:
        if principal != ADMIN:
            lines.append(f"/opt/kafka/bin/kafka-configs.sh --bootstrap-server {bootstrap_server} --command-config "
                         f"{config} --alter --entity-type users --entity-name {principal} --add-config "
                         f'"{mechanism}=[password=${{{password_variable(principal)}}}]"')
    lines += kafka_acls_commands(bootstrap_server, config)
    lines.append('echo "kafka-setup: SCRAM users and ACLs are in place"')
    return "\n".join(lines) + "\n"


def kafka_acls_commands(bootstrap_server: str, command_config: str) -> list[str]:
    """The kafka-acls.sh commands that create the table's ACLs (the compose setup runs them as the admin): one per
    principal, resource and its operations."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for b in bindings():
        grouped.setdefault((b.principal, b.resource_type, b.resource_name), []).append(b.operation)
    commands = []
    for (principal, resource_type, name), operations in sorted(grouped.items()):
        args = ["/opt/kafka/bin/kafka-acls.sh", "--bootstrap-server", bootstrap_server, "--command-config",
                command_config, "--add", "--allow-principal", f"User:{principal}", "--allow-host", "*",
                *(x for op in operations for x in ("--operation", op.title())), f"--{resource_type}", name]
        commands.append(shlex.join(args))
    return commands
