"""Coverage-guided fuzzing of the front-matter parser and validator with atheris.

    pip install atheris
    python tests/fuzz_frontmatter.py -max_total_time=180 tests/fuzz_corpus

An input that raises (or takes over two seconds) is a bug: atheris saves it as crash-*;
move it into tests/fuzz_corpus/ so that test_properties.py replays it for ever after.
Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import sys
import time

import atheris

with atheris.instrument_imports():
    from headway.parse import parse_document
    from headway.validate import check_document


def one_input(raw: bytes) -> None:
    start = time.perf_counter()
    doc, problems = parse_document("docs/f.md", "f.md", raw)
    if doc is not None:
        problems = list(check_document(doc).problems)
    for problem in problems:
        assert problem.path == "docs/f.md" and problem.message
    if time.perf_counter() - start > 2:
        raise TimeoutError(f"took {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
