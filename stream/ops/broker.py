"""The local development broker: single-node Apache Kafka 4.x in KRaft mode.

``python -m stream broker start|stop|status``.  The broker's jars come from Maven
Central (``kafka/pom.xml`` pins the version), are copied once to a cache, and run
with the machine's Java; with ``KAFKA_HOME`` set, that distribution's ``libs/`` is
used instead.  Data, logs and the pid file live under one directory
(``LIVEBLOG_BROKER_DIR``, default ``var/kafka``).  For development and tests
only: one node, replication factor 1, plaintext on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class LocalBroker:
    settings: Settings

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
        config = self.home / "server.properties"
        config.write_text("".join(f"{k}={v}\n" for k, v in properties.items()))
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
        if not (self.home / "data" / "meta.properties").exists():
            self._format_storage([java, *java_options, "-cp", classpath], config)
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
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BrokerError(
                "Formatting the broker's storage failed:\n" + result.stdout + result.stderr
            )

    def wait_ready(self, process: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise BrokerError(
                    f"The broker exited with code {process.returncode} while starting; "
                    f"last lines of its log:\n{self.log_tail()}"
                )
            if self.accepts_connections() and _answers_metadata(self.bootstrap):
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


def _answers_metadata(bootstrap: str) -> bool:
    """Does a Kafka client get cluster metadata from the broker?"""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    async def probe() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
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


def main(command: str, settings: Settings) -> int:
    broker = LocalBroker(settings)
    try:
        if command == "start":
            broker.start()
        elif command == "stop":
            broker.stop()
        else:
            print(broker.status())
            return 0 if broker.pid() is not None else 3
    except BrokerError as exc:
        print(f"stream broker {command}: {exc}", file=sys.stderr)
        return 1
    return 0
