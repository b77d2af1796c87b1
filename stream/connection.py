"""How every Kafka client of the project connects: servers, TLS and SASL.

The worker (through Faust's broker credentials) and every tool (publish, tail, lag,
dead letters, topic creation) take their connection from here, so that a secured
cluster needs the same settings everywhere.  Nothing here logs or returns a secret
in text: the password only ever goes into the client's keyword arguments.
"""

from __future__ import annotations

import ssl
from typing import Any

from stream.settings import Settings, SettingsError


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL (None for plaintext protocols)."""
    if not settings.uses_tls:
        return None
    try:
        context = ssl.create_default_context(cafile=settings.ssl_cafile or None)
    except (ssl.SSLError, OSError) as exc:
        raise SettingsError(
            f"LIVEBLOG_SSL_CAFILE={settings.ssl_cafile}: not a PEM file of CA certificates ({exc})"
        ) from None
    context.check_hostname = settings.ssl_check_hostname
    if settings.ssl_certfile:
        try:
            context.load_cert_chain(
                settings.ssl_certfile,
                settings.ssl_keyfile,
                password=settings.ssl_key_password or None,
            )
        except (ssl.SSLError, OSError) as exc:
            raise SettingsError(
                f"LIVEBLOG_SSL_CERTFILE={settings.ssl_certfile} and LIVEBLOG_SSL_KEYFILE="
                f"{settings.ssl_keyfile}: not a matching PEM certificate and key, or the key "
                f"needs LIVEBLOG_SSL_KEY_PASSWORD ({type(exc).__name__})"
            ) from None
    return context


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client: servers and security."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "security_protocol": settings.security_protocol,
    }
    context = tls_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.uses_sasl:
        options.update(
            sasl_mechanism=settings.sasl_mechanism,
            sasl_plain_username=settings.sasl_username,
            sasl_plain_password=settings.sasl_password_value(),
        )
    return options


def describe(settings: Settings) -> str:
    """The connection in a few words, for messages (never the password)."""
    text = f"{settings.bootstrap_servers} over {settings.security_protocol}"
    if settings.uses_sasl:
        text += f" as {settings.sasl_username!r} ({settings.sasl_mechanism})"
    if settings.ssl_certfile:
        text += f" with the client certificate {settings.ssl_certfile}"
    return text
