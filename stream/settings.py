"""All configuration, in one typed place, read from environment variables.

Nothing else in the project reads the environment.  Every setting has a default
that works on a developer machine with the local broker (``python -m stream broker``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    #: Kafka bootstrap servers, comma separated.
    bootstrap_servers: str = "127.0.0.1:9092"
    #: Topic scrapers publish raw pages to.
    raw_topic: str = "articles.raw"
    #: Topic of live-blog entries (the public output).
    entries_topic: str = "liveblog.entries"
    #: Topic of dead letters.
    deadletter_topic: str = "liveblog.deadletter"
    #: Partitions of the topics the worker creates (raw, internal and output topics).
    partitions: int = 4
    #: Replication factor of the topics the worker creates (1 for a single broker).
    replication_factor: int = 1
    #: Faust application id: the consumer group and the prefix of internal topics.
    app_id: str = "liveblog-stream"
    #: Table store: "rocksdb" (default, on disk under data_dir) or "memory".
    store: str = "rocksdb"
    #: Processing guarantee: "at_least_once" (default) or "exactly_once".
    processing_guarantee: str = "at_least_once"
    #: Where the worker keeps its table stores.
    data_dir: Path = PROJECT_ROOT / "var" / "worker"
    #: Port of the worker's web server (status and metrics), bound to web_host.
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    #: Largest raw page accepted, in bytes; larger ones become "oversized" dead letters.
    max_page_bytes: int = 8 * 1024 * 1024
    #: Largest Kafka message, for broker, producer and consumer alike.  It must hold a
    #: dead letter of the largest page: base64 of max_page_bytes plus context.
    max_message_bytes: int = 16 * 1024 * 1024
    #: Pages whose outputs are being written at once; the worker stops reading
    #: when this many are unacknowledged (for example while the broker refuses writes).
    max_pages_in_flight: int = 256
    #: Seconds the producer waits for the broker to accept a record before the send
    #: fails; a failed send is retried by the worker, which does not move past it.
    delivery_timeout_s: float = 30.0
    #: Seconds without a heartbeat after which Kafka takes a worker's partitions away
    #: and gives them to the others (or to its restarted self): after a kill -9 or a
    #: hang, processing resumes after about this long.  Faust's default is 60.
    session_timeout_s: float = 10.0
    #: Port of the local development broker.
    broker_port: int = 9092
    #: Where the local development broker keeps its data and logs.
    broker_dir: Path = PROJECT_ROOT / "var" / "kafka"
    #: An unpacked Apache Kafka distribution to run the local broker from, instead of
    #: jars resolved with Maven (read from KAFKA_HOME).
    kafka_home: str = ""
    #: Log level of the worker.
    log_level: str = "info"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``LIVEBLOG_<FIELD>`` variables (for example LIVEBLOG_BOOTSTRAP_SERVERS)."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for spec in fields(cls):
            name = f"LIVEBLOG_{spec.name.upper()}"
            if name not in environ:
                continue
            raw = environ[name]
            kind = type(getattr(cls, spec.name))
            try:
                values[spec.name] = Path(raw) if kind is type(PROJECT_ROOT) else kind(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
        if environ.get("KAFKA_HOME") and "kafka_home" not in values:
            values["kafka_home"] = environ["KAFKA_HOME"]
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    @property
    def pages_by_story_topic(self) -> str:
        """The worker's internal topic: parsed pages, keyed by story."""
        return f"{self.app_id}-pages-by-story"

    @property
    def input_topics(self) -> list[str]:
        """The topics the worker's group consumes: the raw topic and its internal one."""
        return [self.raw_topic, self.pages_by_story_topic]

    def public(self) -> dict[str, str]:
        """The settings as shown to people (the status page, the worker's start line):
        anything that could be a secret is masked."""
        shown = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            secret = any(word in spec.name for word in ("password", "secret", "token", "key"))
            shown[f"LIVEBLOG_{spec.name.upper()}"] = "****" if secret and value else str(value)
        return shown

    def validate(self) -> None:
        if self.store not in ("rocksdb", "memory"):
            raise SettingsError(f"LIVEBLOG_STORE={self.store!r}: use 'rocksdb' or 'memory'")
        if self.processing_guarantee not in ("at_least_once", "exactly_once"):
            raise SettingsError(
                f"LIVEBLOG_PROCESSING_GUARANTEE={self.processing_guarantee!r}: "
                "use 'at_least_once' or 'exactly_once'"
            )
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise SettingsError(
                f"LIVEBLOG_LOG_LEVEL={self.log_level!r}: use debug, info, warning, error "
                "or critical"
            )
        if not 3.0 <= self.session_timeout_s <= 300.0:
            raise SettingsError("LIVEBLOG_SESSION_TIMEOUT_S must be between 3 and 300 seconds")
        if self.partitions < 1:
            raise SettingsError("LIVEBLOG_PARTITIONS must be at least 1")
        needed = self.max_page_bytes * 4 // 3 + 64 * 1024
        if self.max_message_bytes < needed:
            raise SettingsError(
                f"LIVEBLOG_MAX_MESSAGE_BYTES={self.max_message_bytes} cannot hold a dead "
                f"letter of a {self.max_page_bytes}-byte page (base64); set it to at "
                f"least {needed}"
            )
