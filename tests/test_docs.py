"""The README stays true to the code: every setting and every dead-letter reason is
documented, and the two commands it promises exist."""

from __future__ import annotations

from dataclasses import fields

from stream.contract import LABELS, REASONS
from stream.core.locales import LOCALES
from stream.ops.cli import build_parser
from stream.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for spec in fields(Settings):
        assert f"LIVEBLOG_{spec.name.upper()}" in README, spec.name


def test_every_reason_label_and_language_is_documented() -> None:
    for reason in REASONS:
        assert f"`{reason}`" in README, reason
    for label in LABELS:
        assert f"`{label}`" in README, label
    for code, locale in LOCALES.items():
        assert f"{code} {locale.default_timezone}" in README, code


def test_the_two_commands_and_the_cli_commands_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "make run" in README and "\nrun:" in makefile
    assert "make test" in README and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"| `{name}" in README, name
