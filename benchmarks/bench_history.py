"""Benchmark of headway's history phase against the floor of one raw `git log`.

    python benchmarks/bench_history.py [--sizes 500x2500,2000x10000] [--repeat 5]
        [--keep DIR] [--seed S] [--profile]

For each size `NxM` (N records, M commits) a repository is generated with
`benchmarks/generate.py` into a temporary folder (or reused from `DIR/NxM` with
`--keep`), and then, each as the median of `--repeat` runs after one warm-up run
(so that the OS page cache is warm):

1. raw floor: one `git log --name-status -M HEAD`, its output read fully from a pipe;
2. history cold: `read_history(...)` with no disk cache, in this process;
3. history with a disk cache, each run in a fresh Python process so that nothing
   in memory helps: the first run (cache empty) and a second one with no new
   commits (cache warm); the time is measured inside the child around
   `read_history` only, so interpreter start-up and imports are not counted;
4. the number of git processes of a cold run, for N and for 2N records (a second
   repository with 2N records and the same M commits); both at most four (rev-parse,
   the log, and one or two cat-files), however many records there are.

The record paths handed to `read_history` are the files under the docs folder at
HEAD whose YAML front matter has a `type` key (the contract of
`shared/spec/records.md`). `--profile` then runs one more cold read of the largest
size under cProfile and prints the top functions by cumulative and by own time.

The script also runs itself as `--child` for step 3; that mode is internal.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from headway.git import History, HistoryOptions, read_history

DOCS_DIR = "records"
DEFAULT_SIZES = "500x2500,2000x10000"
PROFILE_TOP = 25
GENERATOR_PATH = Path(__file__).resolve().parent / "generate.py"
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                           re.DOTALL)


@dataclass(frozen=True, slots=True)
class Size:
    """One benchmark size: N records written over M commits."""

    records: int
    commits: int

    @property
    def label(self) -> str:
        return f"{self.records}x{self.commits}"

    @classmethod
    def parse(cls, text: str) -> Size:
        match = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", text)
        if match is None or int(match.group(1)) < 1 or int(match.group(2)) < 1:
            raise ValueError(f"bad size {text!r}: expected RECORDSxCOMMITS, e.g. 500x2500")
        return cls(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True, slots=True)
class ChildResult:
    """What one `--child` run reports: time of `read_history` and git processes started."""

    seconds: float
    git_processes: int
    facts: int


@dataclass(frozen=True, slots=True)
class Row:
    """The measurements of one size."""

    size: Size
    records: int
    commits: int
    raw_log: float
    cold: float
    cached_first: float
    cached_warm: float
    processes: int
    processes_double: int
    processes_warm: int
    cache_bytes: int

    @property
    def ratio(self) -> float:
        return self.cold / self.raw_log

    @property
    def warm_share(self) -> float:
        return 100 * self.cached_warm / self.cold


# -- the repository -------------------------------------------------------------


def _load_generator() -> Callable[..., Any]:
    """`generate` from benchmarks/generate.py, whatever the current directory or sys.path."""
    spec = importlib.util.spec_from_file_location("headway_benchmark_generate", GENERATOR_PATH)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load the generator at {GENERATOR_PATH}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    generate: Callable[..., Any] = module.generate
    return generate


def git_output(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


def commit_count(repo: Path) -> int | None:
    """Commits reachable from HEAD, or None when `repo` holds no usable repository."""
    try:
        return int(git_output(repo, "rev-list", "--count", "HEAD").strip())
    except (subprocess.CalledProcessError, ValueError):
        return None


def prepare_repository(root: Path, size: Size, seed: int) -> tuple[Path, float | None]:
    """`root/<size>`: reused when it already holds this size's history, else generated.

    Returns the repository and the seconds generation took (None when reused).
    """
    repo = root / size.label
    if repo.exists() and any(repo.iterdir()):
        found = commit_count(repo)
        if found != size.commits:
            raise SystemExit(f"{repo} exists but does not hold a generated {size.label} "
                             f"repository ({found} commits); delete it or choose another --keep")
        return repo, None
    started = time.perf_counter()
    _load_generator()(repo, size.records, size.commits, seed, docs_dir=DOCS_DIR)
    return repo, time.perf_counter() - started


def is_record(text: str) -> bool:
    """A Markdown file whose YAML front matter is a mapping with a `type` key."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return False
    try:
        data = yaml.load(match.group(1), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and "type" in data


MAX_GIT_PROCESSES = 4


def record_paths(repo: Path, docs_dir: str = DOCS_DIR) -> list[str]:
    """Repository-relative paths of every record at HEAD under `docs_dir`, sorted.

    The generated repository is checked out clean, so the working tree is HEAD.
    """
    listed = git_output(repo, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", docs_dir)
    paths = sorted(p for p in listed.split("\0") if p.endswith(".md"))
    return [p for p in paths if is_record((repo / p).read_text("utf-8"))]


# -- measurements -----------------------------------------------------------------


def median_time(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls of `run`, after one warm-up call."""
    run()
    times: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_log(repo: Path) -> int:
    """The floor: one `git log --name-status -M HEAD`, read fully; returns the bytes read."""
    result = subprocess.run(["git", "log", "--name-status", "-M", "HEAD"], cwd=repo,
                            capture_output=True, check=True)
    return len(result.stdout)


def cold_read(repo: Path, paths: list[str]) -> History:
    """headway's history phase with no disk cache."""
    history = read_history(repo, paths, HistoryOptions(cache_dir=None), docs_prefix=DOCS_DIR)
    if history.warnings or len(history.facts) != len(paths):
        raise AssertionError(f"unexpected history result: {len(history.facts)} facts for "
                             f"{len(paths)} paths, warnings {history.warnings}")
    return history


def run_child(repo: Path, paths_file: Path, cache_dir: Path) -> ChildResult:
    """One `read_history` with a disk cache, in a fresh Python process."""
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(repo),
         "--paths-file", str(paths_file), "--cache-dir", str(cache_dir)],
        check=True, capture_output=True, text=True,
    )
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return ChildResult(float(data["seconds"]), int(data["git_processes"]), int(data["facts"]))


def cached_runs(repo: Path, paths: list[str], work: Path, repeat: int
                ) -> tuple[float, float, int, int]:
    """Median first (empty cache) and second (warm cache) run times, each pair in a new cache
    folder, after one warm-up pair; plus the warm run's git processes and the cache size."""
    paths_file = work / "paths.json"
    paths_file.write_text(json.dumps(paths), "utf-8")
    firsts: list[float] = []
    warms: list[float] = []
    warm_processes = 0
    cache_bytes = 0
    for attempt in range(repeat + 1):
        cache_dir = work / f"cache-{attempt}"
        first = run_child(repo, paths_file, cache_dir)
        warm = run_child(repo, paths_file, cache_dir)
        if first.facts != len(paths) or warm.facts != len(paths):
            raise AssertionError(f"a child read {first.facts}/{warm.facts} facts, "
                                 f"expected {len(paths)}")
        if attempt == 0:
            continue  # warm-up pair
        firsts.append(first.seconds)
        warms.append(warm.seconds)
        warm_processes = warm.git_processes
        cache_bytes = sum(f.stat().st_size for f in cache_dir.rglob("*") if f.is_file())
    return statistics.median(firsts), statistics.median(warms), warm_processes, cache_bytes


def measure(root: Path, size: Size, seed: int, repeat: int) -> Row:
    repo, generated = prepare_repository(root, size, seed)
    paths = record_paths(repo)
    commits = commit_count(repo) or 0
    note = f"generated in {generated:.1f} s" if generated is not None else "reused"
    print(f"# {size.label}: {len(paths)} records, {commits} commits ({note})", file=sys.stderr)

    raw = median_time(lambda: raw_log(repo), repeat)
    processes = cold_read(repo, paths).git_processes
    cold = median_time(lambda: cold_read(repo, paths), repeat)
    with tempfile.TemporaryDirectory(prefix="headway-bench-cache-") as work:
        first, warm, warm_processes, cache_bytes = cached_runs(repo, paths, Path(work), repeat)

    double = Size(size.records * 2, size.commits)
    double_repo, _ = prepare_repository(root, double, seed)
    processes_double = cold_read(double_repo, record_paths(double_repo)).git_processes
    # rev-parse, the log and one cat-file; a second cat-file when many versions are still
    # unread as the log ends (how many depends on timing, not on the number of records)
    assert max(processes, processes_double) <= MAX_GIT_PROCESSES, (
        f"git processes grow with records: {processes} for {size.label}, "
        f"{processes_double} for {double.label} (at most {MAX_GIT_PROCESSES})")
    return Row(size, len(paths), commits, raw, cold, first, warm, processes, processes_double,
               warm_processes, cache_bytes)


def profile(root: Path, size: Size, seed: int) -> str:
    """One cold read of `size` under cProfile: the top functions by cumulative and own time."""
    repo, _ = prepare_repository(root, size, seed)
    paths = record_paths(repo)
    cold_read(repo, paths)  # warm the OS cache, as for the timed runs
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(cold_read, repo, paths)
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(f"## Profile: one cold read of {size.label} ({elapsed:.2f} s under cProfile)\n")
    for key, title in (("cumulative", "cumulative time"), ("tottime", "own (total) time")):
        out.write(f"\n### Top {PROFILE_TOP} by {title}\n\n```\n")
        section = io.StringIO()
        stats = pstats.Stats(profiler, stream=section)
        stats.strip_dirs().sort_stats(key).print_stats(PROFILE_TOP)
        out.write(section.getvalue().strip("\n") + "\n```\n")
    return out.getvalue()


# -- report -------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def machine_info() -> list[str]:
    libyaml = "not available"
    if getattr(yaml, "__with_libyaml__", False):
        try:
            from yaml import _yaml

            libyaml = f"libyaml {_yaml.get_version_string()}"
        except (ImportError, AttributeError):
            libyaml = "libyaml (version unknown)"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores ({usable} usable), "
        f"{platform.system()} {platform.release()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- git: {git_output(Path.cwd(), '--version').strip()}",
        f"- PyYAML: {yaml.__version__}, {libyaml}; "
        f"GitPython {importlib.metadata.version('GitPython')}",
    ]


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| size | records | commits | raw git log s | history cold s | ratio | "
        "cached first s | cached warm s | warm/cold % | git processes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.size.label} | {r.records} | {r.commits} | {r.raw_log:.3f} | {r.cold:.3f} | "
            f"{r.ratio:.2f}x | {r.cached_first:.3f} | {r.cached_warm:.3f} | "
            f"{r.warm_share:.1f}% | {r.processes} |"
        )
    return lines


def notes(rows: Sequence[Row], repeat: int) -> list[str]:
    lines = [f"Medians of {repeat} runs after one warm-up; cached runs in fresh processes, "
             "timed around read_history only."]
    for r in rows:
        lines.append(
            f"- {r.size.label}: git processes {r.processes} for {r.size.records} records, "
            f"{r.processes_double} for {r.size.records * 2} records (same commits), "
            f"{r.processes_warm} with a warm cache; cache file {r.cache_bytes / 1024:.0f} KiB"
        )
    return lines


# -- entry points -----------------------------------------------------------------------


def child(repo: Path, paths_file: Path, cache_dir: Path) -> int:
    """`--child`: one read with a disk cache; prints its time and process count as JSON."""
    paths: list[str] = json.loads(paths_file.read_text("utf-8"))
    started = time.perf_counter()
    history = read_history(repo, paths, HistoryOptions(cache_dir=cache_dir), docs_prefix=DOCS_DIR)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "git_processes": history.git_processes,
                      "facts": len(history.facts)}))
    return 0


def parse_sizes(text: str) -> list[Size]:
    return [Size.parse(part) for part in text.split(",") if part.strip()]


def run(sizes: list[Size], repeat: int, keep: Path | None, seed: int, with_profile: bool) -> int:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="headway-bench-") as scratch:
        root = keep if keep is not None else Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            rows.append(measure(root, size, seed, repeat))
        print("\n".join([*table(rows), "", *notes(rows, repeat), "", *machine_info()]))
        if with_profile:
            largest = max(sizes, key=lambda s: (s.records * s.commits, s.records))
            print()
            print(profile(root, largest, seed))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated RECORDSxCOMMITS (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed runs per measurement, after one warm-up (default 5)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep generated repositories in DIR/<size> and reuse them")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--profile", action="store_true",
                        help="profile one cold read of the largest size with cProfile")
    parser.add_argument("--child", type=Path, metavar="REPO", help=argparse.SUPPRESS)
    parser.add_argument("--paths-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child is not None:
        if args.paths_file is None or args.cache_dir is None:
            parser.error("--child needs --paths-file and --cache-dir")
        return child(args.child, args.paths_file, args.cache_dir)
    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as error:
        parser.error(str(error))
    if not sizes:
        parser.error("--sizes names no size")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return run(sizes, args.repeat, args.keep, args.seed, args.profile)


if __name__ == "__main__":
    sys.exit(main())
