"""Plain settings the core runs with, and reading them from `mkdocs.yml` without MkDocs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .parse import Limits


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the core needs to know about a site; built by the CLI or the MkDocs adapter."""

    docs_dir: Path
    config_dir: Path
    site_name: str = "headway"
    site_url: str | None = None
    repo_url: str | None = None
    use_directory_urls: bool = True
    first_parent: bool = True
    cache_dir: Path | None = None
    limits: Limits = field(default_factory=Limits)
    exclude: tuple[str, ...] = ()


class ConfigError(Exception):
    """`mkdocs.yml` is missing or unusable; the message says which and why."""


class _LenientLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs' own tags (`!ENV`, `!relative`, `!!python/name:`) as text."""


def _any_tag(loader: _LenientLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("!", _any_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def headway_options(plugins: Any) -> dict[str, Any] | None:
    """The `headway` entry of `plugins:` (a list of names or one-key mappings), or None."""
    if isinstance(plugins, dict):
        plugins = [{k: v} for k, v in plugins.items()]
    for entry in plugins or []:
        if entry == "headway":
            return {}
        if isinstance(entry, dict) and "headway" in entry:
            value = entry["headway"]
            return value if isinstance(value, dict) else {}
    return None


def settings_from_options(
    options: dict[str, Any], *, docs_dir: Path, config_dir: Path, site_name: str = "headway",
    site_url: str | None = None, repo_url: str | None = None, use_directory_urls: bool = True,
    exclude: tuple[str, ...] = (),
) -> Settings:
    """Settings from the plugin's options (the same keys whether MkDocs or the CLI reads them)."""
    cache = options.get("cache_dir", ".cache/headway")
    defaults = Limits()
    return Settings(
        docs_dir=docs_dir,
        config_dir=config_dir,
        site_name=site_name,
        site_url=site_url,
        repo_url=repo_url,
        use_directory_urls=use_directory_urls,
        first_parent=bool(options.get("first_parent", True)),
        cache_dir=(config_dir / cache) if cache and options.get("cache", True) else None,
        limits=Limits(
            max_file_bytes=int(options.get("max_file_bytes", defaults.max_file_bytes)),
            max_front_matter_bytes=int(options.get("max_front_matter_bytes",
                                                   defaults.max_front_matter_bytes)),
        ),
        exclude=exclude,
    )


def read_settings(config_file: Path) -> Settings:
    """Settings for the site `config_file` (an `mkdocs.yml`) describes."""
    try:
        data = yaml.load(config_file.read_text("utf-8"), Loader=_LenientLoader)
    except FileNotFoundError as exc:
        raise ConfigError(f"{config_file}: no such file; run headway where mkdocs.yml is, "
                          f"or name it with -f") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{config_file}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{config_file}: expected a mapping of settings")
    config_dir = config_file.resolve().parent
    docs_dir = (config_dir / str(data.get("docs_dir", "docs"))).resolve()
    if not docs_dir.is_dir():
        raise ConfigError(f"{config_file}: docs_dir '{data.get('docs_dir', 'docs')}' is not "
                          f"a folder")
    options = headway_options(data.get("plugins")) or {}
    exclude = data.get("exclude_docs")
    return settings_from_options(
        options, docs_dir=docs_dir, config_dir=config_dir,
        site_name=str(data.get("site_name", "headway")),
        site_url=data.get("site_url") or None, repo_url=data.get("repo_url") or None,
        use_directory_urls=bool(data.get("use_directory_urls", True)),
        exclude=tuple(str(exclude).split("\n")) if exclude else (),
    )
