"""`headway generate`: the same records publish the same pages, records.json and working links
under MkDocs 1.6, ProperDocs and Zensical, each building the generated project with its own
command, without the plugin."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import GitRepo, build
from crawl import internal_links, page_file

from headway.cli import main
from headway.generate import relink

ENGINES = ("mkdocs", "properdocs", "zensical")


def team(repo: GitRepo) -> None:
    """Records with what tells the engines apart: non-index records (their pages are served
    a folder below their source), Markdown links between records and to an image, a page
    that is not a record linking to one, and titles that look like markup."""
    repo.mkdocs_yml(theme="material", extra="repo_url: https://example.com/team/records\n")
    repo.write("docs/index.md", "# Home\n\nSee [the fees](pay/learnings/psp-fees.md) and "
               "[the decisions](decisions/).\n")
    repo.write("docs/guide/how.md", "# How we decide\n\n![flow](../img/flow.png)\n\n"
               "[Stripe][stripe]\n\n[stripe]: ../pay/decisions/0001-use-stripe.md#why\n")
    (repo.root / "docs" / "img").mkdir(parents=True)
    (repo.root / "docs" / "img" / "flow.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    repo.record("pay/index.md", "type: initiative\ngoal: Customers pay by card\nowner: Maya",
                "# Payments\n")
    repo.record("pay/learnings/psp-fees.md", """
        type: learning
        initiative: pay
        status: done
        question: What do <b>providers</b> charge?
    """, "# Provider *fees* <b>bold</b>\n\nRead [the decision](../decisions/0001-use-stripe.md)"
         " and see ![flow](../../img/flow.png). `[not a link](x.md)`\n\n"
         "```\n[nor this](y.md)\n```\n")
    repo.record("pay/decisions/0001-use-stripe.md", """
        type: decision
        initiative: pay
        status: proposed
        informed_by: [psp-fees]
        depends_on: [0002-tax]
        description: Stripe <script>x</script>
    """, "# Use Stripe\n\n## Why\n\nFees, per [the learning](../learnings/psp-fees.md).\n")
    repo.record("pay/decisions/0002-tax.md", """
        type: decision
        initiative: pay
        status: exploring
        title: Tax <i>handling</i> & more
        waiting_on:
          - who: Legal
            what: VAT opinion
            since: 2026-08-01
    """, "Body without a heading.\n")
    repo.commit("records", "2026-07-01", "Maya Chen")
    repo.record("pay/decisions/0001-use-stripe.md", """
        type: decision
        initiative: pay
        status: accepted
        informed_by: [psp-fees]
        depends_on: [0002-tax]
        description: Stripe <script>x</script>
    """, "# Use Stripe\n\n## Why\n\nFees, per [the learning](../learnings/psp-fees.md).\n")
    repo.commit("accept", "2026-07-10", "Raj Patel")


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def engine_build(engine: str, project: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Build `project` as a user of `engine` does, in a subprocess run inside it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if engine == "zensical":
        pytest.importorskip("zensical")
        command = [str(Path(sys.executable).parent / "zensical"), "build", "--clean"]
    else:
        pytest.importorskip(engine)
        command = [sys.executable, "-m", engine, "build", "--strict"]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, env=env)
    return project / "site", result


def site_pages(site: Path) -> set[str]:
    """The pages and exports of a site (less each engine's own search index and sitemap)."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.suffix in (".html", ".json", ".xml") and "search" not in p.name
            and not p.name.startswith("sitemap")}


def without_generated(export: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in export.items() if key != "generated"}


@pytest.mark.parametrize("engine", ENGINES)
def test_same_pages_exports_and_working_links_under_each_engine(
        engine: str, repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    team(repo)
    plugin = build(repo, strict=True)  # the plugin's own build: what generate must match
    assert plugin.warnings == []
    docs_before = tree_digest(repo.root / "docs")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "out"]) == 0
    assert "wrote out: 4 record(s), 6 page(s) of headway's" in capsys.readouterr().err
    assert tree_digest(repo.root / "docs") == docs_before  # the user's docs_dir untouched
    project = repo.root / "out"
    config = yaml.safe_load((project / "mkdocs.yml").read_text("utf-8"))
    assert "headway" not in json.dumps(config["plugins"])
    assert config["docs_dir"] == "docs"

    site, result = engine_build(engine, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert site_pages(site) == site_pages(plugin.site)
    ours = json.loads((site / "headway" / "records.json").read_text("utf-8"))
    assert without_generated(ours) == without_generated(plugin.export)
    assert (site / "headway" / "feed.xml").read_bytes() == \
        (plugin.site / "headway" / "feed.xml").read_bytes()
    count, broken = internal_links(site)
    assert broken == [] and count > 50
    assert internal_links(plugin.site)[1] == []

    stripe = page_file(site, "pay/decisions/0001-use-stripe/").read_text("utf-8")
    assert 'class="hw-panel hw-record-panel" data-hw-record="0001-use-stripe"' in stripe
    assert stripe.index("</h1>") < stripe.index("hw-record-panel") < stripe.index('id="why"')
    assert 'href="../../../initiatives/pay/"' in stripe  # relative to the page's URL
    assert 'href="../../learnings/psp-fees/"' in stripe  # its Markdown link, mended
    assert "Stripe &lt;script&gt;" in stripe and "<script>x" not in stripe
    fees = page_file(site, "pay/learnings/psp-fees/").read_text("utf-8")
    assert "Provider *fees* &lt;b&gt;bold&lt;/b&gt;" in fees  # the title is text, not markup
    assert "What do &lt;b&gt;providers&lt;/b&gt; charge?" in fees
    assert "[not a link](x.md)" in fees and "[nor this](y.md)" in fees  # code as written
    tax = page_file(site, "pay/decisions/0002-tax/").read_text("utf-8")
    assert "Tax &lt;i&gt;handling&lt;/i&gt; &amp; more" in tax and "<i>handling" not in tax
    assert tax.index("hw-record-panel") < tax.index("Body without a heading")
    guide = page_file(site, "guide/how/").read_text("utf-8")
    assert 'href="../../pay/decisions/0001-use-stripe/#why"' in guide
    for url in ("initiatives/", "initiatives/pay/", "blocked/", "decisions/", "learnings/"):
        page = page_file(site, url).read_text("utf-8")
        assert 'type="application/atom+xml"' in page and "headway/feed.xml" in page
        assert "assets/headway/headway.css" in page and "assets/headway/headway.js" in page
    log = page_file(site, "decisions/").read_text("utf-8")
    assert "Use Stripe" in log and 'href="../pay/decisions/0001-use-stripe/"' in log


def test_problems_are_listed_exit_1_and_strict_writes_nothing(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.record("pay/bad.md", "type: decision\ninitiative: pay\nstatus: acepted", "# Bad\n")
    unreadable = repo.record("pay/worse.md", "type: decision\ninitiative: [pay", "# Worse\n")
    # a date that is no day: YAML reads the text, the loader cannot make the date (a traceback
    # once, from generate alone)
    no_day = repo.record("pay/no-day.md", "type: decision\ninitiative: pay\ndate: 2024-02-30",
                         "# No such day\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "strict-out", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "docs/pay/bad.md:4: unknown status 'acepted'" in err and "nothing written" in err
    assert not (repo.root / "strict-out").exists()
    assert main(["generate", "-o", "out"]) == 1  # written, the broken record left out
    assert "docs/pay/bad.md:4: unknown status 'acepted'" in capsys.readouterr().err
    docs = repo.root / "out" / "docs"
    assert "acepted" in (docs / "problems" / "index.md").read_text("utf-8")
    assert (docs / "pay" / "bad" / "index.md").is_file()  # its page is still built
    # front matter YAML cannot read: the page as written (not a second front matter over it)
    assert (docs / "pay" / "worse" / "index.md").read_text("utf-8") == \
        unreadable.read_text("utf-8")
    assert (docs / "pay" / "no-day" / "index.md").read_text("utf-8") == no_day.read_text("utf-8")
    exported = json.loads((docs / "headway" / "records.json").read_text("utf-8"))
    assert [r["id"] for r in exported["records"]] == ["pay"]
    nav = yaml.safe_load((repo.root / "out" / "mkdocs.yml").read_text("utf-8"))["nav"]
    assert nav[-1] == "problems/index.md"


def test_never_writes_over_the_users_files(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    before = tree_digest(repo.root)
    for target in (".", "docs", "docs/sub"):
        assert main(["generate", "-o", target]) == 2
        assert "name a new folder outside docs_dir" in capsys.readouterr().err
    (repo.root / "mine").mkdir()
    (repo.root / "mine" / "notes.txt").write_text("keep me", "utf-8")
    assert main(["generate", "-o", "mine"]) == 2
    assert "not made by headway generate" in capsys.readouterr().err
    shutil.rmtree(repo.root / "mine")
    assert tree_digest(repo.root) == before
    assert main(["generate", "-o", "out"]) == 0
    (repo.root / "docs" / "pay" / "index.md").unlink()  # generate again: nothing stale stays
    assert main(["generate", "-o", "out"]) == 0
    assert not (repo.root / "out" / "docs" / "pay" / "index.md").exists()


def test_config_keeps_tags_other_plugins_and_a_hand_written_nav(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("material")
    repo.mkdocs_yml(theme="material", plugins="  - search:\n      lang: en\n"
                    "  - headway:\n      nav_records: true\n", extra="""
        site_url: !ENV [SITE_URL, "https://example.com/records/"]
        markdown_extensions:
          - pymdownx.emoji:
              emoji_index: !!python/name:material.extensions.emoji.twemoji
        nav:
          - Home: index.md
          - Stripe: pay/0001-stripe.md
          - Initiatives: initiatives/index.md
        """)
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.record("pay/0001-stripe.md", "type: decision\ninitiative: pay", "# Stripe\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "out"]) == 0
    text = (repo.root / "out" / "mkdocs.yml").read_text("utf-8")
    assert "!ENV" in text and "!!python/name:material.extensions.emoji.twemoji" in text
    assert "headway" not in text.partition("plugins:")[2].partition("markdown_extensions")[0]
    from mkdocs.config import load_config

    config = load_config(str(repo.root / "out" / "mkdocs.yml"))
    assert config.site_url == "https://example.com/records/"
    assert list(config.plugins) == ["material/search"]  # Material's search, its options kept
    assert config.plugins["material/search"].config.lang == ["en"]
    assert config.nav == [{"Home": "index.md"}, {"Stripe": "pay/0001-stripe/index.md"},
                          {"Initiatives": "initiatives/index.md"}]


def test_properdocs_config_is_found_by_every_command(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import init_repo

    repo = init_repo(tmp_path / "pd")
    repo.mkdocs_yml()
    (repo.root / "mkdocs.yml").rename(repo.root / "properdocs.yml")
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.record("pay/x.md", "type: decision\ninitiative: pay\nstatus: acepted", "# X\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    assert main(["check"]) == 1
    assert "docs/pay/x.md:4: unknown status 'acepted'" in capsys.readouterr().out
    assert main(["export", "-o", "records.json"]) == 1
    assert main(["generate", "-o", "out"]) == 1
    assert "properdocs.yml" in (repo.root / "out" / "mkdocs.yml").read_text("utf-8")


def test_relink_moves_links_with_the_page_and_to_moved_pages() -> None:
    moved = {"a/b.md": "a/b/index.md", "c.md": "c/index.md"}
    text = ("[b](b.md) [c](../c.md#x) ![i](img/p.png) [ext](https://x.org/) [top](#t)\n"
            "`[code](b.md)` [dir](sub/)\n"
            "```\n[fenced](b.md)\n```\n"
            "[ref]: ../c.md \"title\"\n")
    assert relink(text, "a/b.md", "a/b/index.md", moved) == (
        "[b](index.md) [c](../../c/index.md#x) ![i](../img/p.png) [ext](https://x.org/) [top](#t)\n"
        "`[code](b.md)` [dir](../sub/)\n"
        "```\n[fenced](b.md)\n```\n"
        "[ref]: ../../c/index.md \"title\"\n")
    assert relink("[b](a/b.md) [d](d.md)", "index.md", "index.md", moved) == \
        "[b](a/b/index.md) [d](d.md)"


def test_init_for_zensical_writes_workflows_that_build_through_generate(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import init_repo

    repo = init_repo(tmp_path / "z")
    repo.write("mkdocs.yml", "site_name: Team docs\ntheme:\n  name: material\n"
               "plugins:\n  - search\n")
    repo.write("docs/index.md", "# Team docs\n")
    repo.commit("docs", "2026-05-01")
    monkeypatch.chdir(repo.root)
    assert main(["init", "--engine", "zensical"]) == 0
    out = capsys.readouterr().out
    assert "building with zensical" in out
    assert "installed from file://" in out  # this checkout is not on PyPI: said, not hidden
    for name in ("check-records.yml", "publish-site.yml"):
        workflow = yaml.safe_load((repo.root / ".github" / "workflows" / name).read_text())
        runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"]
                if "run" in s]
        assert 'pip install "mkdocs-headway[zensical]~=0.1.0"' in runs
        assert "headway generate -o site-src --strict" in runs
        assert "cd site-src && zensical build --clean --strict" in runs
        assert not any("mkdocs build" in run for run in runs)
    publish = yaml.safe_load((repo.root / ".github/workflows/publish-site.yml").read_text())
    uploads = [s for s in publish["jobs"]["build"]["steps"]
               if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert uploads[0]["with"]["path"] == "site-src/site"

    # the steps the workflow runs, run here: they publish the site
    repo.commit("init", "2026-05-02")
    assert main(["generate", "-o", "site-src", "--strict"]) == 0
    site, result = engine_build("zensical", repo.root / "site-src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert page_file(site, "initiatives/first-initiative/").is_file()
    assert internal_links(site)[1] == []


def test_generate_is_core_code_that_never_imports_mkdocs() -> None:
    probe = subprocess.run([sys.executable, "-c", "import sys, headway.generate, headway.publish;"
                            " print('mkdocs' in sys.modules, 'properdocs' in sys.modules)"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "False False"


def test_init_for_properdocs_writes_workflows_that_build_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import init_repo

    repo = init_repo(tmp_path / "p")
    repo.write("properdocs.yml", "site_name: Team docs\ntheme:\n  name: mkdocs\n"
               "plugins:\n  - search\n")
    repo.write("docs/index.md", "# Team docs\n")
    monkeypatch.chdir(repo.root)
    assert main(["init", "--engine", "properdocs"]) == 0
    assert "- headway" in (repo.root / "properdocs.yml").read_text()  # the config it found
    assert not (repo.root / "mkdocs.yml").exists()
    for name in ("check-records.yml", "publish-site.yml"):
        workflow = yaml.safe_load((repo.root / ".github" / "workflows" / name).read_text())
        runs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"]
                if "run" in s]
        assert 'pip install "mkdocs-headway[properdocs]~=0.1.0"' in runs
        assert 'properdocs build --strict -f "properdocs.yml"' in runs
        assert 'headway check -f "properdocs.yml"' in runs or name == "publish-site.yml"


@pytest.mark.parametrize("engine", ("mkdocs", "zensical"))
def test_file_urls_need_no_move_and_links_still_resolve(
        engine: str, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `use_directory_urls: false` a record `a/b.md` is served at `a/b.html`, in its
    source's folder: it is staged where it is, and its links resolve on either reading."""
    team(repo)
    (repo.root / "mkdocs.yml").write_text((repo.root / "mkdocs.yml").read_text("utf-8")
                                          + "use_directory_urls: false\n", "utf-8")
    repo.commit("file URLs", "2026-07-11")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "out"]) == 0
    assert (repo.root / "out" / "docs" / "pay" / "decisions" / "0001-use-stripe.md").is_file()
    site, result = engine_build(engine, repo.root / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    stripe = (site / "pay" / "decisions" / "0001-use-stripe.html").read_text("utf-8")
    assert "hw-record-panel" in stripe and 'href="../../initiatives/pay/index.html"' in stripe
    count, broken = internal_links(site)
    assert broken == [] and count > 50


def test_an_inherited_config_is_written_out_whole(repo: GitRepo,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("base.yml", "site_name: Base\ndocs_dir: docs\ntheme:\n  name: mkdocs\n"
               "  locale: en\nplugins:\n  - search\n  - headway\n")
    repo.write("mkdocs.yml", "INHERIT: base.yml\nsite_name: Team records\ntheme:\n"
               "  name: mkdocs\n  highlightjs: false\n")
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "out"]) == 0
    config = yaml.safe_load((repo.root / "out" / "mkdocs.yml").read_text("utf-8"))
    assert "INHERIT" not in config and config["site_name"] == "Team records"
    assert config["theme"] == {"name": "mkdocs", "locale": "en", "highlightjs": False,
                               "custom_dir": "overrides"}
    assert config["plugins"] == ["search"]
    site, result = engine_build("mkdocs", repo.root / "out")
    assert result.returncode == 0, result.stderr
    assert page_file(site, "initiatives/pay/").is_file()


def test_the_users_template_overrides_and_theme_folder_come_along(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo.mkdocs_yml(extra="")
    text = (repo.root / "mkdocs.yml").read_text("utf-8")
    (repo.root / "mkdocs.yml").write_text(text.replace("  name: mkdocs\n",
                                                       "  name: mkdocs\n  custom_dir: mine\n"))
    repo.write("mine/headway/record.html", '<p class="my-panel">{{ record.id }}</p>\n')
    repo.write("mine/main.html", '{% extends "base.html" %}\n')
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.commit("records", "2026-07-01")
    monkeypatch.chdir(repo.root)
    assert main(["generate", "-o", "out"]) == 0
    err = capsys.readouterr().err
    assert "mine/main.html is yours, so the feed's <link> is not added" in err
    staged = (repo.root / "out" / "docs" / "pay" / "index.md").read_text("utf-8")
    assert '<p class="my-panel">pay</p>' in staged
    assert (repo.root / "out" / "overrides" / "main.html").read_text() == \
        '{% extends "base.html" %}\n'
    repo.write("mine/headway/record.html", "{{ record.id.nope() }}\n")
    assert main(["generate", "-o", "out"]) == 2
    assert "headway template" in capsys.readouterr().err


def test_zensical_workflow_templates_use_pinned_official_actions() -> None:
    root = Path(__file__).resolve().parents[1] / "templates" / "headway" / "init"
    for name in ("check-records-zensical.yml", "publish-site-zensical.yml"):
        workflow = yaml.safe_load((root / name).read_text())
        steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
        for action in (step["uses"] for step in steps if "uses" in step):
            owner, _, pinned = action.partition("@")
            assert owner.split("/")[0] == "actions" and pinned[0] == "v" and pinned[1:].isdigit()
        assert all(step["with"]["fetch-depth"] == 0 for step in steps
                   if step.get("uses", "").startswith("actions/checkout"))
        standard = yaml.safe_load((root / name.replace("-zensical", "")).read_text())
        # the same triggers as the standard workflow (YAML 1.1 reads the key `on` as True)
        assert workflow.get(True, workflow.get("on")) == standard.get(True, standard.get("on"))
        assert workflow["permissions"] == standard["permissions"]
