"""Every record the core produces validates against the JSON Schemas in schemas/,
and the schemas and the code's models name the same fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from stream.contract import DeadLetterValue, EntryValue
from stream.core.process import process_message
from tests.conftest import ROOT, SAMPLES

SCHEMAS = ROOT / "schemas"
ENTRY = Draft202012Validator(json.loads((SCHEMAS / "liveblog.entry.v1.schema.json").read_text()))
DEADLETTER = Draft202012Validator(
    json.loads((SCHEMAS / "liveblog.deadletter.v1.schema.json").read_text())
)


def validate_all(paths: list[Path]) -> int:
    count = 0
    for path in paths:
        outcome = process_message(path.read_bytes(), key=b"k")
        for entry in outcome.entries:
            ENTRY.validate(entry)
            count += 1
        for letter in outcome.dead_letters:
            DEADLETTER.validate(letter)
            count += 1
    return count


def test_schemas_are_valid_json_schema() -> None:
    Draft202012Validator.check_schema(ENTRY.schema)
    Draft202012Validator.check_schema(DEADLETTER.schema)


def test_models_and_schemas_name_the_same_fields() -> None:
    assert set(EntryValue.__annotations__) == set(ENTRY.schema["properties"])
    assert set(DeadLetterValue.__annotations__) == set(DEADLETTER.schema["properties"])


def test_sample_records_validate() -> None:
    assert validate_all(sorted(SAMPLES.glob("*.msg"))) > 20


def test_shared_corpus_records_validate(shared_corpus: Path) -> None:
    assert validate_all(sorted(shared_corpus.glob("*.msg"))) > 200


def test_a_schema_violation_is_caught() -> None:
    outcome = process_message((SAMPLES / "pt-greve.msg").read_bytes())
    entry = dict(outcome.entries[0], labels=["not-a-label"])
    with pytest.raises(Exception, match="not-a-label"):
        ENTRY.validate(entry)
