"""Running git: the one place GitPython is used, imported only when git is first run (it looks
for git at import, and costs about 150 ms of every import of the modules that run git)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import HeadwayError

if TYPE_CHECKING:
    import git


def _gitpython() -> ModuleType:
    """GitPython, imported on first use. It looks for git when it is imported; without the
    setting a machine with no git would fail the import itself instead of getting our
    message."""
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


class GitTrouble(HeadwayError):
    """git could not be used; the message says why and what to do."""


class GitRunner:
    """The git commands history needs, through gitpython's raw command interface."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._cmd: git.Git | None = None
        self.processes = 0
        self._running: list[Any] = []  # gitpython kills a process when its wrapper is collected
        self._stderr: dict[int, tuple[threading.Thread, list[bytes]]] = {}

    @property
    def cmd(self) -> git.Git:
        """GitPython's command runner, made (and GitPython imported) when git is first run."""
        if self._cmd is None:
            self._cmd = _gitpython().Git(str(self.cwd))
        return self._cmd

    def run(self, *args: str) -> bytes:
        """The output of a command; GitTrouble, saying why, when it fails."""
        code, out, err = self._execute(args)
        if code != 0:
            raise GitTrouble(explain(err))
        return out

    def answer(self, *args: str) -> str | None:
        """What a command prints, stripped; None when it fails or prints nothing (a question
        git may not answer: an unset setting, no remote, not a repository)."""
        try:
            return self.run(*args).decode("utf-8", "replace").strip() or None
        except GitTrouble:
            return None

    def run_checked(self, *args: str) -> tuple[int, bytes]:
        """Exit status and output of a command that may fail in an expected way; GitTrouble
        when it printed nothing and complained (not a repository, safe.directory, ...)."""
        code, out, err = self._execute(args)
        if code != 0 and not out.strip():
            raise GitTrouble(explain(err))
        return code, out

    def _execute(self, args: tuple[str, ...]) -> tuple[int, bytes, str]:
        self.processes += 1
        cmd = self.cmd
        try:
            code, out, err = cmd.execute(["git", *args], stdout_as_string=False,
                                              with_extended_output=True, with_exceptions=False)
        except _gitpython().exc.GitCommandNotFound as exc:
            raise GitTrouble(_NO_GIT) from exc
        return (code, out if isinstance(out, bytes) else str(out).encode(),
                err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err))

    def stream(self, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
        """A long-running git process, read (and written) as it works."""
        self.processes += 1
        cmd = self.cmd
        try:
            proc = cmd.execute(["git", *args], as_process=True,
                                    istream=subprocess.PIPE if stdin else None)
        except _gitpython().exc.GitCommandNotFound as exc:
            raise GitTrouble(_NO_GIT) from exc
        popen = proc.proc
        assert popen is not None and popen.stdout is not None
        self._running.append(proc)
        if popen.stderr is not None:  # read as it comes: a full stderr pipe would stop git
            tail: list[bytes] = []
            reader = threading.Thread(target=_keep_tail, args=(popen.stderr, tail), daemon=True)
            reader.start()
            self._stderr[popen.pid] = (reader, tail)
        return popen

    def stderr_of(self, popen: subprocess.Popen[bytes]) -> str:
        """The end of what a streamed process wrote to stderr, once it has exited."""
        reader, tail = self._stderr.pop(popen.pid, (None, []))
        if reader is not None:
            reader.join(timeout=10)
        return b"".join(tail)[-4000:].decode("utf-8", "replace")


def _keep_tail(pipe: Any, tail: list[bytes]) -> None:
    """Read a pipe to its end, keeping only its last few reads."""
    with contextlib.suppress(OSError, ValueError):
        while chunk := os.read(pipe.fileno(), 4096):
            tail.append(chunk)
            if len(tail) > 8:
                del tail[0]


_NO_GIT = ("git is not installed (or not on PATH); install git to read dates and authors "
           "from history")


def explain(stderr: str) -> str:
    text = stderr.strip().replace("stderr: ", "").strip("'\" \n")
    if "dubious ownership" in text or "safe.directory" in text:
        return ("git refuses to read this repository because it belongs to another user "
                "(safe.directory); run `git config --global --add safe.directory <path>` "
                "(in CI, the checkout step's user must own the folder)")
    if "not a git repository" in text:
        return "not a git repository"
    return f"git failed: {text.splitlines()[-1] if text else 'no message'}"
