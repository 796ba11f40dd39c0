"""`headway generate`: the site as a project that any engine builds without the plugin (MkDocs
1.6, ProperDocs, Zensical): a config, and a docs folder holding the records with their panels,
headway's pages, assets and exports, rendered by the same core as the plugin's."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2
import yaml

from . import pages
from .catalog import Catalog, build_catalog, discover
from .clock import build_day
from .derive import SiteFacts, site_facts
from .errors import ConfigError
from .feed import FEED_URL
from .model import Problem
from .pagetext import first_heading, split_front_matter
from .parse import SAFE_LOADER
from .publish import (
    ASSETS,
    GeneratedPage,
    escape_theme_meta,
    generated_pages,
    nav_order,
    placeholder,
    record_panel_html,
    render,
    site_files,
)
from .render import environment
from .settings import Settings, plugin_entries, read_settings
from .urls import page_url

MARKER = ".headway-generated"  # in DIR: a folder generate made, which it may write again
DOCS = "docs"
OVERRIDES = "overrides"


@dataclass(slots=True)
class Generated:
    """What `generate` did: the problems found (as the plugin reports them) and the counts."""

    problems: list[Problem]
    warnings: list[str] = field(default_factory=list)
    records: int = 0
    pages: int = 0
    written: bool = False
    left_out: int = 0


# ---------------------------------------------------------------- the config, tags kept


@dataclass(frozen=True, slots=True)
class Tagged:
    """A YAML value with a tag MkDocs reads (`!ENV`, `!!python/name:…`), kept to write back."""

    tag: str
    value: Any


class _KeepTags(yaml.SafeLoader):
    """Safe YAML that keeps MkDocs' own tags as `Tagged` values instead of running them."""


def _keep_tag(loader: _KeepTags, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Tagged(node.tag, value)


_KeepTags.add_multi_constructor("!", _keep_tag)
_KeepTags.add_multi_constructor("tag:yaml.org,2002:python/", _keep_tag)


class _Dumper(yaml.SafeDumper):
    """Writes `Tagged` values back with their tags."""


def _represent_tagged(dumper: _Dumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(Tagged, _represent_tagged)


def load_config(config_file: Path) -> dict[str, Any]:
    """The config as written, with what it INHERITs merged in (the child's keys win, mappings
    merged key by key, as MkDocs merges them)."""
    try:
        data = yaml.load(config_file.read_text("utf-8"), Loader=_KeepTags)
    except FileNotFoundError as exc:
        raise ConfigError(f"{config_file}: no such file; run headway where mkdocs.yml is, "
                          f"or name it with -f") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{config_file}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of settings")
    parent = data.pop("INHERIT", None)
    if isinstance(parent, str):
        return _merge(load_config(config_file.parent / parent), data)
    return data


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _without_headway(plugins: Any) -> list[Any]:
    """`plugins:` less headway, as a list (its entries written back as they were given)."""
    kept: list[Any] = []
    for name, options in plugin_entries(plugins):
        if name == "headway":
            continue
        kept.append(name if options is None else {name: options})
    return kept


def _section_title(folder: str) -> str:
    """A folder's section title, as MkDocs makes it (dirname_to_title)."""
    title = folder.replace("-", " ").replace("_", " ")
    return title.capitalize() if title.lower() == title else title


def automatic_nav(page_uris: list[str], generated: dict[str, GeneratedPage]) -> list[Any]:
    """The navigation MkDocs would make of `page_uris` (index first, folders as sections
    after the pages beside them), then headway's pages as the plugin adds them."""
    def key(uri: str) -> tuple[tuple[str, ...], bool, str]:
        parts = tuple(uri.split("/"))
        return parts[:-1], parts[-1].rpartition(".")[0] != "index", parts[-1]

    root: list[Any] = []
    sections: dict[tuple[str, ...], list[Any]] = {(): root}
    for uri in sorted(page_uris, key=key):
        parts = tuple(uri.split("/"))
        for depth in range(1, len(parts)):
            if parts[:depth] not in sections:
                children: list[Any] = []
                sections[parts[:depth - 1]].append({_section_title(parts[depth - 1]): children})
                sections[parts[:depth]] = children
        sections[parts[:-1]].append(uri)
    section, after = nav_order(generated)
    if pages.HOME_URI in generated:  # the overview headway gives a docs folder with none
        root.insert(0, pages.HOME_URI)
    if section:
        root.append({"Initiatives": section})
    root.extend(after)
    return root


# ---------------------------------------------------------------- record pages


_LINK_TARGET = re.compile(r"(\]\(\s*<?)([^)\s>]+)")
_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:[ \t]*<?)(\S+?)(>?(?:\s|$))", re.M)
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|[/#?])")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_ATX_H1 = re.compile(r"^#[ \t]")
_PATH_AND_REST = re.compile(r"([^#?]*)([#?]?)(.*)", re.S)


def relink(markdown: str, src_uri: str, staged_uri: str, moved: dict[str, str]) -> str:
    """Markdown written at `src_uri`, staged at `staged_uri`: each relative link and image
    target (inline or a reference definition; code left alone) still names the same file,
    where that file was `moved` (old src_uri → new) too."""
    here, there = posixpath.dirname(src_uri), posixpath.dirname(staged_uri)

    def fixed(match: re.Match[str]) -> str:
        target = match.group(2)
        if _ABSOLUTE.match(target):
            return match.group(0)
        path, sep, rest = _PATH_AND_REST.match(target).groups()  # type: ignore[union-attr]
        if not path:
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join(here, path))
        if resolved.startswith("../"):
            return match.group(0)  # outside the docs folder: not ours to mend
        resolved = moved.get(resolved, resolved)
        new = posixpath.relpath(resolved, there or ".")
        if path.endswith("/") and not new.endswith("/"):
            new += "/"
        if new == target:
            return match.group(0)
        tail = match.group(0)[match.end(2) - match.start():]
        return match.group(1) + new + sep + rest + tail

    out: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if opening:
            fence = None if fence == opening.group(1) else (fence or opening.group(1))
        elif fence is None and ("](" in line or "]:" in line):
            pieces = re.split(r"(`+[^`]*`+)", line)  # code spans stay as written
            line = "".join(piece if piece.startswith("`") else
                           _REFERENCE.sub(fixed, _LINK_TARGET.sub(fixed, piece))
                           for piece in pieces)
        out.append(line)
    return "".join(out)


def with_panel(body: str, panel: str) -> str:
    """The body with the panel after its title heading (a first `# ` or setext heading),
    else first, as the plugin places it in the page."""
    lines = body.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _ATX_H1.match(line):
            cut = index + 1
        elif index + 1 < len(lines) and re.match(r"^=+\s*$", lines[index + 1]):
            cut = index + 2
        else:
            cut = index
        return "".join(lines[:cut]) + f"\n{panel}\n\n" + "".join(lines[cut:])
    return f"{panel}\n\n{body}"


# libyaml's dumper where PyYAML has it (and parse's loader): a record's front matter is read
# and written again for each of thousands of pages
_FAST_DUMPER: type[Any] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _one_blank_line(body: str) -> str:
    """The body after the front matter, the blank lines that open it kept to one (as staged
    pages have always been written)."""
    cut = body[:len(body) - len(body.lstrip())].rfind("\n")
    return body[cut:] if cut > 0 else body


def _page_text(text: str, title: str | None, panel: str | None,
               links: Callable[[str], str]) -> str:
    """A record's page as staged: its title and the theme's text fields escaped (themes print
    them as they are), the panel inserted, links mended. A page whose front matter YAML does
    not read as a mapping (a record with that problem) is left as written, links aside."""
    meta: dict[str, Any] = {}
    body = text
    matter = split_front_matter(text)
    if matter is not None:
        try:
            body = _one_blank_line(matter.body)
            meta = yaml.load(matter.yaml, Loader=SAFE_LOADER)
        except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
            # YAML it cannot read, or a value it cannot make (`date: 2024-02-30`): the record
            # has that problem listed, and its page is staged as written
            return links(text)
        if not isinstance(meta, dict):
            return links(text)
    body = links(body)
    if title is None:
        given = meta.get("title")
        title = str(given) if given is not None else first_heading(body)
    if title is not None:
        meta["title"] = html_escape(title)
    escape_theme_meta(meta)
    if panel is not None:
        body = with_panel(body, panel)
    front = yaml.dump(meta, Dumper=_FAST_DUMPER, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{body if body.startswith(chr(10)) else chr(10) + body}"


# ---------------------------------------------------------------- the project


def check_output(out_dir: Path, config_file: Path, settings: Settings) -> None:
    """Refuse a DIR that would overwrite the user's files."""
    out = out_dir.resolve()
    docs = settings.docs_dir.resolve()
    here = config_file.resolve().parent
    if out == here or out.is_relative_to(docs) or docs.is_relative_to(out):
        raise ConfigError(f"{out_dir}: generate writes a whole project there; name a new "
                          f"folder outside docs_dir ({docs}), e.g. -o build/site-src")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out_dir}: is a file; name a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ConfigError(f"{out_dir}: not empty, and not made by headway generate; name an "
                          f"empty or new folder")


def generate(config_file: Path, out_dir: Path, *, strict: bool = False) -> Generated:
    """Write the project into `out_dir`; with `strict`, write nothing when there is any
    problem or warning (as `mkdocs build --strict` would fail)."""
    settings = read_settings(config_file)
    config = load_config(config_file)
    check_output(out_dir, config_file, settings)
    sources = discover(settings)
    catalog = build_catalog(sources, settings)
    site = site_facts(catalog.records, catalog.git, catalog.urls, build_day(),
                      settings.use_directory_urls, catalog.ghosts)
    result = Generated(list(catalog.problems), list(catalog.history_warnings),
                       records=len(catalog.records), left_out=len(catalog.excluded))
    existing = {s.src_uri for s in sources}
    has_home = bool({"index.md", "README.md"} & existing)
    generated = generated_pages(site, catalog.problems,
                                None if has_home else str(config.get("site_name") or "Home"))
    for uri in [u for u in generated if u in existing]:
        result.warnings.append(f"{uri} exists in docs_dir, so headway does not generate its "
                               f"page there; move or rename that file")
        del generated[uri]
    if strict and (result.problems or result.warnings):
        return result

    env = environment(_theme_dirs(config, config_file))
    docs = out_dir / DOCS
    if docs.exists():
        shutil.rmtree(docs)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by `headway generate`; written again by it\n", "utf-8")
    # every file but the records (staged below, from docs_dir) and what MkDocs leaves out
    skipped = {os.path.join(settings.docs_dir, *uri.split("/"))
               for uri in catalog.documents | catalog.unbuildable}

    def ignored(folder: str, names: list[str]) -> set[str]:
        return {name for name in names
                if name.startswith(".") or os.path.join(folder, name) in skipped}

    shutil.copytree(settings.docs_dir, docs, ignore=ignored)

    built = [s.src_uri for s in sources if s.src_uri not in catalog.unbuildable]
    moved = _stage_pages(catalog, site, settings, env, docs, built)
    for uri, page in generated.items():
        target = docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        html = render(env, page.template, page.context(page_url(uri, settings.use_directory_urls)))
        target.write_text(f"{placeholder(page.title)}\n<div class=\"hw-generated\">\n{html}\n"
                          f"</div>\n", "utf-8")
    for path, content in site_files(site, settings.site_name, settings.site_url,
                                    settings.feed_limit).items():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, "utf-8")

    in_nav = [moved.get(u, u) for u in built
              if settings.nav_records or u not in catalog.documents]
    nav = automatic_nav(in_nav, generated)
    (out_dir / "mkdocs.yml").write_text(
        _config_text(config, config_file, out_dir, nav, moved, result.warnings), "utf-8")
    result.pages = len(generated)
    result.written = True
    return result


def _renamed(nav: Any, moved: dict[str, str]) -> Any:
    """A hand-written nav, naming the records moved a folder down by their new paths."""
    if isinstance(nav, str):
        return moved.get(nav, nav)
    if isinstance(nav, list):
        return [_renamed(item, moved) for item in nav]
    if isinstance(nav, dict):
        return {key: _renamed(value, moved) for key, value in nav.items()}
    return nav


def _stage_pages(catalog: Catalog, site: SiteFacts, settings: Settings, env: jinja2.Environment,
                 docs: Path, sources: list[str]) -> dict[str, str]:
    """Each record's page with its panel (the broken ones with their titles as text), and
    the links of every page mended for the records moved; returns the pages moved a folder
    down (src_uri → new src_uri).

    Under directory URLs `a/b.md` is served at `a/b/`. MkDocs leaves links inside raw HTML as
    written (relative to the page's URL); Zensical reads them as relative to the source file
    (`a/`). A record staged as `a/b/index.md` has the same URL and a source folder equal to
    it, so the panel's links resolve alike under every engine; Markdown links to it and from
    it are mended to match."""
    existing = set(sources)
    moved: dict[str, str] = {}
    if settings.use_directory_urls:
        for src_uri in sorted(catalog.documents - catalog.unbuildable):
            stem = src_uri.rpartition("/")[2].rpartition(".")[0]
            candidate = f"{src_uri.rpartition('.')[0]}/index.md"
            if stem not in ("index", "README") and candidate not in existing and \
                    f"{candidate[:-8]}README.md" not in existing:
                moved[src_uri] = candidate
    by_uri = {rec.src_uri: rid for rid, rec in catalog.records.items()}
    for src_uri in sources:
        staged_uri = moved.get(src_uri, src_uri)
        is_document = src_uri in catalog.documents
        if not is_document and not moved:
            continue
        source = (settings.docs_dir if is_document else docs) / src_uri
        try:
            text = source.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue

        def links(body: str, src_uri: str = src_uri, staged_uri: str = staged_uri) -> str:
            return relink(body, src_uri, staged_uri, moved) if moved else body

        rid = by_uri.get(src_uri)
        if rid is not None:
            panel = record_panel_html(env, site, rid, catalog.urls[rid], settings.repo_url)
            staged = _page_text(text, site.records[rid].title, panel, links)
        elif is_document:
            staged = _page_text(text, None, None, links)
        else:
            staged = links(text)
            if staged == text:
                continue
        if staged_uri != src_uri and not is_document:
            source.unlink()
        target = docs / staged_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(staged, "utf-8")
    return moved


def _theme_dirs(config: dict[str, Any], config_file: Path) -> list[Path]:
    """The user's template folder (theme.custom_dir), whose headway/*.html override ours."""
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return [config_file.parent / custom] if isinstance(custom, str) else []


_FEED_TEMPLATE = """{% extends "base.html" %}
{% block extrahead %}{{ super() }}
<link rel="alternate" type="application/atom+xml" title="{{ config.site_name|e }}: decisions \
and learnings" href="{{ base_url }}/""" + FEED_URL + """">
{% endblock %}
"""


def _config_text(config: dict[str, Any], config_file: Path, out_dir: Path,
                 nav: list[Any], moved: dict[str, str], warnings: list[str]) -> str:
    """The user's config for the staged project: headway's plugin removed, the docs folder and
    navigation set, headway's stylesheet and script added, and the feed's <link> through a
    theme override (the user's custom_dir copied, when there is one)."""
    data = dict(config)
    data.pop("site_dir", None)
    data["docs_dir"] = DOCS
    if "plugins" in data:
        data["plugins"] = _without_headway(data["plugins"])
    data["nav"] = nav if data.get("nav") is None else _renamed(data["nav"], moved)
    for asset in ASSETS:
        key = "extra_css" if asset.endswith(".css") else "extra_javascript"
        listed = list(data.get(key) or [])
        if asset not in listed:
            listed.append(asset)
        data[key] = listed
    theme = data.get("theme")
    theme = dict(theme) if isinstance(theme, dict) else {"name": theme or "mkdocs"}
    overrides = out_dir / OVERRIDES
    if overrides.exists():
        shutil.rmtree(overrides)
    custom = theme.get("custom_dir")
    if isinstance(custom, str) and (config_file.parent / custom).is_dir():
        shutil.copytree(config_file.parent / custom, overrides)
    overrides.mkdir(parents=True, exist_ok=True)
    if (overrides / "main.html").exists():
        warnings.append(f"{custom}/main.html is yours, so the feed's <link> is not added to "
                        f"the pages' <head>; add it in its extrahead block: <link "
                        f"rel=\"alternate\" type=\"application/atom+xml\" "
                        f"href=\"{{{{ base_url }}}}/{FEED_URL}\">")
    else:
        (overrides / "main.html").write_text(_FEED_TEMPLATE, "utf-8")
    theme["custom_dir"] = OVERRIDES
    data["theme"] = theme
    for key in ("hooks", "watch"):  # paths relative to the user's config: kept pointing there
        if isinstance(data.get(key), list):
            data[key] = [os.fspath((config_file.parent / p).resolve()) if isinstance(p, str)
                         else p for p in data[key]]
    head = (f"# Written by `headway generate` from {config_file.name}; built by `mkdocs build`, "
            f"`properdocs build` or `zensical build` run here. Do not edit: generate again.\n")
    return head + yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
