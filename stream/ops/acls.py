"""The ACLs the worker and each tool need on a secured cluster, and nothing more.

``python -m stream acls User:NAME`` prints them as ``kafka-acls.sh`` commands for a
cluster's operators; ``--apply`` creates them with the current connection settings
(which must be an administrator's), as the tests do on the secured local broker.
The lists are derived from the settings (topic names, application id, guarantee),
so they follow any renaming.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest

from stream.ops.topics import connected_client
from stream.settings import Settings

# Codes of the Kafka protocol (org.apache.kafka.common.acl / resource).
_RESOURCE_TYPES = {"TOPIC": 2, "GROUP": 3, "CLUSTER": 4, "TRANSACTIONAL_ID": 5}
_PATTERN_TYPES = {"LITERAL": 3, "PREFIXED": 4}
_OPERATIONS = {
    "READ": 3,
    "WRITE": 4,
    "CREATE": 5,
    "DESCRIBE": 8,
    "DESCRIBE_CONFIGS": 10,
    "IDEMPOTENT_WRITE": 12,
}
_ALLOW = 3
CLUSTER = "kafka-cluster"


@dataclass(frozen=True)
class Acl:
    """Allow ``operations`` on one resource (a name, or every name with a prefix)."""

    resource_type: str
    name: str
    operations: tuple[str, ...]
    why: str
    pattern: str = "LITERAL"

    def describe(self) -> str:
        name = f"{self.name}*" if self.pattern == "PREFIXED" else self.name
        return f"{self.resource_type} {name}: {', '.join(self.operations)} ({self.why})"


def worker_acls(settings: Settings) -> list[Acl]:
    """What the worker needs: read its input, write its outputs, own its internals."""
    acls = [
        Acl("TOPIC", settings.raw_topic, ("READ", "DESCRIBE"), "the raw pages"),
        Acl("GROUP", settings.app_id, ("READ", "DESCRIBE"), "its consumer group"),
        Acl(
            "TOPIC",
            settings.entries_topic,
            ("WRITE", "DESCRIBE"),
            "entries out",
        ),
        Acl(
            "TOPIC",
            settings.deadletter_topic,
            ("WRITE", "DESCRIBE"),
            "dead letters out",
        ),
        Acl(
            "TOPIC",
            f"{settings.app_id}-",
            ("CREATE", "READ", "WRITE", "DESCRIBE", "DESCRIBE_CONFIGS"),
            "its internal topic and table changelogs, which it creates",
            pattern="PREFIXED",
        ),
        Acl("CLUSTER", CLUSTER, ("IDEMPOTENT_WRITE",), "idempotent producer"),
    ]
    if settings.processing_guarantee == "exactly_once":
        acls.append(
            Acl(
                "TRANSACTIONAL_ID",
                settings.app_id,
                ("WRITE", "DESCRIBE"),
                "exactly_once transactions",
                pattern="PREFIXED",
            )
        )
    return acls


def tool_acls(settings: Settings) -> dict[str, list[Acl]]:
    """What each tool needs (tools other than these need no Kafka access)."""
    internal = settings.pages_by_story_topic
    return {
        "publish": [Acl("TOPIC", settings.raw_topic, ("WRITE", "DESCRIBE"), "pages in")],
        "tail": [
            Acl("TOPIC", settings.entries_topic, ("READ", "DESCRIBE"), "entries"),
            Acl("TOPIC", settings.deadletter_topic, ("READ", "DESCRIBE"), "with --deadletter"),
        ],
        "lag": [
            Acl("GROUP", settings.app_id, ("DESCRIBE",), "the group's offsets and members"),
            Acl("TOPIC", settings.raw_topic, ("READ", "DESCRIBE"), "log end, oldest age"),
            Acl("TOPIC", internal, ("READ", "DESCRIBE"), "log end, oldest age"),
        ],
        "deadletters": [
            Acl("TOPIC", settings.deadletter_topic, ("READ", "DESCRIBE"), "list, show"),
            Acl("TOPIC", settings.raw_topic, ("WRITE", "DESCRIBE"), "redrive"),
            Acl(
                "TOPIC",
                f"{settings.app_id}-redriven",
                ("CREATE", "READ", "WRITE", "DESCRIBE"),
                "redrive's memory of what it redrove",
            ),
        ],
    }


def kafka_acls_commands(principal: str, acls: list[Acl], bootstrap: str) -> list[str]:
    """The same ACLs as ``kafka-acls.sh`` command lines, for a cluster's operators."""
    flags = {
        "TOPIC": "--topic",
        "GROUP": "--group",
        "TRANSACTIONAL_ID": "--transactional-id",
        "CLUSTER": "--cluster",
    }
    lines = []
    for acl in acls:
        resource = [flags[acl.resource_type]]
        if acl.resource_type != "CLUSTER":
            resource.append(acl.name)
        if acl.pattern == "PREFIXED":
            resource += ["--resource-pattern-type", "prefixed"]
        operations = [part for op in acl.operations for part in ("--operation", _cli_op(op))]
        words = [
            "kafka-acls.sh",
            "--bootstrap-server",
            bootstrap,
            "--command-config",
            "admin.properties",
            "--add",
            "--allow-principal",
            principal,
            *operations,
            *resource,
        ]
        lines.append(" ".join(shlex.quote(word) for word in words))
    return lines


def _cli_op(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


async def create_acls(settings: Settings, principal: str, acls: list[Acl]) -> int:
    """Create the ACLs on the cluster, connecting as ``settings`` say (an administrator).
    Returns how many (resource, operation) pairs were created."""
    async with connected_client(settings) as client:
        node_id = client.get_random_node()
        created = 0
        for acl in acls:
            for operation in acl.operations:
                request = CreateAclsRequest(
                    _RESOURCE_TYPES[acl.resource_type],
                    acl.name,
                    _PATTERN_TYPES[acl.pattern],
                    principal,
                    "*",
                    _OPERATIONS[operation],
                    _ALLOW,
                )
                response = await client.send(node_id, request)
                for error_code, error_message in response.creation_responses:
                    if error_code:
                        raise for_code(error_code)(f"{acl.describe()}: {error_message}")
                created += 1
        return created
