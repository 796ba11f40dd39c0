"""One front-matter splitter and one heading scanner, checked against MkDocs itself: the title
headway reads is the `<h1>` MkDocs renders, in the plugin, in the ADR reader and in
`headway generate`; and history's fast front-matter reader finds what the splitter finds."""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import GitRepo, build
from hypothesis import given
from hypothesis import strategies as st

from headway.adr.reading import _Text
from headway.git.versions import _front_matter
from headway.pagetext import first_heading, scan, split_front_matter

# name → Markdown: fences and headings where a reader could go wrong
CASES = {
    "longer-fence": "````\n```\n# Inside\n````\n\n# Real\n",
    "tab-indented-fence": "Text.\n\n\t```\n# Inside\n\t```\n\n# Real\n",
    "space-indented-fence": " ```\n# Inside\n ```\n\n# Real\n",
    "unclosed-fence": "```\n# Inside\n",
    "longer-closing": "```\n# Inside\n````\n\n# Real\n",
    "tilde-holds-backticks": "~~~\n```\n# Inside\n~~~\n\n# Real\n",
    "fence-with-language": "```python\n# Inside\n```\n\n# Real\n",
    "closing-with-text": "```\n# Inside\n``` x\n# Still inside\n```\n\n# After\n",
    "closing-hashes": "# Title ##\n",
    "second-level-first": "## Sub\n\n# Top\n",
    "indented-heading": "  # Indented\n\n# Real\n",
    "plain": "# Plain\n\nText.\n",
}


def _first_h1(html: str) -> str | None:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def test_titles_are_the_h1_mkdocs_renders(repo: GitRepo) -> None:
    for name, markdown in CASES.items():
        repo.write(f"docs/cases/{name}.md", markdown)
    built = build(repo)
    for name, markdown in CASES.items():
        rendered = _first_h1(built.html(f"cases/{name}/"))
        assert first_heading(markdown) == rendered, name
        title = _Text(markdown.split("\n"), 0).title()  # the ADR reader's
        assert (title[1] if title else None) == rendered, name


def test_code_lines_are_the_fences_and_what_they_hold() -> None:
    headings, code = scan(["````", "```", "# Inside", "````", "# Real", ""])
    assert code == {0, 1, 2, 3}
    assert [(h.index, h.level, h.text) for h in headings] == [(4, 1, "Real")]


@pytest.mark.parametrize(("text", "expected"), [
    ("---\ntype: x\n---\nbody\n", ("\ntype: x\n", "\nbody\n", 3)),
    ("---  \ntype: x\n...\nbody", ("\ntype: x\n", "\nbody", 3)),
    ("---\ntype: x\n---", ("\ntype: x\n", "", 3)),
    ("----\ntype: x\n----\n", None),  # not front matter to MkDocs either
    ("---\ntype: x\n", None),
    ("---\n---\n", None),
    ("# ---\n", None),
])
def test_split_front_matter(text: str, expected: tuple[str, str, int] | None) -> None:
    front = split_front_matter(text)
    assert (None if front is None else (front.yaml, front.body, front.body_start)) == expected


_LINE = st.text(st.sampled_from("abc:- .#\t'\"`~"), max_size=12)
_YAML_LINE = _LINE.filter(lambda line: not line.startswith(("---", "...")))


@given(st.lists(_YAML_LINE, min_size=1, max_size=6), st.lists(_LINE, max_size=6),
       st.sampled_from(["", " ", "\t "]))
def test_history_reads_the_front_matter_the_splitter_reads(
        yaml_lines: list[str], body: list[str], pad: str) -> None:
    """history's reader of old versions (bytes, in place, no regular expression) against the
    splitter, on front matter closed by `---` as headway writes it."""
    text = "\n".join(["---" + pad, *yaml_lines, "---" + pad, *body])
    front = split_front_matter(text)
    data = text.encode()
    span = _front_matter(data, 0, len(data))
    assert front is not None and span is not None
    assert data[span[0]:span[1]].decode() + "\n" == front.yaml


def test_history_reads_front_matter_closed_by_dots() -> None:
    text = "---\ntype: decision\n...\n\n---\n"
    data = text.encode()
    span = _front_matter(data, 0, len(data))
    front = split_front_matter(text)
    assert front is not None and span is not None
    assert data[span[0]:span[1]].decode() + "\n" == front.yaml
