"""`headway init`: set up an existing repository: the plugin entry, workflows, an initiative."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .authoring import new_record
from .errors import ConfigError, RecordExists
from .git.runner import GitRunner
from .render import template_dirs
from .settings import ConfigLoader, headway_options, plugin_entries, read_settings

WORKFLOWS = ("check-records.yml", "publish-site.yml")
ENGINES = ("mkdocs", "properdocs", "zensical")
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
    """One thing `init` did, or found already done, or left for the user to do (a note)."""

    path: Path
    done: bool  # False: it was already there, nothing changed
    what: str
    note: bool = False


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


def _publish_branch(root: Path) -> str | None:
    """The branch the site is published from: the remote's default branch (`origin/HEAD`),
    else the branch checked out. (Not simply the one checked out: `init` is usually run on
    the branch of the pull request that adds headway.)"""
    git = GitRunner(root)
    remote = git.answer("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote and "/" in remote:
        return remote.partition("/")[2]
    return git.answer("symbolic-ref", "--quiet", "--short", "HEAD")


# MkDocs' and Material's own (Material's social and optimize need its [imaging] extra).
_PLUGINS_WITHOUT_PACKAGE = frozenset({"search", "headway", "tags", "blog", "offline", "privacy",
                                      "info", "meta", "group"})


def other_plugins(plugins: object) -> list[str]:
    """The plugins of mkdocs.yml that need a package of their own (not MkDocs', Material's or
    headway's), which the workflows do not install."""
    # `material/tags` is Material's own; a plugin is named by its last part
    return [name for name, _ in plugin_entries(plugins)
            if name.rpartition("/")[2] not in _PLUGINS_WITHOUT_PACKAGE]


def headway_requirement(engine: str = "mkdocs") -> tuple[str, str | None]:
    """What the workflows `pip install` for headway (with the engine's extra), and a note
    when that cannot be installed yet: the version running `init`, from the git repository
    it was installed from (pinned to its commit), else from the package index as a
    compatible version (`~=0.Y.0` while headway is 0.x, where a minor release may break;
    `~=X.Y` from 1.0 on)."""
    from importlib.metadata import PackageNotFoundError, distribution

    from . import __version__

    name = "mkdocs-headway" + (f"[{engine}]" if engine != "mkdocs" else "")
    major, minor = __version__.split(".")[:2]
    compatible = f"{name}~={major}.{minor}" + (".0" if major == "0" else "")
    try:
        direct = distribution("mkdocs-headway").read_text("direct_url.json")
    except PackageNotFoundError:
        direct = None
    origin = json.loads(direct) if direct else {}
    vcs = origin.get("vcs_info") if isinstance(origin, dict) else None
    url = str(origin.get("url", ""))
    if isinstance(vcs, dict) and vcs.get("commit_id") and not url.startswith("file:"):
        return f"{name} @ git+{url}@{vcs['commit_id']}", None
    if url:  # a local clone: the index is all CI can reach
        return compatible, (f"headway here was installed from {url}, not from PyPI; the "
                            f"workflows install {compatible} from PyPI, which exists from "
                            f"headway's first release on (until then, install it there from "
                            f"its git repository: pip install \"{name} @ git+https://...\")")
    return compatible, None


def workflow_text(template: str, branch: str | None, folder: str, config_name: str,
                  engine: str = "mkdocs", requirement: str = "mkdocs-headway") -> str:
    """A workflow template fitted to the repository: published from `branch`; the site in
    `folder` (relative to the repository's root, "." for the root) described by
    `config_name`, built by `engine`, installing headway as `requirement`."""
    text = template.replace("pip install mkdocs-headway zensical",
                            f"pip install {json.dumps(requirement)}")
    text = text.replace("pip install mkdocs-headway", f"pip install {json.dumps(requirement)}")
    if engine == "properdocs":
        text = text.replace("run: mkdocs build --strict", "run: properdocs build --strict")
    if branch is not None and branch != "main":
        text = text.replace("branches: [main]", f"branches: [{json.dumps(branch)}]")
    if config_name != "mkdocs.yml":
        text = text.replace("run: headway check", f"run: headway check -f {json.dumps(config_name)}")
        text = text.replace("build --strict\n", f"build --strict -f {json.dumps(config_name)}\n")
        text = text.replace("run: headway generate", f"run: headway generate -f "
                            f"{json.dumps(config_name)}")
    if folder != ".":
        text = text.replace("\njobs:\n", f"\ndefaults:\n  run:  # the site is in a folder of the "
                            f"repository\n    working-directory: {json.dumps(folder)}\n\njobs:\n")
        for path in (".cache/headway", "site", "site-src/site"):
            text = text.replace(f"path: {path}\n", f"path: {json.dumps(f'{folder}/{path}')}\n")
    return text


def init_repository(config_file: Path, initiative_title: str | None,
                    engine: str = "mkdocs") -> list[Step]:
    """Write what a repository needs to publish records with `engine` (MkDocs, ProperDocs,
    or Zensical through `headway generate`); never overwrite a file."""
    steps: list[Step] = []
    root = config_file.resolve().parent
    plugins: object = None  # as mkdocs.yml lists them (MkDocs' default when it has none)
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
        plugins = data.get("plugins")
        if headway_options(plugins) is not None:
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

    # GitHub reads workflows only at the repository's root, whichever folder the site is in.
    top = GitRunner(root).answer("rev-parse", "--show-toplevel")
    repo_root = Path(top).resolve() if top else root
    workflows = repo_root / ".github" / "workflows"
    folder = root.relative_to(repo_root).as_posix() if root.is_relative_to(repo_root) else "."
    branch = _publish_branch(repo_root)
    requirement, install_note = headway_requirement(engine)
    for name in WORKFLOWS:
        target = workflows / name
        if target.exists():
            steps.append(Step(target, False, "already there, left as it is"))
            continue
        template = name.replace(".yml", "-zensical.yml") if engine == "zensical" else name
        source = Path(template_dirs()[0]) / "headway" / "init" / template
        workflows.mkdir(parents=True, exist_ok=True)
        target.write_text(workflow_text(source.read_text("utf-8"), branch, folder,
                                        config_file.name, engine, requirement), "utf-8")
        what = f"GitHub Actions workflow, building with {engine}"
        if name == "publish-site.yml":
            what += f", publishing on every push to {branch or 'main'}"
        steps.append(Step(target, True, what))
    if install_note and any(step.done and step.path.parent == workflows for step in steps):
        steps.append(Step(workflows, False, install_note, note=True))
    others = other_plugins(plugins)
    if others and any(step.done and step.path.parent == workflows for step in steps):
        steps.append(Step(workflows, False, f"add the packages of the site's other plugins "
                          f"({', '.join(others)}) to the workflows' Install step", note=True))

    from .catalog import build_catalog, discover

    catalog = build_catalog(discover(settings), settings, with_history=False)
    has_initiative = any(r.type == "initiative" for r in catalog.records.values())
    if initiative_title or not has_initiative:
        try:
            path = new_record(settings, "initiative", initiative_title or "First initiative",
                              None)
            steps.append(Step(path, True, "a first initiative"))
        except RecordExists as exc:
            steps.append(Step(exc.path, False, "already there"))
    else:
        steps.append(Step(settings.docs_dir, False, "initiatives already exist"))
    return steps
