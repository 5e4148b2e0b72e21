"""The local broker authenticates every client (SASL/SCRAM-SHA-512) and lets each principal do only what
shared/platform/kafka_acl.py allows (docs/adr/0043). Every refusal is checked next to the same action that is
allowed, on the same broker, so a refusal cannot pass because the broker is simply unreachable.

The module runs its own broker: records produced here must not reach the session's services.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import create_conn
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)
from aiokafka.protocol.metadata import MetadataRequest

from shared.platform.events import TOPIC_DECLARATIE_BEOORDEELD, TOPIC_ONTVANGEN, TOPIC_PRESTATIES_GEBOEKT
from shared.platform.kafka_acl import ADMIN, bindings, topics_of
from shared.platform.kafka_connection import KafkaConnection
from shared.platform.service import ensure_topics
from tools.kafka_acls import describe_acls
from tools.localinfra import LocalKafka

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    kafka = LocalKafka(tmp_path_factory.mktemp("kafka-security")).start()
    try:
        yield kafka
    finally:
        kafka.stop()


@pytest.fixture
async def topics(broker):
    for service in ("berichtenverkeer", "declaratie", "facturatie"):  # as each service does at start
        await ensure_topics(broker.connection(service), topics=topics_of(service))


async def connect(kafka: KafkaConnection):
    """One connection to the broker, authenticated as `kafka` says; returns it open."""
    host, port = kafka.bootstrap_servers.rsplit(":", 1)
    options = {k: v for k, v in kafka.client_kwargs().items() if k != "bootstrap_servers"}
    return await create_conn(host, int(port), **options)


async def produce(kafka: KafkaConnection, topic: str) -> int:
    producer = AIOKafkaProducer(**kafka.client_kwargs(), request_timeout_ms=10000)
    await producer.start()
    try:
        return (await producer.send_and_wait(topic, b'{"probe": true}', key=uuid.uuid4().bytes)).offset
    finally:
        await producer.stop()


async def consume_one(kafka: KafkaConnection, topic: str, group: str) -> bytes:
    """Join `group` on `topic` and read one record (nothing is committed)."""
    consumer = AIOKafkaConsumer(topic, **kafka.client_kwargs(), group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False, request_timeout_ms=10000)
    await consumer.start()
    try:
        return (await asyncio.wait_for(consumer.getone(), 30)).value
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.stop()


async def test_the_broker_holds_exactly_the_acl_table(broker):
    assert await describe_acls(broker.connection(ADMIN)) == set(bindings())


async def test_a_client_without_sasl_is_refused(broker, topics):
    allowed = await connect(broker.connection("facturatie"))
    allowed.close()
    plain = KafkaConnection(broker.bootstrap_servers)
    conn = await connect(plain)  # TCP is accepted; the broker closes the connection at the first request
    try:
        with pytest.raises(KafkaConnectionError, match="closed"):
            await conn.send(MetadataRequest([]))
    finally:
        conn.close()
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        await produce(plain, TOPIC_ONTVANGEN)


async def test_a_wrong_password_is_refused(broker):
    right = broker.connection("declaratie")
    (await connect(right)).close()
    with pytest.raises(SaslAuthenticationFailed, match="invalid credentials"):
        await connect(right.as_user("declaratie", right.password + "x"))
    with pytest.raises(SaslAuthenticationFailed):
        await connect(right.as_user("nobody", right.password))


async def test_declaratie_writes_only_its_verdicts(broker, topics):
    declaratie = broker.connection("declaratie")
    assert await produce(declaratie, TOPIC_DECLARATIE_BEOORDEELD) >= 0
    with pytest.raises(TopicAuthorizationFailedError):
        await produce(declaratie, TOPIC_PRESTATIES_GEBOEKT)


async def test_declaratie_reads_only_received_messages_in_its_own_group(broker, topics):
    declaratie = broker.connection("declaratie")
    await produce(broker.connection("berichtenverkeer"), TOPIC_ONTVANGEN)
    assert await consume_one(declaratie, TOPIC_ONTVANGEN, "declaratie") == b'{"probe": true}'
    await produce(declaratie, TOPIC_DECLARATIE_BEOORDEELD)
    with pytest.raises(TopicAuthorizationFailedError):
        await consume_one(declaratie, TOPIC_DECLARATIE_BEOORDEELD, "declaratie")
    with pytest.raises(GroupAuthorizationFailedError):
        await consume_one(declaratie, TOPIC_ONTVANGEN, "facturatie")


async def test_facturatie_reads_verdicts_and_writes_postings(broker, topics):
    facturatie = broker.connection("facturatie")
    await produce(broker.connection("declaratie"), TOPIC_DECLARATIE_BEOORDEELD)
    assert await consume_one(facturatie, TOPIC_DECLARATIE_BEOORDEELD, "facturatie") == b'{"probe": true}'
    assert await produce(facturatie, TOPIC_PRESTATIES_GEBOEKT) >= 0


async def test_a_service_creates_only_the_topics_it_uses(broker):
    declaratie = broker.connection("declaratie")
    await ensure_topics(declaratie, topics=topics_of("declaratie"))
    with pytest.raises(RuntimeError, match=r"refused to create backoffice\.probe\.v1 \(TopicAuthorizationFailed"):
        await ensure_topics(declaratie, topics=("backoffice.probe.v1",))
