"""The MkDocs adapter: options and events, each delegating to the core."""

from __future__ import annotations

from collections.abc import Callable
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from . import pages
from .bulk import gc_paused
from .catalog import Catalog, Source, build_catalog
from .clock import build_day
from .derive import SiteFacts, site_facts
from .errors import ConfigError, RenderError
from .feed import FEED_URL
from .model import STATUSES
from .pagetext import first_heading
from .publish import (
    ASSETS,
    GeneratedPage,
    escape_theme_meta,
    feed_link,
    generated_pages,
    nav_order,
    placeholder,
    record_panel_html,
    render,
    site_files,
)
from .render import environment
from .settings import ADR_FORMATS, OPTION_DEFAULTS, OPTION_NAMES, Settings, settings_from_options
from .urls import relative_url

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

log = get_plugin_logger(__name__)


class AdrFolderConfig(base.Config):  # type: ignore[no-untyped-call]
    """One entry of `adr_folders`."""

    folder = c.Type(str)
    """A folder of existing decision records, relative to docs_dir."""
    initiative = c.Optional(c.Type(str))
    """The initiative its records belong to (default: the folder's last name)."""
    format = c.Choice(ADR_FORMATS, default="auto")
    """How its records are written; `auto` detects each file's format."""
    default_status = c.Choice(STATUSES["decision"], default="exploring")
    """The status of a record that writes none and states no outcome (one that states its
    outcome is read as accepted)."""


class HeadwayConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options of the `headway` plugin (all optional)."""

    enabled = c.Type(bool, default=OPTION_DEFAULTS["enabled"])
    """Turn the plugin off without removing it (e.g. `enabled: !ENV [HEADWAY, true]`)."""
    first_parent = c.Type(bool, default=OPTION_DEFAULTS["first_parent"])
    """Date changes when they land on the main line (merge commits); false: every commit."""
    cache_dir = c.Type(str, default=OPTION_DEFAULTS["cache_dir"])
    """Where extracted git history is kept between builds, relative to mkdocs.yml."""
    nav_records = c.Type(bool, default=OPTION_DEFAULTS["nav_records"])
    """Keep every record in the navigation (off: records are reached from headway's pages,
    which keeps large sites fast to build)."""
    max_file_bytes = c.Type(int, default=OPTION_DEFAULTS["max_file_bytes"])
    """A record larger than this is refused with a problem."""
    max_front_matter_bytes = c.Type(int, default=OPTION_DEFAULTS["max_front_matter_bytes"])
    """Front matter larger than this is refused with a problem."""
    adr_folders = c.ListOfItems(c.SubConfig(AdrFolderConfig), default=[])
    """Folders of MADR, adr-tools (Nygard) or log4brains records, published as they are."""
    feed_limit = c.Optional(c.Type(int))
    """At most this many entries in headway/feed.xml (default: one per event, all of them)."""


class HeadwayPlugin(BasePlugin[HeadwayConfig]):  # type: ignore[no-untyped-call]
    """Discovers records among the site's pages and adds headway's pages and exports."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.env: jinja2.Environment | None = None
        self.catalog: Catalog | None = None
        self.site: SiteFacts | None = None
        self.generated: dict[str, GeneratedPage] = {}  # src_uri → page headway writes
        self.record_uris: dict[str, str] = {}  # src_uri → id of every published record
        self.document_uris: set[str] = set()  # every page that is a record, even a broken one

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        config_dir = Path(config.config_file_path or ".").resolve().parent
        options: dict[str, Any] = {k: self.config[k] for k in OPTION_NAMES}
        options["adr_folders"] = [dict(entry) for entry in self.config.adr_folders]
        try:
            self.settings = settings_from_options(
                options, docs_dir=Path(config.docs_dir), config_dir=config_dir,
                site_name=config.site_name, site_url=config.site_url, repo_url=config.repo_url,
                use_directory_urls=config.use_directory_urls,
            )
        except ConfigError as exc:
            raise PluginError(f"headway: {exc}") from exc
        # The theme's folders (custom_dir first) come before headway's, so a user's
        # custom_dir/headway/*.html overrides any of headway's templates. headway's folder is
        # not added to the theme's: MkDocs would copy every file in it into the site.
        self.env = environment(config.theme.dirs)
        for asset in ASSETS:
            target = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset not in target:
                target.append(asset)
        return config

    @event_priority(-50)  # after plugins that add pages of their own
    def on_files(self, files: Files, config: MkDocsConfig) -> Files | None:
        if self.settings is None:
            return None
        with gc_paused():  # the bulk of headway's work: every record, its history, the JSON
            self._read_records(files, config)
        return files

    def _read_records(self, files: Files, config: MkDocsConfig) -> None:
        assert self.settings is not None
        sources = [Source(f.src_uri, f.abs_src_path, f.url)
                   for f in files.documentation_pages() if f.abs_src_path]
        catalog = build_catalog(sources, self.settings)
        for warning in catalog.history_warnings:
            log.warning(warning)
        for problem in sorted(catalog.problems, key=lambda p: (p.path, p.line or 0)):
            log.warning(str(problem))
        if catalog.notes:  # information, not warnings: --strict must not fail on them
            log.info(f"{len(catalog.notes)} record(s) in adr_folders write no status headway "
                     f"knows: read from what they say, or shown as written (`headway check` "
                     f"lists them; each page says how)")
        for src_uri in catalog.unbuildable:  # MkDocs would stop the whole build on these
            bad = files.get_file_from_path(src_uri)
            if bad is not None:
                files.remove(bad)
        site = site_facts(catalog.records, catalog.git, catalog.urls, build_day(),
                          config.use_directory_urls, catalog.ghosts)
        self.catalog, self.site = catalog, site
        self.record_uris = {rec.src_uri: rid for rid, rec in catalog.records.items()}
        self.document_uris = catalog.documents

        has_home = any(files.get_file_from_path(home) for home in ("index.md", "README.md"))
        self.generated = generated_pages(site, catalog.problems,
                                         None if has_home else self.settings.site_name)
        for src_uri in list(self.generated):
            if files.get_file_from_path(src_uri) is not None:
                log.warning(f"{src_uri} exists in docs_dir, so headway does not generate its "
                            f"page there; move or rename that file")
                del self.generated[src_uri]
                continue
            files.append(File.generated(config, src_uri, content=placeholder(
                self.generated[src_uri].title)))
        settings = self.settings
        for src_uri, content in site_files(site, settings.site_name, settings.site_url,
                                           settings.feed_limit).items():
            self._add_asset(files, config, src_uri, content)

    def _add_asset(self, files: Files, config: MkDocsConfig, src_uri: str, content: str) -> None:
        existing = files.get_file_from_path(src_uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, src_uri, content=content))

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation | None:
        """In an automatic navigation, records make way for headway's pages: an Initiatives
        section, then what is blocked, the decision log, learnings (and problems)."""
        if self.settings is None or config.nav is not None:
            return None  # a hand-written nav is the user's to arrange
        drop = set() if self.settings.nav_records else self.document_uris
        ours: dict[str, Page] = {}

        def keep(items: list[Any]) -> list[Any]:
            kept = []
            for item in items:
                if isinstance(item, Section):
                    item.children = keep(item.children)
                    if item.children:
                        kept.append(item)
                elif isinstance(item, Page) and item.file.src_uri in self.generated:
                    ours[item.file.src_uri] = item
                elif not (isinstance(item, Page) and item.file.src_uri in drop):
                    kept.append(item)
            return kept

        items = keep(nav.items)
        if pages.HOME_URI in ours:
            items.insert(0, ours[pages.HOME_URI])
        section, after = nav_order(self.generated)
        if pages.INITIATIVES_URI in ours:
            items.append(Section("Initiatives", [ours[u] for u in section if u in ours]))
        items.extend(ours[u] for u in after if u in ours)
        flat = _link(items, None)
        for previous, page in zip([None, *flat], flat, strict=False):
            page.previous_page = previous
            if previous is not None:
                previous.next_page = page
        if flat:
            flat[-1].next_page = None
        return Navigation(items, flat)

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files
                         ) -> str | None:
        # Themes print page titles unescaped (in <title> and the navigation): give them the
        # title as escaped text, so that front matter can never become markup.
        src_uri = page.file.src_uri
        title: str | None = None
        if src_uri in self.generated:
            title = self.generated[src_uri].title
        elif src_uri in self.record_uris and self.site is not None:
            title = self.site.records[self.record_uris[src_uri]].title
        elif src_uri in self.document_uris:  # a record left out for its problems: still text
            meta_title = page.meta.get("title")
            title = str(meta_title) if meta_title is not None else first_heading(markdown)
        if title is not None:
            page.meta["title"] = html_escape(title)
        if src_uri in self.record_uris or src_uri in self.document_uris:
            escape_theme_meta(page.meta)
        return None

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str | None:
        if self.settings is None:
            return None
        link = feed_link(self.settings.site_name, relative_url(page.url, FEED_URL))
        head, sep, rest = output.partition("</head>")
        return f"{head}{link}\n{sep}{rest}" if sep else None

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files
                        ) -> str | None:
        if self.settings is None or self.site is None or self.env is None:
            return None
        src_uri = page.file.src_uri
        if src_uri in self.generated:  # the page's own heading, then headway's content
            generated = self.generated[src_uri]
            return html + self._render(lambda env: render(
                env, generated.template, generated.context(page.url)))
        rid = self.record_uris.get(src_uri)
        if rid is None:
            return None
        site, repo_url = self.site, self.settings.repo_url
        panel = self._render(lambda env: record_panel_html(env, site, rid, page.url, repo_url))
        head, sep, rest = html.partition("</h1>")
        return f"{head}{sep}\n{panel}{rest}" if sep and html.lstrip().startswith("<h1") \
            else f"{panel}\n{html}"

    def _render(self, rendering: Callable[[jinja2.Environment], str]) -> str:
        assert self.env is not None
        try:
            return rendering(self.env)
        except RenderError as exc:
            raise PluginError(str(exc)) from exc


def _link(items: list[Any], parent: Section | None) -> list[Page]:
    """Set each item's parent; the pages in reading order (for previous and next links)."""
    flat: list[Page] = []
    for item in items:
        item.parent = parent
        if isinstance(item, Section):
            flat.extend(_link(item.children, item))
        elif isinstance(item, Page):
            flat.append(item)
    return flat

