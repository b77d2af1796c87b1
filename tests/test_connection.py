"""Connection settings: read from the environment, checked early, secrets masked."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from stream.connection import client_options, describe
from stream.ops.access import principal
from stream.ops.acls import kafka_acls_commands, worker_acls
from stream.ops.certs import LocalCA
from stream.settings import Settings, SettingsError


def test_sasl_ssl_settings_become_every_clients_options(tmp_path: Path) -> None:
    ca = LocalCA(tmp_path)
    secret = tmp_path / "password"
    secret.write_text("s3cret-from-a-file\n")
    settings = Settings.from_env(
        {
            "LIVEBLOG_SECURITY_PROTOCOL": "SASL_SSL",
            "LIVEBLOG_SASL_MECHANISM": "SCRAM-SHA-512",
            "LIVEBLOG_SASL_USERNAME": "worker",
            "LIVEBLOG_SASL_PASSWORD_FILE": str(secret),
            "LIVEBLOG_SSL_CAFILE": str(ca.certificate_file),
        }
    )
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "worker"
    assert options["sasl_plain_password"] == "s3cret-from-a-file"  # stripped of its newline
    context = options["ssl_context"]
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    assert "s3cret" not in describe(settings) and "s3cret" not in str(settings.public())
    assert settings.public()["LIVEBLOG_SASL_PASSWORD_FILE"] == str(secret)


def test_mutual_tls_loads_the_client_certificate_and_names_its_user(tmp_path: Path) -> None:
    ca = LocalCA(tmp_path)
    issued = ca.issue("reporting-worker", server=False)
    settings = Settings(
        security_protocol="SSL",
        ssl_cafile=str(ca.certificate_file),
        ssl_certfile=str(issued.certificate),
        ssl_keyfile=str(issued.key),
    )
    assert client_options(settings)["security_protocol"] == "SSL"
    assert principal(settings) == "User:reporting-worker"


def test_a_certificate_that_does_not_match_its_key_is_a_settings_error(tmp_path: Path) -> None:
    ca = LocalCA(tmp_path)
    one, other = ca.issue("one", server=False), ca.issue("other", server=False)
    settings = Settings(
        security_protocol="SSL", ssl_certfile=str(one.certificate), ssl_keyfile=str(other.key)
    )
    with pytest.raises(SettingsError, match="LIVEBLOG_SSL_CERTFILE"):
        client_options(settings)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"LIVEBLOG_SECURITY_PROTOCOL": "TLS"}, "LIVEBLOG_SECURITY_PROTOCOL"),
        ({"LIVEBLOG_SECURITY_PROTOCOL": "SASL_SSL"}, "LIVEBLOG_SASL_USERNAME"),
        (
            {
                "LIVEBLOG_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "LIVEBLOG_SASL_USERNAME": "u",
                "LIVEBLOG_SASL_PASSWORD": "p",
                "LIVEBLOG_SASL_MECHANISM": "GSSAPI",
            },
            "LIVEBLOG_SASL_MECHANISM",
        ),
        ({"LIVEBLOG_SSL_CERTFILE": "/etc/hostname"}, "LIVEBLOG_SSL_KEYFILE"),
        ({"LIVEBLOG_SSL_CAFILE": "/no/such/ca.pem"}, "LIVEBLOG_SSL_CAFILE"),
        ({"LIVEBLOG_SSL_CHECK_HOSTNAME": "maybe"}, "LIVEBLOG_SSL_CHECK_HOSTNAME"),
    ],
)
def test_bad_security_settings_name_the_variable(environ: dict, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(environ)


def test_hostname_verification_is_on_unless_turned_off() -> None:
    assert Settings.from_env({}).ssl_check_hostname is True
    assert Settings.from_env({"LIVEBLOG_SSL_CHECK_HOSTNAME": "false"}).ssl_check_hostname is False


def test_a_password_set_directly_is_masked_but_its_environment_passes_it_on() -> None:
    settings = Settings(
        security_protocol="SASL_SSL", sasl_username="u", sasl_password="hunter2-secret"
    )
    assert settings.public()["LIVEBLOG_SASL_PASSWORD"] == "****"
    assert Settings.from_env(settings.environment()) == settings


def test_the_worker_acls_follow_the_settings_and_grow_for_exactly_once() -> None:
    settings = Settings(app_id="news", raw_topic="pages", entries_topic="out")
    acls = worker_acls(settings)
    assert ("TOPIC", "pages", "LITERAL") in {(a.resource_type, a.name, a.pattern) for a in acls}
    assert ("TOPIC", "news-", "PREFIXED") in {(a.resource_type, a.name, a.pattern) for a in acls}
    assert not any(a.resource_type == "TRANSACTIONAL_ID" for a in acls)
    eos = worker_acls(Settings(app_id="news", processing_guarantee="exactly_once"))
    assert any(a.resource_type == "TRANSACTIONAL_ID" and a.name == "news" for a in eos)
    commands = kafka_acls_commands("User:w", acls, "broker:9093")
    assert any("--topic news- --resource-pattern-type prefixed" in line for line in commands)
    assert all(line.startswith("kafka-acls.sh --bootstrap-server broker:9093") for line in commands)
