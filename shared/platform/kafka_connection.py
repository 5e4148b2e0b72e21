"""How a client reaches Kafka: the bootstrap servers and, when configured, SASL/SCRAM credentials.

One place turns that into aiokafka's keyword arguments and FastStream's security object, so the services, the
operator tools and the tests connect the same way (docs/adr/0043-kafka-sasl-scram-and-acls.md). Without a username
the connection is PLAINTEXT, as before, so a plain broker named by KAFKA_BOOTSTRAP_SERVERS still works; production
refuses that (shared.platform.productie).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from faststream.security import BaseSecurity, SASLScram256, SASLScram512

SCRAM_SECURITY: dict[str, type[SASLScram256] | type[SASLScram512]] = {
    "SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256}
DEFAULT_MECHANISM = "SCRAM-SHA-512"


class KafkaConnectionError(ValueError):
    """The Kafka settings do not fit together; the message names the variables, never a password."""


@dataclass(frozen=True)
class KafkaConnection:
    bootstrap_servers: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    mechanism: str = DEFAULT_MECHANISM

    def __post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise KafkaConnectionError("set both KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD, or neither "
                                       "(an unauthenticated connection)")
        if self.mechanism not in SCRAM_SECURITY:
            raise KafkaConnectionError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(SCRAM_SECURITY)}, "
                                       f"got {self.mechanism!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> KafkaConnection:
        """KAFKA_BOOTSTRAP_SERVERS, and KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM when set."""
        return cls(bootstrap_servers=environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip(),
                   username=environ.get("KAFKA_SASL_USERNAME") or None,
                   password=environ.get("KAFKA_SASL_PASSWORD") or None,
                   mechanism=environ.get("KAFKA_SASL_MECHANISM") or DEFAULT_MECHANISM)

    @property
    def authenticated(self) -> bool:
        """SASL/SCRAM (the only mechanisms accepted): the broker knows who connects and applies its ACLs."""
        return self.username is not None

    def as_user(self, username: str, password: str) -> KafkaConnection:
        return dataclasses.replace(self, username=username, password=password)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
        kwargs: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if self.authenticated:
            kwargs |= {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": self.mechanism,
                       "sasl_plain_username": self.username, "sasl_plain_password": self.password}
        return kwargs

    def security(self) -> BaseSecurity | None:
        """FastStream's KafkaBroker(security=...): SASL/SCRAM over plaintext, or None for PLAINTEXT."""
        if self.username is None or self.password is None:
            return None
        return SCRAM_SECURITY[self.mechanism](self.username, self.password)

    def broker_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for FastStream's KafkaBroker."""
        return {"bootstrap_servers": self.bootstrap_servers, "security": self.security()}

    def env(self) -> dict[str, str]:
        """The variables that give a child process (a service, a tool) this connection."""
        out = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}
        if self.username is not None and self.password is not None:
            out |= {"KAFKA_SASL_USERNAME": self.username, "KAFKA_SASL_PASSWORD": self.password,
                    "KAFKA_SASL_MECHANISM": self.mechanism}
        return out
