"""What is read from old versions of records: type, status and depends_on (a fast reader of
the few front-matter lines history needs), and the `waiting_on` and `actions` blocks block
history reads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import yaml

from ..flowfields import flow_blocks
from ..model import StatusRead
from ..parse import SAFE_LOADER


class BlobFacts(NamedTuple):
    """The few front-matter values history needs from an old version of a file (a named
    tuple: twenty thousand of them are made per two thousand records)."""

    type: str | None
    status: str | None
    depends_on: tuple[str, ...] = ()
    # a version written for another tool (an ADR folder): how its status was read, as the
    # current version's is (adr.status_read)
    reading: StatusRead | None = None
    id: str | None = None  # the front matter's `id:` when it has one (block history's names)


# The lines read of one version's front matter (see _FACT_LINES): key and value of a `type`,
# `status` or `id` line, or a `depends_on` block.
FactLines = tuple[tuple[bytes, bytes, bytes], ...]


Blocks = tuple[bytes, ...]  # a version's `waiting_on` and `actions` blocks (flowfields.py)


def read_current(current: Mapping[str, bytes], known: dict[str, BlobFacts], head: str,
                  flows: dict[str, Blocks] | None = None) -> set[str]:
    """The facts of the files the caller read, under their git object names: most records'
    newest version is the file on disk, which git then need not inflate and send. (A file
    git would store differently, say with other line endings, gets another name and is
    simply not used.) The names added to `known`."""
    added: set[str] = set()
    algorithm = {40: "sha1", 64: "sha256"}.get(len(head))
    if not current or algorithm is None:
        return added
    memo = FactsMemo()
    for data in current.values():
        digest = hashlib.new(algorithm, b"blob %d\x00" % len(data))
        digest.update(data)
        name = digest.hexdigest()
        if name not in known:
            known[name], blocks = read_version(data, memo)
            added.add(name)
            if flows is not None and blocks:
                flows[name] = blocks
    return added


# The lines of an old version's front matter that history reads: a top-level `type:`,
# `status:` or `id:` line with its raw value, or a `depends_on:` line with the lines that continue it
# (indented, list items, blank). A line that starts with the key: indented lines belong to
# a nested value.
_FACT_LINES = re.compile(
    rb"\n(?:(type|status|id)[ \t]*:([^\n]*)"
    rb"|(depends_on[ \t]*:[^\n]*(?:\n(?:[ \t]+[^\n]*|-[^\n]*|\r?(?=\n)))*))")
_COMMENT = re.compile(rb"[ \t]#")
_FLOW_LIST = re.compile(r"^depends_on[ \t]*:[ \t]*\[([^\[\]{}#\"']*)\][ \t]*$")
# A block list of bare words, one `- item` a line, as most records write depends_on.
_BLOCK_LIST = re.compile(
    r"depends_on *: *\n( *)(- +[A-Za-z][\w.-]* *(?:\n\1- +[A-Za-z][\w.-]* *)*)")
_BLOCK_ITEM = re.compile(r"- +([^ \n]+)")
_BARE_WORD = re.compile(r"[A-Za-z][\w.-]*")  # text to YAML, unless one of _NOT_TEXT
# Bare words YAML (1.1, as PyYAML reads it) takes for something other than text.
_NOT_TEXT = frozenset(
    v for word in ("yes", "no", "true", "false", "on", "off", "null")
    for v in (word, word.capitalize(), word.upper()))
_NOTHING = BlobFacts(None, None)
_UNSEEN: Any = object()
_FM_LIMIT = 262_144


_CLOSER = re.compile(rb"\n(?:-{3}|\.{3})[ \t\r]*(?:\n|\Z)")


def _front_matter(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the front matter of the file in `data[start:end]` lies: from the newline that
    ends the opening `---` line to the newline before the closing one (found in place: the
    file is never copied)."""
    if not data.startswith(b"---", start, end):  # the usual case first: this runs per version
        if not data.startswith(b"\xef\xbb\xbf---", start, end):
            return None
        start += 3
    opened = data.find(b"\n", start, end)
    if opened < 0 or (opened != start + 3 and data[start + 3:opened].strip()):
        return None
    limit = end if end - start < _FM_LIMIT else start + _FM_LIMIT
    # MkDocs' rule (mkdocs.utils.meta, headway.pagetext): the first later line that is `---`
    # or `...` closes it, whichever comes first; a closer on the line right after the opening
    # one is YAML text, not the end (MkDocs' pattern wants a newline between the two).
    closer = _CLOSER.search(data, opened + 1, limit)
    return None if closer is None else (opened, closer.start())


_NULL = frozenset((b"", b"~", b"null", b"Null", b"NULL"))


def _plain(raw: bytes) -> str | None:
    """A scalar's text: a trailing comment, spaces and quotes removed; None when empty or
    null (as YAML reads `~` and `null`). A block scalar (`>-` with the text on the next line,
    which people do not write for a status) is read as None too: the type's first status."""
    comment = _COMMENT.search(raw)
    if comment is not None:
        raw = raw[:comment.start()]
    raw = raw.strip()
    if raw in _NULL or raw[:1] in (b"|", b">"):
        return None
    return raw.strip(b"'\"").strip().decode("utf-8", "replace") or None


class FactsMemo:
    """What was read of each front matter already met, and of each set of lines read from
    one: most versions change only the body, and most of the others change fields history
    does not read."""

    __slots__ = ("by_front_matter", "by_lines")

    def __init__(self) -> None:
        self.by_front_matter: dict[bytes, tuple[BlobFacts | None, Blocks]] = {}
        self.by_lines: dict[FactLines, BlobFacts | None] = {}


def read_version(data: bytes, memo: FactsMemo, start: int = 0, end: int | None = None
                 ) -> tuple[BlobFacts, Blocks]:
    """What history reads of one version of a file (`data[start:end]`): its type, status and
    depends_on, and the `waiting_on` and `actions` blocks block history reads, found without
    a full YAML parse (this runs on every old version of every record)."""
    end = len(data) if end is None else end
    span = _front_matter(data, start, end)
    if span is None:
        return _foreign(data[start:end]), ()
    fm = data[span[0]:span[1]]
    found = memo.by_front_matter.get(fm)
    if found is None:
        lines = tuple(_FACT_LINES.findall(fm))
        facts = memo.by_lines.get(lines, _UNSEEN)
        if facts is _UNSEEN:
            facts = memo.by_lines[lines] = _headway_facts(lines)
        # most versions that change front matter leave these as they were
        blocks = flow_blocks(fm) if b"\nwaiting_on" in fm or b"\nactions" in fm else ()
        found = memo.by_front_matter[fm] = (facts, blocks)
    facts, blocks = found
    return (facts if facts is not None else _foreign(data[start:end])), blocks


def _headway_facts(lines: FactLines) -> BlobFacts | None:
    """The facts of headway front matter from its lines read; None when it has no `type`.
    A key given twice counts as YAML reads it: the last one."""
    found: dict[bytes, bytes] = {}
    depends_block: bytes | None = None
    for key, raw, block in lines:
        if key:
            found[key] = raw
        else:
            depends_block = block
    rtype = _plain(found[b"type"]) if b"type" in found else None
    if rtype is None:
        return None
    status = _plain(found[b"status"]) if b"status" in found else None
    depends: tuple[str, ...] = ()
    if depends_block is not None:
        text = depends_block.decode("utf-8", "replace")
        depends = _depends((text.replace("\r\n", "\n") if "\r" in text else text).rstrip())
    rid = _plain(found[b"id"]) if b"id" in found else None
    return BlobFacts(rtype.lower(), status, depends, None, rid)


def _foreign(data: bytes) -> BlobFacts:
    """A version without headway's front matter: a record written for another tool (an ADR
    folder) has a status of its own; anything else has nothing."""
    from ..adr import version_reading  # only for such versions: it brings the ADR readers

    reading = version_reading(data)
    return BlobFacts("decision", reading.status, (), reading) if reading is not None \
        else _NOTHING


@lru_cache(maxsize=4096)
def _depends(snippet: str) -> tuple[str, ...]:
    """A `depends_on:` block as a tuple of ids (a flow or block list of bare words read
    directly, anything else by YAML); the same few snippets recur in thousands of versions,
    hence the cache."""
    flow = _FLOW_LIST.match(snippet)
    if flow:
        items = [item.strip() for item in flow.group(1).split(",")]
        if len(items) > 1 and not items[-1]:
            items.pop()  # a trailing comma; any other empty item is an error to YAML
    else:
        block = _BLOCK_LIST.fullmatch(snippet)
        items = _BLOCK_ITEM.findall(block.group(2)) if block else []
    if items and all(map(_BARE_WORD.fullmatch, items)) and not _NOT_TEXT.intersection(items):
        return tuple(items)
    try:
        loaded = yaml.load(snippet, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return ()
    value = loaded.get("depends_on") if isinstance(loaded, dict) else None
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()
