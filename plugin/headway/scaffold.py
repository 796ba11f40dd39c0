"""`headway init`: set up an existing repository: the plugin entry, workflows, an initiative."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .authoring import new_record
from .history import GitRunner, GitTrouble
from .render import template_dirs
from .settings import ConfigError, ConfigLoader, headway_options, read_settings

WORKFLOWS = ("check-records.yml", "publish-site.yml")
MINIMAL_CONFIG = """site_name: {name}
docs_dir: docs
theme:
  name: material
  features:
    - navigation.prune
plugins:
  - search
  - headway
"""


@dataclass(frozen=True, slots=True)
class Step:
    """One thing `init` did, or found already done."""

    path: Path
    done: bool  # False: it was already there, nothing changed
    what: str


def add_plugin_entry(text: str) -> str | None:
    """mkdocs.yml with `- headway` added at the end of the list under `plugins:` (keeping
    every other line as it is), or None when the plugins are written in a form this cannot
    edit safely."""
    match = re.search(r"^plugins:[ \t]*(#.*)?\n((?:[ \t]*(?:#.*)?\n)*)([ \t]+)- ", text, re.M)
    if match:
        indent = match.group(3)
        # The list goes on over indented lines (its items and their options), blank lines and
        # comments; it ends after the last indented line before the next key.
        end = pos = match.start(3)
        for line in text[pos:].splitlines(keepends=True):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                if not line[:1].isspace():
                    break
                end = pos + len(line)
            pos += len(line)
        before = text[:end] if text[:end].endswith("\n") else text[:end] + "\n"
        return before + f"{indent}- headway\n" + text[end:]
    if re.search(r"^plugins:", text, re.M):
        return None  # a flow list or a mapping: say what to add instead
    # No plugins key yet: MkDocs' default is [search], which naming plugins replaces.
    return text.rstrip("\n") + "\nplugins:\n  - search\n  - headway\n"


def _current_branch(root: Path) -> str | None:
    """The branch checked out in the repository at `root`, if any."""
    try:
        name = GitRunner(root).run("symbolic-ref", "--quiet", "--short", "HEAD").decode().strip()
    except GitTrouble:
        return None
    return name or None


def init_repository(config_file: Path, initiative_title: str | None) -> list[Step]:
    """Write what a repository needs to publish records; never overwrite a file."""
    steps: list[Step] = []
    root = config_file.resolve().parent
    if not config_file.exists():
        config_file.write_text(MINIMAL_CONFIG.format(name=root.name.replace("-", " ").title()),
                               "utf-8")
        steps.append(Step(config_file, True, "a minimal mkdocs.yml with headway enabled"))
    else:
        with config_file.open(encoding="utf-8", newline="") as handle:
            raw = handle.read()
        crlf = "\r\n" in raw
        text = raw.replace("\r\n", "\n")
        try:
            data = yaml.load(text, Loader=ConfigLoader) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_file}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            data = {}
        if headway_options(data.get("plugins")) is not None:
            steps.append(Step(config_file, False, "headway is already enabled"))
        elif "INHERIT" in data and "plugins" not in data:
            # A plugins list written here would replace the inherited one, not extend it.
            raise ConfigError(f"{config_file}: its plugins come from {data['INHERIT']} "
                              f"(INHERIT); add `- headway` to the plugins listed there")
        else:
            edited = add_plugin_entry(text)
            if edited is None:
                raise ConfigError(f"{config_file}: add `- headway` to `plugins:` yourself (it "
                                  f"is written in a form headway does not edit)")
            with config_file.open("w", encoding="utf-8", newline="") as handle:
                handle.write(edited.replace("\n", "\r\n") if crlf else edited)
            steps.append(Step(config_file, True, "added `- headway` under plugins"))
    read_settings(config_file, docs_must_exist=False).docs_dir.mkdir(parents=True, exist_ok=True)
    settings = read_settings(config_file)

    workflows = root / ".github" / "workflows"
    branch = _current_branch(root)
    for name in WORKFLOWS:
        target = workflows / name
        if target.exists():
            steps.append(Step(target, False, "already there, left as it is"))
            continue
        source = Path(template_dirs()[0]) / "headway" / "init" / name
        workflows.mkdir(parents=True, exist_ok=True)
        text = source.read_text("utf-8")
        if branch is not None and branch != "main":  # publish from the branch in use
            text = text.replace("branches: [main]", f"branches: [{json.dumps(branch)}]")
        target.write_text(text, "utf-8")
        steps.append(Step(target, True, "GitHub Actions workflow"))

    from .catalog import build_catalog, discover

    catalog = build_catalog(discover(settings), settings, with_history=False)
    has_initiative = any(r.type == "initiative" for r in catalog.records.values())
    if initiative_title or not has_initiative:
        try:
            path = new_record(settings, "initiative", initiative_title or "First initiative",
                              None)
            steps.append(Step(path, True, "a first initiative"))
        except FileExistsError as exc:
            steps.append(Step(Path(str(exc).split(" already")[0]), False, "already there"))
    else:
        steps.append(Step(settings.docs_dir, False, "initiatives already exist"))
    return steps
