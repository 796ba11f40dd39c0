"""Deterministic generator of a benchmark git repository full of headway records.

    python benchmarks/generate.py DEST --records N --commits M [--seed S]
        [--docs-dir records] [--plugins headway]

The repository is written with one `git fast-import` process fed through its
standard input, so that tens of thousands of commits take seconds, then repacked
(`git repack -a -d -f`) so that its packs look like those of a clone. Everything
comes from `random.Random(seed)` and a fixed clock, so the same arguments give
a byte-identical repository (the same commit hashes) on every machine.

What the history looks like:

- About one initiative per 50 records (at least one), at
  `<docs_dir>/<initiative>/index.md`; the other records are ~40% learnings and
  ~60% decisions, at `<docs_dir>/<initiative>/learnings/<id>.md` and
  `.../decisions/<id>.md`. An initiative is always created before its records.
- The first min(M, ceil(N/2)) commits create the records, 1-3 per commit. When
  M is too small for that (3M < N), every commit creates records instead, N/M
  of them each (rounded), so that all N records exist at the end.
- Every remaining commit touches 1-3 existing records: it edits body text,
  sometimes front matter (a `waiting_on` entry added or done, an action done);
  ~30% of them move one record along its lifecycle (a decision exploring →
  proposed → accepted, sometimes rejected; a learning open → done); ~1% rename
  one file (add or drop a numeric prefix, move it in or out of `archive/`),
  writing an explicit `id:` so the id stays stable. A rename is a delete plus an
  add of content that is more than 80% similar, which git reports as a rename.
- A decision may supersede an earlier one, whose status becomes `superseded`
  in the same commit. References (`initiative`, `informed_by`, `depends_on`,
  `supersedes`) only ever name records that already exist, and `depends_on`
  only earlier decisions, so there are no cycles.
- Commits are 1-4 hours apart from 2022-01-01T09:00:00Z, by eight fake authors
  (committer = author). Large M reaches into the future (50,000 commits span
  about 14 years); nothing here depends on today's date.

`mkdocs.yml` is written at the repository root but not committed, so that
`write_mkdocs_yml` can switch the plugin variant without changing the history.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import IO

START = dt.datetime(2022, 1, 1, 9, 0, tzinfo=dt.UTC)
BRANCH = "main"

AUTHORS: tuple[tuple[str, str], ...] = (
    ("Ana Okafor", "ana.okafor@example.com"),
    ("Bruno Lindqvist", "bruno.lindqvist@example.com"),
    ("Chen Wei", "chen.wei@example.com"),
    ("Dana Whitfield", "dana.whitfield@example.com"),
    ("Emeka Obi", "emeka.obi@example.com"),
    ("Farah Haddad", "farah.haddad@example.com"),
    ("Gustavo Reyes", "gustavo.reyes@example.com"),
    ("Hana Sato", "hana.sato@example.com"),
)
# Uneven, so that "authors, most commits first" has a clear order.
AUTHOR_WEIGHTS: tuple[int, ...] = (8, 6, 5, 4, 3, 2, 2, 1)
PEOPLE: tuple[str, ...] = tuple(name for name, _ in AUTHORS)

# Who records wait on; one of them needs quoting in YAML.
WAITING_ON: tuple[str, ...] = (
    "Legal",
    "Security team",
    "Finance",
    "Platform team",
    "Data team",
    "Design",
    "Customer Success",
    "Procurement",
    "SRE on-call",
    "Mobile team",
    "Vendor: Acme Payments",
    "Marta Kowalski (CFO)",
    "Raj Patel (Sales)",
    "Privacy office",
    "Compliance",
)
WAITING_WHAT: tuple[str, ...] = (
    "Review of the contract terms",
    "Sign-off on the budget",
    "Threat model review",
    "Capacity estimate for the next quarter",
    "Answer on the data retention question",
    "Mock-ups for the new flow",
    "Quote for the enterprise tier",
    "Access to the staging account",
    "Go or no-go from the steering group",
    "Numbers from the last pilot",
)
ACTION_WHAT: tuple[str, ...] = (
    "Draft the migration plan",
    "Write the rollout announcement",
    "Update the runbook",
    "Set up the dashboard",
    "Remove the old code path",
    "Brief the support team",
    "Add the feature flag",
    "Schedule the load test",
    "Update the pricing page",
    "Archive the pilot data",
)

AREAS: tuple[str, ...] = (
    "billing",
    "onboarding",
    "search",
    "notifications",
    "exports",
    "the mobile app",
    "checkout",
    "reporting",
    "permissions",
    "the public API",
    "invoicing",
    "audit logs",
    "single sign-on",
    "the data warehouse",
    "email delivery",
    "file uploads",
)
INITIATIVE_VERBS: tuple[str, ...] = (
    "Revamp",
    "Scale",
    "Simplify",
    "Launch",
    "Modernise",
    "Internationalise",
    "Harden",
    "Speed up",
)
DECISION_VERBS: tuple[str, ...] = ("Adopt", "Use", "Drop", "Replace", "Trial", "Standardise on")
TECHNIQUES: tuple[str, ...] = (
    "event sourcing",
    "a managed queue",
    "feature flags",
    "table partitioning",
    "a read replica",
    "server-side rendering",
    "usage-based pricing",
    "a vendor SDK",
    "nightly batches",
    "webhooks",
    "a shared schema registry",
    "blue-green deploys",
)
AUDIENCES: tuple[str, ...] = (
    "new customers",
    "admins",
    "enterprise buyers",
    "support agents",
    "trial users",
    "partners",
    "finance teams",
)
LEARNING_TEMPLATES: tuple[str, ...] = (
    "How {audience} use {area}",
    "Why {audience} abandon {area}",
    "What {audience} expect from {area}",
    "Where {area} loses time",
    "How much {area} costs per month",
)
SOURCES: tuple[str, ...] = (
    "Customer interviews",
    "Support tickets",
    "Product analytics",
    "Sales call notes",
    "Vendor documentation",
    "Load test results",
    "Churn survey",
)
TAGS: tuple[str, ...] = (
    "platform",
    "compliance",
    "research",
    "pricing",
    "security",
    "ux",
    "performance",
    "enterprise",
)

SUBJECTS: tuple[str, ...] = (
    "The team",
    "Support",
    "Our largest customers",
    "The on-call rotation",
    "The pilot group",
    "Finance",
    "The mobile client",
    "The nightly job",
    "Sales",
    "The design review",
)
VERBS: tuple[str, ...] = (
    "reported",
    "measured",
    "confirmed",
    "questioned",
    "reviewed",
    "prototyped",
    "compared",
    "estimated",
    "doubled",
    "simplified",
)
OBJECTS: tuple[str, ...] = (
    "the p95 latency of the export endpoint",
    "the cost of the current vendor",
    "how often invoices are retried",
    "the number of manual steps",
    "the size of the backlog",
    "the error budget",
    "the conversion of the signup form",
    "the time to first value",
    "the load on the primary database",
    "the list of open questions",
)
TAILS: tuple[str, ...] = (
    "last sprint.",
    "during the pilot.",
    "in the weekly review.",
    "before the freeze.",
    "with two customers.",
    "after the incident.",
    "for the board update.",
    "again today.",
)

DECISION_NEXT: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "exploring": (("proposed", "rejected"), (0.85, 0.15)),
    "proposed": (("accepted", "rejected"), (0.8, 0.2)),
}
LEARNING_NEXT: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "open": (("done",), (1.0,)),
}
NEXT_STATUS: dict[str, dict[str, tuple[tuple[str, ...], tuple[float, ...]]]] = {
    "decision": DECISION_NEXT,
    "learning": LEARNING_NEXT,
    "initiative": {},
}

MAX_PARAGRAPHS = 10
INITIATIVE_EVERY = 50
LEARNING_SHARE = 0.4
STATUS_SHARE = 0.3
RENAME_SHARE = 0.01

PLUGIN_VARIANTS: dict[str, str] = {
    "headway": "  - headway\n",
    "git-dates": "  - git-revision-date-localized:\n      enable_creation_date: true\n",
}

YamlValue = str | int | bool | dt.date | list["YamlValue"] | dict[str, "YamlValue"]
# Strings that YAML would read as something other than text.
YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"})
PLAIN_STRING = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()/&-]*")
SLUG_STOPWORDS = frozenset(
    {"a", "the", "for", "from", "of", "on", "per", "how", "what", "why", "where", "much"}
)


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    """What one run of the generator produced."""

    records: int
    commits: int
    status_changes: int
    renames: int
    initiatives: int
    learnings: int
    decisions: int


@dataclass(slots=True)
class Record:
    """The current content of one record file, as the next commit will write it."""

    kind: str
    id: str
    initiative: str
    title: str
    meta: dict[str, YamlValue]
    paragraphs: list[str]
    prefix: str = ""
    archived: bool = False
    # Status in the last commit that wrote the file; None until first committed.
    committed_status: str | None = None
    superseded_by: str | None = None

    @property
    def status(self) -> str:
        return str(self.meta["status"])

    def path(self, docs_dir: str) -> str:
        if self.kind == "initiative":
            return f"{docs_dir}/{self.id}/index.md"
        folder = "learnings" if self.kind == "learning" else "decisions"
        archive = "archive/" if self.archived else ""
        return f"{docs_dir}/{self.initiative}/{folder}/{archive}{self.prefix}{self.id}.md"

    def render(self) -> bytes:
        body = "\n\n".join(self.paragraphs)
        return f"---\n{dump_yaml(self.meta)}---\n\n# {self.title}\n\n{body}\n".encode()


@dataclass(slots=True)
class Pool:
    """A set of records with O(1) add, remove and seeded random choice."""

    items: list[Record] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        self.index[record.id] = len(self.items)
        self.items.append(record)

    def discard(self, record: Record) -> None:
        position = self.index.pop(record.id, None)
        if position is None:
            return
        last = self.items.pop()
        if last is not record:
            self.items[position] = last
            self.index[last.id] = position

    def choice(self, rng: Random) -> Record | None:
        return self.items[rng.randrange(len(self.items))] if self.items else None


@dataclass(slots=True)
class Commit:
    """One commit being assembled: who, when, why, and which files change."""

    author: tuple[str, str]
    timestamp: int
    touched: dict[str, Record] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)  # files that are not records
    deleted: list[str] = field(default_factory=list)
    message: str = ""

    @property
    def date(self) -> dt.date:
        return dt.datetime.fromtimestamp(self.timestamp, dt.UTC).date()

    def touch(self, record: Record) -> None:
        self.touched[record.id] = record


def yaml_scalar(value: str | int | bool | dt.date) -> str:
    """One scalar as YAML: dates and safe text plain, anything else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if PLAIN_STRING.fullmatch(value) and value.lower() not in YAML_WORDS:
        return value
    return json.dumps(value)  # a JSON string is a valid double-quoted YAML scalar


def dump_yaml(mapping: dict[str, YamlValue], indent: str = "") -> str:
    """Block-style YAML for the shapes records use: scalars, lists, lists of mappings."""
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:\n{dump_yaml(value, indent + '  ')}")
        elif isinstance(value, list):
            lines.append(f"{indent}{key}:" if value else f"{indent}{key}: []")
            for item in value:
                if isinstance(item, dict):
                    entry = dump_yaml(item, indent + "    ")
                    lines.append(f"{indent}  - {entry[len(indent) + 4 :].rstrip()}")
                elif isinstance(item, list):
                    raise TypeError("nested lists are not used in records")
                else:
                    lines.append(f"{indent}  - {yaml_scalar(item)}")
        else:
            lines.append(f"{indent}{key}: {yaml_scalar(value)}")
    return "".join(line + "\n" for line in lines)


def slugify(text: str, words: int = 4) -> str:
    """The first few meaningful words of a title, as an id fragment."""
    kept = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in SLUG_STOPWORDS]
    return "-".join(kept[:words])


def creation_batches(rng: Random, records: int, commits: int) -> list[int]:
    """How many records each creating commit adds: 1-3 each, or more if M is too small."""
    if commits * 3 < records:
        share, extra = divmod(records, commits)
        return [share + 1] * extra + [share] * (commits - extra)
    sizes = [1] * min(commits, (records + 1) // 2)
    growable = list(range(len(sizes)))
    for _ in range(records - len(sizes)):
        slot = rng.randrange(len(growable))
        sizes[growable[slot]] += 1
        if sizes[growable[slot]] == 3:
            growable[slot] = growable[-1]
            growable.pop()
    return sizes


class Generator:
    """The in-memory model of the repository, and the stream of commits built from it."""

    def __init__(self, rng: Random, docs_dir: str, out: IO[bytes]) -> None:
        self.rng = rng
        self.docs_dir = docs_dir
        self.out = out
        self.clock = int(START.timestamp())
        self.sequence = 0
        self.records: list[Record] = []
        self.initiatives: list[Record] = []
        self.decisions: list[Record] = []
        self.learnings_of: dict[str, list[Record]] = {}
        self.decisions_of: dict[str, list[Record]] = {}
        self.renamable: list[Record] = []
        self.movable = Pool()
        self.commits = 0
        self.status_changes = 0
        self.renames = 0

    # -- text ---------------------------------------------------------------

    def sentence(self) -> str:
        rng = self.rng
        return (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
        )

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 3)))

    def new_id(self, letter: str, title: str) -> str:
        self.sequence += 1
        return f"{letter}-{self.sequence:06d}-{slugify(title)}"

    # -- records ------------------------------------------------------------

    def new_initiative(self, commit: Commit) -> Record:
        rng = self.rng
        title = f"{rng.choice(INITIATIVE_VERBS)} {rng.choice(AREAS)}"
        record_id = self.new_id("i", title)
        meta: dict[str, YamlValue] = {
            "type": "initiative",
            "status": "active",
            "owner": rng.choice(PEOPLE),
            "goal": self.sentence(),
            "target": commit.date + dt.timedelta(days=rng.randint(60, 365)),
        }
        if rng.random() < 0.7:
            meta["tags"] = rng.sample(TAGS, rng.randint(1, 2))
        record = Record("initiative", record_id, record_id, title, meta, [self.paragraph()])
        self.initiatives.append(record)
        self.learnings_of[record_id] = []
        self.decisions_of[record_id] = []
        return record

    def waiting_entry(self, commit: Commit) -> dict[str, YamlValue]:
        return {
            "who": self.rng.choice(WAITING_ON),
            "what": self.rng.choice(WAITING_WHAT),
            "since": commit.date,
        }

    def common_meta(self, kind: str, status: str, initiative: str) -> dict[str, YamlValue]:
        meta: dict[str, YamlValue] = {
            "type": kind,
            "status": status,
            "initiative": initiative,
            "owner": self.rng.choice(PEOPLE),
        }
        if self.rng.random() < 0.4:
            meta["tags"] = self.rng.sample(TAGS, self.rng.randint(1, 2))
        return meta

    def new_learning(self, commit: Commit, initiative: str) -> Record:
        rng = self.rng
        title = rng.choice(LEARNING_TEMPLATES).format(
            audience=rng.choice(AUDIENCES), area=rng.choice(AREAS)
        )
        meta = self.common_meta("learning", "open", initiative)
        meta["question"] = f"{title}?"
        meta["participants"] = rng.sample(PEOPLE, rng.randint(1, 3))
        meta["sources"] = rng.sample(SOURCES, rng.randint(1, 2))
        if rng.random() < 0.1:
            meta["waiting_on"] = [self.waiting_entry(commit)]
        paragraphs = [self.paragraph() for _ in range(rng.randint(2, 4))]
        record = Record("learning", self.new_id("l", title), initiative, title, meta, paragraphs)
        self.learnings_of[initiative].append(record)
        return record

    def new_decision(self, commit: Commit, initiative: str) -> Record:
        rng = self.rng
        technique = rng.choice(TECHNIQUES)
        title = f"{rng.choice(DECISION_VERBS)} {technique} for {rng.choice(AREAS)}"
        meta = self.common_meta(
            "decision", "proposed" if rng.random() < 0.2 else "exploring", initiative
        )
        meta["deciders"] = rng.sample(PEOPLE, rng.randint(1, 3))
        meta["options"] = ["Keep things as they are", technique[0].upper() + technique[1:]]
        learnings = self.learnings_of[initiative]
        informed = rng.sample(learnings, min(len(learnings), rng.choice((0, 1, 1, 2, 3))))
        if informed:
            meta["informed_by"] = [learning.id for learning in informed]
        if dependencies := self.pick_dependencies(initiative):
            meta["depends_on"] = [decision.id for decision in dependencies]
        if rng.random() < 0.25:
            meta["waiting_on"] = [self.waiting_entry(commit) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.4:
            meta["actions"] = [self.action(commit) for _ in range(rng.randint(1, 3))]
        paragraphs = [self.paragraph() for _ in range(rng.randint(2, 4))]
        record = Record("decision", self.new_id("d", title), initiative, title, meta, paragraphs)
        if rng.random() < 0.1:
            self.supersede(commit, record)
        self.decisions_of[initiative].append(record)
        self.decisions.append(record)
        return record

    def pick_dependencies(self, initiative: str) -> list[Record]:
        rng = self.rng
        count = rng.choices((0, 1, 2), weights=(50, 35, 15))[0]
        # Mostly within the initiative; sometimes across, which is what the blocked page is for.
        pool = self.decisions_of[initiative] if rng.random() < 0.8 else self.decisions
        recent = pool[-20:]
        return rng.sample(recent, min(count, len(recent)))

    def action(self, commit: Commit) -> dict[str, YamlValue]:
        rng = self.rng
        return {
            "what": rng.choice(ACTION_WHAT),
            "owner": rng.choice(PEOPLE),
            "due": commit.date + dt.timedelta(days=rng.randint(7, 60)),
            "status": rng.choices(("open", "done", "blocked"), weights=(6, 3, 1))[0],
        }

    def supersede(self, commit: Commit, record: Record) -> None:
        candidates = [
            d
            for d in self.decisions_of[record.initiative][-10:]
            if d.superseded_by is None and d.committed_status is not None
        ]
        if not candidates:
            return
        old = self.rng.choice(candidates)
        old.superseded_by = record.id
        old.meta["status"] = "superseded"
        old.paragraphs.append(f"Superseded by {record.id}.")
        record.meta["supersedes"] = old.id
        self.movable.discard(old)
        commit.touch(old)

    # -- commits ------------------------------------------------------------

    def start_commit(self) -> Commit:
        author = self.rng.choices(AUTHORS, weights=AUTHOR_WEIGHTS)[0]
        commit = Commit(author, self.clock)
        self.clock += self.rng.randint(3600, 4 * 3600)
        return commit

    def create_records(self, kinds: list[str], first: bool) -> None:
        commit = self.start_commit()
        created: list[Record] = []
        for kind in kinds:
            if kind == "initiative":
                record = self.new_initiative(commit)
            else:
                # Work clusters on the few newest initiatives, as it does in practice.
                initiative = self.rng.choice(self.initiatives[-3:]).id
                if kind == "learning":
                    record = self.new_learning(commit, initiative)
                else:
                    record = self.new_decision(commit, initiative)
                self.renamable.append(record)
            self.records.append(record)
            if record.status in NEXT_STATUS[kind]:
                self.movable.add(record)
            created.append(record)
            commit.touch(record)
        if len(created) == 1:
            commit.message = f"Add {created[0].kind} {created[0].id}"
        else:
            listing = "\n".join(f"- {record.id}" for record in created)
            commit.message = f"Add {len(created)} records\n\n{listing}"
        if first:
            self.write_home_page(commit)
        self.write(commit)

    def write_home_page(self, commit: Commit) -> None:
        """An ordinary page without `type`, which headway must leave alone."""
        text = "# Records\n\nDecisions and learnings of every initiative, for benchmarks.\n"
        commit.pages[f"{self.docs_dir}/index.md"] = text.encode()

    def edit_records(self) -> None:
        commit = self.start_commit()
        rng = self.rng
        subjects: list[str] = []
        if rng.random() < STATUS_SHARE and (record := self.movable.choice(rng)) is not None:
            self.advance(record, commit)
            subjects.append(f"Mark {record.id} as {record.status}")
        for _ in range(rng.randint(1, 3) - len(subjects)):
            record = self.records[rng.randrange(len(self.records))]
            if record.id not in commit.touched:
                self.edit(record, commit)
                subjects.append(f"Update {record.id}")
        if not subjects:  # every pick was already in the commit
            subjects.append("Update records")
        if len(subjects) > 1:
            subjects = [f"{subjects[0]} and {len(subjects) - 1} more", "", *subjects]
        commit.message = "\n".join(subjects)
        self.write(commit)

    def advance(self, record: Record, commit: Commit) -> None:
        statuses, weights = NEXT_STATUS[record.kind][record.status]
        status = self.rng.choices(statuses, weights=weights)[0]
        record.meta["status"] = status
        record.paragraphs.append(f"Moved to {status} {self.rng.choice(TAILS)}")
        if status not in NEXT_STATUS[record.kind]:
            self.movable.discard(record)
        commit.touch(record)

    def edit(self, record: Record, commit: Commit) -> None:
        rng = self.rng
        paragraphs = record.paragraphs
        if len(paragraphs) < MAX_PARAGRAPHS and rng.random() < 0.5:
            paragraphs.append(self.paragraph())
        else:
            paragraphs[rng.randrange(len(paragraphs))] = self.paragraph()
        if record.kind != "initiative" and rng.random() < 0.15:
            self.edit_front_matter(record, commit)
        commit.touch(record)

    def edit_front_matter(self, record: Record, commit: Commit) -> None:
        waiting = record.meta.get("waiting_on")
        actions = record.meta.get("actions")
        if isinstance(waiting, list) and (
            open_entries := [w for w in waiting if isinstance(w, dict) and "done" not in w]
        ):
            self.rng.choice(open_entries)["done"] = True
        elif isinstance(actions, list) and (
            open_actions := [a for a in actions if isinstance(a, dict) and a["status"] != "done"]
        ):
            self.rng.choice(open_actions)["status"] = "done"
        elif record.status in NEXT_STATUS[record.kind]:
            entries = waiting if isinstance(waiting, list) else []
            record.meta["waiting_on"] = [*entries, self.waiting_entry(commit)]

    def rename_record(self) -> None:
        commit = self.start_commit()
        record = self.renamable[self.rng.randrange(len(self.renamable))]
        old_path = record.path(self.docs_dir)
        if self.rng.random() < 0.5:
            record.prefix = "" if record.prefix else f"{self.rng.randint(1, 999):04d}-"
        else:
            record.archived = not record.archived
        if "id" not in record.meta:
            # The file name no longer is the id, so the id is written out to keep it stable.
            record.meta = {"type": record.meta["type"], "id": record.id, **record.meta}
        new_path = record.path(self.docs_dir)
        commit.deleted.append(old_path)
        commit.touch(record)
        commit.message = f"Rename {old_path} to {new_path}"
        self.renames += 1
        self.write(commit)

    def write(self, commit: Commit) -> None:
        """Append one commit to the fast-import stream, with every touched file in full."""
        name, email = commit.author
        identity = f"{name} <{email}> {commit.timestamp} +0000\n".encode()
        out = self.out
        out.write(b"commit refs/heads/" + BRANCH.encode() + b"\n")
        out.write(b"author " + identity + b"committer " + identity)
        self.data(commit.message.encode() + b"\n")
        for path in commit.deleted:
            out.write(b"D %s\n" % path.encode())
        for path, content in commit.pages.items():
            out.write(b"M 100644 inline %s\n" % path.encode())
            self.data(content)
        for record in commit.touched.values():
            if record.committed_status is not None and record.committed_status != record.status:
                self.status_changes += 1
            record.committed_status = record.status
            out.write(b"M 100644 inline %s\n" % record.path(self.docs_dir).encode())
            self.data(record.render())
        out.write(b"\n")
        self.commits += 1

    def data(self, payload: bytes) -> None:
        self.out.write(b"data %d\n" % len(payload))
        self.out.write(payload)
        self.out.write(b"\n")

    # -- the whole history --------------------------------------------------

    def run(self, records: int, commits: int) -> None:
        kinds = self.plan_kinds(records)
        batches = creation_batches(self.rng, records, commits)
        position = 0
        for number, size in enumerate(batches):
            self.create_records(kinds[position : position + size], first=number == 0)
            position += size
        edits = commits - len(batches)
        rename_count = max(1, round(edits * RENAME_SHARE)) if edits and self.renamable else 0
        rename_at = set(self.rng.sample(range(edits), rename_count))
        for number in range(edits):
            if number in rename_at:
                self.rename_record()
            else:
                self.edit_records()

    def plan_kinds(self, records: int) -> list[str]:
        """The type of each record in creation order; initiatives spread evenly, first at 0."""
        initiatives = max(1, round(records / INITIATIVE_EVERY))
        rest = records - initiatives
        learnings = round(rest * LEARNING_SHARE)
        others = ["learning"] * learnings + ["decision"] * (rest - learnings)
        self.rng.shuffle(others)
        starts = {number * records // initiatives for number in range(initiatives)}
        return ["initiative" if index in starts else others.pop() for index in range(records)]


def git(dest: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=dest, check=True, stdout=subprocess.DEVNULL)


def generate(
    dest: Path, records: int, commits: int, seed: int = 0, docs_dir: str = "records"
) -> GenerationSummary:
    """Create a git repository at `dest` (absent or empty) with the history the module's
    docstring describes, check it out, and write `mkdocs.yml` for the headway plugin."""
    if records < 1 or commits < 1:
        raise ValueError("records and commits must both be at least 1")
    docs_dir = docs_dir.strip("/")
    if not docs_dir or docs_dir.startswith(".") or "\\" in docs_dir or not docs_dir.isprintable():
        raise ValueError(f"unusable docs_dir {docs_dir!r}: expected a relative folder name")
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    git(dest, "init", "--quiet", "-b", BRANCH)

    process = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"], cwd=dest, stdin=subprocess.PIPE
    )
    assert process.stdin is not None
    generator = Generator(Random(seed), docs_dir, process.stdin)
    try:
        generator.run(records, commits)
        process.stdin.write(b"done\n")
    except BrokenPipeError:
        pass  # fast-import stopped early; its exit status below says so
    finally:
        # Without the final `done`, fast-import (run with --done) fails instead of committing.
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        returncode = process.wait()
    if returncode != 0:
        raise RuntimeError(f"git fast-import failed with exit status {returncode}")
    # fast-import deltas each blob against the one written before it for the same path,
    # so a file's versions form chains up to 50 deep, which makes every old version slow
    # to read. A repository built by ordinary commits and pushes is packed by
    # `git pack-objects` (what a clone or fetch from a hosting service receives): deltas
    # chosen afresh, chains mostly under 5. Repack the same way, so that reading old
    # versions costs what it costs in a real clone.
    git(dest, "repack", "-a", "-d", "-f", "--quiet")
    git(dest, "reset", "--hard", "--quiet")
    write_mkdocs_yml(dest, "headway", docs_dir)

    kinds = [record.kind for record in generator.records]
    return GenerationSummary(
        records=len(generator.records),
        commits=generator.commits,
        status_changes=generator.status_changes,
        renames=generator.renames,
        initiatives=kinds.count("initiative"),
        learnings=kinds.count("learning"),
        decisions=kinds.count("decision"),
    )


def plugin_names(plugins: str) -> list[str]:
    """The variants named by `--plugins`: `none`, or a comma-separated list of them."""
    if plugins.strip() == "none":
        return []
    names = [name.strip() for name in plugins.split(",")]
    if not names or any(name not in PLUGIN_VARIANTS for name in names):
        raise ValueError(
            f"unknown plugins {plugins!r}: expected none, or a comma-separated list of "
            + ", ".join(PLUGIN_VARIANTS)
        )
    return names


def write_mkdocs_yml(dest: Path, plugins: str = "headway", docs_dir: str | None = None) -> Path:
    """Write `dest/mkdocs.yml` for a plugin variant (see `plugin_names`); `git-dates` is
    git-revision-date-localized with creation dates.

    Without `docs_dir`, the one of an existing `mkdocs.yml` is kept (default `records`).
    """
    path = Path(dest) / "mkdocs.yml"
    if docs_dir is None:
        existing = path.read_text() if path.exists() else ""
        found = re.search(r"^docs_dir: (\S+)$", existing, re.MULTILINE)
        docs_dir = found.group(1) if found else "records"
    names = plugin_names(plugins)
    plugin_list = "".join(PLUGIN_VARIANTS[name] for name in names)
    plugins_yaml = f"plugins:\n{plugin_list}" if names else "plugins: []\n"
    path.write_text(
        "site_name: Headway benchmark\n"
        f"docs_dir: {docs_dir}\n"
        "theme:\n"
        "  name: material\n"
        "  features:\n"
        "    - navigation.prune\n"
        f"{plugins_yaml}"
    )
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dest", type=Path, help="folder for the new repository (absent or empty)")
    parser.add_argument("--records", type=int, required=True, help="number of records (N)")
    parser.add_argument("--commits", type=int, required=True, help="number of commits (M)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--docs-dir", default="records", help="MkDocs docs_dir (default records)")
    parser.add_argument(
        "--plugins",
        default="headway",
        help="mkdocs.yml plugins: none, or a comma-separated list of headway, git-dates",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        plugin_names(args.plugins)  # refuse a bad variant before the long part
        summary = generate(args.dest, args.records, args.commits, args.seed, args.docs_dir)
        write_mkdocs_yml(args.dest, args.plugins)
    except (ValueError, FileExistsError) as error:
        parser.error(str(error))
    elapsed = time.perf_counter() - started
    print(
        f"{args.dest}: {summary.records} records ({summary.initiatives} initiatives, "
        f"{summary.learnings} learnings, {summary.decisions} decisions), "
        f"{summary.commits} commits, {summary.status_changes} status changes, "
        f"{summary.renames} renames in {elapsed:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
