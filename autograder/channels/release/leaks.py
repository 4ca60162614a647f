"""Look through a built release for anything of the references or the hidden suites.

Each assignment's secrets are collected on their own and every file is checked
against each; a hit names the file and the assignment whose secret it holds.
A hit is any of:
- a line from a solution region of a reference (``stubs.solution_lines``);
- a non-trivial line of a hidden suite file;
- a hidden suite's folder or file name, or a reference's path, in a file name or text;
- a reference or hidden key left in the release's course.toml.

Lines are compared by their tokens (``Tokens``): names and numbers, and every
other character that is not white space, each one token, case-folded. A
secret line is found in a file when its tokens appear there one after
another, across line breaks; so spacing, line breaks and case neither make
nor hide a leak. A line is no secret when the release ships it as public
anyway (``public_texts``): the generated stubs and conftests, the public tests,
the READMEs, the figures files, the notebook's closing text, and the TODOs and
hints of course.toml, of every assignment. What an author shows students on
purpose (a hint that quotes its solution line), and a common line that a
public file of another assignment holds too, therefore refuse nothing. A hidden
check's line that the engine itself holds (``engine_texts``: every release ships
the engine, so a generic helper line such as ``isinstance(actual, (tuple, list))``
is public there) is no secret either; a solution line in the engine still is,
since the engine names no assignment's answer.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.channels.release.steps import PRIVATE_KEYS, Release
from autograder.course import Assignment, tomllib
from autograder.stubs import make_public_conftest, make_stub, solution_lines

# Shorter lines, and lines that only import or decorate, are too common to mean anything.
MIN_HIDDEN_LINE = 24
COMMON_STARTS = ("#", "import ", "from ", "@", '"""', "'''", "return None", "pass")
# A name or a number (letters, digits, _), or any other single character that is not white space.
TOKEN = re.compile(r"\w+|[^\w\s]")
# Joins tokens into one string, so "these tokens in a row" is a substring test; never part of a token.
SEPARATOR = "\0"


@dataclass(frozen=True)
class NamePattern:
    """A path or name as a whole word (not the tail of a longer name or dotted path)."""

    literal: str

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w.]){re.escape(self.literal)}\b")

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    def search(self, text: str) -> re.Match[str] | None:
        """The first whole-word occurrence in ``text``, or None.

        A plain substring test first: the look-behind at its start keeps the regex
        from skipping ahead to its literal, and few files hold it at all.
        """
        return self.regex.search(text) if self.literal in text else None


@dataclass(frozen=True)
class Secrets:
    """What of one assignment must not appear in a release, and the solution lines its public files show."""

    assignment: str
    solution_lines: frozenset[str]
    hidden_lines: frozenset[str]
    names: tuple[NamePattern, ...]
    quoted: frozenset[str]


class Tokens:
    """A text as its case-folded tokens in a row, and which two tokens ever follow each other in it."""

    def __init__(self, text: str):
        found = TOKEN.findall(text.casefold())
        self.joined = SEPARATOR + SEPARATOR.join(found) + SEPARATOR if found else ""
        # Most secret lines hold some pair of tokens a file never has: that answers without a search.
        self.pairs = frozenset(itertools.pairwise(found))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tokens) and self.joined == other.joined

    def __hash__(self) -> int:
        return hash(self.joined)

    def holds(self, line: str) -> bool:
        """Whether the tokens of ``line`` appear here one after another."""
        wanted = _line_tokens(line)
        return bool(wanted.joined) and wanted.pairs <= self.pairs and wanted.joined in self.joined


@functools.lru_cache(maxsize=8192)
def _line_tokens(line: str) -> Tokens:
    """The tokens of a secret line, made once: every file of a release is compared with every line."""
    return Tokens(line)


def public_texts(release: Release) -> list[Tokens]:
    """The tokens of what the release ships to students on purpose, for every assignment (see the module)."""
    texts = []
    for assignment in release.assignments:
        files = [
            assignment.folder / "README.md",
            assignment.public_tests,
            assignment.figures,
            assignment.notebook.closing,
        ]
        texts += [_text(path) or "" for path in files if path is not None]
        texts.append(make_stub(assignment.solution_file.read_text(encoding="utf-8"), assignment))
        texts.append(make_public_conftest(assignment))
        texts += [part for task in assignment.tasks for part in (task.todo, *task.hints)]
    return [Tokens(text) for text in texts]


def engine_texts(release: Release) -> list[Tokens]:
    """The tokens of the engine's Python files that every release ships (its hidden suites left out)."""
    hidden = [a.hidden_tests.resolve() for a in release.assignments if a.hidden_tests is not None]
    files = sorted((release.project / "autograder").rglob("*.py"))
    shipped = [f for f in files if not any(f.resolve().is_relative_to(folder) for folder in hidden)]
    return [Tokens(_text(path) or "") for path in shipped]


def secrets_of(release: Release) -> dict[str, Secrets]:
    """The secrets of each assignment of the release's project, by assignment id."""
    public, engine = public_texts(release), engine_texts(release)
    return {assignment.id: _secrets_of(assignment, release, public, engine) for assignment in release.assignments}


def _secrets_of(assignment: Assignment, release: Release, public: list[Tokens], engine: list[Tokens]) -> Secrets:
    lines = set(solution_lines(assignment.solution_file.read_text(encoding="utf-8")))
    quoted = {line for line in lines if any(text.holds(line) for text in public)}
    names = [
        _path_pattern(assignment.solution_file, release.project),
        _path_pattern(assignment.solution_file.parent, release.project),
    ]
    hidden = set()
    if assignment.hidden_tests is not None and assignment.hidden_tests.exists():
        names += [_path_pattern(assignment.hidden_tests, release.project), _module_pattern(assignment, release)]
        for file in sorted(assignment.hidden_tests.rglob("*.py")):
            if file.name != "__init__.py":
                names.append(NamePattern(file.name))
            telling = {line for line in _stripped_lines(file.read_text(encoding="utf-8")) if _is_telling(line)}
            hidden |= {line for line in telling if not any(text.holds(line) for text in [*public, *engine])}
    return Secrets(assignment.id, frozenset(lines - quoted), frozenset(hidden), tuple(names), frozenset(quoted))


def scan_release(release: Release, secrets: dict[str, Secrets] | None = None) -> list[str]:
    """Every hit under ``release.out``, as ``path: whose secret was found`` (empty when clean)."""
    secrets = secrets_of(release) if secrets is None else secrets
    hits = []
    for path in sorted(p for p in release.out.rglob("*") if p.is_file()):
        relative = path.relative_to(release.out).as_posix()
        if path.suffix == ".pyc":
            hits.append(f"{relative}: compiled Python (may hold any source)")
        text = _text(path)
        in_text = Tokens(text) if text is not None else None
        for own in secrets.values():
            hits += _hits_in(relative, text, in_text, own)
    hits += _private_manifest_keys(release.out / "course.toml")
    return hits


def _hits_in(relative: str, text: str | None, in_text: Tokens | None, secrets: Secrets) -> list[str]:
    """What of one assignment's secrets a file's name and text (and the text's tokens) hold."""
    whose = secrets.assignment
    hits = [f"{relative}: its path matches {whose}'s {p.pattern!r}" for p in secrets.names if p.search(relative)]
    if text is None or in_text is None:
        return hits
    hits += [
        f"{relative}: {whose}'s solution line {line!r}"
        for line in sorted(secrets.solution_lines)
        if in_text.holds(line)
    ]
    hits += [
        f"{relative}: {whose}'s hidden suite line {line!r}"
        for line in sorted(secrets.hidden_lines)
        if in_text.holds(line)
    ]
    hits += [f"{relative}: names {whose}'s {p.pattern!r}" for p in secrets.names if p.search(text)]
    return hits


def _private_manifest_keys(manifest: Path) -> list[str]:
    if not manifest.exists():
        return []
    entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("assignments", [])
    return [f"course.toml: assignment {e.get('id')} has {key!r}" for e in entries for key in PRIVATE_KEYS if key in e]


def _is_telling(line: str) -> bool:
    return len(line) >= MIN_HIDDEN_LINE and not line.startswith(COMMON_STARTS)


def _stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _path_pattern(path: Path, project: Path) -> NamePattern:
    return NamePattern(path.relative_to(project).as_posix())


def _module_pattern(assignment: Assignment, release: Release) -> NamePattern:
    return NamePattern(".".join(assignment.hidden_folder.relative_to(release.project).parts))


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError):
        return None
