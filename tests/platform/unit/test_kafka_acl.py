"""The Kafka ACL table (shared/platform/kafka_acl.py) says what the code does: each service reads the topics its
subscribers read in the groups they name, and writes what its use cases put in the outbox plus dead letters; and
the client settings (shared/platform/kafka_connection.py) connect with SCRAM or not at all, never showing a password.
tests/platform/integration/test_kafka_security.py holds the broker to the table."""

from __future__ import annotations

import ast
import shlex

import pytest
from faststream.kafka.security import parse_security
from faststream.security import SASLScram256, SASLScram512

from shared.platform import events
from shared.platform.kafka_acl import ACCESS, ADMIN, OPERATOR, PRINCIPALS, access_of, bindings, kafka_acls_commands
from shared.platform.kafka_connection import KafkaConnection, KafkaConnectionError
from tools.checkout import PROJECT_ROOT

SERVICES = ("berichtenverkeer", "declaratie", "facturatie")
TOPIC_BY_NAME = {name: getattr(events, name) for name in dir(events) if name.startswith("TOPIC_")}


def subscribers(service: str) -> tuple[set[str], set[str]]:
    """(topics, group ids) of every `@broker.subscriber(TOPIC_…, group_id="…")` in the service's entrypoints."""
    topics, groups = set(), set()
    for path in (PROJECT_ROOT / "services" / service / "entrypoints").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(".subscriber"):
                topics |= {TOPIC_BY_NAME[a.id] for a in node.args if isinstance(a, ast.Name)}
                groups |= {k.value.value for k in node.keywords
                           if k.arg == "group_id" and isinstance(k.value, ast.Constant)}
    return topics, groups


def published(service: str) -> set[str]:
    """The topics the service's use cases name: what they put in the outbox."""
    return {TOPIC_BY_NAME[node.id]
            for path in (PROJECT_ROOT / "services" / service / "service_layer").rglob("*.py")
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Name) and node.id in TOPIC_BY_NAME}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_may_read_and_write_exactly_what_its_code_does(service):
    topics, groups = subscribers(service)
    access = access_of(service)
    assert topics and groups == {service}  # the scan found the subscribers
    assert set(access.consumes) == topics and set(access.groups) == groups
    assert set(access.produces) == published(service) | {events.TOPIC_DEAD_LETTER}  # every consumer dead-letters


def test_the_operator_reads_dead_letters_and_writes_back_where_they_came_from():
    operator = access_of(OPERATOR)
    assert operator.consumes == (events.TOPIC_DEAD_LETTER,) and not operator.groups
    assert set(operator.produces) == set(events.ALL_TOPICS) - {events.TOPIC_DEAD_LETTER}
    assert not any(b.operation == "CREATE" for b in bindings() if b.principal == OPERATOR)


def test_every_topic_is_created_by_a_service_that_uses_it_and_no_one_else_may_create():
    creators = {b.resource_name: set() for b in bindings()}
    for b in bindings():
        if b.operation == "CREATE":
            creators[b.resource_name].add(b.principal)
    assert set(events.ALL_TOPICS) == {t for t, who in creators.items() if who}
    for topic, who in creators.items():
        assert who == {a.principal for a in ACCESS if topic in a.topics and a.creates_its_topics}


def test_no_service_writes_what_it_reads_nor_uses_another_services_group():
    for a in ACCESS:
        assert not set(a.consumes) & set(a.produces) - {events.TOPIC_DEAD_LETTER}, a.principal
    groups = [g for a in ACCESS for g in a.groups]
    assert len(groups) == len(set(groups))
    assert ADMIN in PRINCIPALS and ADMIN not in {b.principal for b in bindings()}  # super user, needs no ACL


def test_the_kafka_acls_commands_create_every_binding_and_nothing_else():
    created = set()
    for command in kafka_acls_commands("kafka:9092", "/tmp/admin.properties"):
        args = shlex.split(command)
        assert args[:6] == ["/opt/kafka/bin/kafka-acls.sh", "--bootstrap-server", "kafka:9092", "--command-config",
                            "/tmp/admin.properties", "--add"]
        principal = args[args.index("--allow-principal") + 1].removeprefix("User:")
        assert args[args.index("--allow-host") + 1] == "*"
        operations = [args[i + 1].upper() for i, a in enumerate(args) if a == "--operation"]
        resource_type, name = args[-2].removeprefix("--"), args[-1]
        created |= {(principal, resource_type, name, op) for op in operations}
    assert created == {(b.principal, b.resource_type, b.resource_name, b.operation) for b in bindings()}


# ------------------------------------------------------------------------------------------- client settings


def test_without_a_username_the_client_connects_as_before():
    plain = KafkaConnection.from_env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"})
    assert not plain.authenticated and plain.security() is None
    assert plain.client_kwargs() == {"bootstrap_servers": "kafka:9092"}
    assert plain.env() == {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}


@pytest.mark.parametrize("mechanism, security", [(None, SASLScram512), ("SCRAM-SHA-512", SASLScram512),
                                                 ("SCRAM-SHA-256", SASLScram256)])
def test_a_scram_principal_gives_aiokafka_and_faststream_the_same_credentials(mechanism, security):
    env = {"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", "KAFKA_SASL_USERNAME": "declaratie",
           "KAFKA_SASL_PASSWORD": "s3cret-pw", **({"KAFKA_SASL_MECHANISM": mechanism} if mechanism else {})}
    kafka = KafkaConnection.from_env(env)
    assert kafka.authenticated
    assert kafka.client_kwargs() == {"bootstrap_servers": "kafka:9092", "security_protocol": "SASL_PLAINTEXT",
                                     "sasl_mechanism": mechanism or "SCRAM-SHA-512",
                                     "sasl_plain_username": "declaratie", "sasl_plain_password": "s3cret-pw"}
    sec = kafka.broker_kwargs()["security"]
    assert type(sec) is security
    # What FastStream hands aiokafka for it is what the plain clients get.
    assert {"bootstrap_servers": "kafka:9092", **parse_security(sec)} == {**kafka.client_kwargs(), "ssl_context": None}
    assert KafkaConnection.from_env(kafka.env()) == kafka  # what a child process is given connects it the same way
    assert "s3cret-pw" not in repr(kafka)


@pytest.mark.parametrize("env", [{"KAFKA_SASL_USERNAME": "declaratie"}, {"KAFKA_SASL_PASSWORD": "s3cret-pw"},
                                 {"KAFKA_SASL_USERNAME": "d", "KAFKA_SASL_PASSWORD": "s3cret-pw",
                                  "KAFKA_SASL_MECHANISM": "PLAIN"}])
def test_half_credentials_or_another_mechanism_are_refused_without_the_password(env):
    with pytest.raises(KafkaConnectionError) as e:
        KafkaConnection.from_env({"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092", **env})
    assert "s3cret-pw" not in str(e.value)
