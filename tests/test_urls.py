"""Page URLs and links as MkDocs makes them: both URL styles, and commit links on each host."""

from __future__ import annotations

import pytest
from conftest import GitRepo, build
from test_pages import team

from headway.pages import commit_url


def test_links_follow_use_directory_urls_false(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml("use_directory_urls: false\n")
    built = build(repo, strict=True)
    assert built.records["0001-stripe"]["url"] == "pay/0001-stripe.html"
    page = (built.site / "pay" / "0001-stripe.html").read_text()
    assert 'href="../initiatives/pay/index.html"' in page
    cards = (built.site / "initiatives" / "index.html").read_text()
    assert 'href="pay/index.html"' in cards and 'href="../blocked/index.html"' in cards
    initiative = (built.site / "initiatives" / "pay" / "index.html").read_text()
    assert 'href="../../pay/0001-stripe.html"' in initiative


@pytest.mark.parametrize("directory_urls", [True, False])
def test_page_urls_agree_with_mkdocs(directory_urls: bool) -> None:
    """headway works out page URLs without MkDocs (for the CLI); they must be MkDocs' own."""
    from mkdocs.structure.files import File

    from headway.urls import page_url

    for src_uri in ["index.md", "README.md", "a/README.md", "a/index.markdown", "a/b.md",
                    "a/b/c.mdown", "x.y.md", "a/Index.md", "readme.md", "0001-use-stripe.md"]:
        expected = File(src_uri, "/docs", "/site", directory_urls).url
        expected = "" if expected == "./" else expected  # the site root, as headway writes it
        assert page_url(src_uri, directory_urls) == expected, src_uri


def test_commit_links_on_other_hosts() -> None:
    assert commit_url("https://gitlab.com/a/b", "c0ffee") == "https://gitlab.com/a/b/-/commit/c0ffee"
    assert commit_url("https://bitbucket.org/a/b/", "c0ffee") == \
        "https://bitbucket.org/a/b/commits/c0ffee"
    assert commit_url("https://github.com/a/b.git", "c0ffee") == \
        "https://github.com/a/b/commit/c0ffee"
    assert commit_url(None, "c0ffee") is None
