"""A small crawler over a built site: every internal href and src of every HTML page must name
a file of the site. Used by the tests and by .ci/run (`python tests/crawl.py SITE [PAGE...]`,
which also checks that each PAGE, a URL relative to the site's root, was built)."""

from __future__ import annotations

import re
import sys
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LINK = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def internal_links(site: Path) -> tuple[int, list[tuple[str, str]]]:
    """How many internal links the site's pages hold, and the broken ones (page, link)."""
    count = 0
    broken: list[tuple[str, str]] = []
    root = site.resolve()
    for page in sorted(root.rglob("*.html")):
        html = page.read_text("utf-8", "replace")
        for match in _LINK.finditer(html):
            url = unescape(match.group(1) if match.group(1) is not None else match.group(2))
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("/"):
                continue  # another site, this page's own fragment, or the server's root
            count += 1
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(root):
                broken.append((page.relative_to(root).as_posix(), url))
    return count, broken


def page_file(site: Path, url: str) -> Path:
    """The file a page's URL is served from."""
    return site / url / "index.html" if url.endswith("/") or not url else site / url


def main(argv: list[str]) -> int:
    site, pages = Path(argv[0]), argv[1:]
    missing = [url for url in pages if not page_file(site, url).is_file()]
    count, broken = internal_links(site)
    for url in missing:
        print(f"{site}: page {url} was not built")
    for page, url in broken:
        print(f"{site}/{page}: broken link {url}")
    print(f"{site}: {count} internal links, {len(broken)} broken; {len(pages) - len(missing)} of "
          f"{len(pages)} pages built")
    return 1 if missing or broken or not count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
