"""A page's Markdown as MkDocs reads it: the front matter split off (MkDocs' own rule), and the
headings outside code fences (Python-Markdown's `fenced_code`, which MkDocs enables)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

# As mkdocs.utils.meta reads it: a first line `---`, then YAML up to a line `---` or `...`
# (its one pattern `-{3}[ \t]*(\n.*?\n)(?:\.{3}|-{3})[ \t]*(?=\n|\Z)`, DOTALL, in two parts:
# a search for the closing line finds it several times faster than that lazy `.*?`).
_FRONT_MATTER_OPENING = re.compile(r"-{3}[ \t]*\n")
_FRONT_MATTER_CLOSING = re.compile(r"\n(?:\.{3}|-{3})[ \t]*(?=\n|\Z)")
# A fence opens at the start of a line, with an optional language or {attributes}, and closes
# on the next line that is the same fence (same character, same length): one that never
# closes is no fence at all. Indented by a tab (or any space), it is not a fence.
_OPENING = re.compile(r"(`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*[ ]*"
                      r"(?:hl_lines=(?P<q>[\"'])[^\n]*?(?P=q)[ ]*)?)")
_CLOSING = re.compile(r"(`{3,}|~{3,})[ ]*")
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The YAML between the `---` lines, from the end of the opening one (so that the YAML's
    line 0 is the file's line 1), and what follows the closing line, from the end of it;
    `body_start` is the index of the first line after the closing one."""

    yaml: str
    body: str
    body_start: int


def split_front_matter(text: str) -> FrontMatter | None:
    """The front matter MkDocs would read as the page's meta, or None when it has none."""
    if not text.startswith("---"):  # the usual case first
        return None
    opening = _FRONT_MATTER_OPENING.match(text)
    if opening is None:
        return None
    start = opening.end() - 1  # the YAML begins with the opening line's line break
    closing = _FRONT_MATTER_CLOSING.search(text, start + 1)  # after the YAML's first line
    if closing is None:
        return None
    yaml_text = text[start:closing.start() + 1]
    return FrontMatter(yaml_text, text[closing.end():], yaml_text.count("\n") + 1)


@dataclass(frozen=True, slots=True)
class Heading:
    index: int  # of its line
    level: int
    text: str


def scan(lines: Sequence[str], start: int = 0) -> tuple[list[Heading], set[int]]:
    """The ATX headings of `lines[start:]` outside code fences, and the indexes of the lines in
    fences (the fences included)."""
    closings: dict[str, list[int]] = {}
    for index in range(start, len(lines)):
        line = lines[index]
        if line[:3] in ("```", "~~~") and _CLOSING.fullmatch(line):
            closings.setdefault(line.rstrip(" "), []).append(index)
    headings: list[Heading] = []
    code: set[int] = set()
    index = start
    while index < len(lines):
        line = lines[index]
        if closings and line[:3] in ("```", "~~~"):
            opening = _OPENING.fullmatch(line)
            if opening is not None:
                ends = closings.get(opening.group(1), ())
                at = bisect_right(ends, index)
                if at < len(ends):
                    code.update(range(index, ends[at] + 1))
                    index = ends[at] + 1
                    continue
        elif line[:1] == "#":
            match = _HEADING.fullmatch(line)
            if match is not None:
                headings.append(Heading(index, len(match.group(1)), match.group(2).strip()))
        index += 1
    return headings, code


def is_heading(line: str) -> bool:
    """An ATX heading line (`## Status`), wherever it is."""
    return line[:1] == "#" and _HEADING.fullmatch(line) is not None


# A `# ` heading line (as `\n` ends lines: `$` is where _HEADING's fullmatch of the line ends)
_H1_LINE = re.compile(r"^#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
# What may change which line that is when it comes before it: a fence, a line break that is
# not `\n` (str.splitlines ends lines at these too).
_NOT_PLAIN = re.compile("```|~~~|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def first_heading(markdown: str) -> str | None:
    """The text of the first `# ` heading outside code fences (a closing `#` run removed)."""
    if "#" not in markdown:
        return None
    # Most records begin with their title: found where it is when nothing before it could
    # hide it, without splitting the whole page into lines.
    for line in _H1_LINE.finditer(markdown):
        if _NOT_PLAIN.search(markdown, 0, line.end()) is not None:
            break
        if line.group(1).strip():
            return line.group(1).strip()
    headings, _ = scan(markdown.splitlines())
    return next((h.text for h in headings if h.level == 1 and h.text), None)
