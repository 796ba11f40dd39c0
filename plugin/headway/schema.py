"""The JSON Schema of record front matter, generated from the field kinds the validator reads."""

from __future__ import annotations

from typing import Any

from .ids import ID_PATTERN
from .model import (
    ACTION_KINDS,
    ACTION_STATUSES,
    COMMON_KINDS,
    RECORD_TYPES,
    REQUIRED,
    STATUSES,
    TYPE_KINDS,
    WAITING_KINDS,
)
from .validate import PAGE_META_FIELDS

SCHEMA_ID = "https://headway.dev/schema/record-v1.json"
SCHEMA_URL = "headway/schema.json"  # where the site publishes it
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$",
         "description": "an ISO date, e.g. 2026-03-31"}
_TEXT = {"type": ["string", "number"]}


def _kind(kind: str, statuses: tuple[str, ...] = ()) -> dict[str, Any]:
    if kind == "text":
        return dict(_TEXT)
    if kind == "texts":
        return {"type": "array", "items": dict(_TEXT)}
    if kind == "date":
        return dict(_DATE)
    if kind == "flag":
        return {"type": "boolean"}
    if kind in ("id", "ref"):
        return {"type": "string", "pattern": ID_PATTERN.pattern}
    if kind == "status":
        return {"enum": list(statuses)}
    if kind == "waiting":
        return {"type": "array", "items": _object(WAITING_KINDS, REQUIRED["waiting"])}
    if kind == "actions":
        return {"type": "array", "items": {"oneOf": [
            {"type": "string"}, _object(ACTION_KINDS, REQUIRED["action"], ACTION_STATUSES)]}}
    raise AssertionError(kind)


def _object(kinds: dict[str, Any], required: tuple[str, ...], statuses: tuple[str, ...] = ()
            ) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": list(required),
            "properties": {name: _kind(kind, statuses) for name, kind in kinds.items()}}


def record_schema() -> dict[str, Any]:
    """One schema for every record: `type` selects the fields and statuses that apply."""
    variants = []
    for rtype in RECORD_TYPES:
        kinds = {**COMMON_KINDS, **TYPE_KINDS[rtype]}
        properties: dict[str, Any] = {}
        for name, kind in kinds.items():
            properties[name] = {"const": rtype} if kind == "type" else _kind(
                kind, STATUSES[rtype])
        for name in sorted(PAGE_META_FIELDS):
            properties[name] = {"description": "read by MkDocs or the theme, not by headway"}
        variants.append({
            "if": {"properties": {"type": {"const": rtype}}, "required": ["type"]},
            "then": {"type": "object", "additionalProperties": False,
                     "required": list(REQUIRED[rtype]), "properties": properties},
        })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "headway record front matter",
        "description": "Front matter of a headway record (a Markdown page with a `type`).",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(RECORD_TYPES)}},
        "allOf": variants,
    }
