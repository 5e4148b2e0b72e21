"""Create and read ACLs on a broker as its admin: the local broker (tools/localinfra.py) applies the table of
shared/platform/kafka_acl.py with this right after it starts.

aiokafka's admin client has no create_acls, but aiokafka ships Kafka's CreateAcls and DescribeAcls requests; sent
through the admin client's connection they take milliseconds, where Kafka's own AclCommand costs a JVM start per
principal and resource (the compose setup uses that one: deploy/kafka/acls.sh). See docs/adr/0043.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest, DescribeAclsRequest

from shared.platform.kafka_acl import AclBinding
from shared.platform.kafka_connection import KafkaConnection

# Kafka's wire codes (org.apache.kafka.common.resource.ResourceType, acl.AclOperation, PatternType, AclPermissionType).
RESOURCE_TYPES = {"topic": 2, "group": 3}
OPERATIONS = {"READ": 3, "WRITE": 4, "CREATE": 5, "DESCRIBE": 8}
ANY = 1
LITERAL = 3
ALLOW = 3
ANY_HOST = "*"


class AclError(RuntimeError):
    """The broker refused an ACL change; the message names the rule and Kafka's error, no credentials."""


async def create_acls(admin: KafkaConnection, acls: Iterable[AclBinding]) -> int:
    """Create each ACL (creating one that exists changes nothing); returns how many were sent."""
    client = AIOKafkaAdminClient(**admin.client_kwargs(), request_timeout_ms=10000)
    await client.start()
    sent = 0
    try:
        for acl in acls:
            request = CreateAclsRequest(RESOURCE_TYPES[acl.resource_type], acl.resource_name, LITERAL,
                                        f"User:{acl.principal}", ANY_HOST, OPERATIONS[acl.operation], ALLOW)
            response = await client._send_request(request)  # no public create_acls in aiokafka
            for error_code, error_message in response.creation_responses:
                if error_code:
                    raise AclError(f"Kafka refused {acl}: {for_code(error_code).__name__} {error_message or ''}")
            sent += 1
    finally:
        await client.close()
    return sent


async def describe_acls(admin: KafkaConnection) -> set[AclBinding]:
    """Every literal ALLOW rule for any host on topics and groups, as the broker holds them."""
    codes_to_type = {v: k for k, v in RESOURCE_TYPES.items()}
    codes_to_operation = {v: k for k, v in OPERATIONS.items()}
    client = AIOKafkaAdminClient(**admin.client_kwargs(), request_timeout_ms=10000)
    await client.start()
    try:
        request = DescribeAclsRequest(ANY, None, ANY, None, None, ANY, ANY)
        response = await client._send_request(request)  # nor describe_acls
    finally:
        await client.close()
    if response.error_code:
        raise AclError(f"Kafka refused to list the ACLs: {for_code(response.error_code).__name__}")
    found = set()
    for resource_type, name, pattern_type, entries in response.resources:
        for principal, host, operation, permission in entries:
            if (resource_type in codes_to_type and pattern_type == LITERAL and host == ANY_HOST
                    and permission == ALLOW and operation in codes_to_operation):
                found.add(AclBinding(principal.removeprefix("User:"), codes_to_type[resource_type], name,
                                     codes_to_operation[operation]))
    return found


if __name__ == "__main__":  # python -m tools.kafka_acls > deploy/kafka/setup.sh
    from shared.platform.kafka_acl import compose_setup_script

    print(compose_setup_script(), end="")
