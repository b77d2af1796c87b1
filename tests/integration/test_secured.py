"""The worker and the tools on a secured broker (SASL_SSL + SCRAM-SHA-512, mutual TLS,
ACLs enforced), with only the ACLs the README lists; refusals that say what to fix;
passwords that never show."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from stream.connection import describe
from stream.core.process import process_message
from stream.ops.acls import create_acls, tool_acls, worker_acls
from stream.ops.broker import LocalBroker
from stream.ops.certs import LocalCA
from stream.ops.processes import free_port_pair, free_ports
from stream.ops.topics import ensure_topics
from stream.settings import Settings
from tests.conftest import SAMPLES, run_stream
from tests.integration.conftest import Worker, wait_until_processed

pytestmark = pytest.mark.kafka

USERS = ("worker", "tools", "nobody")


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    settings = Settings(
        broker_port=free_ports(3), broker_dir=tmp_path_factory.mktemp("secured-kafka")
    )
    broker = LocalBroker(settings, secure=True, users=USERS)
    broker.start(log=lambda *a: None)
    yield broker
    broker.stop(log=lambda *a: None)


def passwords(broker: LocalBroker) -> list[str]:
    return [broker.password_file(u).read_text().strip() for u in ("admin", *USERS)]


def stream(settings: Settings, *args: str) -> tuple[int, str, str, float]:
    """``python -m stream ARGS`` with ``settings``: (exit code, stdout, stderr, seconds)."""
    started = time.monotonic()
    result = run_stream(*args, **settings.environment())
    return (
        result.returncode,
        result.stdout.decode(errors="replace"),
        result.stderr.decode(errors="replace"),
        time.monotonic() - started,
    )


def fresh_names() -> dict[str, object]:
    suffix = uuid.uuid4().hex[:8]
    return {
        "app_id": f"liveblog-secured-{suffix}",
        "raw_topic": f"articles.raw.{suffix}",
        "entries_topic": f"liveblog.entries.{suffix}",
        "deadletter_topic": f"liveblog.deadletter.{suffix}",
        "partitions": 2,
    }


def login(broker: LocalBroker, user: str, how: str) -> Settings:
    return broker.user_settings(user) if how == "scram" else broker.certificate_settings(user)


def expected_entry_ids() -> set[str]:
    """What the pure core makes of the samples: the pipeline must deliver exactly these."""
    ids = set()
    for path in sorted(SAMPLES.glob("*.msg")):
        ids.update(entry["entry_id"] for entry in process_message(path.read_bytes()).entries)
    return ids


@pytest.mark.parametrize("how", ["scram", "mtls"])
async def test_worker_and_tools_run_with_only_their_documented_acls(
    secured: LocalBroker, tmp_path: Path, how: str
) -> None:
    names = fresh_names()
    admin = replace(secured.user_settings("admin"), **names)
    worker_settings = replace(
        login(secured, "worker", how),
        **names,
        data_dir=tmp_path / "worker",
        web_port=free_port_pair(),
    )
    tools = replace(login(secured, "tools", how), **names)
    # The cluster's operators create the public topics and grant the documented ACLs.
    await ensure_topics(admin)
    await create_acls(admin, "User:worker", worker_acls(worker_settings))
    await create_acls(admin, "User:tools", [a for g in tool_acls(tools).values() for a in g])

    code, _, err, _ = stream(tools, "publish", str(SAMPLES))
    assert code == 0, err
    # The lag is read as the tools' user: it has the lag ACLs, not the worker's.
    worker = Worker(tools, tmp_path / "worker.log", env=run_env(worker_settings))
    worker.start()
    try:
        await wait_until_processed(worker, timeout_s=120)
        status_page = "".join(
            fetch(worker_settings, path) for path in ("/status", "/metrics", "/liveblog/stats/")
        )
    finally:
        worker.stop()

    code, out, err, _ = stream(tools, "tail", "--json", "--idle-timeout", "3")
    assert code == 0, err
    emitted = {orjson.loads(line)["value"]["entry_id"] for line in out.splitlines()}
    assert emitted == expected_entry_ids()
    code, out, err, _ = stream(tools, "deadletters", "list", "--json")
    assert code == 0, err
    letters = [orjson.loads(line) for line in out.splitlines()]
    assert {"invalid_encoding", "not_a_liveblog", "truncated"} <= {x["reason"] for x in letters}
    code, out, err, _ = stream(tools, "deadletters", "show", letters[0]["letter_id"])
    assert code == 0 and letters[0]["reason"] in out, err
    code, out, err, _ = stream(tools, "lag")
    assert code == 0 and "OK" in out, out + err

    worker_log = worker.log_path.read_text(errors="replace")
    assert "AuthorizationFailed" not in worker_log and "Traceback" not in worker_log
    assert describe(worker_settings) in worker_log  # its start line: how it connected
    for secret in passwords(secured):
        assert secret not in worker_log
        assert secret not in status_page
    assert "LIVEBLOG_SECURITY_PROTOCOL" in status_page  # the settings are shown, masked


def run_env(settings: Settings) -> dict[str, str]:
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    return {**base, **settings.environment()}


def fetch(settings: Settings, path: str) -> str:
    url = f"http://{settings.web_host}:{settings.web_port}{path}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode(errors="replace")


def refused(secured: LocalBroker, tmp_path: Path, case: str) -> tuple[Settings, str, str]:
    """(settings, command, words the message must hold) for one way of being refused."""
    names = fresh_names()
    if case == "wrong password":
        wrong = replace(
            secured.user_settings("tools"), sasl_password_file="", sasl_password="not-it"
        )
        return replace(wrong, **names), "lag", "LIVEBLOG_SASL_PASSWORD"
    if case == "unknown CA":
        other_ca = LocalCA(tmp_path / "other-ca", name="someone else's CA")
        untrusted = replace(
            secured.user_settings("tools"), ssl_cafile=str(other_ca.certificate_file)
        )
        return replace(untrusted, **names), "tail", "LIVEBLOG_SSL_CAFILE"
    if case == "no client certificate":
        bare = replace(secured.certificate_settings("tools"), ssl_certfile="", ssl_keyfile="")
        return replace(bare, **names), "lag", "LIVEBLOG_SSL_CERTFILE"
    # missing ACL: a user the cluster knows but has granted nothing
    nobody = replace(
        secured.user_settings("nobody"), **names, data_dir=tmp_path / "w", web_port=free_port_pair()
    )
    return nobody, "worker", "acls User:nobody"


@pytest.mark.parametrize(
    "case", ["wrong password", "unknown CA", "no client certificate", "missing ACL"]
)
def test_a_refusal_stops_the_command_with_one_clear_message(
    secured: LocalBroker, tmp_path: Path, case: str
) -> None:
    settings, command, words = refused(secured, tmp_path, case)
    code, out, err, seconds = stream(settings, *command.split())
    assert code == 1, out + err
    assert seconds < 15
    assert words in err, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err  # one message, no retry storm
    for secret in [*passwords(secured), "not-it"]:
        assert secret not in out + err


def test_secrets_are_masked_and_never_in_help(secured: LocalBroker) -> None:
    settings = secured.user_settings("worker")
    password = secured.password_file("worker").read_text().strip()
    direct = replace(settings, sasl_password=password, sasl_password_file="")
    shown = direct.public()
    assert shown["LIVEBLOG_SASL_PASSWORD"] == "****"
    assert password not in str(shown)
    assert shown["LIVEBLOG_SSL_CAFILE"] == settings.ssl_cafile  # paths are not secrets
    code, out, err, _ = stream(direct, "worker", "--help")
    assert code == 0 and password not in out + err
