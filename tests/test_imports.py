"""The core never imports MkDocs, and the pure modules never load git: checked in a fresh
interpreter, where nothing else has imported them first."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import headway

ADAPTERS = frozenset({"headway.mkdocs_plugin", "headway.cli"})
# What builds the model and the pages from it: no git, no MkDocs.
PURE = ("model", "parse", "validate", "derive", "pages", "export", "feed", "schema", "flow",
        "flowfields", "flowpages", "digest", "ids", "urls", "statuses", "clock", "pagetext",
        "errors", "adr")


def _modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(headway.__path__, "headway.")]
    return sorted(m for m in found if m not in ADAPTERS)


def _loaded_after(modules: list[str]) -> set[str]:
    """Which of `mkdocs` and `git` a fresh interpreter holds after importing `modules`."""
    script = ("import importlib, json, sys\n"
              f"for name in {modules!r}:\n"
              "    importlib.import_module(name)\n"
              "print(json.dumps([m for m in ('mkdocs', 'git') if m in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True).stdout
    return set(json.loads(out))


def test_every_module_is_found() -> None:
    names = _modules()
    assert {f"headway.{m}" for m in PURE} <= set(names)
    assert "headway.catalog" in names and "headway.generate" in names


def test_the_pure_modules_load_neither_mkdocs_nor_git() -> None:
    assert _loaded_after([f"headway.{m}" for m in PURE]) == set()


def test_no_module_but_the_adapter_loads_mkdocs() -> None:
    assert "mkdocs" not in _loaded_after(_modules())


def test_no_module_loads_gitpython_on_import() -> None:
    assert "git" not in _loaded_after(_modules())
