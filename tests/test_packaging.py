"""The wheel: built from the checkout, installed in a fresh virtual environment outside it."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
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


def test_sdist_and_wheel_pass_twine_check_and_carry_one_version(tmp_path: Path) -> None:
    """What the release workflow publishes: `python -m build` (here without a fresh build
    environment: hatchling is a test dependency) and `twine check --strict`."""
    from headway import __version__

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "-q", "-o", str(dist),
                    str(ROOT)], check=True, capture_output=True)
    sdist = dist / f"mkdocs_headway-{__version__}.tar.gz"
    wheel = dist / f"mkdocs_headway-{__version__}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file()
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(sdist),
                            str(wheel)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2

    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(
            f"mkdocs_headway-{__version__}.dist-info/entry_points.txt").decode()
        metadata = archive.read(f"mkdocs_headway-{__version__}.dist-info/METADATA").decode()
        assert b"MIT License" in archive.read(
            f"mkdocs_headway-{__version__}.dist-info/licenses/LICENSE")
    for group in ("[mkdocs.plugins]", "[properdocs.plugins]"):  # found by either engine
        assert f"{group}\nheadway = headway.mkdocs_plugin:HeadwayPlugin" in entry_points
    assert f"Version: {__version__}\n" in metadata
    assert "Provides-Extra: zensical" in metadata and "Provides-Extra: properdocs" in metadata
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    root = f"mkdocs_headway-{__version__}"
    for needed in ("CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml",
                   "templates/headway/record.html",
                   "plugin/headway/generate.py", "tests/conftest.py"):
        assert f"{root}/{needed}" in names, needed

    # the version is written once: hatch reads it from plugin/headway/__init__.py
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()
    repeated = [path.relative_to(ROOT).as_posix()
                for folder in ("plugin", "templates", ".github", ".ci")
                for path in (ROOT / folder).rglob("*")
                if path.is_file() and path.suffix in (".py", ".yml", ".toml", ".html", ".md", "")
                and path.name != "__init__.py" and __version__ in path.read_text("utf-8", "replace")]
    assert repeated == []
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.split("\n## ", 1)[1].startswith(f"{__version__} ")  # newest first


def test_release_workflow_publishes_tags_by_trusted_publishing() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads on: as True
    assert list(triggers) == ["push"] and triggers["push"]["tags"] == ["v[0-9]*"]
    assert workflow["permissions"] == {"contents": "read"}  # nothing more than needed by default
    publish = workflow["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["needs"] == "build"
    steps = publish["steps"]
    pypi = [s for s in steps if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert len(pypi) == 1 and "with" not in pypi[0]  # no password, no token: OIDC only
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "secrets." not in text and "password" not in text
    build_runs = " ".join(s.get("run", "") for s in workflow["jobs"]["build"]["steps"])
    assert "python -m build" in build_runs and "twine check --strict dist/*" in build_runs
    assert "bash .ci/run" in build_runs
