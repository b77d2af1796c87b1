"""The import rules that keep the architecture visible: the core, the contract and
the state are pure (no app, no ops, no Kafka client); the app does not use ops."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STREAM = Path(__file__).resolve().parent.parent / "stream"
PURE = ("core", "contract", "state")
KAFKA_CLIENTS = ("faust", "aiokafka", "mode")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_of(package: str) -> list[Path]:
    found = sorted((STREAM / package).rglob("*.py"))
    assert found, f"stream/{package}/ has no modules"
    return found


def forbidden(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in imported_modules(path)
        if any(name == p or name.startswith(p + ".") for p in prefixes)
    )


@pytest.mark.parametrize("package", PURE)
def test_pure_layers_import_neither_the_shell_nor_kafka(package: str) -> None:
    rules = ("stream.app", "stream.ops", *KAFKA_CLIENTS)
    offenders = {
        str(path.relative_to(STREAM)): forbidden(path, rules)
        for path in modules_of(package)
        if forbidden(path, rules)
    }
    assert offenders == {}


def test_the_app_does_not_import_ops() -> None:
    offenders = {
        str(path.relative_to(STREAM)): forbidden(path, ("stream.ops",))
        for path in modules_of("app")
        if forbidden(path, ("stream.ops",))
    }
    assert offenders == {}


def test_the_rule_reader_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from stream.ops.cli import main\n    import faust\n")
    assert forbidden(module, ("stream.ops", "faust")) == ["faust", "stream.ops.cli"]


def private_kafka_client_names(path: Path) -> list[str]:
    """Private names taken from faust, mode or aiokafka: modules or imported names
    with a leading underscore."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in KAFKA_CLIENTS:
                parts = node.module.split(".") + [alias.name for alias in node.names]
                found += [f"{node.module}:{p}" for p in parts if p.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [
                alias.name
                for alias in node.names
                if alias.name.split(".")[0] in KAFKA_CLIENTS
                and any(p.startswith("_") for p in alias.name.split("."))
            ]
    return found


def test_no_private_faust_api_is_used() -> None:
    offenders = {
        str(path.relative_to(STREAM)): private_kafka_client_names(path)
        for path in STREAM.rglob("*.py")
        if private_kafka_client_names(path)
    }
    assert offenders == {}


def test_the_private_name_reader_catches_the_old_trick(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from faust.streams import _current_event\n")
    assert private_kafka_client_names(module) == ["faust.streams:_current_event"]
