"""Plain settings the core runs with, and reading them from `mkdocs.yml` without MkDocs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, TypeVar

import yaml

from .errors import ConfigError
from .ids import ID_PATTERN, slugify
from .model import STATUSES
from .parse import Limits

ADR_FORMATS = ("auto", "madr", "nygard", "log4brains", "headway")


@dataclass(frozen=True, slots=True)
class AdrFolder:
    """A folder of existing decision records written for another tool (see adr.py)."""

    folder: str  # relative to docs_dir, with forward slashes, no trailing slash
    initiative: str
    format: str = "auto"
    # the status of a record that writes none and states no outcome (see adr.reading.status_read)
    default_status: str = "exploring"

    def holds(self, src_uri: str) -> bool:
        return src_uri.startswith(self.folder + "/") if self.folder else True


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
    adr_folders: tuple[AdrFolder, ...] = ()
    nav_records: bool = False
    feed_limit: int | None = None

    def adr_folder_of(self, src_uri: str) -> AdrFolder | None:
        """The ADR folder a page is in (the deepest, when folders nest), if any."""
        found = [f for f in self.adr_folders if f.holds(src_uri)]
        return max(found, key=lambda f: len(f.folder)) if found else None


class ConfigLoader(yaml.SafeLoader):
    """Safe YAML that reads MkDocs' own tags (`!ENV`, `!relative`, `!!python/name:`) as text."""


def _any_tag(loader: ConfigLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


def _env_tag(loader: ConfigLoader, node: yaml.Node) -> Any:
    """`!ENV VAR` or `!ENV [VAR, OTHER, default]` as MkDocs reads it: the first variable set
    (its text read as YAML), else the default (the last of several), else None."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        names = [loader.construct_object(child) for child in node.value]
        default = names.pop() if len(names) > 1 else None
    else:
        return None
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return yaml.safe_load(os.environ[name]) if os.environ[name] else ""
    return default


ConfigLoader.add_constructor("!ENV", _env_tag)
ConfigLoader.add_multi_constructor("!", _any_tag)
ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def plugin_entries(plugins: Any) -> list[tuple[str, Any]]:
    """`plugins:` of mkdocs.yml (a list of names and one-key mappings, or a mapping) as
    (name, options) pairs; None for the options of a plugin named alone."""
    if isinstance(plugins, dict):
        return [(str(name), value) for name, value in plugins.items()]
    entries: list[tuple[str, Any]] = []
    for entry in plugins if isinstance(plugins, list) else []:
        if isinstance(entry, str):
            entries.append((entry, None))
        elif isinstance(entry, dict):
            entries.extend((str(name), value) for name, value in entry.items())
    return entries


def headway_options(plugins: Any) -> dict[str, Any] | None:
    """The `headway` entry of `plugins:` (its options), or None."""
    for name, value in plugin_entries(plugins):
        if name == "headway":
            return value if isinstance(value, dict) else {}
    return None


def adr_folders(entries: Any) -> tuple[AdrFolder, ...]:
    """The `adr_folders` option: a list of `{folder, initiative?, format?, default_status?}`."""

    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise ConfigError("adr_folders must be a list of {folder, initiative, format} entries")
    out = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            entry = {"folder": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("folder"), str):
            raise ConfigError(f"adr_folders entry {index + 1} needs `folder:` (a folder "
                              f"relative to docs_dir, e.g. architecture/adr)")
        given = entry["folder"].replace("\\", "/")
        if PurePosixPath(given).is_absolute() or PureWindowsPath(given).drive:
            raise ConfigError(f"adr_folders entry {index + 1}: folder '{entry['folder']}' must "
                              f"be relative to docs_dir (e.g. architecture/adr)")
        folder = "/".join(part for part in given.split("/") if part not in ("", "."))
        if folder.startswith("..") or "/../" in f"/{folder}/":
            raise ConfigError(f"adr_folders entry {index + 1}: folder '{folder}' must be "
                              f"inside docs_dir")
        initiative = entry.get("initiative") or slugify(folder.rsplit("/", 1)[-1] or "decisions")
        if not isinstance(initiative, str):
            raise ConfigError(f"adr_folders entry {index + 1}: initiative must be text (an "
                              f"id such as architecture), not {initiative!r}")
        if not ID_PATTERN.match(initiative):
            raise ConfigError(f"adr_folders entry {index + 1}: initiative '{initiative}' is "
                              f"not a valid id (lowercase letters, digits, '-', '_', '.')")
        fmt = entry.get("format", "auto")
        if fmt not in ADR_FORMATS:
            raise ConfigError(f"adr_folders entry {index + 1}: format '{fmt}' is not one of "
                              f"{', '.join(ADR_FORMATS)}")
        default = entry.get("default_status") or "exploring"
        if default not in STATUSES["decision"]:
            raise ConfigError(f"adr_folders entry {index + 1}: default_status '{default}' is not "
                              f"one of {', '.join(STATUSES['decision'])}")
        out.append(AdrFolder(folder, initiative, fmt, default))
    return tuple(out)


# The plugin's options and their defaults, declared once: mkdocs_plugin.HeadwayConfig takes
# its defaults from here (a test keeps the two alike), and the CLI, which reads mkdocs.yml
# itself, refuses what a build would refuse.
OPTION_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "first_parent": True,
    "cache_dir": ".cache/headway",
    "nav_records": False,
    "max_file_bytes": Limits().max_file_bytes,
    "max_front_matter_bytes": Limits().max_front_matter_bytes,
    "adr_folders": [],
    "feed_limit": None,
}
OPTION_NAMES = tuple(OPTION_DEFAULTS)


def _option(options: dict[str, Any], key: str, kind: type[_T], default: _T) -> _T:
    """One option of the plugin, of the kind it must be (MkDocs checks the same when it
    builds; the CLI reads mkdocs.yml itself, so it checks here)."""
    value = options.get(key, default)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"option `{key}` must be {_KIND_NAMES[kind]}, not {value!r}")
    return value


_T = TypeVar("_T")
_KIND_NAMES: dict[type, str] = {bool: "true or false", int: "a whole number (of bytes)",
                                str: "text (a folder)"}


def settings_from_options(
    options: dict[str, Any], *, docs_dir: Path, config_dir: Path, site_name: str = "headway",
    site_url: str | None = None, repo_url: str | None = None, use_directory_urls: bool = True,
    exclude: tuple[str, ...] = (),
) -> Settings:
    """Settings from the plugin's options (the same keys whether MkDocs or the CLI reads them)."""
    from .validate import suggest

    for key in options:
        if key not in OPTION_NAMES:
            hint = suggest(str(key), OPTION_NAMES) or f"; known: {', '.join(OPTION_NAMES)}"
            raise ConfigError(f"unknown option `{key}` of the headway plugin{hint}")
    _option(options, "enabled", bool, OPTION_DEFAULTS["enabled"])
    feed_limit = _option(options, "feed_limit", int, 0) if options.get("feed_limit") is not None \
        else None
    limits = Limits(
        max_file_bytes=_option(options, "max_file_bytes", int,
                               OPTION_DEFAULTS["max_file_bytes"]),
        max_front_matter_bytes=_option(options, "max_front_matter_bytes", int,
                                       OPTION_DEFAULTS["max_front_matter_bytes"]),
    )
    for key in ("max_file_bytes", "max_front_matter_bytes"):
        if getattr(limits, key) < 1:
            raise ConfigError(f"option `{key}` must be a positive number of bytes, not "
                              f"{getattr(limits, key)} (default {OPTION_DEFAULTS[key]})")
    folders = adr_folders(options.get("adr_folders"))
    for folder in folders:
        if docs_dir.is_dir() and not (docs_dir / folder.folder).is_dir():
            raise ConfigError(f"adr_folders: '{folder.folder}' is not a folder in docs_dir "
                              f"({docs_dir}); give its path relative to docs_dir")
    cache = _option(options, "cache_dir", str, OPTION_DEFAULTS["cache_dir"])
    where = config_dir / cache
    while cache and not where.exists() and where.parent != where:  # made when missing
        where = where.parent
    if cache and not where.is_dir():
        raise ConfigError(f"cache_dir: '{cache}' is not a folder ({where.name} is a file); "
                          f"name a folder (it is made when missing), or give cache_dir: \"\" "
                          f"to keep no cache")
    return Settings(
        docs_dir=docs_dir,
        config_dir=config_dir,
        site_name=site_name,
        site_url=site_url,
        repo_url=repo_url,
        use_directory_urls=use_directory_urls,
        first_parent=_option(options, "first_parent", bool, OPTION_DEFAULTS["first_parent"]),
        cache_dir=(config_dir / cache) if cache else None,
        limits=limits,
        exclude=exclude,
        adr_folders=folders,
        nav_records=_option(options, "nav_records", bool, OPTION_DEFAULTS["nav_records"]),
        feed_limit=feed_limit,
    )


# The names a site's configuration goes by, in the order ProperDocs looks for them (MkDocs
# reads only the last two).
CONFIG_NAMES = ("properdocs.yml", "properdocs.yaml", "mkdocs.yml", "mkdocs.yaml")


def find_config(folder: Path) -> Path:
    """The site's configuration in `folder`: ProperDocs' `properdocs.yml` (or `.yaml`), else
    `mkdocs.yml` (or `.yaml`), as ProperDocs looks for them; `mkdocs.yml` when there is none
    (for `init` to write, and for the error to name)."""
    for name in CONFIG_NAMES:
        if (folder / name).is_file():
            return folder / name
    return folder / "mkdocs.yml"


def read_settings(config_file: Path, *, docs_must_exist: bool = True) -> Settings:
    """Settings for the site `config_file` (an `mkdocs.yml`) describes."""
    try:
        data = yaml.load(config_file.read_text("utf-8"), Loader=ConfigLoader)
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
    if docs_must_exist and not docs_dir.is_dir():
        raise ConfigError(f"{config_file}: docs_dir '{data.get('docs_dir', 'docs')}' is not "
                          f"a folder")
    options = headway_options(data.get("plugins")) or {}
    exclude = data.get("exclude_docs") or ""
    return settings_from_options(
        options, docs_dir=docs_dir, config_dir=config_dir,
        site_name=str(data.get("site_name", "headway")),
        site_url=data.get("site_url") or None, repo_url=data.get("repo_url") or None,
        use_directory_urls=bool(data.get("use_directory_urls", True)),
        exclude=tuple(line for line in str(exclude).splitlines() if line.strip()),
    )
