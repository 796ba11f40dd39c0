"""Reading git's pipes: widened, and read in large reads."""

from __future__ import annotations

from typing import Any

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

PIPE_BYTES = 1 << 20
# Reads stay under glibc's mmap threshold (128 KiB), so that their buffers come from the heap
# and are reused: 1 MiB reads were fresh mappings each time, tens of thousands of page faults.
READ_BYTES = 1 << 16
# cat-file writes about one object (1-2 KB) at a time; read as it comes, that is one read,
# and one handover of the GIL, per object. After a short read the reader waits a little so
# that the next read takes many: 17,000 reads of 26 MB became 470 (thread CPU 55 → 8 ms).
# The same for git log, which Python parses faster than git writes it: fewer wake-ups of
# both sides (the cold read at 2,000 records: 5-7 % less time and CPU).
SHORT_READ = READ_BYTES // 4
GATHER_SECONDS = 0.002


def widen_pipe(pipe: Any) -> float:
    """A pipe of 1 MiB instead of 64 KiB (Linux), so that git seldom waits for us to read.
    The seconds a reader may wait after a short read for more to gather: none unless the
    pipe is that wide (in a pipe of a few KiB, as on Windows, each wait would cap reading
    at a few MB a second)."""
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return 0.0
    try:
        size = fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (OSError, ValueError, AttributeError):
        return 0.0
    return GATHER_SECONDS if size >= PIPE_BYTES else 0.0

