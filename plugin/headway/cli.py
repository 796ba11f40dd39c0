"""The `headway` command: check, export and new, over the same core as the MkDocs plugin."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from . import __version__
from .authoring import AuthoringError, new_record
from .catalog import build_catalog, discover
from .derive import site_facts
from .export import records_json
from .model import RECORD_TYPES, Problem
from .settings import ConfigError, Settings, read_settings


def _annotation(problem: Problem) -> str:
    def prop(value: str) -> str:
        return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                .replace(":", "%3A").replace(",", "%2C"))

    message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    line = f",line={problem.line}" if problem.line else ""
    return f"::{problem.severity} file={prop(problem.path)}{line},title=headway::{message}"


def _report(problems: Sequence[Problem], stream: TextIO | None = None) -> None:
    """Each problem as `path:line: message`, or as a GitHub annotation inside Actions."""
    out = stream or sys.stdout
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in sorted(problems, key=lambda p: (p.path, p.line or 0)):
        if github:
            print(_annotation(problem), file=out)
        elif problem.severity == "error":
            print(problem, file=out)
        else:
            print(str(problem).replace(": ", ": warning: ", 1), file=out)


def _settings(args: argparse.Namespace) -> Settings:
    return read_settings(Path(args.config_file))


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    catalog = build_catalog(discover(settings.docs_dir, settings.use_directory_urls), settings,
                            with_history=False)
    _report(catalog.problems)
    count = len(catalog.records)
    if catalog.problems:
        errors = len(catalog.errors)
        print(f"{len(catalog.problems)} problem(s) ({errors} error(s)) in "
              f"{count + len(catalog.excluded)} record(s)", file=sys.stderr)
        return 1
    print(f"{count} record(s), no problems", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = _settings(args)
    catalog = build_catalog(discover(settings.docs_dir, settings.use_directory_urls), settings)
    for warning in catalog.history_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _report(catalog.problems, sys.stderr)
    site = site_facts(catalog.records, catalog.git, catalog.urls, date.today())
    text = records_json(site)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, "utf-8")
        print(f"wrote {len(site.records)} record(s) to {args.output}", file=sys.stderr)
    return 1 if catalog.errors else 0


def cmd_new(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        path = new_record(settings, args.type, args.title, args.initiative,
                          folder=Path(args.dir) if args.dir else None)
    except FileExistsError as exc:
        print(f"headway: {exc}; not overwritten", file=sys.stderr)
        return 2
    except AuthoringError as exc:
        print(f"headway: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="headway", description="Decision and learning records "
                                   "kept in git: check them, export them, write new ones.")
    root.add_argument("--version", action="version", version=f"headway {__version__}")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("-f", "--config-file", default="mkdocs.yml", metavar="FILE",
                       help="the site's MkDocs configuration (default: mkdocs.yml)")
        return p

    command("check", "validate every record and reference; print each problem "
            "as path:line: message").set_defaults(func=cmd_check)
    export = command("export", "write records.json (the same as the site's) without "
                     "building the site")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=cmd_export)
    new = command("new", "write a new record from its type's template and print its path")
    new.add_argument("type", choices=RECORD_TYPES, help="record type")
    new.add_argument("title", help="the record's title")
    new.add_argument("--initiative", metavar="ID", help="initiative id (learning, decision)")
    new.add_argument("--dir", metavar="FOLDER", help="folder to write in (default: chosen "
                     "from the initiative's folder)")
    new.set_defaults(func=cmd_new)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"headway: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
