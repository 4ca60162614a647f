"""The project's one lock, ``requirements.lock``, and the part of it each install needs.

``make lock`` writes the lock with ``uv pip compile --universal``: one file in
pip's requirements format that pins every package for every supported Python
(a package that dropped an old Python gets one pin per range, with a marker).
Every install reads it:

- the project's virtualenv: ``pip install -c requirements.lock -e '.[dev]'``
  (constraints: pip installs only what is asked for, at the locked version);
- the student release: the pins of the project's own ``dependencies`` and what
  they pull in (``pins_for``), as its ``requirements.lock``;
- the Gradescope bundle: the pins of what grading imports, nothing for figures.

Each pin's ``# via`` lines say which packages need it; ``pins_for`` follows them
down from the packages an install asks for, so a subset never misses a
dependency nor gets a pin of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.course import PROJECT_ROOT, tomllib

LOCK = PROJECT_ROOT / "requirements.lock"
# uv's "# via" name for a requirement the project declares itself.
PROJECT = "(pyproject.toml)"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)\s*(?:;\s*(?P<marker>.+))?$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_VIA = re.compile(r"^\s+#\s+(?:via\s+)?(?P<parent>\S.*)$")


@dataclass(frozen=True)
class Pin:
    """One line of the lock: a package at one version, for the Pythons its marker admits."""

    name: str  # normalized (PEP 503)
    version: str
    marker: str | None
    required_by: frozenset[str]  # normalized names, PROJECT for the project's own requirements

    @property
    def line(self) -> str:
        """The pin as pip reads it."""
        return f"{self.name}=={self.version}" + (f" ; {self.marker}" if self.marker else "")


def normalize(name: str) -> str:
    """A distribution's name as indexes compare it: lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path = LOCK) -> list[Pin]:
    """Every pin of the lock, in its order, with the packages that need it."""
    pins: list[Pin] = []
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            pins.append(Pin(required_by=frozenset(current.pop("parents")), **current))

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        pin = _PIN.match(line)
        if pin:
            close()
            marker = pin["marker"].strip() if pin["marker"] else None
            current = {"name": normalize(pin["name"]), "version": pin["version"], "marker": marker, "parents": []}
            continue
        via = _VIA.match(line)
        if via and via["parent"].strip() == "via":
            continue  # the heading of a list of parents, one a line below
        if via and current is not None:
            parent = via["parent"].strip()
            current["parents"].append(PROJECT if parent.endswith(PROJECT) else normalize(parent.split()[0]))
        elif line.strip() and not line.lstrip().startswith("#"):
            raise ValueError(f"{path}: not a pin of a universal lock: {line!r}")
    close()
    return pins


def pins_for(names: Iterable[str], pins: list[Pin] | None = None) -> list[Pin]:
    """The pins of ``names`` and of everything they need, in the lock's order."""
    pins = read_lock() if pins is None else pins
    locked = {pin.name for pin in pins}
    wanted = {normalize(name) for name in names}
    missing = wanted - locked
    if missing:
        raise ValueError(f"{sorted(missing)} not in the lock; add them to pyproject.toml and run make lock")
    needs: dict[str, set[str]] = {}
    for pin in pins:
        for parent in pin.required_by:
            needs.setdefault(parent, set()).add(pin.name)
    queue = list(wanted)
    while queue:
        for child in needs.get(queue.pop(), ()):
            if child not in wanted:
                wanted.add(child)
                queue.append(child)
    return [pin for pin in pins if pin.name in wanted]


def declared_requirements(project: Path = PROJECT_ROOT, names: Iterable[str] | None = None) -> list[str]:
    """The project's ``dependencies`` as pyproject.toml writes them (markers kept), or those of ``names``."""
    declared = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    if names is None:
        return list(declared)
    wanted = {normalize(name) for name in names}
    chosen = [r for r in declared if normalize(requirement_name(r)) in wanted]
    missing = wanted - {normalize(requirement_name(r)) for r in chosen}
    if missing:
        raise ValueError(f"pyproject.toml does not declare {sorted(missing)}")
    return chosen


def requirement_name(requirement: str) -> str:
    """The distribution a requirement string names (``"tomli>=2; python_version < '3.11'"`` -> tomli)."""
    found = _NAME.match(requirement)
    if not found:
        raise ValueError(f"not a requirement: {requirement!r}")
    return found[1]


def constraints_text(requirements: Iterable[str], purpose: str, pins: list[Pin] | None = None) -> str:
    """The lock's pins of ``requirements`` and all they need, as a file for pip's ``-c``."""
    names = [requirement_name(r) for r in requirements]
    lines = [f"# {purpose}", "# The course's requirements.lock (make lock) cut down to what these installs need."]
    return "\n".join([*lines, *(pin.line for pin in pins_for(names, pins))]) + "\n"
