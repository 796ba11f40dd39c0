"""The wheel: built from the checkout, installed in a fresh virtual environment outside it."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import init_repo

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installed_elsewhere_builds_a_strict_site(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True)
    wheel = next(dist.glob("mkdocs_headway-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in (ROOT / "templates").rglob("*"):
        if template.is_file():
            rel = template.relative_to(ROOT / "templates").as_posix()
            assert f"headway/templates/{rel}" in names, rel
    assert "headway/py.typed" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)

    site = init_repo(tmp_path / "elsewhere")
    site.mkdocs_yml(theme="material")
    site.record("launch/index.md", "type: initiative\ngoal: Ship it", "# Launch\n")
    site.record("launch/0001-go.md", "type: decision\ninitiative: launch\nstatus: accepted",
                "# Go\n")
    site.commit("records", "2026-05-01")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    result = subprocess.run([str(env_dir / "bin" / "mkdocs"), "build", "--strict"],
                            cwd=site.root, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (site.root / "site" / "initiatives" / "launch" / "index.html").is_file()
    assert (site.root / "site" / "headway" / "records.json").is_file()
    check = subprocess.run([str(env_dir / "bin" / "headway"), "check"], cwd=site.root,
                           capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr
