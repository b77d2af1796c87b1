"""Fault scenarios run against the same local broker as the integration tests."""

from tests.integration.conftest import kafka  # noqa: F401  (the session's broker)
