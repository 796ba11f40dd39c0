"""What block history reads of an old version's front matter: its waits and its actions."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

from .model import ActionState, FlowFields, WaitState
from .parse import SAFE_LOADER

NO_FLOW = FlowFields()


# A top-level `waiting_on:` or `actions:` line and the lines that continue it (indented,
# list items, blank), as history's reader finds `depends_on`.
_BLOCK = re.compile(rb"(?:waiting_on|actions)[ \t]*:[^\n]*(?:\n(?:[ \t]+[^\n]*|-[^\n]*|\r?(?=\n)))*")


def flow_blocks(front_matter: bytes) -> tuple[bytes, ...]:
    """The `waiting_on` and `actions` blocks of front matter: what `flow_fields` reads (most
    versions that change front matter leave these as they were)."""
    found = []
    for key in (b"\nwaiting_on", b"\nactions"):  # found by a scan in C, then read
        at = front_matter.rfind(key)  # given twice, the last counts (as YAML reads it)
        block = _BLOCK.match(front_matter, at + 1) if at >= 0 else None
        if block is not None:
            found.append(block.group())
    return tuple(found)


def flow_fields(blocks: tuple[bytes, ...]) -> FlowFields:
    """The waits and actions the blocks of one version's front matter hold (see
    `flow_blocks`): block lists of plain `key: value` maps are read directly, anything else
    by YAML; nothing for text YAML cannot read (such a version is an error of its time, and
    blocks nothing)."""
    fields = _read_plainly(blocks)
    if fields is not None:
        return fields if fields.waits or fields.actions else NO_FLOW
    loaded = _read_simply(blocks)
    if loaded is None:
        try:
            loaded = yaml.load(b"\n".join(blocks), Loader=SAFE_LOADER)
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


# ---------------------------------------------------------------- the usual shape, read fast
# Thousands of distinct old versions: YAML's loader costs a tenth of a millisecond each; one
# regular expression over the block, then a loop over its lines, a fraction of that.

_LINE = re.compile(r"^( *)(- )?([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?$", re.MULTILINE)
_PLAIN = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^#]*?|-[^\s#][^#]*?")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"\\]*)\"")
_TRUE = frozenset(v for w in ("true", "yes", "on") for v in (w, w.capitalize(), w.upper()))
_FALSE = frozenset(v for w in ("false", "no", "off") for v in (w, w.capitalize(), w.upper()))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class _Fallback(Exception):
    """Raised inside the fast reader: YAML reads the text instead."""


def _read_simply(blocks: tuple[bytes, ...]) -> dict[str, Any] | None:
    """`{key: [maps]}` for blocks in the shape records use (block lists of maps of plain or
    simply quoted scalars, an action's `waiting_on` nested once); None for anything else."""
    out: dict[str, Any] = {}
    try:
        for block in blocks:
            text = block.decode("utf-8")
            lines = _LINE.findall(text)
            if len(lines) != text.count("\n") + 1 - text.count("\n\n") or "\t" in text \
                    or "\r" in text or text.endswith("\n"):
                return None  # a line the pattern does not read: YAML's turn
            out[lines[0][2]] = _items(lines)
    except (_Fallback, UnicodeDecodeError, IndexError):
        return None
    return out


def _items(lines: list[tuple[str, str, str, str]]) -> list[dict[str, Any]]:
    """The maps of one block from its lines (indent, dash, key, value), the first being the
    block's own key."""
    indent, dash, _, value = lines[0]
    if indent or dash:
        raise _Fallback
    if value:
        if value != "[]" or len(lines) > 1:
            raise _Fallback
        return []
    items: list[dict[str, Any]] = []
    top = len(lines[1][0]) if len(lines) > 1 else 0  # the column of the list's dashes
    item: dict[str, Any] = {}
    inner: list[dict[str, Any]] | None = None  # an action's `waiting_on` being read
    inner_dash = -1
    wait: dict[str, Any] = {}
    for indent, dash, key, value in lines[1:]:
        column = len(indent)
        if dash and column == top:
            item, inner = {}, None
            items.append(item)
            target = item
        elif not dash and column == top + 2:  # the item's next key (an inner list ends)
            inner = None
            target = item
        elif inner is not None and dash and column >= top + 2 and inner_dash in (-1, column):
            inner_dash = column
            wait = {}
            inner.append(wait)
            target = wait
        elif inner is not None and not dash and column == inner_dash + 2 and wait:
            target = wait
        else:
            raise _Fallback
        if key in target or not items:
            raise _Fallback
        if not value and key == "waiting_on" and target is item and inner is None:
            inner, inner_dash = [], -1
            item[key] = inner
            continue
        target[key] = _scalar(value)
    return items


def _scalar(raw: str) -> Any:
    raw = raw.rstrip(" ")
    if raw in _NULLS:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    if raw[0] in "'\"":
        quoted = _QUOTED.fullmatch(raw)
        if quoted is None:
            raise _Fallback
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if not _PLAIN.fullmatch(raw) or ": " in raw:
        raise _Fallback
    if raw[:4].isdigit() and raw[4:5] == "-" and not _is_day(raw):
        raise _Fallback  # a timestamp, or a date YAML refuses: YAML decides
    return raw


def _is_day(raw: str) -> bool:
    if len(raw) != 10:
        return False
    try:
        date.fromisoformat(raw)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- the commonest shape, faster
# Lists of flat maps whose values are words, dates or booleans, one colon a line (most waits
# and actions as people write them): WaitState and ActionState made straight from the lines.

_TROUBLE = re.compile(r"[\t\r'\"#&*!|>%@`{}\[\]]")


def _read_plainly(blocks: tuple[bytes, ...]) -> FlowFields | None:
    waits: tuple[WaitState, ...] = ()
    actions: tuple[ActionState, ...] = ()
    for block in blocks:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if _TROUBLE.search(text):
            return None
        lines = _LINE.findall(text)
        if len(lines) < 2 or len(lines) != text.count("\n") + 1 or \
                text.count(":") != len(lines):
            return None
        indent, dash, key, value = lines[0]
        column = len(lines[1][0])
        if indent or dash or value or not lines[1][1]:
            return None
        items: list[dict[str, str]] = []
        item: dict[str, str] = {}
        for indent, dash, name, value in lines[1:]:
            if dash and len(indent) == column:
                item = {}
                items.append(item)
            elif dash or len(indent) != column + 2:
                return None
            value = value.rstrip(" ")
            if name in item or not (_is_word(value) or _is_day(value) or value in _TRUE
                                    or value in _FALSE):
                return None
            item[name] = value
        if key == "waiting_on":
            waits = _plain_waits(items)
        elif key == "actions":
            found = []
            for item in items:
                if not _words(item, "what", "status"):
                    return None
                found.append(ActionState(item["what"], item.get("status", "open"), ()))
            actions = tuple(found)
        else:
            return None
    if any(w is None for w in waits):
        return None
    return FlowFields(waits, actions)


def _plain_waits(items: list[dict[str, str]]) -> tuple[WaitState, ...]:
    out: list[Any] = []
    for item in items:
        since, done = item.get("since"), item.get("done")
        if not _words(item, "who", "what") or (since is not None and not _is_day(since)) or \
                (done is not None and done not in _TRUE and done not in _FALSE):
            out.append(None)  # YAML reads it
            continue
        out.append(WaitState(item["who"], item.get("what", ""), since, done in _TRUE))
    return tuple(out)


def _words(item: dict[str, str], required: str, optional: str) -> bool:
    """`required` is text (a word first), `optional` absent or text; the rest need not be."""
    return required in item and _is_word(item[required]) and (
        optional not in item or _is_word(item[optional]))


def _is_word(value: str) -> bool:
    """Text to YAML: begins with a letter, and is not one of the words YAML reads otherwise."""
    return value[:1].isalpha() and value not in _TRUE and value not in _FALSE and \
        value not in _NULLS
