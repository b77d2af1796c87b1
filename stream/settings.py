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
    #: How clients talk to Kafka: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.
    security_protocol: str = "PLAINTEXT"
    #: SASL mechanism (with SASL_*): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
    sasl_mechanism: str = "PLAIN"
    #: SASL user name and password (with SASL_*).  The password may instead be read
    #: from a file (sasl_password_file), as orchestrators mount secrets.
    sasl_username: str = ""
    sasl_password: str = ""
    sasl_password_file: str = ""
    #: PEM file of the certificate authorities to trust (with SSL, SASL_SSL); empty:
    #: the system's trusted authorities, as for a managed cluster with a public CA.
    ssl_cafile: str = ""
    #: Client certificate and its private key, PEM (mutual TLS); the key's password
    #: if it is encrypted.
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    ssl_key_password: str = ""
    #: Check that the broker's certificate names the host connected to.  Turning it
    #: off lets anyone with a certificate from the trusted CA pose as the broker.
    ssl_check_hostname: bool = True
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
    #: hang, processing resumes after about this long.  Faust's default is 60.  6 (the
    #: least a broker accepts by default) restarted faster, but 6 of 10 latency rounds
    #: of bench/e2e.py then got stuck at a steady 1.4-2.8 s delay (0 of 5 with 10).
    session_timeout_s: float = 10.0
    #: A name of this worker's own that stays the same across its restarts (a pod name,
    #: a host name): Kafka's static group membership, so that a restarted worker takes
    #: its partitions back at once instead of after the session timeout.  Each worker
    #: needs its own.  Empty: dynamic membership.
    group_instance_id: str = ""
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
                values[spec.name] = _converted(raw, kind)
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

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def sasl_password_value(self) -> str:
        """The SASL password, read from sasl_password_file when that is set."""
        if not self.sasl_password_file:
            return self.sasl_password
        try:
            return Path(self.sasl_password_file).read_text().strip()
        except OSError as exc:
            raise SettingsError(
                f"LIVEBLOG_SASL_PASSWORD_FILE={self.sasl_password_file}: cannot read it "
                f"({exc.strerror})"
            ) from None

    def environment(self) -> dict[str, str]:
        """``LIVEBLOG_*`` variables that give a child process these settings (those
        that differ from the defaults)."""
        environment = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if value != spec.default:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                environment[f"LIVEBLOG_{spec.name.upper()}"] = text
        return environment

    def public(self) -> dict[str, str]:
        """The settings as shown to people (the status page, the worker's start line):
        anything that could be a secret is masked (a file's path is not a secret)."""
        shown = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            shown[f"LIVEBLOG_{spec.name.upper()}"] = (
                "****" if is_secret_setting(spec.name) and value else str(value)
            )
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
        self._validate_security()
        needed = self.max_page_bytes * 4 // 3 + 64 * 1024
        if self.max_message_bytes < needed:
            raise SettingsError(
                f"LIVEBLOG_MAX_MESSAGE_BYTES={self.max_message_bytes} cannot hold a dead "
                f"letter of a {self.max_page_bytes}-byte page (base64); set it to at "
                f"least {needed}"
            )

    def _validate_security(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise SettingsError(
                f"LIVEBLOG_SECURITY_PROTOCOL={self.security_protocol!r}: use "
                + ", ".join(SECURITY_PROTOCOLS)
            )
        if self.uses_sasl:
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise SettingsError(
                    f"LIVEBLOG_SASL_MECHANISM={self.sasl_mechanism!r}: use "
                    + ", ".join(SASL_MECHANISMS)
                )
            if not self.sasl_username:
                raise SettingsError(
                    f"LIVEBLOG_SECURITY_PROTOCOL={self.security_protocol} needs "
                    "LIVEBLOG_SASL_USERNAME and LIVEBLOG_SASL_PASSWORD (or "
                    "LIVEBLOG_SASL_PASSWORD_FILE)"
                )
            if not self.sasl_password_value():
                raise SettingsError(
                    "LIVEBLOG_SASL_PASSWORD (or LIVEBLOG_SASL_PASSWORD_FILE) is empty; "
                    f"SASL needs the password of user {self.sasl_username!r}"
                )
        if bool(self.ssl_certfile) != bool(self.ssl_keyfile):
            raise SettingsError(
                "LIVEBLOG_SSL_CERTFILE and LIVEBLOG_SSL_KEYFILE go together (mutual TLS "
                "needs the client certificate and its key)"
            )
        for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "sasl_password_file"):
            path = getattr(self, name)
            if path and not Path(path).is_file():
                raise SettingsError(f"LIVEBLOG_{name.upper()}={path}: no such file")


SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SECRET_WORDS = ("password", "secret", "token")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def is_secret_setting(name: str) -> bool:
    """Is the setting of that (field) name a secret to mask?  Paths to secrets are not."""
    if name.endswith("_file"):
        return False
    return any(word in name for word in _SECRET_WORDS)


def _converted(raw: str, kind: type) -> object:
    if kind is bool:
        word = raw.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError(raw)
    if kind is type(PROJECT_ROOT):
        return Path(raw)
    return kind(raw)
