"""Reading the live system's state in integration tests: the database and Kafka as the services left them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.platform.events import PARTITIONS
from shared.platform.kafka_connection import KafkaConnection


async def fetchval(url: str, sql: str, *args):
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def fetch_all(url: str, sql: str, *args) -> list:
    conn = await asyncpg.connect(url)
    try:
        return [r[0] for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def read_topic(kafka: KafkaConnection, topic: str) -> dict[TopicPartition, list[tuple[int, dict]]]:
    """Every record of a topic: {partition: [(offset, JSON body)]}."""
    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]  # as the services create the topics
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        records: dict[TopicPartition, list[tuple[int, dict]]] = {tp: [] for tp in parts}
        deadline = time.monotonic() + 60
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for tp, batch in (await consumer.getmany(timeout_ms=500)).items():
                records[tp] += [(r.offset, json.loads(r.value)) for r in batch if r.offset < ends[tp]]
        return records
    finally:
        # aiokafka 0.14: a group-less consumer re-raises its cancelled reset task
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.stop()


async def committed(kafka: KafkaConnection, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    await admin.start()
    try:
        return {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()}
    finally:
        await admin.close()


async def wait_consumed(kafka: KafkaConnection, group: str, topic: str, timeout: float = 90) -> None:
    consumer = AIOKafkaConsumer(**kafka.client_kwargs())
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        deadline = time.monotonic() + timeout
        while True:
            ends = await consumer.end_offsets(parts)
            done = await committed(kafka, group)
            if all(done.get(tp, 0) >= ends[tp] for tp in parts):
                return
            assert time.monotonic() < deadline, f"group {group} did not catch up on {topic}"
            await asyncio.sleep(0.2)
    finally:
        with contextlib.suppress(asyncio.CancelledError):
            await consumer.stop()




# Who consumes what (the services' subscribers): a module that shares the session's topics waits for all of it
# before it stops its services, so the next module's services do not meet its events.
CONSUMERS = (("declaratie", "backoffice.berichten.ontvangen.v1"),
             ("facturatie", "backoffice.declaratie.beoordeeld.v1"),
             ("berichtenverkeer", "backoffice.declaratie.beoordeeld.v1"),
             ("berichtenverkeer", "backoffice.facturatie.geboekt.v1"))


async def wait_all_consumed(kafka: KafkaConnection, timeout: float = 120) -> None:
    for group, topic in CONSUMERS:
        await wait_consumed(kafka, group, topic, timeout)


def poll(fn, timeout: float = 60, interval: float = 0.1):
    """Call `fn` until it returns something true (and return that), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = fn()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(interval)
