"""headway's performance benchmark (issue 7): history, export, builds, rebuilds and memory.

    python benchmarks/run.py [--sizes 500x2500,2000x10000,10000x50000] [--repeat 3] [--pairs 3]
        [--keep DIR] [--seed S] [--once-after SECONDS] [--git-dates-limit SECONDS]
        [--profile SIZE]
        [--code worktree|REV|live] [--merge] [--no-write]

For each size `NxM` a repository of N records and M commits is generated with
`benchmarks/generate.py` (into a temporary folder, or kept in and reused from
`DIR/NxM` with `--keep`). Then, `--repeat` rounds, each measuring:

- `--pairs` times (default 3) in a row: `git log --name-status -M HEAD` read fully
  (the floor for reading history), then `read_history` in a fresh Python process
  with no cache (timed around the call only), then `headway export -o /dev/null`
  with an empty cache (a fresh `cache_dir`); each ratio to git log is taken against
  the git log run just before it (see "Noise" in the README);
- `read_history` again: with an empty cache, warm (a cache written at the same
  HEAD) and after one new commit;
- `mkdocs build` with Material (`navigation.prune`): without plugins, with headway
  (a fresh `cache_dir`: the first build), with git-revision-date-localized
  (creation dates on) instead; then, with headway's cache warm, a rebuild with no
  new commit and one after one new commit (touching one record, by plain git,
  undone with `git reset --hard` afterwards).

The headway measured is a copy of `plugin/` and `templates/` taken when the run
starts (or of the git revision `--code REV`), put first on every measured
process's PYTHONPATH, so that edits made in the checkout during a long run do
not leak into it; `--code live` measures the checkout itself.

Every command runs in its own process (builds with NO_MKDOCS_2_WARNING=1, into a
temporary site folder); its wall time is taken around it and its peak RSS from
`/usr/bin/time -f %M` (the largest of the process and any child it waited for,
such as git).
Reported are the median time and the largest peak RSS over the rounds. Rounds
interleave the variants, so that load from other work on the machine falls on
all of them alike. The git-dates builds come last, after the rounds of the
others; one that takes longer than `--once-after` seconds (default 900) is not
repeated at that size, and one still running after `--git-dates-limit` seconds
(default 1800) is stopped and reported as a lower bound (`--keep-git-dates` takes
them from the existing results.json instead). A command killed by a
signal (by something else on the machine) is run once more, and left out of that
round with a note if it fails again.

`--profile SIZE` first builds SIZE once with headway under cProfile and lists the
headway functions (plugin/headway and its templates) by cumulative time.

Results go to `benchmarks/README.md` (tables, machine, versions), `benchmarks/
results.json` (every sample) and `benchmarks/build-time.png`; `--merge` keeps
the sizes of the existing results.json that this run does not measure (to
measure one size again, or the sizes one at a time); `--no-write` only prints
the tables. The script runs itself as `--history-child` for read_history.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import pstats
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_history import (
    DOCS_DIR,
    Size,
    commit_count,
    cpu_model,
    git_output,
    prepare_repository,
    record_paths,
)

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_SIZES = "500x2500,2000x10000,10000x50000"
BIN = Path(sys.executable).parent
BENCH_COMMIT = "headway benchmark: one new commit"
BENCH_AUTHOR = ("Benchmark Bot", "bench@example.com")
PROFILE_TOP = 15
MIB = 1024.0  # GNU time's %M is in KiB
GNU_TIME = Path("/usr/bin/time")  # Debian: apt-get install time

# Every measurement, in the order of the tables: key → what it is.
MEASURES: dict[str, str] = {
    "git_log": "git log --name-status -M HEAD",
    "export": "headway export -o /dev/null, empty cache",
    "startup": "headway --version (interpreter start-up and imports)",
    "history_cold": "read_history, no cache",
    "history_first": "read_history, empty cache (written)",
    "history_warm": "read_history, cache at the same HEAD",
    "history_one_commit": "read_history, cache one commit behind HEAD",
    "build_plain": "mkdocs build, Material, no plugin",
    "build_headway": "mkdocs build, Material + headway, empty cache",
    "rebuild_same": "mkdocs build + headway, warm cache, no new commit",
    "rebuild_one_commit": "mkdocs build + headway, warm cache, one new commit",
    "build_git_dates": "mkdocs build, Material + git-revision-date-localized",
}


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of one command: wall seconds (or seconds reported by it) and peak RSS."""

    seconds: float
    rss_mib: float


@dataclass(slots=True)
class SizeResult:
    """Every sample of one size, by measurement key."""

    label: str
    records: int
    commits: int
    measured: str = ""  # when (UTC)
    code: str = ""  # code_fingerprint() at the start
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average at each round
    stopped: dict[str, float] = field(default_factory=dict)  # key → limit it ran past
    # key → its time ÷ the git log run just before it, one per pair
    paired: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, sample: Sample) -> None:
        self.samples.setdefault(key, []).append(sample)

    def median(self, key: str) -> float | None:
        runs = self.samples.get(key)
        return statistics.median(s.seconds for s in runs) if runs else None

    def to_git_log(self, key: str) -> float | None:
        """key's time ÷ git log's: the median of the pairs measured one after the other, or
        (results from before pairs were measured) the ratio of the two medians."""
        pairs = self.paired.get(key)
        if pairs:
            return statistics.median(pairs)
        return ratio(self.median(key), self.median("git_log"))

    def peak(self, key: str) -> float | None:
        runs = self.samples.get(key)
        return max(s.rss_mib for s in runs) if runs else None

    @property
    def rounds(self) -> int:
        """Rounds measured (a load average is taken at the start of each)."""
        return len(self.load) or max((len(runs) for key, runs in self.samples.items()
                                      if key != "build_git_dates"), default=0)

    def spread(self, key: str) -> float | None:
        """(max - min) / median of the times, when there are at least two runs."""
        runs = self.samples.get(key)
        median = self.median(key)
        if not runs or len(runs) < 2 or not median:
            return None
        times = [s.seconds for s in runs]
        return (max(times) - min(times)) / median


class CommandFailed(RuntimeError):
    """A measured command exited with an error (a negative code: killed by that signal)."""

    def __init__(self, message: str, returncode: int) -> None:
        super().__init__(message)
        self.returncode = returncode


# -- running and measuring one command ---------------------------------------------------


class TimedOut(RuntimeError):
    """A measured command ran longer than its limit and was stopped."""


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None,
            stdout_file: Path | None = None, limit: float | None = None) -> Sample:
    """Run `cmd` to its end: its wall time, and its peak RSS from GNU time's `%M` (the
    largest resident set of the command or of any child it waited for, such as git).

    Not `os.wait4` on our own child: a child starts with its parent's high-water mark,
    which Linux keeps across exec, so it would report at least this script's own peak.
    `time` is small, so what it forks starts near zero. Output goes to files, not pipes,
    so that nothing we read competes with the command. After `limit` seconds the command
    and its children are killed and TimedOut is raised."""
    with tempfile.TemporaryDirectory(prefix="headway-measure-") as folder, \
            tempfile.TemporaryFile() as err, \
            (open(stdout_file, "wb") if stdout_file else
             tempfile.TemporaryFile()) as out:
        rss_file = Path(folder) / "rss"
        full = [str(GNU_TIME), "-f", "%M", "-o", str(rss_file), *cmd]
        started = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err,
                                start_new_session=True)
        try:
            returncode = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise TimedOut(f"{' '.join(cmd)} stopped after {limit:.0f} s") from None
        seconds = time.perf_counter() - started
        report = rss_file.read_text("utf-8").split() if rss_file.is_file() else []
        if "signal" in report:  # "Command terminated by signal N"
            returncode = -int(report[report.index("signal") + 1])
        if returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-3000:]
            raise CommandFailed(f"{' '.join(cmd)} in {cwd} exited with {returncode}:\n"
                                f"{tail}", returncode)
    return Sample(seconds, int(report[-1]) / MIB)


@dataclass(frozen=True, slots=True)
class Code:
    """The headway being measured: a frozen copy of its package and templates, imported
    first (PYTHONPATH) by every measured process, so that edits made in the checkout
    while the benchmark runs do not leak into it."""

    root: Path  # holds plugin/headway and templates
    description: str


CODE = Code(PROJECT, "the checkout, live")


def freeze_code(revision: str | None, into: Path) -> Code:
    """Copy plugin/ and templates/ of `revision` (None: the working tree as it is now)."""
    into.mkdir(parents=True)
    head = git_output(PROJECT, "rev-parse", "--short", revision or "HEAD").strip()
    if revision is None:
        for folder in ("plugin", "templates"):
            shutil.copytree(PROJECT / folder, into / folder,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        dirty = git_output(PROJECT, "status", "--porcelain", "--", "plugin", "templates")
        what = f"working tree at start (HEAD {head}{' + uncommitted changes' if dirty else ''})"
    else:
        archive = subprocess.run(["git", "archive", "--format=tar", revision, "plugin",
                                  "templates"], cwd=PROJECT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
        what = f"commit {head}"
    code = Code(into, what)
    fingerprint = code_fingerprint(code)
    compile_bytecode(into / "plugin")
    return Code(into, f"{what}, code fingerprint {fingerprint}")


def compile_bytecode(folder: Path) -> None:
    """Write the .pyc files, as `pip install` does for a wheel; without them every measured
    process would compile headway's modules from source (this machine sets
    PYTHONDONTWRITEBYTECODE, so no run would ever write them)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if CODE.root != PROJECT:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(CODE.root / "plugin"), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


# -- the repository and its mkdocs.yml -------------------------------------------------------


def generator_module() -> ModuleType:
    """benchmarks/generate.py as a module (it is not a package), loaded once."""
    name = "headway_benchmark_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "generate.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot load benchmarks/generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def write_config(repo: Path, variant: str, cache_dir: Path | None = None) -> None:
    """mkdocs.yml for `variant` (none, headway, git-dates), as the generator writes it; for
    headway with `cache_dir` set, so that each measured cold run starts from nothing."""
    path: Path = generator_module().write_mkdocs_yml(repo, variant, DOCS_DIR)
    if variant == "headway" and cache_dir is not None:
        text = path.read_text("utf-8")
        option = f"  - headway:\n      cache_dir: {json.dumps(str(cache_dir))}\n"
        if "  - headway\n" not in text:
            raise RuntimeError("generate.write_mkdocs_yml no longer writes `  - headway`")
        path.write_text(text.replace("  - headway\n", option), "utf-8")


def prepare(root: Path, size: Size, seed: int) -> Path:
    """The repository of `size` under root, generated or reused; a benchmark commit left by
    an interrupted run is undone first, and any default headway cache inside is removed."""
    repo = root / size.label
    if (repo / ".git").exists() and commit_count(repo) == size.commits + 1 and \
            git_output(repo, "log", "-1", "--format=%s").strip() == BENCH_COMMIT:
        git_output(repo, "reset", "-q", "--hard", "HEAD~1")
    started = time.perf_counter()
    repo, generated = prepare_repository(root, size, seed)
    shutil.rmtree(repo / ".cache", ignore_errors=True)
    what = f"generated in {time.perf_counter() - started:.1f} s" if generated else "reused"
    log(f"{size.label}: repository {repo} ({what})")
    return repo


def one_new_commit(repo: Path, path: str) -> str:
    """Commit an edit of one record with plain git, an hour after HEAD; returns the old HEAD."""
    head = git_output(repo, "rev-parse", "HEAD").strip()
    when = int(git_output(repo, "log", "-1", "--format=%ct").strip()) + 3600
    with open(repo / path, "a", encoding="utf-8") as file:
        file.write("\nOne more paragraph, written by the benchmark's new commit.\n")
    env = dict(os.environ, GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000",
               GIT_AUTHOR_NAME=BENCH_AUTHOR[0], GIT_AUTHOR_EMAIL=BENCH_AUTHOR[1],
               GIT_COMMITTER_NAME=BENCH_AUTHOR[0], GIT_COMMITTER_EMAIL=BENCH_AUTHOR[1])
    subprocess.run(["git", "commit", "-q", "-m", BENCH_COMMIT, "--", path], cwd=repo, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return head


def undo_commit(repo: Path, head: str) -> None:
    git_output(repo, "reset", "-q", "--hard", head)


# -- the measurements of one size ------------------------------------------------------------------


class Bench:
    """The measured commands of one repository."""

    def __init__(self, repo: Path, paths: list[str], scratch: Path) -> None:
        self.repo = repo
        self.paths = paths
        self.scratch = scratch
        self.env = build_env()
        self.paths_file = scratch / "paths.json"
        self.paths_file.write_text(json.dumps(paths), "utf-8")
        # The record a new commit touches: one in the middle, the same in every round.
        self.touched = paths[len(paths) // 2]

    def fresh(self, name: str) -> Path:
        folder = self.scratch / name
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def git_log(self) -> Sample:
        return measure(["git", "log", "--name-status", "-M", "HEAD"], self.repo)

    def export(self) -> Sample:
        write_config(self.repo, "headway", self.fresh("cache-export"))
        return measure([str(BIN / "headway"), "export", "-o", os.devnull], self.repo, self.env)

    def startup(self) -> Sample:
        return measure([str(BIN / "headway"), "--version"], self.repo, self.env)

    def history(self, cache_dir: Path | None) -> Sample:
        """read_history in a fresh process: the seconds it reports, the peak RSS we see."""
        cmd = [sys.executable, str(Path(__file__).resolve()), "--history-child", str(self.repo),
               "--paths-file", str(self.paths_file)]
        if cache_dir is not None:
            cmd += ["--cache-dir", str(cache_dir)]
        report = self.scratch / "child.json"
        sample = measure(cmd, self.repo, self.env, stdout_file=report)
        data = json.loads(report.read_text("utf-8").strip().splitlines()[-1])
        if data["facts"] != len(self.paths) or data["warnings"]:
            raise CommandFailed(f"read_history returned {data['facts']} facts for "
                                f"{len(self.paths)} paths, warnings {data['warnings']}", 0)
        return Sample(float(data["seconds"]), sample.rss_mib)

    def build(self, variant: str, cache_dir: Path | None = None,
              limit: float | None = None) -> Sample:
        write_config(self.repo, variant, cache_dir)
        site = self.fresh("site")
        try:
            return measure([str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], self.repo,
                           self.env, limit=limit)
        finally:
            shutil.rmtree(site, ignore_errors=True)


def code_fingerprint(code: Code | None = None) -> str:
    """A short hash of headway's code and templates, to tell whether they changed mid-run."""
    root = (code or CODE).root
    digest = hashlib.sha1(usedforsecurity=False)
    for folder in (root / "plugin" / "headway", root / "templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_KEPT_GIT_DATES = "The git-dates builds are those measured"


def run_size(root: Path, size: Size, seed: int, repeat: int, once_after: float,
             git_dates_limit: float, earlier: SizeResult | None = None, pairs: int = 3
             ) -> SizeResult:
    """Every measurement of one size; the git-dates builds are taken from `earlier` (the
    same size in an earlier results.json) when it has them."""
    repo = prepare(root, size, seed)
    paths = record_paths(repo)
    code = code_fingerprint()
    result = SizeResult(size.label, len(paths), commit_count(repo) or 0,
                        measured=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                        code=code)

    def take(key: str, what: str, run: Callable[..., Sample], *args: Any) -> Sample | None:
        """One sample of `key`; a command killed by a signal (by something else on the
        machine) is run once more, and left out with a note if that fails too."""
        for attempt in (1, 2):
            try:
                sample = run(*args)
            except CommandFailed as exc:
                if exc.returncode >= 0:
                    raise
                log(f"{size.label}:   {what}: killed by signal {-exc.returncode} "
                    f"(attempt {attempt})")
                if attempt == 2:
                    result.notes.append(f"{what}: killed by a signal twice in a round; that "
                                        "round has no sample of it.")
                    return None
                continue
            result.add(key, sample)
            log(f"{size.label}:   {what}: {sample.seconds:.2f} s, {sample.rss_mib:.0f} MiB")
            return sample
        return None

    with tempfile.TemporaryDirectory(prefix="headway-run-") as scratch:
        bench = Bench(repo, paths, Path(scratch))
        # Warm-up (not counted): the OS page cache, for the repository and the packages.
        bench.git_log()
        bench.export()
        for round_number in range(1, repeat + 1):
            result.load.append(os.getloadavg()[0])
            log(f"{size.label}: round {round_number}/{repeat}")
            for _ in range(pairs):
                floor = take("git_log", "git log", bench.git_log)
                for key, what, run, args in (
                        ("history_cold", "read_history, no cache", bench.history, (None,)),
                        ("export", "headway export", bench.export, ())):
                    sample = take(key, what, run, *args)
                    if floor is not None and sample is not None:
                        result.paired.setdefault(key, []).append(
                            sample.seconds / floor.seconds)
            take("startup", "headway --version", bench.startup)
            cache = bench.fresh("cache-history")
            if take("history_first", "read_history, empty cache",
                    bench.history, cache) is not None:
                take("history_warm", "read_history, warm cache", bench.history, cache)
                head = one_new_commit(repo, bench.touched)
                try:
                    take("history_one_commit", "read_history, one new commit",
                         bench.history, cache)
                finally:
                    undo_commit(repo, head)

            take("build_plain", "plain build", bench.build, "none")
            cache = bench.fresh("cache-build")
            if take("build_headway", "headway build",
                    bench.build, "headway", cache) is not None:
                take("rebuild_same", "headway rebuild, no new commit",
                     bench.build, "headway", cache)
                head = one_new_commit(repo, bench.touched)
                try:
                    take("rebuild_one_commit", "headway rebuild, one new commit",
                         bench.build, "headway", cache)
                finally:
                    undo_commit(repo, head)
            shutil.rmtree(cache, ignore_errors=True)

        reused = earlier is not None and (earlier.samples.get("build_git_dates") or
                                          "build_git_dates" in earlier.stopped)
        if reused:
            assert earlier is not None
            result.samples["build_git_dates"] = list(earlier.samples.get("build_git_dates", []))
            result.stopped.update(earlier.stopped)
            # Their notes come along; the one that dates them says when they were really
            # measured (the first run that measured them, however often they were kept since).
            kept = [n for n in earlier.notes if "git-dates" in n]
            dated = [n for n in kept if n.startswith(_KEPT_GIT_DATES)]
            result.notes += [n for n in kept if n not in dated] + (dated[:1] or [
                f"{_KEPT_GIT_DATES} {earlier.measured} (--keep-git-dates): they do not "
                f"depend on headway's code."])
        # Last, because at large sizes it takes longer than everything else together.
        for round_number in range(1, 0 if reused else repeat + 1):
            result.load.append(os.getloadavg()[0])
            try:
                sample = take("build_git_dates", f"git-dates build {round_number}/{repeat}",
                              bench.build, "git-dates", None, git_dates_limit)
            except TimedOut:
                log(f"{size.label}:   git-dates build stopped after {git_dates_limit:.0f} s")
                result.stopped["build_git_dates"] = git_dates_limit
                result.notes.append(
                    f"The git-dates build had not finished after {git_dates_limit / 60:.0f} "
                    f"min (--git-dates-limit) and was stopped; its time is shown as a lower "
                    f"bound.")
                break
            if sample is not None and sample.seconds > once_after and round_number < repeat:
                result.notes.append(
                    f"The git-dates build took {sample.seconds / 60:.0f} min (more than "
                    f"{once_after / 60:.0f} min), so it ran once at {size.label}.")
                break
        write_config(repo, "headway")  # leave the repository as the generator made it
    if code_fingerprint() != code:
        result.notes.append(f"headway's code or templates changed while {size.label} was "
                            "measured (others work in the same checkout); its numbers mix "
                            "two versions.")
    return result


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- profile ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProfileRow:
    function: str  # path:line(name), relative to the project
    calls: int
    own: float
    cumulative: float


@dataclass(slots=True)
class Profile:
    label: str
    seconds: float  # the whole build under cProfile
    rows: list[ProfileRow]
    plugin_events: list[ProfileRow]


def profile_build(root: Path, size: Size, seed: int) -> Profile:
    """One `mkdocs build` with headway (empty cache) under cProfile; headway's frames."""
    repo = prepare(root, size, seed)
    with tempfile.TemporaryDirectory(prefix="headway-profile-") as scratch:
        out = Path(scratch) / "build.prof"
        write_config(repo, "headway", Path(scratch) / "cache")
        cmd = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "mkdocs", "build", "-q",
               "-d", str(Path(scratch) / "site")]
        sample = measure(cmd, repo, build_env())
        stats = pstats.Stats(str(out))
        write_config(repo, "headway")
    rows: list[ProfileRow] = []
    events: list[ProfileRow] = []
    prefix = str(CODE.root) + os.sep
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, line, name), (_, calls, own, cumulative, _) in raw.items():
        if not filename.startswith(prefix):
            continue
        row = ProfileRow(f"{filename[len(prefix):]}:{line}({name})", calls, own, cumulative)
        rows.append(row)
        if filename.endswith("mkdocs_plugin.py") and name.startswith("on_"):
            events.append(row)
    rows.sort(key=lambda r: -r.cumulative)
    events.sort(key=lambda r: -r.cumulative)
    return Profile(size.label, sample.seconds, rows, events)


def profile_lines(profile: Profile, top: int = PROFILE_TOP) -> list[str]:
    lines = [
        f"One `mkdocs build` with headway at {profile.label}, empty cache, under cProfile "
        f"({profile.seconds:.1f} s with the profiler's overhead). The plugin's events:",
        "",
        "| event | calls | cumulative s |",
        "| --- | ---: | ---: |",
        *[f"| `{r.function}` | {r.calls} | {r.cumulative:.2f} |" for r in profile.plugin_events],
        "",
        f"The top {top} headway frames (plugin/headway and its templates) by cumulative time "
        "(nested frames are counted in their callers too):",
        "",
        "| function | calls | own s | cumulative s |",
        "| --- | ---: | ---: | ---: |",
        *[f"| `{r.function}` | {r.calls} | {r.own:.2f} | {r.cumulative:.2f} |"
          for r in profile.rows[:top]],
    ]
    return lines


# -- report ----------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "git": git_output(Path.cwd(), "--version").strip().removeprefix("git version "),
        "mkdocs": version("mkdocs"),
        "mkdocs-material": version("mkdocs-material"),
        "headway": version("mkdocs-headway"),
        "headway code": CODE.description,
        "mkdocs-git-revision-date-localized-plugin":
            version("mkdocs-git-revision-date-localized-plugin"),
    }


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def share(a: float | None, b: float | None) -> str:
    value = ratio(a, b)
    return "–" if value is None else f"{100 * value:.1f}%"


def times(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def first_history(r: SizeResult) -> float | None:
    """The history phase of a first build: read_history writing an empty cache (or, in
    results from before that was measured, with no cache)."""
    return r.median("history_first") or r.median("history_cold")


def tables(results: Sequence[SizeResult]) -> list[str]:
    history = [
        "| size | records | commits | git log s | headway export s | export ÷ git log | "
        "headway start-up s | read_history cold s | history ÷ git log |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    builds = [
        "| size | MkDocs s | + headway s | headway ÷ MkDocs | + git-dates s | "
        "git-dates ÷ MkDocs | git-dates ÷ headway |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rebuilds = [
        "| size | first build s | rebuild, no new commit s | % of first | rebuild, one new "
        "commit s | % of first | history, first build s | history, no new commit s | "
        "% of first | history, one new commit s | % of first |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    memory = [
        "| size | git log | headway export | read_history cold | MkDocs | + headway | "
        "headway rebuild | headway rebuild, one commit | + git-dates |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        m = r.median
        history.append(
            f"| {r.label} | {r.records} | {r.commits} | {fmt(m('git_log'), 3)} | "
            f"{fmt(m('export'))} | {times(r.to_git_log('export'))} | "
            f"{fmt(m('startup'))} | {fmt(m('history_cold'))} | "
            f"{times(r.to_git_log('history_cold'))} |")
        git_dates = m("build_git_dates")
        runs = len(r.samples.get("build_git_dates", []))
        note = f" ({runs} run{'s' if runs != 1 else ''})" if runs and runs < max(
            len(v) for v in r.samples.values()) else ""
        over = ""
        if git_dates is None and "build_git_dates" in r.stopped:  # a lower bound
            git_dates, over, note = r.stopped["build_git_dates"], "> ", " (stopped)"
        builds.append(
            f"| {r.label} | {fmt(m('build_plain'))} | {fmt(m('build_headway'))} | "
            f"{times(ratio(m('build_headway'), m('build_plain')))} | "
            f"{over}{fmt(git_dates)}{note} | "
            f"{over}{times(ratio(git_dates, m('build_plain')))} | "
            f"{over}{times(ratio(git_dates, m('build_headway')))} |")
        rebuilds.append(
            f"| {r.label} | {fmt(m('build_headway'))} | {fmt(m('rebuild_same'))} | "
            f"{share(m('rebuild_same'), m('build_headway'))} | {fmt(m('rebuild_one_commit'))} | "
            f"{share(m('rebuild_one_commit'), m('build_headway'))} | "
            f"{fmt(first_history(r), 3)} | {fmt(m('history_warm'), 3)} | "
            f"{share(m('history_warm'), first_history(r))} | "
            f"{fmt(m('history_one_commit'), 3)} | "
            f"{share(m('history_one_commit'), first_history(r))} |")
        p = r.peak
        memory.append(
            f"| {r.label} | {fmt(p('git_log'), 0)} | {fmt(p('export'), 0)} | "
            f"{fmt(p('history_cold'), 0)} | {fmt(p('build_plain'), 0)} | "
            f"{fmt(p('build_headway'), 0)} | {fmt(p('rebuild_same'), 0)} | "
            f"{fmt(p('rebuild_one_commit'), 0)} | {fmt(p('build_git_dates'), 0)} |")
    return [
        "### History and export", "", *history, "",
        "### Builds", "", *builds, "",
        "### Rebuilds with headway's cache, and the history phase", "", *rebuilds, "",
        "### Peak memory (RSS, MiB)", "", *memory, "",
    ]


def growth_exponent(results: Sequence[SizeResult], key: str) -> float | None:
    """k in time ∝ N^k between the two largest sizes (1: linear, 2: quadratic)."""
    usable = [r for r in results if r.median(key)]
    if len(usable) < 2:
        return None
    a, b = sorted(usable, key=lambda r: r.records)[-2:]
    if a.records == b.records:
        return None
    slow, fast = b.median(key), a.median(key)
    assert slow is not None and fast is not None
    return math.log(slow / fast) / math.log(b.records / a.records)


def scaling(results: Sequence[SizeResult]) -> list[str]:
    ordered = sorted(results, key=lambda r: r.records)
    head = " | ".join(f"ms per record at {r.label}" for r in ordered)
    lines = [
        f"| measurement | {head} | growth exponent |",
        "| --- | " + " | ".join("---:" for _ in ordered) + " | ---: |",
    ]
    for key in ("git_log", "export", "history_cold", "build_plain", "build_headway",
                "rebuild_same", "rebuild_one_commit", "build_git_dates"):
        cells = [fmt(1000 * v / r.records if (v := r.median(key)) else None, 2) for r in ordered]
        lines.append(f"| {MEASURES[key]} | {' | '.join(cells)} | "
                     f"{fmt(growth_exponent(results, key))} |")
    return lines


@dataclass(frozen=True, slots=True)
class Target:
    text: str
    measured: str
    met: bool | None


def targets(results: Sequence[SizeResult]) -> list[Target]:
    out: list[Target] = []

    def at(label: str) -> SizeResult | None:
        return next((r for r in results if r.label == label), None)

    def check(text: str, value: float | None, limit: float, unit: str = "×") -> None:
        if value is None:
            out.append(Target(text, "not measured", None))
            return
        shown = f"{100 * value:.1f}%" if unit == "%" else f"{value:.0f} MiB" \
            if unit == "MiB" else f"{value:.2f}×"
        if unit == "×" and f"{value:.2f}" == f"{limit:.2f}" and value != limit:
            shown = f"{value:.3f}×"  # 1.501 is over 1.5: two decimals would hide it
        out.append(Target(text, shown, value <= limit))

    if (r := at("2000x10000")) is not None:
        m = r.median
        check("build with headway ≤ 1.25 × build without it (2000x10000)",
              ratio(m("build_headway"), m("build_plain")), 1.25)
        check("history phase (read_history, cold) ≤ 1.5 × git log (2000x10000)",
              r.to_git_log("history_cold"), 1.5)
        check("`headway export` ≤ 3 × git log (2000x10000)", r.to_git_log("export"), 3.0)
        check("history phase of a rebuild with no new commit < 10% of the first build's "
              "(2000x10000)", ratio(m("history_warm"), first_history(r)), 0.0999, "%")
    if (r := at("10000x50000")) is not None:
        peaks = [p for key in MEASURES if key != "build_git_dates" and (p := r.peak(key))]
        check("peak RSS of every headway command < 1 GiB (10000x50000)",
              max(peaks) if peaks else None, 1023.99, "MiB")
    git_k = growth_exponent(results, "git_log")
    for key in ("history_cold", "export", "build_headway", "rebuild_same"):
        k = growth_exponent(results, key)
        if k is None:
            continue
        if key == "history_cold" and git_k is not None and git_k > 1.15:
            # Reading history cannot grow slower than the git log it reads: at larger sizes
            # git itself does more per commit (bigger trees), so that is the bound.
            out.append(Target(f"linear growth: {MEASURES[key]} (exponent ≤ that of git log "
                              f"itself, {git_k:.2f}, between the two largest sizes)",
                              f"{k:.2f}", k <= git_k))
            continue
        out.append(Target(f"linear growth: {MEASURES[key]} (exponent ≤ 1.15 between the "
                          f"two largest sizes)", f"{k:.2f}", k <= 1.15))
    return out


def target_lines(found: Sequence[Target]) -> list[str]:
    mark = {True: "met", False: "**missed**", None: "–"}
    return ["| target | measured | |", "| --- | ---: | --- |",
            *[f"| {t.text} | {t.measured} | {mark[t.met]} |" for t in found]]


def noise_lines(results: Sequence[SizeResult]) -> list[str]:
    lines = []
    for r in results:
        spreads = {k: s for k in MEASURES if (s := r.spread(k)) is not None}
        worst = sorted(spreads.items(), key=lambda kv: -kv[1])[:3]
        load = f"{min(r.load):.2f}–{max(r.load):.2f}" if r.load else "–"
        lines.append(
            f"- {r.label}: 1-minute load average {load} at the start of the rounds; widest "
            "spread (max − min) ÷ median: "
            + (", ".join(f"{MEASURES[k]} {100 * s:.0f}%" for k, s in worst) or "–") + ".")
        if r.paired:
            lines.append(f"- {r.label}: ratios to the git log run just before, lowest–median–"
                         "highest: " + ", ".join(
                             f"{MEASURES[k]} {min(v):.2f}–{statistics.median(v):.2f}–"
                             f"{max(v):.2f} ({len(v)} pairs)" for k, v in r.paired.items()) + ".")
        lines.extend(f"- {note}" for note in r.notes)
    return lines


README_HEAD = """\
# Benchmarks

How fast headway reads history and builds a site, beside the floor (one raw
`git log`), plain MkDocs and the plugin people use today to get dates from git
(mkdocs-git-revision-date-localized-plugin). This file, `results.json` and
`build-time.png` are written by `benchmarks/run.py`; do not edit them by hand.

## How to run it

```sh
pip install -e . mkdocs-git-revision-date-localized-plugin matplotlib
python benchmarks/run.py                      # 500x2500, 2000x10000, 10000x50000; 3 rounds
python benchmarks/run.py --sizes 500x2500 --repeat 1 --no-write   # a quick look
python benchmarks/run.py --keep /tmp/headway-bench --profile 2000x10000
python benchmarks/run.py --sizes 10000x50000 --merge --code HEAD   # one size again
python benchmarks/run.py --keep-git-dates     # again, git-dates builds taken from results.json
python benchmarks/run.py --rewrite            # README.md and the plot from results.json
```

`NxM` is N records written over M commits, by `benchmarks/generate.py` (seed 0:
the same repository on every machine), which writes them with `git fast-import`
and then repacks them as a clone receives them (fast-import leaves every file's
versions in one delta chain up to 50 deep, which would make reading old versions
2.5 times slower than in any real repository). `--keep DIR` keeps the
repositories and reuses them. The headway measured is a copy of `plugin/` and `templates/` taken
at start (`--code REV`: of a git revision), imported first by every measured
process, so that edits made during a long run do not leak into it; it is
compiled to bytecode first, as `pip install` does. `--merge` keeps the other
sizes of the existing `results.json`. The whole run at the three default sizes
takes about an hour and a half, most of it in git-revision-date-localized, which
is stopped after `--git-dates-limit` seconds (default 1800) and then reported as
a lower bound; `--keep-git-dates` takes its builds from the existing
`results.json` (they do not depend on headway's code).
`benchmarks/bench_history.py` is the narrower benchmark of the history phase
alone (process counts, cache size, a cProfile of `read_history`).

## What is measured

Each number is the median of its runs (peak memory: the largest of them): one a
round, but git log, read_history cold and headway export run `--pairs` times a
round (3 by default), one after the other.
Every command runs in a process of its own; rounds interleave the variants so
that other load on the machine falls on all of them alike.

- **git log**: `git log --name-status -M HEAD`, its output read fully: the
  floor for reading history.
- **headway export**: `headway export -o /dev/null` with an empty cache
  (`cache_dir` set to a new folder each time), start-up included.
- **headway start-up**: `headway --version`: the interpreter's start-up and the
  imports, which `headway export` pays too.
- **read_history** (the history phase): `headway.git.read_history` for
  every record, in a fresh Python process, timed around the call only (no
  interpreter start-up or imports). *cold*: no cache; *first build*: an empty
  cache, which it writes (what a first build does); *no new commit*: that cache,
  at the same HEAD (what a rebuild does); *one new commit*: a cache one commit
  behind HEAD.
- **MkDocs**: `mkdocs build` with Material and `navigation.prune`, no plugin.
  **+ headway**: the same with headway, empty cache (a first build).
  **+ git-dates**: the same with `git-revision-date-localized` (creation dates
  on) instead of headway. Each in a fresh process with `NO_MKDOCS_2_WARNING=1`,
  into a new temporary site folder.
- **rebuild, no new commit / one new commit**: `mkdocs build` with headway
  again, its cache (from the first build) warm; then after one commit that
  edits one record (made with plain git, undone after the build).
- **history ÷ git log**, **export ÷ git log**: the median, over every pair, of
  the command's time ÷ that of the git log run just before it (`--pairs` a round).
  **headway ÷ MkDocs**, …: ratios of the medians. **% of first**: a rebuild's time as a share of the first
  build with headway; in the history columns, a share of the first build's
  history phase.
- **Peak memory**: `/usr/bin/time -f %M` around each command: the largest
  resident set of the command's process or of any child it waited for (git,
  for headway), in MiB. For builds that is the Python process; git runs beside
  it, so the sum at one moment can be higher (at most by git's own column).
- **ms per record** and **growth exponent**: time ÷ N; and k in time ∝ N^k
  between the two largest sizes (M grows with N, 5 commits per record), so 1
  is linear and 2 quadratic. Start-up costs make k a little under 1.
"""


def readme(results: Sequence[SizeResult], info: dict[str, str], profile: Profile | None
           ) -> str:
    machine = [f"- {k}: {v}" for k, v in info.items() if k != "headway code"]
    runs = [
        f"- {r.label}: {r.rounds} round{'s' if r.rounds != 1 else ''}, measured "
        f"{r.measured or 'at an unknown time'}"
        + (f", headway code fingerprint {r.code}" if r.code else "")
        for r in results
    ]
    parts = [
        README_HEAD,
        "## Results",
        "",
        "Machine and versions:",
        "",
        *machine,
        f"- headway measured in the last run: {info.get('headway code')}",
        "",
        "Runs:",
        "",
        *runs,
        "",
        *tables(results),
        "### Growth with size",
        "",
        *scaling(results),
        "",
        "### Targets (issue 7)",
        "",
        *target_lines(targets(results)),
        "",
        "### Noise",
        "",
        "The machine may run other work at the same time (it is a shared host: the same "
        "command's time drifts by a fifth over tens of seconds). Medians keep single "
        "outliers out; the ratios to git log are paired (each run of read_history and of "
        "export against the git log run just before it, the median of those ratios), so "
        "that a slow minute falls on both sides of a ratio. The spreads below are of the "
        "times themselves.",
        "",
        *noise_lines(results),
        "",
        "![Build time against the number of records](build-time.png)",
        "",
    ]
    engines = HERE / "engines.json"  # written by benchmarks/engines.py, kept here
    if engines.is_file():
        parts += engines_section(json.loads(engines.read_text("utf-8")))
    if profile is not None:
        parts += ["## Profile", "", *profile_lines(profile), ""]
    return "\n".join(parts)


def engines_section(data: dict[str, Any]) -> list[str]:
    """The README's "Engines" section, as benchmarks/engines.py writes it."""
    spec = importlib.util.spec_from_file_location("headway_benchmark_engines", HERE / "engines.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot load benchmarks/engines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lines: list[str] = module.section(data)
    return lines


def plot(results: Sequence[SizeResult], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(results, key=lambda r: r.records)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label, style in (("build_plain", "MkDocs + Material", "o-"),
                              ("build_headway", "+ headway (first build)", "s-"),
                              ("rebuild_same", "+ headway, rebuild (no new commit)", "s--"),
                              ("build_git_dates", "+ git-revision-date-localized", "^-")):
        points = [(r.records, v) for r in ordered if (v := r.median(key)) is not None]
        if points:
            line, = ax.plot(*zip(*points, strict=True), style, label=label)
            stopped = [(r.records, r.stopped[key]) for r in ordered
                       if r.median(key) is None and key in r.stopped]
            for x, y in stopped:  # a lower bound: where it was stopped, and an arrow up
                ax.plot([points[-1][0], x], [points[-1][1], y], ":", color=line.get_color())
                ax.annotate("stopped", xy=(x, y), xytext=(x, y * 2.2), ha="center",
                            color=line.get_color(),
                            arrowprops={"arrowstyle": "<-", "color": line.get_color()})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([r.records for r in ordered], [f"{r.records:,}\n({r.commits:,} commits)"
                                                 for r in ordered])
    ax.minorticks_off()
    ax.set_xlabel("records (N)")
    ax.set_ylabel("mkdocs build, seconds (median)")
    ax.set_title("Build time against the number of records (log–log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(target)
    plt.close(fig)


def save(results: Sequence[SizeResult], info: dict[str, str], profile: Profile | None,
         out_dir: Path) -> None:
    data = {
        "written": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": info,
        "measures": MEASURES,
        "sizes": [asdict(r) for r in results],
        "targets": [asdict(t) for t in targets(results)],
        "profile": asdict(profile) if profile else None,
    }
    (out_dir / "results.json").write_text(json.dumps(data, indent=1) + "\n", "utf-8")
    (out_dir / "README.md").write_text(readme(results, info, profile), "utf-8")
    plot(results, out_dir / "build-time.png")


# -- entry points ---------------------------------------------------------------------------------


def history_child(repo: Path, paths_file: Path, cache_dir: Path | None) -> int:
    """`--history-child`: one read_history; prints its seconds and result size as JSON."""
    import git  # noqa: F401  GitPython, imported before the clock starts (see below)

    from headway.git import HistoryOptions, read_history

    # headway imports GitPython only when it first runs git (so that page code never pays for
    # it): about 70 ms, once per process. It is imported here before timing, as headway's own
    # import did before, so that the history phase measures reading history, comparable across
    # versions, and a rebuild measures what `mkdocs serve` pays (its process imported it at the
    # first build). The whole-build figures include it.
    paths: list[str] = json.loads(paths_file.read_text("utf-8"))
    started = time.perf_counter()
    history = read_history(repo, paths, HistoryOptions(cache_dir=cache_dir), docs_prefix=DOCS_DIR)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "facts": len(history.facts),
                      "warnings": history.warnings}))
    return 0


def rewrite(out_dir: Path) -> int:
    """`--rewrite`: results.json (its targets checked as the code says now), README.md and
    the plot written again from the samples in results.json, measuring nothing."""
    path = out_dir / "results.json"
    if not path.is_file():
        raise SystemExit(f"{path} does not exist: run the benchmark first")
    results, profile = load_results(path)
    save(results, json.loads(path.read_text("utf-8")).get("machine", {}), profile, out_dir)
    return 0


def load_results(path: Path) -> tuple[list[SizeResult], Profile | None]:
    """The sizes and profile of an earlier `results.json` (for --merge)."""
    if not path.is_file():
        return [], None
    data = json.loads(path.read_text("utf-8"))
    sizes = [
        SizeResult(entry["label"], entry["records"], entry["commits"],
                   entry.get("measured") or data.get("date", ""), entry.get("code", ""),
                   {key: [Sample(**sample) for sample in runs]
                    for key, runs in entry["samples"].items()},
                   list(entry.get("notes", [])), list(entry.get("load", [])),
                   dict(entry.get("stopped", {})), dict(entry.get("paired", {})))
        for entry in data.get("sizes", [])
    ]
    found = data.get("profile")
    profile = None if not found else Profile(
        found["label"], found["seconds"], [ProfileRow(**row) for row in found["rows"]],
        [ProfileRow(**row) for row in found["plugin_events"]])
    return sizes, profile


def run(sizes: list[Size], repeat: int, keep: Path | None, seed: int, once_after: float,
        git_dates_limit: float, keep_git_dates: bool,
        profile_size: Size | None, write: bool, merge: bool, code: str, pairs: int = 3) -> int:
    if shutil.which("git") is None:
        raise SystemExit("git is needed")
    if not GNU_TIME.exists():
        raise SystemExit(f"{GNU_TIME} (GNU time) is needed for peak memory: apt-get install time")
    for tool in ("mkdocs", "headway"):
        if not (BIN / tool).exists():
            raise SystemExit(f"{BIN / tool} is missing: pip install -e . in this environment")
    global CODE
    results: list[SizeResult] = []
    earlier, profile = load_results(HERE / "results.json") if merge or keep_git_dates \
        else ([], None)
    previous = {r.label: r for r in earlier} if keep_git_dates else {}
    earlier = [r for r in earlier if merge and r.label not in {size.label for size in sizes}]
    with tempfile.TemporaryDirectory(prefix="headway-bench-") as scratch:
        root = keep if keep is not None else Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        if code != "live":
            CODE = freeze_code(None if code == "worktree" else code, Path(scratch) / "code")
        else:
            compile_bytecode(PROJECT / "plugin")
        info = versions()
        log(f"measuring headway from {CODE.description}")
        if profile_size is not None:
            profile = profile_build(root, profile_size, seed)
            print("\n".join(profile_lines(profile)) + "\n")
        for size in sizes:
            results.append(run_size(root, size, seed, repeat, once_after, git_dates_limit,
                                    previous.get(size.label), pairs))
            print("\n".join(tables(results[-1:])), file=sys.stderr, flush=True)
            if write:  # after each size, so that a long run leaves something behind
                save(sorted([*earlier, *results], key=lambda r: (r.records, r.commits)),
                     info, profile, HERE)
    if results:
        print("\n".join([*tables(results), *scaling(results), "",
                         *target_lines(targets(results)), "", *noise_lines(results)]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated RECORDSxCOMMITS (default {DEFAULT_SIZES}); "
                             f"'none' to only profile")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds per size; times are their median (default 3)")
    parser.add_argument("--pairs", type=int, default=3,
                        help="git log → read_history → export sequences per round; their "
                             "ratios to git log are paired (default 3)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep generated repositories in DIR/<size> and reuse them")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--git-dates-limit", type=float, default=1800.0, metavar="SECONDS",
                        help="stop a git-revision-date-localized build after this long and "
                             "report the limit as a lower bound (default 1800)")
    parser.add_argument("--rewrite", action="store_true",
                        help="only write README.md and build-time.png again from results.json")
    parser.add_argument("--keep-git-dates", action="store_true",
                        help="take the git-revision-date-localized builds of each size from "
                             "the existing results.json instead of running them again")
    parser.add_argument("--once-after", type=float, default=900.0, metavar="SECONDS",
                        help="run the git-dates build once at a size where it takes longer "
                             "than this (default 900)")
    parser.add_argument("--profile", metavar="SIZE",
                        help="first profile one headway build of SIZE (e.g. 2000x10000)")
    parser.add_argument("--code", default="worktree", metavar="REV",
                        help="the headway to measure: worktree (default: a copy of plugin/ and "
                             "templates/ taken at start, so later edits do not leak in), a git "
                             "revision such as HEAD, or live (the checkout itself)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the sizes (and profile) of the existing results.json that "
                             "this run does not measure")
    parser.add_argument("--no-write", action="store_true",
                        help="print the tables only; leave README.md, results.json and the "
                             "plot alone")
    parser.add_argument("--history-child", type=Path, metavar="REPO", help=argparse.SUPPRESS)
    parser.add_argument("--paths-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.history_child is not None:
        if args.paths_file is None:
            parser.error("--history-child needs --paths-file")
        return history_child(args.history_child, args.paths_file, args.cache_dir)
    if args.rewrite:
        return rewrite(HERE)
    try:
        sizes = [] if args.sizes.strip() == "none" else [
            Size.parse(part) for part in args.sizes.split(",") if part.strip()]
        profile_size = Size.parse(args.profile) if args.profile else None
    except ValueError as error:
        parser.error(str(error))
    if not sizes and profile_size is None:
        parser.error("--sizes names no size")
    if args.repeat < 1 or args.pairs < 1:
        parser.error("--repeat and --pairs must be at least 1")
    write = not args.no_write and bool(sizes)
    return run(sizes, args.repeat, args.keep, args.seed, args.once_after, args.git_dates_limit,
               args.keep_git_dates, profile_size, write,
               args.merge, args.code, args.pairs)


if __name__ == "__main__":
    sys.exit(main())
