"""Validation against Grafana's JSON schemas in ../shared/grafana-schema (no Grafana server here)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "grafana-schema"

# Where the schemas are stricter than Grafana, and why; each exception is named, not the whole check loosened.
STRICTER_THAN_GRAFANA = {
    "alertlist": "no alertlist schema ships in ../shared/grafana-schema; its options are checked field by field",
}


@cache
def _schema(name: str) -> dict[str, Any]:
    if not SCHEMA_DIR.is_dir():
        raise AssertionError(f"Grafana's schemas are not at {SCHEMA_DIR}: clone launchwatch next to the shared/ "
                             "directory (CI puts ../shared beside the clone), or copy shared/grafana-schema there")
    return json.loads((SCHEMA_DIR / f"{name}.jsonschema.json").read_text())


def _validator(name: str, definition: str | None = None) -> jsonschema.Draft7Validator:
    schema = _schema(name)
    registry = Registry().with_resources(
        (f"{n}.jsonschema.json", Resource.from_contents(_schema(n))) for n in
        (p.name.removesuffix(".jsonschema.json") for p in SCHEMA_DIR.glob("*.jsonschema.json")))
    if definition:
        schema = {**schema, "$ref": f"#/definitions/{definition}"}
    return jsonschema.Draft7Validator(schema, registry=registry)


def errors(instance: Any, name: str, definition: str | None = None) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in
            _validator(name, definition).iter_errors(instance)]


def has_schema(panel_type: str) -> bool:
    return (SCHEMA_DIR / f"{panel_type}.jsonschema.json").exists()
