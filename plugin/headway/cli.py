"""The `headway` command (check, export, digest, new, schema, init, convert) over the same core as the
MkDocs plugin."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__
from .bulk import gc_paused
from .catalog import build_catalog, discover, find_repo_root
from .clock import build_day
from .derive import site_facts
from .errors import ConfigError, HeadwayError
from .export import records_json
from .model import RECORD_TYPES, Problem
from .parse import Limits
from .settings import ADR_FORMATS, AdrFolder, Settings, find_config, read_settings


def _annotation(problem: Problem) -> str:
    def prop(value: str) -> str:
        return (value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                .replace(":", "%3A").replace(",", "%2C"))

    message = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    line = f",line={problem.line}" if problem.line else ""
    level = "notice" if problem.severity == "note" else problem.severity
    return f"::{level} file={prop(problem.path)}{line},title=headway::{message}"


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
            print(str(problem).replace(": ", f": {problem.severity}: ", 1), file=out)


def _settings(args: argparse.Namespace) -> Settings:
    return read_settings(Path(args.config_file))


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    catalog = build_catalog(discover(settings), settings,
                            with_history=False)
    if args.changed:
        from .changes import affected_paths, changed_paths, former_ids  # --changed only

        root = find_repo_root(settings.docs_dir)
        if root is None:
            raise ConfigError("--changed needs a git repository")
        changed = changed_paths(root, args.changed)  # GitTrouble: a HeadwayError, exit 2
        prefix = settings.docs_dir.resolve().relative_to(root.resolve()).as_posix()
        formerly = former_ids(root, changed, "" if prefix == "." else prefix)
        scope = affected_paths(catalog, changed.paths, formerly) | changed.paths
        problems = [p for p in catalog.problems if p.path in scope]
        _report(problems + [n for n in catalog.notes if n.path in scope])
        checked = len(scope & catalog.record_paths)
        print(f"checked {checked} record(s) changed or affected since {args.changed}: "
              f"{len(problems)} problem(s)", file=sys.stderr)
        return 1 if problems else 0
    _report(catalog.problems + catalog.notes)
    count = len(catalog.records)
    if catalog.notes:  # not problems: a valid record need not write its status
        print(f"{len(catalog.notes)} note(s): ADR records whose status headway read from "
              f"what they say, or shows as written", file=sys.stderr)
    if catalog.problems:
        errors = len(catalog.errors)
        print(f"{len(catalog.problems)} problem(s) ({errors} error(s)) in "
              f"{count + len(catalog.excluded)} record(s)", file=sys.stderr)
        return 1
    print(f"{count} record(s), no problems", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    settings = _settings(args)
    catalog = build_catalog(discover(settings), settings)
    for warning in catalog.history_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _report(catalog.problems, sys.stderr)
    site = site_facts(catalog.records, catalog.git, catalog.urls, build_day(),
                      settings.use_directory_urls, catalog.ghosts)
    text = records_json(site)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, "utf-8")
        print(f"wrote {len(site.records)} record(s) to {args.output}", file=sys.stderr)
    # History git could not read (missing or corrupt objects) is not lost silently either.
    return 1 if catalog.errors or catalog.history_incomplete else 0


def cmd_digest(args: argparse.Namespace) -> int:
    from .digest import digest_markdown, parse_since

    today = build_day()
    since = parse_since(args.since, today)
    settings = _settings(args)
    catalog = build_catalog(discover(settings), settings)
    for warning in catalog.history_warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _report(catalog.problems, sys.stderr)
    site = site_facts(catalog.records, catalog.git, catalog.urls, today,
                      settings.use_directory_urls, catalog.ghosts)
    sys.stdout.write(digest_markdown(site, since, settings.site_url))
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .authoring import new_record  # Jinja is only needed here

    settings = _settings(args)
    path = new_record(settings, args.type, args.title, args.initiative,
                      folder=Path(args.dir) if args.dir else None,
                      new_initiative=args.new_initiative)
    print(path)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Rewrite a folder of MADR, adr-tools or log4brains records into headway's front matter."""
    from .adr import convert_folder
    from .ids import ID_PATTERN, slugify

    config = Path(args.config_file)
    settings = read_settings(config) if config.exists() else None
    target = Path(args.folder)
    if not target.is_dir() and settings is not None and (settings.docs_dir / args.folder).is_dir():
        target = settings.docs_dir / args.folder
    if not target.is_dir():
        print(f"headway: {args.folder}: no such folder", file=sys.stderr)
        return 2
    target = target.resolve()
    docs_dir = target.parent
    if settings is not None and target.is_relative_to(settings.docs_dir):
        docs_dir = settings.docs_dir
    rel = "" if target == docs_dir else target.relative_to(docs_dir).as_posix()
    configured = settings.adr_folder_of(f"{rel}/x.md" if rel else "x.md") if settings else None
    initiative = args.initiative or (configured.initiative if configured else None) or \
        slugify(target.name)
    if not ID_PATTERN.match(initiative):
        print(f"headway: --initiative '{initiative}' is not a valid id", file=sys.stderr)
        return 2
    fmt = args.format or (configured.format if configured else "auto")
    if fmt == "headway":
        fmt = "auto"
    base = find_repo_root(target) or Path.cwd()
    conversions = convert_folder(target, AdrFolder(rel, initiative, fmt), docs_dir, base,
                                 settings.limits if settings is not None else Limits())
    changed = 0
    for conversion in conversions:
        _report(conversion.problems, sys.stderr)
        if conversion.after is None:
            if conversion.note.startswith("not converted"):
                print(f"{conversion.display}: {conversion.note}", file=sys.stderr)
            continue
        changed += 1
        sys.stdout.write(conversion.diff())
        if args.write:
            conversion.path.write_text(conversion.after, "utf-8")
    where = target.relative_to(base).as_posix() if target.is_relative_to(base) else str(target)
    if changed and configured is None:  # nothing declares the initiative they now name
        print(f"note: the records name initiative '{initiative}': write its record (headway "
              f"new initiative ... at {rel or '.'}/index.md, id '{initiative}') or list the "
              f"folder under the plugin's adr_folders option (folder: {rel or '.'}, "
              f"initiative: {initiative}); else `headway check` warns that it has no record",
              file=sys.stderr)
    if args.write:
        print(f"converted {changed} record(s) in {where}", file=sys.stderr)
    else:
        print(f"{changed} record(s) in {where} to convert; nothing written (add --write to "
              f"write them)", file=sys.stderr)
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Write a project that MkDocs, ProperDocs or Zensical builds without the plugin."""
    from .generate import generate

    out = Path(args.output)
    result = generate(Path(args.config_file), out, strict=args.strict)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _report(result.problems, sys.stderr)
    if not result.written:
        print(f"headway: {len(result.problems)} problem(s) and {len(result.warnings)} "
              f"warning(s); nothing written (--strict)", file=sys.stderr)
        return 1
    print(f"wrote {out}: {result.records} record(s), {result.pages} page(s) of headway's; "
          f"build it with `mkdocs build`, `properdocs build` or `zensical build --clean` "
          f"run in {out}", file=sys.stderr)
    return 1 if result.left_out else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import record_schema

    print(json.dumps(record_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import init_repository

    steps = init_repository(Path(args.config_file), args.initiative, args.engine)
    cwd = Path.cwd().resolve()
    for step in steps:
        try:
            shown = step.path.resolve().relative_to(cwd).as_posix()
        except ValueError:
            shown = str(step.path)
        if step.note:
            print(f"to do: {step.what} ({shown})")
        else:
            print(f"{'wrote' if step.done else 'already there'}: {shown} ({step.what})")
    if any(step.done for step in steps):
        print("next: commit these files; in GitHub, Settings > Pages > Source: GitHub Actions",
              file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="headway", description="Decision and learning records "
                                   "kept in git: check them, export them, write new ones.")
    root.add_argument("--version", action="version", version=f"headway {__version__}")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("-f", "--config-file", default=None, metavar="FILE",
                       action=_ConfigFile,
                       help="the site's configuration (default: properdocs.yml or "
                       "mkdocs.yml, in the current folder)")
        p.set_defaults(subparser=p)  # its own usage for arguments it does not know
        return p

    check = command("check", "validate every record and reference; print each problem "
                    "as path:line: message")
    check.add_argument("--changed", metavar="BASE", help="report only on the records changed "
                       "since the branch left BASE (e.g. origin/main) and those that refer to "
                       "them")
    check.set_defaults(func=cmd_check)
    export = command("export", "write records.json (the same as the site's) without "
                     "building the site")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=cmd_export)
    digest = command("digest", "print Markdown for a weekly update: decided, proposed, "
                     "learned, newly blocked and unblocked since a day, and what is overdue")
    digest.add_argument("--since", required=True, metavar="DATE", help="YYYY-MM-DD, or days "
                        "or weeks back: 7d, 2w")
    digest.set_defaults(func=cmd_digest)
    new = command("new", "write a new record from its type's template and print its path")
    new.add_argument("type", choices=RECORD_TYPES, help="record type")
    new.add_argument("title", help="the record's title")
    new.add_argument("--initiative", metavar="ID", help="initiative id (learning, decision)")
    new.add_argument("--dir", metavar="FOLDER", help="folder to write in (default: chosen "
                     "from the initiative's folder)")
    new.add_argument("--new-initiative", action="store_true", help="the initiative has no "
                     "record and no record names it yet: start it anyway (without this, an "
                     "unknown --initiative is refused with the nearest existing one)")
    new.set_defaults(func=cmd_new)
    convert = command("convert", "rewrite a folder of MADR, adr-tools or log4brains records "
                      "into headway's front matter (prints a diff; writes only with --write)")
    convert.add_argument("folder", help="the folder (a path, or relative to docs_dir)")
    convert.add_argument("--write", action="store_true", help="write the files (default: only "
                         "print the diff)")
    convert.add_argument("--initiative", metavar="ID", help="the records' initiative (default: "
                         "the folder's adr_folders entry, else its name)")
    convert.add_argument("--format", choices=[f for f in ADR_FORMATS if f != "headway"],
                         help="the records' format (default: the folder's entry, else auto)")
    convert.set_defaults(func=cmd_convert)
    command("schema", "print the JSON Schema of record front matter (for editors)"
            ).set_defaults(func=cmd_schema)
    init = command("init", "set up this repository: enable the plugin in mkdocs.yml, add the "
                   "GitHub workflows and a first initiative (never overwrites)")
    init.add_argument("--initiative", metavar="TITLE", help="title of the first initiative")
    init.add_argument("--create-config", action="store_true", help="write a minimal "
                      "configuration at the file -f names when there is none (without -f, "
                      "a missing mkdocs.yml is always written)")
    init.add_argument("--engine", choices=("mkdocs", "properdocs", "zensical"),
                      default="mkdocs", help="what the workflows build the site with "
                      "(zensical: through headway generate)")
    init.set_defaults(func=cmd_init)
    generate = command("generate", "write into DIR a project (a config without the plugin, "
                       "the records with their panels, headway's pages and exports) that "
                       "MkDocs, ProperDocs or Zensical builds with its own command run in DIR")
    generate.add_argument("-o", "--output", metavar="DIR", required=True,
                          help="the folder to write (made when missing; never docs_dir)")
    generate.add_argument("--strict", action="store_true", help="write nothing when a record "
                          "has a problem (as mkdocs build --strict fails)")
    generate.set_defaults(func=cmd_generate)
    return root


class _ConfigFile(argparse.Action):
    """`-f FILE`, remembering that it was given (the default may be absent; a file named
    must exist)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.config_given = True


def _missing_config(args: argparse.Namespace) -> str | None:
    """Why the command cannot run when `-f` names a file that does not exist: every command
    alike, `init` too unless asked to write one (--create-config)."""
    if not getattr(args, "config_given", False) or Path(args.config_file).is_file():
        return None
    if Path(args.config_file).exists():
        return f"{args.config_file}: not a file; give the site's mkdocs.yml with -f"
    if args.command == "init":
        if args.create_config:
            return None
        return (f"{args.config_file}: no such file; give the site's mkdocs.yml with -f, or add "
                f"--create-config to write a minimal one there")
    return f"{args.config_file}: no such file; give the site's mkdocs.yml with -f"


def _stdout_gone() -> None:
    """The reader of standard output has gone (`headway schema | head -1`): whatever is still
    buffered is dropped, so that nothing complains when the process ends."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args, unknown = parser().parse_known_args(argv)
        if unknown:  # the subcommand's usage, not the top-level one
            args.subparser.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help
        return int(exc.code or 0)
    missing = _missing_config(args)
    if missing is not None:
        print(f"headway: {missing}", file=sys.stderr)
        return 2
    if getattr(args, "config_file", "") is None:
        args.config_file = str(find_config(Path.cwd()))
    try:
        with gc_paused():  # one command, then the process ends
            return int(args.func(args))
    except HeadwayError as exc:  # the user's to fix: the message says what to do
        print(f"headway: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `headway schema | head -1`: the reader has what it wanted
        _stdout_gone()
        return 0
    except OSError as exc:  # a file that cannot be written or read: the user's to fix
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"headway: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The `headway` command: `main`, then an exit that does not free every object one by
    one (tens of milliseconds after an export of thousands of records), since the process
    ends anyway. Output is flushed first; nothing else is left running by then."""
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `headway export | head`: the reader has gone; not an error
        pass
    except OSError as exc:
        with contextlib.suppress(OSError):
            print(f"headway: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        code = code or 2
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
