"""What block history reads of an old version's front matter: its waits and its actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from .model import ActionState, FlowFields, WaitState

NO_FLOW = FlowFields()
_MARKERS = (b"waiting_on", b"actions")


def mentions_flow(data: bytes, start: int, end: int) -> bool:
    """Whether front matter in `data[start:end]` may hold waits or actions (most versions
    do not, and are never parsed)."""
    return any(data.find(marker, start, end) >= 0 for marker in _MARKERS)


def flow_fields(front_matter: bytes) -> FlowFields:
    """The waits and actions of one version's front matter (the text between its `---`
    lines); nothing for front matter YAML cannot read: such a version is an error of its
    time, and blocks nothing."""
    try:
        loaded = yaml.load(front_matter, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return NO_FLOW
    if not isinstance(loaded, dict):
        return NO_FLOW
    actions: list[ActionState] = []
    raw_actions = loaded.get("actions")
    if isinstance(raw_actions, list):
        for raw in raw_actions:
            if isinstance(raw, dict) and raw.get("what") is not None:
                status = raw.get("status")
                actions.append(ActionState(str(raw["what"]),
                                           str(status) if status is not None else "open",
                                           _waits(raw.get("waiting_on"))))
    fields = FlowFields(_waits(loaded.get("waiting_on")), tuple(actions))
    return fields if fields.waits or fields.actions else NO_FLOW


def _waits(value: Any) -> tuple[WaitState, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for raw in value:
        if isinstance(raw, dict) and raw.get("who") is not None:
            since = raw.get("since")
            out.append(WaitState(str(raw["who"]), str(raw.get("what") or ""),
                                 since.isoformat()[:10] if isinstance(since, date) else
                                 str(since) if since is not None else None,
                                 raw.get("done") is True))
    return tuple(out)


def fields_to_json(fields: FlowFields) -> list[Any]:
    return [[list(w) for w in fields.waits],
            [[a.what, a.status, [list(w) for w in a.waits]] for a in fields.actions]]


def fields_from_json(value: list[Any]) -> FlowFields:
    waits, actions = value
    return FlowFields(tuple(WaitState(*w) for w in waits),
                      tuple(ActionState(a, s, tuple(WaitState(*w) for w in ws))
                            for a, s, ws in actions))
