"""What a stakeholder sees, in a real browser: Playwright driving Debian's Chromium over two sites
built here (this repository's worked example, and an ADR-only docs folder with no index.md),
served on 127.0.0.1, at 1280×900 and 390×844, light and dark.

Without Chromium or Playwright the tests skip, saying why; with CI=true they fail instead.
Screenshots of every page go to $HEADWAY_ARTIFACTS (default tests/artifacts/, gitignored)."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import TODAY_EPOCH, GitRepo, build, init_repo

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("HEADWAY_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium calls out (updates, sync), which a closed
# network refuses: those would show up as failed requests of the page.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
README_VIEWS = {"initiatives/self-serve-checkout/": "initiative", "blocked/": "blocked",
                "flow/": "flow"}
SCHEMES = ("light", "dark")
ARTIFACTS = Path(os.environ.get("HEADWAY_ARTIFACTS") or ROOT / "tests" / "artifacts")
# Elements headway draws (axe-core checks these, not the theme's own).
HEADWAY_ROOTS = (".hw-nav", ".hw-panel", ".hw-lead", ".hw-filters", ".hw-table-wrap", ".hw-timeline",
                 ".hw-events", ".hw-bars", ".hw-group", ".hw-awaiting", ".hw-cards", ".hw-home",
                 ".hw-empty")


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set HEADWAY_CHROMIUM)"
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        return "axe-core is not installed (pip install axe-playwright-python)"
    return None


def _axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


# ---------------------------------------------------------------- the two sites


def worked_example(root: Path) -> GitRepo:
    """This repository's own records and mkdocs.yml, with their own git history when this is a
    git checkout (so that the flow page has waits that ended, and lead times), else committed
    in a repository of their own."""
    if (ROOT / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(root)], check=True,
                       capture_output=True)
        return GitRepo(root, "records", env={"GIT_CONFIG_GLOBAL": str(root / ".no-global"),
                                             "GIT_CONFIG_NOSYSTEM": "1"})
    repo = init_repo(root, docs="records")
    shutil.copytree(ROOT / "records", root / "records")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    repo.commit("Worked example records", "2026-11-20", "Maya Chen")
    return repo


def example_today(repo: GitRepo) -> str:
    """The worked example's "today": the day after its records' last commit, and no earlier than
    2026-12-01 (its waits began as late as November 2026; a wait that begins after today is a
    warning, which a strict build fails on)."""
    last = int(repo.git("log", "-1", "--format=%ct", "--", "records").strip() or 0)
    return str(max(1796083200, (last // 86400 + 1) * 86400))


MATERIAL_DARK_LIGHT = """\
theme:
  name: material
  font: false
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
"""


def madr(title: str, status: str, day: str, body: str) -> str:
    return textwrap.dedent(f"""\
        ---
        status: {status}
        date: {day}
        deciders: [Maya Chen, Raj Patel]
        ---

        # {title}

        ## Context and Problem Statement

        {body}

        ## Considered Options

        * The first option
        * The second option

        ## Decision Outcome

        Chosen option: "The first option", because it fits.
        """)


ADR_RECORDS = [  # (file, title, status as written, decision date, body, commit date)
    ("0001-record-architecture-decisions.md", "Record architecture decisions", "accepted",
     "2022-03-14", "We need to record the architectural decisions made on this project.",
     "2022-03-14"),
    ("0002-use-postgresql.md", "Use PostgreSQL for persistence", "Accepted", "2022-09-02",
     "Orders and invoices need transactions; the team knows relational databases.", "2022-09-05"),
    ("0003-use-rest.md", "Use REST between services", "superseded by [0006](0006-use-grpc.md)",
     "2023-02-20", "Services call each other synchronously over plain HTTP.", "2023-02-21"),
    ("0004-feature-flags.md", "0004 - Keep feature flags in the database", "rejected",
     "2023-11-08", "Flags stored beside the data they guard, read on every request.", "2023-11-09"),
    ("0005-mermaid.md", "0005 - Adopt Mermaid diagram standard", "accepted", "2024-06-11",
     "Diagrams drawn as text next to the code, reviewed like code: the zeppelin of drawings.",
     "2024-06-12"),
    ("0006-use-grpc.md", "Use gRPC between services", "accepted", "2025-04-03",
     "Typed contracts and streaming replace the hand-written HTTP clients.", "2025-04-04"),
    ("0007-drop-the-monolith.md", "Split billing out of the monolith", "proposed", "2026-08-19",
     "Billing releases wait for the whole application today.", "2026-08-20"),
]


def adr_only(root: Path) -> GitRepo:
    """A docs folder of MADR records only (no index.md), named by `adr_folders`, written from
    2022 to 2026, one commit per record on its own date."""
    repo = init_repo(root)
    repo.write("mkdocs.yml", "site_name: Platform decisions\ndocs_dir: docs\n" + MATERIAL_DARK_LIGHT
               + "plugins:\n  - search\n  - headway:\n      adr_folders:\n"
               "        - folder: adr\n          initiative: platform\n")
    for name, title, status, day, body, committed in ADR_RECORDS:
        repo.write(f"docs/adr/{name}", madr(title, status, day, body))
        repo.commit(f"ADR: {title}", committed, "Raj Patel")
    return repo


# ---------------------------------------------------------------- serving and visiting


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    name: str
    base: str  # http://127.0.0.1:port/
    folder: Path
    pages: list[str] = field(default_factory=list)  # every page's path, "" for the home page

    def url(self, path: str = "") -> str:
        return self.base + path


def serve(name: str, folder: Path) -> tuple[Site, http.server.ThreadingHTTPServer]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = sorted(str(p.parent.relative_to(folder)).replace(".", "", 1) + "/"
                   if p.parent != folder else "" for p in folder.rglob("index.html"))
    pages = [p.lstrip("/") for p in pages]
    return Site(name, f"http://127.0.0.1:{server.server_address[1]}/", folder, pages), server


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """Both sites, built once for the module and served until its tests are done."""
    servers = []
    out: dict[str, Site] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        for name, make in (("example", worked_example), ("adr", adr_only)):
            repo = make(tmp_path_factory.mktemp(name) / "project")
            mp.setenv("SOURCE_DATE_EPOCH", example_today(repo) if name == "example" else TODAY_EPOCH)
            built = build(repo, strict=True)
            assert built.warnings == [], built.warnings
            site, server = serve(name, built.site)
            out[name] = site
            servers.append(server)
    yield out
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """What went wrong while a page loaded: console errors and failed requests."""

    errors: list[str] = field(default_factory=list)
    pending: int = 0  # requests started and not yet finished or failed

    def settle(self, page: Any, quiet_ms: int = 150, limit_ms: int = 10_000) -> None:
        """Wait until no request has been open for `quiet_ms` (Playwright's "networkidle"
        waits a fixed 500 ms, which makes a sweep of every page slow)."""
        quiet = waited = 0
        while quiet < quiet_ms and waited < limit_ms:
            page.wait_for_timeout(25)
            waited += 25
            quiet = quiet + 25 if self.pending == 0 else 0


def watched(context: Any) -> Visit:
    visit = Visit()

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            visit.errors.append(f"console error: {msg.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            visit.errors.append(f"HTTP {response.status}: {response.url}")

    def on_failed(request: Any) -> None:
        visit.pending -= 1
        # ERR_ABORTED: cut short by the test going to the next page (the browser's lazy
        # favicon request, on a busy machine), not refused: a missing file is an HTTP 404
        # above, an unreachable host ERR_NAME_NOT_RESOLVED or ERR_CONNECTION_REFUSED.
        if "ERR_ABORTED" not in (request.failure or ""):
            visit.errors.append(f"request failed: {request.url} ({request.failure})")

    def on_request(request: Any) -> None:
        visit.pending += 1

    def on_finished(request: Any) -> None:
        visit.pending -= 1

    context.on("console", on_console)
    context.on("weberror", lambda e: visit.errors.append(f"page error: {e.error}"))
    context.on("request", on_request)
    context.on("requestfinished", on_finished)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    return visit


def new_page(browser: Any, size: str = "desktop", scheme: str = "light", **options: Any
             ) -> tuple[Any, Visit]:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme, **options)
    # Material asks GitHub for the repository's stars and latest release (repo_url): the test
    # answers as GitHub would, since CI has no internet. Any other outside request fails.
    context.route("https://api.github.com/**", lambda route: route.fulfill(
        json={"tag_name": "v1.0.0", "stargazers_count": 1, "forks_count": 0}))
    return context.new_page(), watched(context)


def go(page: Any, visit: Visit, url: str) -> None:
    """Open a page and wait until its requests are done (none left to be cut short)."""
    page.goto(url)
    visit.settle(page)


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations inside headway's own elements."""
    roots = page.evaluate("sels => sels.filter(s => document.querySelector(s))",
                          list(HEADWAY_ROOTS))
    if not roots:
        return []
    page.add_script_tag(path=str(_axe_script()))
    result = page.evaluate("""async roots => {
        const r = await axe.run({include: roots.map(s => [s])}, {resultTypes: ["violations"]});
        return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ") + " (" +
               (n.any[0] || n.all[0] || n.none[0] || {message: ""}).message + ")").join("; "));
    }""", list(roots))
    return list(result)


# ---------------------------------------------------------------- every page, every size and scheme


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["example", "adr"])
def test_every_page_loads_cleanly(browser: Any, sites: dict[str, Site], name: str, size: str,
                                  scheme: str) -> None:
    """No console error, no failed request, no sideways scroll on a phone, no serious or
    critical axe-core violation in headway's elements; a screenshot of each page.

    Each page is left only once no request has been open for 150 ms (a late request, such as
    a theme's fetch of a sitemap, is caught on its page). axe-core runs on every page at
    desktop width, and on headway's own pages (not the records, whose panel it has seen at
    desktop) on a phone; dark screenshots are of headway's own pages."""
    site = sites[name]
    page, visit = new_page(browser, size, scheme)
    folder = ARTIFACTS / name / f"{size}-{scheme}"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    generated = {"", "initiatives/", "blocked/", "decisions/", "learnings/"}
    for path in site.pages:
        ours = path in generated or path.startswith("initiatives/")
        before = len(visit.errors)
        page.goto(site.url(path), wait_until="load")
        visit.settle(page)
        problems += [f"/{path}: {e}" for e in visit.errors[before:]]
        if size == "phone":
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 0:
                problems.append(f"/{path}: the page scrolls sideways by {wide} px")
            broken = page.evaluate("""() => [...document.querySelectorAll("time")]
                .filter(t => t.getClientRects().length > 1).map(t => t.textContent)""")
            if broken:
                problems.append(f"/{path}: dates broken across lines: {broken}")
        if size == "desktop" or ours:
            problems += [f"/{path}: axe {v}" for v in axe_violations(page)]
        if scheme == "light" or ours:
            shot = (path.strip("/").replace("/", "--") or "home") + ".png"
            page.screenshot(path=str(folder / shot), full_page=True)
        if name == "example" and path in README_VIEWS:  # the README's pictures
            (ARTIFACTS / "readme").mkdir(exist_ok=True)
            width, height = SIZES[size]
            # on a phone, an initiative from its timeline down; otherwise from the top
            top = page.evaluate("""() => { const h = document.getElementById("hw-timeline");
                return h ? h.getBoundingClientRect().top + window.scrollY - 12 : 0; }""")
            top = top if size == "phone" and README_VIEWS[path] == "initiative" else 0
            page.screenshot(path=str(ARTIFACTS / "readme" / f"{README_VIEWS[path]}-{size}-{scheme}.png"),
                            full_page=True, clip={"x": 0, "y": top, "width": width,
                                                  "height": 1250 if size == "desktop" else height})
    page.context.close()
    assert len(site.pages) >= (25 if name == "example" else 10)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the timeline


TIMELINE_FACTS = """() => {
  const frame = [...document.querySelectorAll(".hw-timeline-frame")]
    .find(f => getComputedStyle(f).display !== "none");
  const svg = frame.querySelector("svg"), scroll = frame.querySelector(".hw-timeline-scroll");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
            height: r.height}; };
  const px = e => parseFloat(getComputedStyle(e).fontSize) * (e instanceof SVGElement ? scale : 1);
  const texts = [...frame.querySelectorAll("text, .hw-lane-label")];
  return {
    name: frame.className, viewport: window.innerWidth, scroll: box(scroll),
    overflow: scroll.scrollWidth - scroll.clientWidth,
    lanes: [...frame.querySelectorAll(".hw-lane-label")].map(e => ({text: e.textContent,
                                                                    box: box(e)})),
    axis: [...frame.querySelectorAll("text.hw-month")].map(e => ({text: e.textContent,
                                                                 box: box(e)})),
    smallest: Math.min(...texts.map(px)),
    markers: [...frame.querySelectorAll("a.hw-marker")].map(a => ({box: box(a),
      count: parseInt((a.querySelector(".hw-marker-count") || {textContent: "1"}).textContent)})),
    drawn: parseInt(svg.querySelector("title").textContent.match(/of (\\d+)/)[1]),
    caption: document.querySelector(".hw-legend").textContent,
  };
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["example", "adr"])
def test_timeline_shows_its_whole_span_and_labels(browser: Any, sites: dict[str, Site], name: str,
                                                  size: str) -> None:
    """Lane labels visible at load, the whole span without scrolling, axis labels apart, text
    of 11 px or more, dots of 24 px to tap on a phone, every event in a dot, no 'hover'."""
    site = sites[name]
    page, visit = new_page(browser, size)
    initiatives = [p for p in site.pages if p.startswith("initiatives/") and p != "initiatives/"]
    assert initiatives
    for path in initiatives:
        go(page, visit, site.url(path))
        tl = page.evaluate(TIMELINE_FACTS)
        assert ("hw-timeline-wide" if size == "desktop" else "hw-timeline-narrow") in tl["name"]
        assert [lane["text"] for lane in tl["lanes"]] == [
            "Information gathering", "Internal product work", "Decision & execution"]
        for lane in tl["lanes"]:
            assert lane["box"]["width"] > 0 and lane["box"]["left"] >= 0
            assert lane["box"]["right"] <= min(tl["scroll"]["left"], tl["viewport"]), (path, lane)
        assert tl["overflow"] <= 0, f"{path}: the timeline hides {tl['overflow']} px"
        assert len(tl["axis"]) >= 2
        for i, a in enumerate(tl["axis"]):
            for b in tl["axis"][i + 1:]:
                assert not _overlap(a["box"], b["box"]), (path, a["text"], b["text"])
        assert tl["smallest"] >= 11, f"{path}: timeline text of {tl['smallest']:.1f} px"
        assert sum(m["count"] for m in tl["markers"]) == tl["drawn"]  # every event in a dot
        for m in tl["markers"]:
            assert tl["scroll"]["left"] <= m["box"]["left"] and \
                m["box"]["right"] <= tl["scroll"]["right"] + 1, (path, m)
            if size == "phone":
                assert m["box"]["width"] >= 23.9 and m["box"]["height"] >= 23.9, (path, m)
        assert "hover" not in tl["caption"] and "tap" in tl["caption"]
    page.context.close()
    assert visit.errors == []


BLOCKER_CHART_TEXT = """() => {
  const svg = [...document.querySelectorAll("svg.hw-flow-svg")]
    .find(s => s.querySelector(".hw-flow-row") && getComputedStyle(s).display !== "none");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll("text.hw-flow-label")];
  return {name: svg.getAttribute("class"),
          smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
          right: svg.getBoundingClientRect().right, viewport: window.innerWidth};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_flow_bars_are_readable_at_both_sizes(browser: Any, sites: dict[str, Site],
                                              size: str) -> None:
    """The blocked-days chart keeps its labels at 11 px or more: a phone gets its own drawing
    (labels above the bars) instead of the desktop one scaled down to 9 px."""
    page, visit = new_page(browser, size)
    go(page, visit, sites["example"].url("flow/"))
    chart = page.evaluate(BLOCKER_CHART_TEXT)
    assert ("hw-flow-wide" if size == "desktop" else "hw-flow-narrow") in chart["name"]
    assert chart["smallest"] >= 11, f"flow bar labels of {chart['smallest']:.1f} px"
    assert chart["right"] <= chart["viewport"]
    page.context.close()
    assert visit.errors == []


# ---------------------------------------------------------------- the logs


def _rows(page: Any) -> list[dict[str, str]]:
    return page.evaluate("""() => [...document.querySelectorAll("table[data-hw-log] tbody tr")]
        .filter(r => !r.hidden).map(r => ({status: r.dataset.status,
          title: r.cells[0].querySelector("a").textContent.trim(),
          date: r.cells[r.cells.length - 2].dataset.value}))""")


@pytest.mark.parametrize("name", ["example", "adr"])
def test_logs_filter_and_sort(browser: Any, sites: dict[str, Site], name: str) -> None:
    site = sites[name]
    page, visit = new_page(browser)
    for path in ("decisions/", "learnings/"):
        go(page, visit, site.url(path))
        if name == "adr" and path == "learnings/":  # none: a sentence, not an empty table
            assert page.locator("table[data-hw-log]").count() == 0
            assert page.locator("form[data-hw-filters]").count() == 0
            assert page.locator(".hw-empty").inner_text().startswith("No learnings yet.")
            continue
        everything = _rows(page)
        assert len(everything) >= 3
        assert [r["date"] for r in everything] == sorted((r["date"] for r in everything),
                                                         reverse=True)  # newest first
        status = everything[-1]["status"]
        page.select_option("select[data-hw-filter=status]", status)
        shown = _rows(page)
        assert shown and all(r["status"] == status for r in shown)
        assert len(shown) == sum(r["status"] == status for r in everything)
        assert page.locator("output[data-hw-shown]").inner_text() == \
            f"{len(shown)} of {len(everything)} shown"
        page.select_option("select[data-hw-filter=status]", "")
        page.locator("th button.hw-sort", has_text="Title").click()
        titles = [r["title"].lower() for r in _rows(page)]
        assert titles == sorted(titles), titles  # by title, not by the number before it
        page.locator("th button.hw-sort", has_text="Title").click()
        assert [r["title"].lower() for r in _rows(page)] == sorted(titles, reverse=True)
        page.locator("th button.hw-sort").nth(4).click()  # Created (or Date), oldest first
        dates = [r["date"] for r in _rows(page)]
        assert dates == sorted(dates)
        # The log fits its column at 1280 px: no sideways scroll inside it either.
        assert page.evaluate("""() => { const w = document.querySelector(".hw-table-wrap");
            return w.scrollWidth - w.clientWidth; }""") <= 0
    page.context.close()
    # Without JavaScript: every row, newest first, no filters.
    page, visit_off = new_page(browser, java_script_enabled=False)
    go(page, visit_off, site.url("decisions/"))
    lead = page.locator(".hw-lead").first.inner_text()
    assert page.locator("table[data-hw-log] tbody tr").count() == int(lead.split()[0])
    assert not page.locator("form[data-hw-filters]").is_visible()
    page.context.close()
    assert visit.errors == [] and visit_off.errors == []


@pytest.mark.parametrize("name", ["example", "adr"])
def test_logs_read_as_cards_on_a_phone(browser: Any, sites: dict[str, Site], name: str) -> None:
    """At 390 px every cell of a row is on screen (stacked, labelled), sorting still there."""
    site = sites[name]
    page, visit = new_page(browser, "phone")
    go(page, visit, site.url("decisions/"))
    cells = page.evaluate("""() => [...document.querySelectorAll("table[data-hw-log] td")]
        .filter(td => td.textContent.trim()).map(td => {
          const r = td.getBoundingClientRect(); return [r.left, r.right, td.dataset.label || ""];
        })""")
    assert cells and all(left >= 0 and right <= 390 for left, right, _ in cells), cells
    assert {"Status", "Initiative", "Updated"} <= {label for _, _, label in cells}
    assert page.locator("th button.hw-sort").first.is_visible()
    if name == "example":  # a record's Actions: every column on screen, Status included
        go(page, visit, site.url("eu-data-residency/decisions/0005-residency-backup-location/"))
        cells = page.evaluate("""() => [...document.querySelectorAll("table[data-hw-actions] td")]
            .map(td => { const r = td.getBoundingClientRect();
                         return [r.left, r.right, td.dataset.label]; })""")
        assert {"Action", "Owner", "Due", "Status"} <= {label for _, _, label in cells}
        assert all(left >= 0 and right <= 390 for left, right, _ in cells), cells
    page.context.close()
    assert visit.errors == []


# ---------------------------------------------------------------- search, links, pages


SEARCHES = {  # site: (words, the record's path): by a title, and by a word of the body only
    "example": [("Route EU accounts through eu.lumen.app",
                 "eu-data-residency/decisions/0001-residency-eu-subdomain/"),
                ("competitive", "invoice-ocr/learnings/ocr-accuracy-benchmark/")],
    "adr": [("Use gRPC between services", "adr/0006-use-grpc/"),
            ("zeppelin", "adr/0005-mermaid/")],
}


@pytest.mark.parametrize("name", ["example", "adr"])
def test_material_search_finds_records(browser: Any, sites: dict[str, Site], name: str) -> None:
    site = sites[name]
    page, visit = new_page(browser)
    for words, path in SEARCHES[name]:
        go(page, visit, site.url())
        page.locator("input.md-search__input").click()
        page.keyboard.type(words)
        page.locator(".md-search-result__item a").first.wait_for(state="attached")
        hrefs = page.evaluate("""() => [...document.querySelectorAll(
            ".md-search-result__item a")].map(a => a.getAttribute("href"))""")
        assert any(h.split("#")[0].endswith(path) for h in hrefs), (words, hrefs)
    page.context.close()
    assert visit.errors == []


RELATIONS = {
    "example": ["eu-data-residency/decisions/0002-residency-region-strategy/",
                "invoice-ocr/learnings/ocr-accuracy-benchmark/"],
    "adr": ["adr/0003-use-rest/", "adr/0006-use-grpc/"],
}


@pytest.mark.parametrize("name", ["example", "adr"])
def test_relation_links_land_on_their_records(browser: Any, sites: dict[str, Site], name: str
                                              ) -> None:
    site = sites[name]
    page, visit = new_page(browser)
    followed = 0
    for path in RELATIONS[name]:
        go(page, visit, site.url(path))
        links = page.evaluate("""() => [...document.querySelectorAll(".hw-panel dl div")]
            .filter(d => !["Initiative", "Overview"].includes(d.querySelector("dt").textContent))
            .flatMap(d => [...d.querySelectorAll("dd a")].map(a => [a.textContent, a.href]))""")
        for text, href in links:
            go(page, visit, href)
            heading = page.locator("article h1, .md-content h1").first.inner_text()
            assert heading.rstrip("¶").strip() == text, href
            followed += 1
    assert followed >= 2
    page.context.close()
    assert visit.errors == []


def test_blocked_page_numbers_agree(browser: Any, sites: dict[str, Site]) -> None:
    """The lead's count of items, the bars and the groups agree; an item under several root
    blockers says so under each."""
    site = sites["example"]
    page, visit = new_page(browser)
    go(page, visit, site.url("blocked/"))
    lead = page.locator(".hw-lead").inner_text()
    items = int(lead.split()[0])
    bars = [int(v) for v in page.locator(".hw-bar-value").all_inner_texts()]
    groups = [int(v.split()[0]) for v in page.locator(".hw-group-count").all_inner_texts()]
    listed = page.locator(".hw-blocked-items > li").count()
    assert bars == groups[:12] and sum(groups) == listed
    several = page.locator(".hw-blocked-items > li:has(.hw-also)").count()
    if listed > items:
        assert f"so the groups hold {listed} entries for {items} items" in lead
        assert several >= 2  # each listed under at least two blockers, saying so in each
    else:
        assert listed == items and several == 0
    page.context.close()
    assert visit.errors == []


def test_a_records_only_folder_gets_a_home_page(browser: Any, sites: dict[str, Site]) -> None:
    """ADR-only docs: the logo leads to an overview; numbers not doubled; an ADR's date is its
    decision's; a status written in other case is not repeated; the feed stays discoverable."""
    site = sites["adr"]
    page, visit = new_page(browser)
    go(page, visit, site.url("adr/0002-use-postgresql/"))
    panel = page.locator(".hw-panel").inner_text()
    assert "(Accepted)" not in panel and "decision date" in panel.lower()
    assert "created" not in panel.lower()
    page.locator("a.md-header__button.md-logo").click()
    page.wait_for_url(site.url())
    visit.settle(page)
    home = page.locator(".hw-home").inner_text()
    assert "platform" in home and "Latest decisions" in home
    assert "Split billing out of the monolith" in home
    feed = page.locator('link[type="application/atom+xml"]').get_attribute("href") or ""
    assert page.request.get(site.url(feed)).ok
    go(page, visit, site.url("decisions/"))
    text = page.locator("article").inner_text()
    assert "0005 - Adopt Mermaid diagram standard" in text
    assert not re.search(r"\b(\d{4})\s+\1\b", text), "a number shown twice"
    page.context.close()
    assert visit.errors == []


def test_mkdocs_own_theme_works_on_a_phone(browser: Any, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs' own theme: the same pages load cleanly, fit a phone, and show the narrow
    timeline with its lane labels."""
    repo = worked_example(tmp_path / "project")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", example_today(repo))  # after its waits began
    config = (repo.root / "mkdocs.yml").read_text("utf-8")
    # highlight.js comes from a CDN, which CI cannot reach: off
    config = config.replace("  name: material\n", "  name: mkdocs\n  highlightjs: false\n", 1)
    (repo.root / "mkdocs.yml").write_text(config, "utf-8")
    built = build(repo)
    site, server = serve("mkdocs", built.site)
    try:
        page, visit = new_page(browser, "phone")
        for path in ("initiatives/eu-data-residency/", "decisions/", "blocked/",
                     "eu-data-residency/decisions/0005-residency-backup-location/"):
            go(page, visit, site.url(path))
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        go(page, visit, site.url("initiatives/eu-data-residency/"))
        assert page.locator(".hw-timeline-narrow .hw-lane-label").first.is_visible()
        assert not page.locator(".hw-timeline-wide").is_visible()
        page.context.close()
        assert visit.errors == []
    finally:
        server.shutdown()
        server.server_close()
