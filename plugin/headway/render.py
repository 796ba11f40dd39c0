"""The Jinja environment: the user's template folders first, headway's defaults last."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape


@lru_cache(maxsize=1)
def _package_templates() -> Path:
    """templates/ inside the installed wheel, or the repository's own in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "headway").is_dir():
            return candidate
    raise RuntimeError(f"headway's templates are missing (looked in {here / 'templates'}); "
                       f"reinstall mkdocs-headway")


def template_dirs() -> list[str]:
    """Folders holding headway's default templates (one; a list to extend a search path)."""
    return [str(_package_templates())]


def time_tag(value: date | str | None, label: str | None = None) -> Markup:
    """`<time datetime="YYYY-MM-DD">` for any date the pages show."""
    if value is None or value == "":
        return Markup("")
    iso = escape(value.isoformat() if isinstance(value, date) else str(value)[:10])
    return Markup(f'<time datetime="{iso}">{escape(label) if label else iso}</time>')


def day_count(value: float) -> str:
    """A number of days as the pages show it: whole when it is (a median of an even count
    of values may end in .5), else to one decimal; the same number always looks the same."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def environment(user_dirs: Sequence[str | Path] = ()) -> jinja2.Environment:
    """Templates are looked up in `user_dirs` (the theme's, custom_dir first), then headway's."""
    search = [str(d) for d in user_dirs if Path(d).is_dir()] + template_dirs()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(dict.fromkeys(search))),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["time"] = time_tag
    env.filters["days"] = day_count
    env.filters["e"] = escape
    return env
