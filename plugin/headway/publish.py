"""What headway adds to a site, whichever adapter asks (the MkDocs plugin or `headway generate`):
the generated pages, the exports and assets, record panels, and titles kept as text."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import partial
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2

from . import flowpages, pages
from .derive import SiteFacts
from .errors import RenderError
from .export import records_json
from .feed import FEED_URL, feed_xml
from .model import Problem
from .render import template_dirs
from .schema import SCHEMA_URL, record_schema

# headway's stylesheet and script, where the site serves them (relative to its root)
ASSETS = ("assets/headway/headway.css", "assets/headway/headway.js", "assets/headway/flow.css")
RECORDS_URL = "headway/records.json"


@dataclass(frozen=True, slots=True)
class GeneratedPage:
    """A page headway writes: its title, its template, and its context for a page URL."""

    title: str
    template: str
    context: Callable[[str], dict[str, Any]]


def generated_pages(site: SiteFacts, problems: list[Problem], home_title: str | None = None
                    ) -> dict[str, GeneratedPage]:
    """Every page headway generates, by its path in the docs folder, in navigation order: the
    initiatives, each initiative, what is blocked, flow, the decision log, learnings, problems;
    and a home page (an overview, titled `home_title`) for a docs folder that has none."""
    generated = {
        pages.INITIATIVES_URI: GeneratedPage("Initiatives", "headway/initiatives.html",
                                             lambda url: pages.initiatives_page(site, url)),
        pages.BLOCKED_URI: GeneratedPage("What is blocked", "headway/blocked.html",
                                         lambda url: pages.blocked_page(site, url)),
        flowpages.FLOW_URI: GeneratedPage("Flow", "headway/flow.html",
                                          lambda url: flowpages.flow_page(site, url)),
        pages.DECISIONS_URI: GeneratedPage("Decision log", "headway/log.html",
                                           lambda url: pages.log_page(site, url, "decision")),
        pages.LEARNINGS_URI: GeneratedPage("Learnings", "headway/log.html",
                                           lambda url: pages.log_page(site, url, "learning")),
    }
    if home_title is not None:  # a docs folder of records only: an overview
        generated[pages.HOME_URI] = GeneratedPage(home_title, "headway/home.html",
                                                  lambda url: pages.home_page(site, url))
    for iid in site.derived.initiatives:
        title = site.records[iid].title if iid in site.records else iid
        generated[pages.initiative_uri(iid)] = GeneratedPage(
            title, "headway/initiative.html", partial(_initiative_with_flow, site, iid))
    if problems:
        generated[pages.PROBLEMS_URI] = GeneratedPage(
            "Problems in records", "headway/problems.html",
            lambda url: pages.problems_page(problems))
    return generated


def _initiative_with_flow(site: SiteFacts, iid: str, url: str) -> dict[str, Any]:
    """An initiative page's context, with its flow section."""
    return {**pages.initiative_page(site, iid, url),
            **flowpages.initiative_flow_section(site, iid, url)}


def nav_order(generated: dict[str, GeneratedPage]) -> tuple[list[str], list[str]]:
    """headway's pages as a navigation lists them: those of the Initiatives section (the list
    first, then each initiative), and the pages after it."""
    initiatives = [pages.INITIATIVES_URI] if pages.INITIATIVES_URI in generated else []
    initiatives += [u for u in generated
                    if u.startswith("initiatives/") and u != pages.INITIATIVES_URI]
    after = [u for u in (pages.BLOCKED_URI, flowpages.FLOW_URI, pages.DECISIONS_URI,
                         pages.LEARNINGS_URI, pages.PROBLEMS_URI) if u in generated]
    return initiatives, after


def site_files(site: SiteFacts, site_name: str, site_url: str | None,
               feed_limit: int | None) -> dict[str, str]:
    """The files headway publishes besides pages, by their path in the site: records.json,
    the schema, the feed, and its stylesheet and script."""
    files = {
        RECORDS_URL: records_json(site),
        SCHEMA_URL: json.dumps(record_schema(), indent=1, ensure_ascii=False) + "\n",
        FEED_URL: feed_xml(site, site_name, site_url, feed_limit),
    }
    for asset in ASSETS:
        name = asset.rsplit("/", 1)[-1]
        files[asset] = (Path(template_dirs()[0]) / "headway" / name).read_text("utf-8")
    return files


def render(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    """A template rendered; RenderError names the template and line when it cannot be."""
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None) or template
        line = getattr(exc, "lineno", None)
        raise RenderError(f"headway template {where}{f':{line}' if line else ''}: {exc}"
                          ) from exc


def record_panel_html(env: jinja2.Environment, site: SiteFacts, rid: str, page_url: str,
                      repo_url: str | None) -> str:
    """The panel shown above a record's body, for the record's page at `page_url`."""
    return render(env, "headway/record.html",
                  pages.record_panel(site, rid, page_url, repo_url))


def feed_link(site_name: str, href: str) -> str:
    """The `<link>` by which browsers and feed readers find the feed from a page."""
    # rel "alternate feed", not "alternate" alone: Material takes every link[rel=alternate]
    # for a language version and fetches a sitemap.xml beside it (a 404 on every page).
    return (f'<link rel="alternate feed" type="application/atom+xml" '
            f'title="{html_escape(site_name)}: decisions and learnings" '
            f'href="{html_escape(href)}">')


# Front-matter keys that themes and their plugins print as they are (Material: `tags` with
# its tags plugin, `description` in a <meta> attribute, `subtitle` in the navigation).
THEME_TEXT_META = ("description", "subtitle")


def escape_theme_meta(meta: MutableMapping[str, Any]) -> None:
    """The front-matter values a theme prints unescaped, as escaped text, on a record's page."""
    for key in THEME_TEXT_META:
        if isinstance(meta.get(key), str):
            meta[key] = html_escape(meta[key])
    tags = meta.get("tags")
    if isinstance(tags, list):
        meta["tags"] = [html_escape(str(tag)) if isinstance(tag, str) else tag for tag in tags]


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def placeholder(title: str) -> str:
    """The Markdown of a generated page: only its heading, as literal text (so that the
    table of contents and the theme's skip link find it); the page's HTML follows it."""
    literal = _MARKDOWN_PUNCTUATION.sub(r"\\\1", html_escape(title, quote=False))
    return "# " + literal + "\n"
