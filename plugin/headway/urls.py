"""Where things are published: the URL MkDocs gives a page, links between pages. String work
only: pages, feed and both adapters import it without loading git."""

from __future__ import annotations

import posixpath

from .ids import file_stem

MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # as MkDocs reads


def is_markdown(path: str) -> bool:
    return path.endswith(MARKDOWN_EXTENSIONS)


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives a Markdown page, relative to the site root (`index` and `README`
    pages stand for their folder, as in MkDocs: case-sensitive). String work only: this runs
    for every page."""
    folder = src_uri.rpartition("/")[0]
    stem = file_stem(src_uri)
    parent = f"{folder}/" if folder else ""
    if stem in ("index", "README"):
        return parent if use_directory_urls else f"{parent}index.html"
    return f"{parent}{stem}/" if use_directory_urls else f"{parent}{stem}.html"


def relative_url(from_url: str, to_url: str) -> str:
    """A link from the page at `from_url` to `to_url`, both relative to the site root (no
    filesystem calls: this runs for every link of every page)."""
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url)
    here = [p for p in base.split("/") if p]
    there = to_url.split("/")
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return rel or "./"
