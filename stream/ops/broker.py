"""The local development broker: single-node Apache Kafka 4.x in KRaft mode.

``python -m stream broker start|stop|status``.  The broker's jars come from Maven
Central (``kafka/pom.xml`` pins the version), are copied once to a cache, and run
with the machine's Java; with ``KAFKA_HOME`` set, that distribution's ``libs/`` is
used instead.  Data, logs and the pid file live under one directory
(``LIVEBLOG_BROKER_DIR``, default ``var/kafka``).  For development and tests
only: one node, replication factor 1, on 127.0.0.1.

Plaintext by default.  ``broker start --secure`` starts it as a managed cluster
would run: a SASL_SSL listener with SCRAM users (on the port), a mutual-TLS listener
(port + 2), certificates from a throwaway CA (``stream.ops.certs``), the standard
authorizer with ``admin`` as the only super user, and no access without an ACL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from stream.connection import client_options
from stream.settings import PROJECT_ROOT, Settings

POM = PROJECT_ROOT / "kafka" / "pom.xml"
CACHE_ROOT = Path.home() / ".cache" / "liveblog-stream"
READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


class BrokerError(RuntimeError):
    """The broker could not be resolved, started or stopped; the message says why."""


def kafka_version() -> str:
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if match is None:
        raise BrokerError(f"{POM} has no <kafka.version> property")
    return match.group(1)


def resolve_classpath(settings: Settings, log=print) -> str:
    """The broker's classpath: KAFKA_HOME's libs, or jars resolved with Maven."""
    if settings.kafka_home:
        libs = Path(settings.kafka_home) / "libs"
        if not any(libs.glob("kafka_*.jar")):
            raise BrokerError(f"KAFKA_HOME={settings.kafka_home} has no libs/kafka_*.jar")
        return f"{libs}/*"
    lib = CACHE_ROOT / f"kafka-{kafka_version()}" / "lib"
    done = lib / ".complete"
    if done.exists():
        return f"{lib}/*"
    lib.parent.mkdir(parents=True, exist_ok=True)
    # Two clones may start their brokers at once: one resolves, the other waits.
    with open(lib.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _resolve_jars(lib, log)
    return f"{lib}/*"


def _resolve_jars(lib: Path, log) -> None:
    """Resolve the broker's jars with Maven into a private staging folder, then move it
    into place in one rename, so that no reader ever sees a half-filled folder."""
    if shutil.which("mvn") is None:
        raise BrokerError(
            "Maven (mvn) is not installed; install it (apt-get install maven) or set "
            "KAFKA_HOME to an unpacked Apache Kafka 4.x distribution"
        )
    log(f"Resolving Apache Kafka {kafka_version()} from Maven Central into {lib} ...")
    staging = Path(tempfile.mkdtemp(prefix="lib.partial-", dir=lib.parent))
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise BrokerError(
            "Maven could not resolve the broker's jars:\n" + (result.stdout + result.stderr)[-2000:]
        )
    (staging / ".complete").touch()
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)


ADMIN_USER = "admin"
SCRAM_MECHANISM = "SCRAM-SHA-512"


@dataclass(frozen=True)
class LocalBroker:
    settings: Settings
    #: SASL_SSL + mutual TLS + ACLs instead of plaintext (see the module's notes).
    secure: bool = False
    #: SCRAM users besides admin, made when the storage is formatted (first start).
    users: tuple[str, ...] = ("liveblog",)

    @property
    def home(self) -> Path:
        return self.settings.broker_dir

    @property
    def port(self) -> int:
        return self.settings.broker_port

    @property
    def controller_port(self) -> int:
        return self.port + 1

    @property
    def mtls_port(self) -> int:
        return self.port + 2

    @property
    def tls_dir(self) -> Path:
        return self.home / "tls"

    def password_file(self, user: str) -> Path:
        return self.home / "secrets" / f"{user}.password"

    def user_settings(self, user: str, mechanism: str = SCRAM_MECHANISM) -> Settings:
        """Client settings for a SCRAM user of the secured broker (over SASL_SSL)."""
        return replace(
            self.settings,
            bootstrap_servers=self.bootstrap,
            security_protocol="SASL_SSL",
            sasl_mechanism=mechanism,
            sasl_username=user,
            sasl_password="",
            sasl_password_file=str(self.password_file(user)),
            ssl_cafile=str(self.tls_dir / "ca.pem"),
        )

    def certificate_settings(self, common_name: str) -> Settings:
        """Client settings for mutual TLS, with a certificate (made now) whose common
        name is the user name the broker sees."""
        from stream.ops.certs import LocalCA

        issued = LocalCA(self.tls_dir).issue(common_name, server=False)
        return replace(
            self.settings,
            bootstrap_servers=f"127.0.0.1:{self.mtls_port}",
            security_protocol="SSL",
            ssl_cafile=str(self.tls_dir / "ca.pem"),
            ssl_certfile=str(issued.certificate),
            ssl_keyfile=str(issued.key),
        )

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child and has exited
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        if _is_zombie(pid) or not self._is_ours(pid):
            return None
        return pid

    def _is_ours(self, pid: int) -> bool:
        """Is ``pid`` this data dir's broker?  A stale pid file may name a process that
        has since reused the number, or another clone's broker: never signal those."""
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return True  # no /proc (not Linux): trust the pid file
        config = str(self.home / "server.properties").encode()
        return b"kafka.Kafka" in command and config in command

    def accepts_connections(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                return True
        except OSError:
            return False

    def _write_config(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        limit = self.settings.max_message_bytes
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.home / "data"),
            "num.partitions": "1",
            # Topics are created with their partition counts by the worker and tools.
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "8",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # Large pages: the same limit as the worker's producer and consumer.
            "message.max.bytes": str(limit),
            "replica.fetch.max.bytes": str(limit),
            "socket.request.max.bytes": str(max(limit * 2, 104857600)),
        }
        if self.secure:
            properties.update(self._secure_properties())
        config = self.home / "server.properties"
        config.write_text("".join(f"{k}={v}\n" for k, v in properties.items()))
        if self.secure:
            config.chmod(0o600)  # it holds the broker's own SCRAM password
        (self.home / "log4j2.properties").write_text(
            "status = warn\n"
            "appender.file.type = File\n"
            "appender.file.name = file\n"
            f"appender.file.fileName = {self.log_dir / 'server.log'}\n"
            "appender.file.layout.type = PatternLayout\n"
            "appender.file.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = INFO\n"
            "rootLogger.appenderRef.file.ref = file\n"
            "logger.state.name = state.change.logger\n"
            "logger.state.level = WARN\n"
        )
        return config

    def _secure_properties(self) -> dict[str, str]:
        from stream.ops.certs import LocalCA

        ca = LocalCA(self.tls_dir)
        issued = ca.issue("broker", server=True)
        keystore = self.tls_dir / "broker-keystore.pem"  # Kafka's PEM store: key, then chain
        keystore.write_bytes(issued.key.read_bytes() + issued.certificate.read_bytes())
        keystore.chmod(0o600)
        admin_password = self._password(ADMIN_USER)
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN_USER}" password="{admin_password}";'
        )
        return {
            "listeners": f"SASL_SSL://127.0.0.1:{self.port},"
            f"CONTROLLER://127.0.0.1:{self.controller_port},SSL://127.0.0.1:{self.mtls_port}",
            "advertised.listeners": f"SASL_SSL://127.0.0.1:{self.port},"
            f"SSL://127.0.0.1:{self.mtls_port}",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT,SSL:SSL",
            "inter.broker.listener.name": "SASL_SSL",
            "sasl.enabled.mechanisms": "SCRAM-SHA-512,SCRAM-SHA-256",
            "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": jaas,
            "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": jaas,
            "listener.name.ssl.ssl.client.auth": "required",
            # A client certificate's common name is its user name: CN=worker is User:worker.
            "ssl.principal.mapping.rules": "RULE:^.*CN=([^,]+).*$/$1/,DEFAULT",
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(keystore),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(ca.certificate_file),
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            # ANONYMOUS is the broker talking to its own controller over the controller
            # listener (plaintext, on 127.0.0.1); no client listener yields it.
            "super.users": f"User:{ADMIN_USER};User:ANONYMOUS",
        }

    def _password(self, user: str) -> str:
        """The user's SCRAM password, made once and kept in a file only its owner reads."""
        path = self.password_file(user)
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(18)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password + "\n")
        return password

    def _scram_arguments(self) -> list[str]:
        arguments = []
        for user in (ADMIN_USER, *self.users):
            password = self._password(user)
            for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256"):
                arguments += ["--add-scram", f"{mechanism}=[name={user},password={password}]"]
        return arguments

    def _java(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise BrokerError("Java is not installed; the broker needs Java 17 or later")
        return java

    def start(self, log=print) -> None:
        """Start the broker in the background and wait until it serves requests."""
        if self.pid() is not None:
            log(f"Broker already running (pid {self.pid()}) on {self.bootstrap}")
            self.wait_ready()
            return
        if self.accepts_connections():
            raise BrokerError(
                f"Port {self.port} is already in use by another process; stop it or set "
                "LIVEBLOG_BROKER_PORT to a free port"
            )
        classpath = resolve_classpath(self.settings, log)
        config = self._write_config()
        java = self._java()
        java_options = [
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.log_dir}",
        ]
        self._check_mode()
        if not (self.home / "data" / "meta.properties").exists():
            self._format_storage([java, *java_options, "-cp", classpath], config)
            (self.home / "secured").write_text("yes\n" if self.secure else "no\n")
        out = open(self.log_dir / "broker.out", "ab")  # noqa: SIM115 (handed to the child)
        process = subprocess.Popen(
            [java, *java_options, "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives this command; stopped by `broker stop`
        )
        out.close()
        self.pid_file.write_text(f"{process.pid}\n")
        log(
            f"Starting Kafka {kafka_version() if not self.settings.kafka_home else ''} "
            f"(pid {process.pid}) on {self.bootstrap}; data and logs in {self.home}"
        )
        try:
            self.wait_ready(process)
        except BrokerError:
            self.stop(log=lambda *_: None)
            raise
        log("Broker ready")

    def _format_storage(self, java_command: list[str], config: Path) -> None:
        """KRaft needs its storage formatted with a cluster id before the first start."""
        cluster_id = uuid.uuid4().hex[:22]
        result = subprocess.run(
            [
                *java_command,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(config),
                *(self._scram_arguments() if self.secure else []),
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BrokerError(
                "Formatting the broker's storage failed:\n" + result.stdout + result.stderr
            )

    def _check_mode(self) -> None:
        """A data directory stays plaintext or secured: its users are made at format."""
        marker = self.home / "secured"
        if not marker.exists():
            return
        was_secure = marker.read_text().strip() == "yes"
        if was_secure != self.secure:
            raise BrokerError(
                f"{self.home} holds a {'secured' if was_secure else 'plaintext'} broker's "
                f"data; start it {'with' if was_secure else 'without'} --secure, or set "
                "LIVEBLOG_BROKER_DIR to another directory"
            )

    def admin_options(self) -> dict:
        """Client options for readiness checks and administration (the super user)."""
        if not self.secure:
            return {"bootstrap_servers": self.bootstrap}
        return client_options(self.user_settings(ADMIN_USER))

    def wait_ready(self, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise BrokerError(
                    f"The broker exited with code {process.returncode} while starting; "
                    f"last lines of its log:\n{self.log_tail()}"
                )
            if self.accepts_connections() and _answers_metadata(self.admin_options()):
                return
            time.sleep(0.3)
        raise BrokerError(
            f"The broker did not become ready within {READY_TIMEOUT_S:.0f}s; "
            f"last lines of its log:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 30) -> str:
        texts = []
        for name in ("broker.out", "server.log"):
            path = self.log_dir / name
            if path.exists():
                texts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts[-lines:]) or "(no log yet)"

    def stop(self, log=print) -> None:
        pid = self.pid()
        if pid is None:
            log("Broker not running")
            self.pid_file.unlink(missing_ok=True)
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and self.pid() is not None:
            time.sleep(0.2)
        if self.pid() is not None:
            log(f"Broker (pid {pid}) did not stop within {STOP_TIMEOUT_S:.0f}s; killing it")
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        log(f"Broker stopped (pid {pid})")

    def status(self) -> str:
        pid = self.pid()
        if pid is None:
            return f"not running (port {self.port})"
        ready = "ready" if self.accepts_connections() else "not accepting connections"
        return f"running, pid {pid}, {self.bootstrap}, {ready}; data in {self.home}"


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def _answers_metadata(options: dict) -> bool:
    """Does a Kafka client get cluster metadata from the broker?"""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(**options, request_timeout_ms=3000)
        try:
            await admin.start()
            await admin.list_topics()
            return True
        except Exception:
            return False
        finally:
            await admin.close()

    try:
        return asyncio.run(probe())
    except Exception:
        return False


def main(command: str, settings: Settings, secure: bool = False) -> int:
    broker = LocalBroker(settings, secure=secure)
    try:
        if command == "start":
            broker.start()
            if secure:
                print(secured_broker_help(broker))
        elif command == "stop":
            broker.stop()
        else:
            print(broker.status())
            return 0 if broker.pid() is not None else 3
    except BrokerError as exc:
        print(f"stream broker {command}: {exc}", file=sys.stderr)
        return 1
    return 0


def secured_broker_help(broker: LocalBroker) -> str:
    """How to connect to the secured broker, with the passwords' files, not passwords."""
    user = broker.users[0]
    connect = broker.user_settings(user)
    admin = broker.user_settings(ADMIN_USER)
    return (
        f"SASL_SSL ({SCRAM_MECHANISM} or SCRAM-SHA-256) on {broker.bootstrap}, mutual TLS "
        f"on 127.0.0.1:{broker.mtls_port}; CA certificate {connect.ssl_cafile}\n"
        f"Connect as {user!r} (no ACLs until you grant them):\n"
        f"  export LIVEBLOG_SECURITY_PROTOCOL=SASL_SSL "
        f"LIVEBLOG_SASL_MECHANISM={SCRAM_MECHANISM} LIVEBLOG_SASL_USERNAME={user} "
        f"LIVEBLOG_SASL_PASSWORD_FILE={connect.sasl_password_file} "
        f"LIVEBLOG_SSL_CAFILE={connect.ssl_cafile}\n"
        f"Grant the worker's ACLs as the super user {ADMIN_USER!r}:\n"
        f"  LIVEBLOG_SECURITY_PROTOCOL=SASL_SSL LIVEBLOG_SASL_MECHANISM={SCRAM_MECHANISM} "
        f"LIVEBLOG_SASL_USERNAME={ADMIN_USER} "
        f"LIVEBLOG_SASL_PASSWORD_FILE={admin.sasl_password_file} "
        f"LIVEBLOG_SSL_CAFILE={admin.ssl_cafile} python -m stream acls User:{user} --apply"
    )
