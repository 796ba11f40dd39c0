"""Build times of one benchmark repository on each engine headway supports: MkDocs 1.6 and
ProperDocs with the plugin, and Zensical through `headway generate` (its two steps timed apart).

    python benchmarks/engines.py                       # 2000x10000, 3 rounds
    python benchmarks/engines.py --size 500x2500 --rounds 1 --no-write

Each command runs in a process of its own, timed with `/usr/bin/time` (wall seconds and peak
RSS), with headway's cache emptied before it (a first build) and Zensical's emptied by
`--clean`; the rounds interleave the engines (in a rotating order) so that other load on the
machine falls on all of them alike. Results go to `benchmarks/engines.json`, and to the
"Engines" section of `benchmarks/README.md` (which `run.py` writes again from that file).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
GNU_TIME = Path("/usr/bin/time")
DOCS_DIR = "records"
STEPS = ("mkdocs", "properdocs", "generate", "zensical")
LABELS = {
    "mkdocs": "MkDocs 1.6 + headway plugin (`mkdocs build`)",
    "properdocs": "ProperDocs + headway plugin (`properdocs build`)",
    "generate": "`headway generate -o DIR`",
    "zensical": "Zensical (`zensical build --clean`, in DIR)",
}


def generator() -> ModuleType:
    """benchmarks/generate.py as a module (it is not a package)."""
    name = "headway_benchmark_generate"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def tool(name: str) -> str:
    """A command installed beside this Python (the same environment), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one command; it must succeed."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        result = subprocess.run([str(GNU_TIME), "-o", out.name, "-f", "%e %M", *command],
                                cwd=cwd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{result.stderr[-2000:]}")
        seconds, rss = out.read().split()[-2:]
    return float(seconds), int(rss) // 1024


def measure(repo: Path, rounds: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="headway-engines-"))
    samples: dict[str, list[float]] = {step: [] for step in STEPS}
    memory: dict[str, int] = dict.fromkeys(STEPS, 0)
    loads: list[float] = []
    order = ["mkdocs", "properdocs", "zensical"]
    try:
        for round_ in range(rounds):
            for engine in order[round_ % 3:] + order[:round_ % 3]:
                shutil.rmtree(repo / ".cache", ignore_errors=True)  # a first build
                loads.append(os.getloadavg()[0])
                site = work / f"{engine}-{round_}"
                if engine == "zensical":
                    project = work / f"project-{round_}"
                    runs = [("generate", [tool("headway"), "generate", "-o", str(project)], repo),
                            ("zensical", [tool("zensical"), "build", "--clean"], project)]
                else:
                    runs = [(engine, [tool(engine), "build", "-q", "-f", "mkdocs.yml",
                                      "-d", str(site)], repo)]
                for step, command, cwd in runs:
                    seconds, rss = timed(command, cwd)
                    samples[step].append(seconds)
                    memory[step] = max(memory[step], rss)
                    print(f"round {round_ + 1}: {step} {seconds:.2f} s, {rss} MiB "
                          f"(load {loads[-1]:.2f})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"samples": samples, "peak_rss_mib": memory, "load": [min(loads), max(loads)]}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "cores": str(os.cpu_count())}
    for name in ("mkdocs", "properdocs", "zensical", "mkdocs-material", "mkdocs-headway"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def section(data: dict[str, Any]) -> list[str]:
    """The README's "Engines" section, from engines.json."""
    samples = data["samples"]
    median = {step: statistics.median(values) for step, values in samples.items() if values}
    zensical = median["generate"] + median["zensical"]
    lines = [
        "## Engines",
        "",
        f"The same repository ({data['size']}: {data['records']} records) built by each engine "
        f"headway supports, as `benchmarks/engines.py` measures them: a first build (headway's "
        f"cache empty), {data['rounds']} rounds interleaved, medians; measured "
        f"{data['measured']} with {', '.join(f'{k} {v}' for k, v in data['versions'].items())}; "
        f"1-minute load average {data['load'][0]:.2f}–{data['load'][1]:.2f} at the start of "
        f"the runs (a shared machine).",
        "",
        "| engine | steps | s (median) | runs s | peak RSS MiB | ÷ MkDocs |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]
    for step in ("mkdocs", "properdocs"):
        runs = ", ".join(f"{v:.2f}" for v in samples[step])
        lines.append(f"| {'MkDocs' if step == 'mkdocs' else 'ProperDocs'} | "
                     f"{LABELS[step]} | {median[step]:.2f} | {runs} | "
                     f"{data['peak_rss_mib'][step]} | {median[step] / median['mkdocs']:.2f}× |")
    for step in ("generate", "zensical"):
        runs = ", ".join(f"{v:.2f}" for v in samples[step])
        lines.append(f"| Zensical | {LABELS[step]} | {median[step]:.2f} | {runs} | "
                     f"{data['peak_rss_mib'][step]} | |")
    lines += [f"| Zensical | both steps | {zensical:.2f} | | | "
              f"{zensical / median['mkdocs']:.2f}× |", ""]
    return lines


def write_readme(data: dict[str, Any]) -> None:
    """The Engines section put in benchmarks/README.md (replaced, or added before Profile)."""
    path = HERE / "README.md"
    text = path.read_text("utf-8")
    new = "\n".join(section(data))
    start = text.find("## Engines\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + new + (text[end + 1:] if end >= 0 else "")
    else:
        at = text.find("## Profile\n")
        text = text[:at] + new + "\n" + text[at:] if at >= 0 else text.rstrip("\n") + "\n\n" + new
    path.write_text(text, "utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", default="2000x10000", help="NxM: records x commits")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the repository here")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    records, commits = (int(n) for n in args.size.split("x"))
    root = args.keep or Path(tempfile.mkdtemp(prefix="headway-engines-repo-"))
    repo = root / args.size
    if not (repo / ".git").exists():
        started = time.perf_counter()
        generator().generate(repo, records, commits, 0, DOCS_DIR)
        print(f"{repo}: generated in {time.perf_counter() - started:.1f} s", flush=True)
    generator().write_mkdocs_yml(repo, "headway", DOCS_DIR)
    try:
        result = measure(repo, args.rounds)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    data = {"size": args.size, "records": records, "commits": commits, "rounds": args.rounds,
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "versions": versions(), **result}
    print("\n".join(section(data)))
    if not args.no_write:
        (HERE / "engines.json").write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        write_readme(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
