"""Why a connection to Kafka fails, in one message that names the setting to check.

aiokafka reports a failed TLS handshake or a refused password as "Unable to
bootstrap" (the cause only in a log line), and retries.  The commands therefore
open one connection themselves first (``check_connection``), and turn Kafka's
authorization errors into the ACL that is missing (``denied``).  No message here
holds a password.
"""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.conn import create_conn
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
    UnsupportedSaslMechanismError,
)

from stream.connection import client_options
from stream.ops.topics import topic_errors
from stream.settings import Settings

CONNECT_TIMEOUT_S = 10.0


class AccessError(RuntimeError):
    """Kafka cannot be reached or refuses this client; the message says what to check."""


def principal(settings: Settings) -> str:
    """The user Kafka sees: the SASL user, the client certificate's common name, or
    ANONYMOUS."""
    if settings.uses_sasl:
        return f"User:{settings.sasl_username}"
    if settings.ssl_certfile:
        return f"User:{_common_name(settings.ssl_certfile)}"
    return "User:ANONYMOUS"


def _common_name(certfile: str) -> str:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        certificate = x509.load_pem_x509_certificate(open(certfile, "rb").read())  # noqa: SIM115
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except (OSError, ValueError):
        return "?"
    return str(names[0].value) if names else "?"


async def check_connection(settings: Settings) -> None:
    """Open one connection to the first bootstrap server, as every client will;
    raise ``AccessError`` naming the cause and the setting to check."""
    options = client_options(settings)  # raises SettingsError for unreadable files
    servers = options.pop("bootstrap_servers")
    host, _, port = servers.split(",")[0].strip().rpartition(":")
    where = f"{host}:{port}"
    connection = None
    try:
        connection = await asyncio.wait_for(
            create_conn(
                host, int(port), request_timeout_ms=int(CONNECT_TIMEOUT_S * 1000), **options
            ),
            CONNECT_TIMEOUT_S,
        )
    except ssl.SSLCertVerificationError as exc:
        raise AccessError(_untrusted(settings, where, exc)) from None
    except ssl.SSLError as exc:
        raise AccessError(_handshake_failed(settings, where, exc)) from None
    except SaslAuthenticationFailed:
        raise AccessError(
            f"Kafka at {where} refused the credentials of SASL user "
            f"{settings.sasl_username!r} ({settings.sasl_mechanism}): check "
            "LIVEBLOG_SASL_USERNAME, LIVEBLOG_SASL_PASSWORD (or LIVEBLOG_SASL_PASSWORD_FILE) "
            "and LIVEBLOG_SASL_MECHANISM"
        ) from None
    except UnsupportedSaslMechanismError:
        raise AccessError(
            f"Kafka at {where} does not offer SASL mechanism {settings.sasl_mechanism}: "
            "set LIVEBLOG_SASL_MECHANISM to one the cluster enables"
        ) from None
    except (TimeoutError, ConnectionResetError, asyncio.IncompleteReadError):
        raise AccessError(
            f"Kafka at {where} did not answer a {settings.security_protocol} client within "
            f"{CONNECT_TIMEOUT_S:.0f}s: check LIVEBLOG_SECURITY_PROTOCOL (a TLS port spoken "
            "to in plaintext, or the other way round, looks like this)"
        ) from None
    except KafkaConnectionError:
        raise AccessError(_closed(settings, where)) from None
    except (OSError, KafkaError) as exc:
        raise AccessError(
            f"cannot reach Kafka at {where} ({exc}): start the local broker with `python -m "
            "stream broker start`, or set LIVEBLOG_BOOTSTRAP_SERVERS to your cluster"
        ) from None
    finally:
        if connection is not None:
            connection.close()


def _untrusted(settings: Settings, where: str, exc: ssl.SSLCertVerificationError) -> str:
    reason = exc.verify_message or str(exc)
    if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
        return (
            f"the TLS certificate of Kafka at {where} does not name that host ({reason}): "
            "use a host name the certificate lists in LIVEBLOG_BOOTSTRAP_SERVERS"
        )
    trusted = (
        f"the CA certificates in LIVEBLOG_SSL_CAFILE={settings.ssl_cafile}"
        if settings.ssl_cafile
        else "the system's CA certificates (LIVEBLOG_SSL_CAFILE is not set)"
    )
    return (
        f"the TLS certificate of Kafka at {where} is not trusted ({reason}): it is not "
        f"signed by {trusted}; set LIVEBLOG_SSL_CAFILE to the cluster's CA certificate"
    )


def _handshake_failed(settings: Settings, where: str, exc: ssl.SSLError) -> str:
    reason = exc.reason or str(exc)
    if "CERTIFICATE_REQUIRED" in reason.upper() or "BAD_CERTIFICATE" in reason.upper():
        return (
            f"Kafka at {where} wants a client certificate it trusts ({reason}): set "
            "LIVEBLOG_SSL_CERTFILE and LIVEBLOG_SSL_KEYFILE to a certificate signed by the "
            "cluster's CA"
        )
    return (
        f"the TLS handshake with Kafka at {where} failed ({reason}): check "
        "LIVEBLOG_SECURITY_PROTOCOL (does this port speak TLS?) and LIVEBLOG_SSL_* settings"
    )


def _closed(settings: Settings, where: str) -> str:
    """The broker accepted the connection, then closed it before answering."""
    if settings.uses_tls and not settings.ssl_certfile:
        return (
            f"Kafka at {where} closed the TLS connection before answering: it wants a "
            "client certificate (mutual TLS); set LIVEBLOG_SSL_CERTFILE and "
            "LIVEBLOG_SSL_KEYFILE, or LIVEBLOG_SECURITY_PROTOCOL=SASL_SSL for its SASL port"
        )
    if settings.uses_tls:
        return (
            f"Kafka at {where} closed the TLS connection before answering: it does not "
            f"accept the client certificate LIVEBLOG_SSL_CERTFILE={settings.ssl_certfile} "
            "(signed by a CA it trusts?), or this port wants SASL (LIVEBLOG_SECURITY_PROTOCOL)"
        )
    return (
        f"Kafka at {where} closed the connection before answering: this port probably "
        "wants TLS or SASL; check LIVEBLOG_SECURITY_PROTOCOL"
    )


_ACL_HINT = (
    "grant the ACLs that `python -m stream acls {principal}` lists (README: "
    "Connecting to a secured cluster)"
)


def denied(exc: KafkaError, settings: Settings) -> AccessError | None:
    """The ACL a refused request lacked, as an ``AccessError``; None for other errors."""
    who = principal(settings)
    hint = _ACL_HINT.format(principal=who)
    if isinstance(exc, TopicAuthorizationFailedError):
        topics = ", ".join(str(a) for a in exc.args) or "a topic"
        return AccessError(f"Kafka denies {who} access to topic {topics}: {hint}")
    if isinstance(exc, GroupAuthorizationFailedError):
        return AccessError(
            f"Kafka denies {who} access to consumer group {settings.app_id!r}: {hint}"
        )
    if isinstance(exc, TransactionalIdAuthorizationFailed):
        return AccessError(
            f"Kafka denies {who} its transactional ids (LIVEBLOG_PROCESSING_GUARANTEE="
            f"exactly_once): {hint}"
        )
    if isinstance(exc, ClusterAuthorizationFailedError):
        return AccessError(f"Kafka denies {who} a cluster operation: {hint}")
    return None


async def check_worker_access(settings: Settings) -> None:
    """Can the worker's user see its topics and its group?  Raise Kafka's
    authorization error for the first missing ACL (``denied`` words it).

    Metadata shows a topic only to a user with some ACL on it, and describing the
    group needs one on the group: what a worker without its ACLs fails on first.
    A topic that does not exist yet is not an error (the worker creates it).
    """
    wanted = [settings.raw_topic, settings.entries_topic, settings.deadletter_topic]
    errors = await topic_errors(settings, wanted)
    refused = [t for t in wanted if errors.get(t) == TopicAuthorizationFailedError.errno]
    if refused:
        raise TopicAuthorizationFailedError(*refused)
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=10000)
    await admin.start()
    try:
        await admin.describe_consumer_groups([settings.app_id])
    except GroupAuthorizationFailedError:
        raise
    except KafkaError:
        pass  # e.g. no coordinator yet on a new cluster: the worker waits for one
    finally:
        await admin.close()
