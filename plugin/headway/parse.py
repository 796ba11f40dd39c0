"""Front matter → documents: safe YAML with the line of every key kept, and nothing executed."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .model import Problem, has_errors
from .pagetext import first_heading, split_front_matter

# The safe loader every reader of YAML uses: libyaml's, many times faster, where PyYAML was
# built with it. Both keep marks and refuse unsafe tags.
SAFE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(SAFE_LOADER):  # type: ignore[misc]
    """Safe YAML where a timestamp that is not a real date (2026-02-30) stays text, so that
    the checks can name the field and its line instead of failing the whole front matter."""

    # No path resolvers are registered (asserted below): going into and out of each node has
    # nothing to do. libyaml's composer makes both calls for every value; as C callables
    # that do nothing they cost a fraction of PyYAML's methods (parsing 5 % faster).
    descend_resolver: Callable[[Any, Any], object] = {}.get  # (parent, index): ignored
    ascend_resolver: Callable[[], object] = tuple  # () → ()

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of a node, as PyYAML's resolver gives it, less its path resolvers (never
        registered here) and with each first character's candidates joined once: it runs
        for every value of every record."""
        if kind is not _ScalarNode or not implicit[0]:
            return _DEFAULT_TAGS[kind]
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = _DEFAULT_TAGS[kind]
            for candidate, regexp in _IMPLICIT.get(value[:1], _ANY_START):
                if regexp.match(value):
                    tag = candidate
                    break
            if len(value) <= _PLAIN_TAGS_VALUE and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                _PLAIN_TAGS[value] = tag
        return tag


# The tag of each short plain value met so far: field names, statuses, people, ids and days
# recur from record to record, and each is then resolved by one lookup instead of up to three
# regular expressions (composing 2,000 records' nodes: 65 -> 57 ms). The tag depends on the
# value alone. Bounded, for a long `mkdocs serve`.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_VALUE = 64  # characters
_PLAIN_TAGS_MAX = 10_000


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
assert not _Loader.yaml_path_resolvers
_ANY_START: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    _Loader.yaml_implicit_resolvers.get(None, []))
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) + _ANY_START
    for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None}
_DEFAULT_TAGS: dict[type[yaml.Node], str] = {yaml.ScalarNode: _Loader.DEFAULT_SCALAR_TAG,
                 yaml.SequenceNode: _Loader.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: _Loader.DEFAULT_MAPPING_TAG}
_BaseLoader: type[Any] = _Loader

UNBUILDABLE = "unbuildable"
_LOOKS_LIKE_RECORD = re.compile(r"^\s*(?:-\s*)?[\"']?type[\"']?\s*:", re.MULTILINE)


_OPENING_LINE = re.compile(r"---[ \t]*(?:\n|$)")
_TYPE_LINE = re.compile(_LOOKS_LIKE_RECORD.pattern.encode(), re.MULTILINE)  # on bytes


def may_be_record(raw: bytes) -> bool:
    """A cheap test on a file's bytes: False only for files `parse_document` would never take
    for a record (no front matter, or no line that could hold a `type` key)."""
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    return raw.startswith(b"---", start) and _TYPE_LINE.search(raw) is not None


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what a record may be, so that no input can exhaust the build."""

    max_file_bytes: int = 5 * 1024 * 1024
    max_front_matter_bytes: int = 256 * 1024
    max_yaml_nodes: int = 20_000
    max_nesting: int = 40


@dataclass(slots=True)
class Document:
    """A Markdown file whose front matter is a mapping with a `type` key: a record, not yet checked."""

    path: str  # as shown in messages: relative to the repository root
    src_uri: str  # relative to docs_dir
    data: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # "waiting_on.0.who" -> line in file
    body: str = ""
    status_text: str | None = None  # set when read from another tool's format (adr.py)
    number: str | None = None
    source_format: str = "headway"
    status_source: str | None = None  # set by adr.py; else "written" or "default" (validate.py)

    def line(self, key: str) -> int | None:
        return self.lines.get(key)

    @property
    def heading(self) -> str | None:
        """The body's first `# ` heading, which is the title when front matter gives none."""
        return first_heading(self.body)


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes → text: UTF-8 with an optional byte-order mark, any line ending."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(path, line, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                    f"offset {exc.start}); save it as UTF-8", code=UNBUILDABLE)
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


def parse_document(
    path: str, src_uri: str, raw: bytes, limits: Limits = Limits()
) -> tuple[Document | None, list[Problem]]:
    """Read one Markdown file. `(None, [])` means an ordinary page that is not a record."""
    if len(raw) > limits.max_file_bytes:
        # Only a record is refused; an ordinary page of any size is MkDocs' business.
        head = raw[:4096].decode("utf-8", "replace")
        if head.lstrip("\ufeff").startswith("---") and _LOOKS_LIKE_RECORD.search(head):
            return None, [
                Problem(path, None, f"the record is {len(raw):,} bytes, over the limit of "
                        f"{limits.max_file_bytes:,} (option max_file_bytes); split it or "
                        f"raise the limit", code=UNBUILDABLE)
            ]
        return None, []
    text, problems = decode(raw, path)
    if text is None:  # MkDocs cannot read such a page either: always worth saying
        return None, problems
    if not text.startswith("---"):
        return None, []
    front = split_front_matter(text)
    if front is None:
        if _OPENING_LINE.match(text) and _LOOKS_LIKE_RECORD.search(text[:4096]):
            return None, [Problem(path, 1, "front matter opened with '---' is never closed; "
                                  "add a line '---' after the last field")]
        return None, []
    fm_text, body = front.yaml, front.body
    if not _LOOKS_LIKE_RECORD.search(fm_text):
        return None, []
    offset = 1  # the YAML's line 0 is the file's first, the opening `---`
    data, lines, problems = load_front_matter(fm_text, path, limits, offset)
    if has_errors(problems):
        return None, problems
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_yaml_kind(data)}"
        return None, [Problem(path, offset + 1, f"front matter must be a mapping of fields "
                              f"(`type: decision` …), but it is {kind}")]
    if "type" not in data:
        return None, []
    return Document(path=path, src_uri=src_uri, data=data, lines=lines, body=body), problems


def load_front_matter(
    fm_text: str, path: str, limits: Limits, offset: int = 1
) -> tuple[Any, dict[str, int], list[Problem]]:
    """Safe-load the YAML between the `---` lines; `offset` turns its 0-based lines into the file's."""
    size = len(fm_text.encode("utf-8"))
    if size > limits.max_front_matter_bytes:
        return None, {}, [Problem(path, 2, f"the front matter is {size:,} bytes, over the limit "
                                  f"of {limits.max_front_matter_bytes:,} (option "
                                  f"max_front_matter_bytes); move long text into the body")]
    depth_line = _too_deep(fm_text, limits.max_nesting)
    if depth_line is not None:
        return None, {}, [Problem(path, depth_line + offset, f"the front matter nests deeper than "
                                  f"{limits.max_nesting} levels; records need at most three")]
    loader = _BaseLoader(fm_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        # Without an anchor (`&`) there is no alias to expand: the node count is then bounded
        # by the front matter's size, already checked.
        count = _expanded_size(node, limits.max_yaml_nodes) if "&" in fm_text else 0
        if count > limits.max_yaml_nodes:
            return None, {}, [Problem(path, node.start_mark.line + offset, f"the front matter expands to "
                                      f"more than {limits.max_yaml_nodes:,} values (nested "
                                      f"anchors and aliases?); write the values out plainly")]
        lines: dict[str, int] = {}
        twice: list[tuple[str, int]] = []
        if count:  # anchors: PyYAML's constructor, which shares what aliases share
            data = loader.construct_document(node)
            _collect_lines(node, "", lines, offset)
        else:
            data = _construct(loader, node, "", lines, offset, twice)
    except yaml.MarkedYAMLError as exc:
        unclosed = _unclosed(exc)
        if unclosed is not None:  # the mistake is where it opened, not where YAML gave up
            return None, {}, [Problem(path, unclosed[0] + offset,
                                      f"front matter is not valid YAML: {unclosed[1]}")]
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + offset if mark is not None else offset
        what = exc.problem or exc.context or "not valid YAML"
        if "constructor for the tag" in what:
            return None, {}, [Problem(path, line, f"YAML tag not allowed in front matter "
                                      f"({what.split('tag', 1)[-1].strip()}); only plain "
                                      f"values, lists and mappings are read")]
        return None, {}, [Problem(path, line, f"front matter is not valid YAML: {what}; "
                                  f"check indentation and quote values that contain ': ' or '#'")]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(path, offset, f"front matter is not valid YAML: {exc}")]
    except (RecursionError, ValueError, OverflowError) as exc:
        return None, {}, [Problem(path, offset, f"front matter could not be read: {exc}")]
    finally:
        loader.dispose()
    return data, lines, [
        Problem(path, line, f"`{name}` is given twice (lines {lines[name]} and {line}); the "
                f"last one counts: remove the other", "warning") for name, line in twice]


# A quote or a flow collection left open: YAML notices only where the text ends or the
# next key begins. (context, start of the problem) → what to say, at the opening line.
_UNCLOSED = {
    ("while scanning a quoted scalar", "found unexpected end of stream"):
        "a quoted value begins on this line and its closing quote is missing",
    ("while parsing a flow sequence", "expected ','"):
        "a [ list begins on this line and is not closed with ] (or an item in it is missing "
        "its comma)",
    ("while parsing a flow mapping", "expected ','"):
        "a { mapping begins on this line and is not closed with } (or an entry in it is "
        "missing its comma)",
}


def _unclosed(exc: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """For a quote or bracket left open: the 0-based line where it opened, and what to say."""
    if exc.context_mark is None or not exc.problem:
        return None
    problem = exc.problem.removeprefix("did not find ")  # libyaml's words for PyYAML's
    for (context, start), message in _UNCLOSED.items():
        if exc.context == context and problem.startswith(start):
            return exc.context_mark.line, message
    return None


def _yaml_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _too_deep(fm_text: str, max_nesting: int) -> int | None:
    """The line where flow brackets or indentation nest too deep, before any parser recurses."""
    first_line, other_lines = _deep_indent(max_nesting)
    if fm_text.count("[") + fm_text.count("{") <= max_nesting and \
            first_line.match(fm_text) is None and other_lines.search(fm_text) is None:
        return None  # the common case, decided without a loop in Python
    depth = 0
    for number, line in enumerate(fm_text.split("\n")):
        indent = len(line) - len(line.lstrip(" \t-"))
        if indent > max_nesting * 4:
            return number
        for char in line:
            if char in "[{":
                depth += 1
                if depth > max_nesting:
                    return number
            elif char in "]}":
                depth = max(depth - 1, 0)
    return None


@functools.cache
def _deep_indent(max_nesting: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The start of a line indented past `max_nesting` levels (of four): the first line, and
    any other (searched for after a line break: several times faster than `^` in MULTILINE)."""
    indent = f"[ \t-]{{{max_nesting * 4 + 1}}}"
    return re.compile(indent), re.compile(f"\n{indent}")


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values the node graph expands to with aliases followed (memoised, cycle-safe)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes.get(id(child), limit + 1) for child in _children(node))
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in on_path:  # a recursive anchor expands forever
            return limit + 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MAX_LINES = 2_000
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode


def _construct(loader: Any, node: yaml.Node, prefix: str, lines: dict[str, int],
               offset: int, twice: list[tuple[str, int]]) -> Any:
    """The value of a node with no aliases, as the safe loader makes it, and the line of
    every key path on the way (see `_collect_lines`), in one walk: text, lists and mappings
    directly, anything else (numbers, dates, booleans, other tags, a mapping with a key that
    is not text: merge `<<`, `=`, numbers) by the loader's own constructors. A key given
    twice in one mapping is added to `twice`, with the line of its second use."""
    if isinstance(node, _ScalarNode):
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if isinstance(node, _SequenceNode) and node.tag == _SEQ:
        items = []
        for index, item in enumerate(node.value):
            name = f"{prefix}{index}"
            lines.setdefault(name, item.start_mark.line + offset)
            items.append(_child(loader, item, name, lines, offset, twice))
        return items
    if isinstance(node, _MappingNode) and node.tag == _MAP and _text_keys(node):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            name = f"{prefix}{key}"
            if key in mapping:
                twice.append((name, key_node.start_mark.line + offset))
            lines.setdefault(name, key_node.start_mark.line + offset)
            mapping[key] = _child(loader, value_node, name, lines, offset, twice)
        return mapping
    value = loader.construct_object(node, deep=True)  # another tag, a merge, a complex key
    _collect_lines(node, prefix, lines, offset)
    return value


def _child(loader: Any, node: yaml.Node, name: str, lines: dict[str, int], offset: int,
           twice: list[tuple[str, int]]) -> Any:
    """The value of an item or of a key's value, whose own line `name` already has: text
    at once (most values are), else by `_construct` (by the loader's constructors alone once
    `_MAX_LINES` lines are kept)."""
    if node.tag == _STR and isinstance(node, _ScalarNode):
        return node.value
    if len(lines) < _MAX_LINES:
        return _construct(loader, node, name + ".", lines, offset, twice)
    return loader.construct_object(node, deep=True)


def _text_keys(node: yaml.MappingNode) -> bool:
    """Whether every key of a mapping is text (not `<<`, `=`, a number or a collection)."""
    for key_node, _ in node.value:
        if key_node.tag != _STR or not isinstance(key_node, _ScalarNode):
            return False
    return True


def _collect_lines(node: yaml.Node, prefix: str, lines: dict[str, int], offset: int) -> None:
    """Map dotted key paths (`actions.1.owner`) to 1-based file lines, for messages."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                name = f"{prefix}{key_node.value}"
                lines.setdefault(name, key_node.start_mark.line + offset)
                if len(lines) < _MAX_LINES:
                    _collect_lines(value_node, name + ".", lines, offset)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            name = f"{prefix}{index}"
            lines.setdefault(name, item.start_mark.line + offset)
            if len(lines) < _MAX_LINES:
                _collect_lines(item, name + ".", lines, offset)
