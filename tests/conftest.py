"""Fixtures: real git repositories with dated commits in tmp_path, and real MkDocs builds."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# The engine the build tests run on: MkDocs 1.6, or ProperDocs (HEADWAY_ENGINE=properdocs, which
# .ci/run sets for a second pass over them). ProperDocs' replacement module makes every later
# `mkdocs.*` import, the plugin's and the tests', one of ProperDocs' modules, and its plugins log
# on its own logger: that is the one captured.
ENGINE = os.environ.get("HEADWAY_ENGINE", "mkdocs")
if ENGINE == "properdocs":
    import properdocs.replacement  # noqa: F401
elif ENGINE != "mkdocs":
    raise RuntimeError(f"HEADWAY_ENGINE={ENGINE}: expected mkdocs or properdocs")

TODAY_EPOCH = "1790294400"  # 2026-09-25T00:00:00Z: a fixed "today" for reproducible pages


@dataclass
class GitRepo:
    """A git repository in tmp_path whose commits carry the dates and authors a test gives."""

    root: Path
    docs: str = "docs"
    clock: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full = {**os.environ, **self.env, **(env or {})}
        return subprocess.run(["git", *args], cwd=self.root, check=True, text=True,
                              capture_output=True, env=full).stdout

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
        return target

    def record(self, path: str, front: str, body: str = "") -> Path:
        """A record under docs/: `front` is the YAML between the `---` lines."""
        front = textwrap.dedent(front).strip("\n")
        return self.write(f"{self.docs}/{path}", f"---\n{front}\n---\n\n{textwrap.dedent(body)}")

    def commit(self, message: str, date: str, author: str = "Ada Lovelace",
               email: str | None = None, *, add: bool = True) -> str:
        if add:
            self.git("add", "-A")
        email = email or f"{author.split()[0].lower()}@example.com"
        when = f"{date}T12:00:00+00:00" if len(date) == 10 else date
        env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email,
               "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()

    def merge(self, branch: str, message: str, date: str, author: str) -> None:
        """`git merge --no-ff`, as a pull request lands, dated and signed by `author`."""
        email = f"{author.split()[0].lower()}@example.com"
        when = f"{date}T12:00:00+00:00" if len(date) == 10 else date
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env={
            "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})

    def mkdocs_yml(self, extra: str = "", plugins: str = "  - headway\n",
                   theme: str = "mkdocs") -> Path:
        text = (f"site_name: Test records\ndocs_dir: {self.docs}\n"
                f"theme:\n  name: {theme}\nplugins:\n{plugins}{textwrap.dedent(extra)}")
        path = self.root / "mkdocs.yml"
        path.write_text(text, "utf-8")
        return path


def init_repo(root: Path, docs: str = "docs") -> GitRepo:
    root.mkdir(parents=True, exist_ok=True)
    repo = GitRepo(root, docs, env={"GIT_CONFIG_GLOBAL": str(root / ".no-global-gitconfig"),
                                    "GIT_CONFIG_NOSYSTEM": "1"})
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test Runner")
    repo.git("config", "user.email", "runner@example.com")
    repo.git("config", "commit.gpgsign", "false")
    (root / ".gitignore").write_text("site/\n.cache/\n", "utf-8")
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = init_repo(tmp_path / "project")
    r.mkdocs_yml()
    r.write("docs/index.md", "# Home\n\nRecords of a test team.\n")
    return r


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    # GitHub's runners set it: checks would print annotations where tests read plain lines
    # (tests that want annotations set it themselves)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "expect_warnings(*patterns): warnings the test's builds "
                            "may log (regular expressions searched in each message)")


_builds: list[Built] = []  # this test's builds, checked by `no_unexpected_warnings`


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test whose builds logged a warning it neither read (`built.warnings`) nor declared
    (`@pytest.mark.expect_warnings(...)`): MkDocs' logger counted on either engine, as
    `--strict` counts them."""
    _builds.clear()
    yield
    patterns = [re.compile(p) for m in request.node.iter_markers("expect_warnings")
                for p in m.args]
    unexpected = [w for b in _builds if not b.warnings_read for w in b.logged
                  if not any(p.search(w) for p in patterns)]
    _builds.clear()
    if unexpected:
        pytest.fail("the build logged warnings the test did not expect (read built.warnings or "
                    "mark it expect_warnings):\n" + "\n".join(unexpected), pytrace=False)


@dataclass
class Built:
    """The output of a real `mkdocs build`: the site folder and the warnings it logged."""

    site: Path
    logged: list[str]
    warnings_read: bool = False

    @property
    def warnings(self) -> list[str]:
        """The warnings the build logged; reading them is checking them."""
        self.warnings_read = True
        return self.logged

    def html(self, url: str) -> str:
        path = self.site / url
        if url.endswith("/") or not url:
            path = path / "index.html"
        return path.read_text("utf-8")

    def text(self, url: str) -> str:
        """The page's main content as text (tags stripped, entities left escaped)."""
        page = self.html(url)
        start = page.find("<article")
        start = page.find('role="main"') if start < 0 else start
        body = page[start:] if start >= 0 else page
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))

    @property
    def records(self) -> dict[str, Any]:
        data = json.loads((self.site / "headway" / "records.json").read_text("utf-8"))
        return {r["id"]: r for r in data["records"]}

    @property
    def export(self) -> dict[str, Any]:
        return json.loads((self.site / "headway" / "records.json").read_text("utf-8"))


def build(repo: GitRepo, *, strict: bool = False, config: str = "mkdocs.yml") -> Built:
    """Build the repository's site in-process, as `mkdocs build` (or ProperDocs') does,
    capturing warnings."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    handler = Capture()
    logger = logging.getLogger(ENGINE)  # what --strict counts, on either engine
    logger.addHandler(handler)
    cwd = os.getcwd()
    try:
        os.chdir(repo.root)
        cfg = load_config(str(repo.root / config), strict=strict,
                          site_dir=str(repo.root / "site"))
        mkdocs_build(cfg)
    finally:
        os.chdir(cwd)
        logger.removeHandler(handler)
    built = Built(repo.root / "site", records)
    _builds.append(built)
    return built


def run_mkdocs(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` (or `properdocs build`) as a user runs it, in a subprocess."""
    env = {**os.environ, **repo.env}
    return subprocess.run([sys.executable, "-m", ENGINE, "build", *args], cwd=repo.root, text=True,
                          capture_output=True, env=env)


@pytest.fixture
def chdir_repo(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitRepo]:
    monkeypatch.chdir(repo.root)
    yield repo
