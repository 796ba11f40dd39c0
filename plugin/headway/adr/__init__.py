"""Decision records written for other tools (MADR, adr-tools/Nygard, log4brains), read as headway's.

A Markdown file in an `adr_folders` folder is read where it is, as it is: its format is detected
per file (or forced by the folder's `format`), its facts are mapped onto headway's decision
vocabulary, and `validate.check_document` then treats it like any other decision.
`convert_folder` rewrites such a folder into headway's own front matter, for teams that move.

statuses    the status words of other tools → headway's lifecycle; a stated outcome
references  the folder's files, and references between its records resolved to ids
reading     one file read as facts, each with its line (front matter, key lines, sections)
documents   a file → a headway document; the status of each old version, for git history
conversion  `headway convert`: the folder rewritten into headway's front matter
"""

from __future__ import annotations

from .conversion import Conversion, convert_folder, converted_text
from .documents import parse_adr_document, version_reading, version_status
from .reading import SOURCE_FORMATS, AdrReading, read_adr, states_outcome, status_read
from .references import FolderIndex, folder_index, index_folder
from .statuses import KEPT_WORDS, KNOWN_STATUSES, OUTCOME, STATUS_WORDS, StatusReading, read_status

__all__ = [
    "KEPT_WORDS", "KNOWN_STATUSES", "OUTCOME", "SOURCE_FORMATS", "STATUS_WORDS", "AdrReading",
    "Conversion", "FolderIndex", "StatusReading", "convert_folder", "converted_text",
    "folder_index", "index_folder", "parse_adr_document", "read_adr", "read_status",
    "states_outcome", "status_read", "version_reading", "version_status",
]
