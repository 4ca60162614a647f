"""What learning platforms export, read as attempts: who handed in what, when, and whether it was late.

Each layout is a module with ``NAME``, ``looks_like(folder) -> bool`` and
``read(folder) -> list[Attempt]``; ``detect`` tries them in order, most specific
first, and the plain folder (one entry per student) last. docs/exports.md says
where each platform's naming rule comes from.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from autograder.channels.exports.entries import Attempt

__all__ = ["LAYOUTS", "Attempt", "Export", "UnknownLayout", "detect", "layout_named", "read_export"]


class UnknownLayout(ValueError):
    """The folder is no export grade-all knows, or a forced layout does not fit it."""


@dataclass
class Export:
    """An export read: its layout, every attempt in it, and entries that belong to no student."""

    layout: str
    attempts: list[Attempt]
    skipped: list[str] = field(default_factory=list)


def _layouts() -> list[ModuleType]:
    from autograder.channels.exports import (  # noqa: PLC0415 - the layouts import Attempt from this package
        blackboard,
        canvas,
        classroom,
        gradescope,
        moodle,
        plain,
    )

    return [gradescope, canvas, moodle, blackboard, classroom, plain]


def layout_named(name: str) -> ModuleType:
    for layout in _layouts():
        if layout.NAME == name:
            return layout
    raise UnknownLayout(f"no export layout named {name}; choose one of {', '.join(LAYOUTS)}")


def detect(folder: Path) -> ModuleType:
    """The layout ``folder`` is in: the first whose naming rule most of its entries follow."""
    for layout in _layouts():
        if layout.looks_like(folder):
            return layout
    raise UnknownLayout(f"{folder} is not an export grade-all knows")


def read_export(folder: Path, layout_name: str = "auto", skip: Collection[Path] = frozenset()) -> Export:
    """Every attempt in ``folder``, read in the layout named (or detected); entries in ``skip`` are no student's."""
    layout = detect(folder) if layout_name == "auto" else layout_named(layout_name)
    if layout_name != "auto" and not layout.looks_like(folder):
        raise UnknownLayout(
            f"{folder} does not look like a {layout_name} export ({layout.RULE}); "
            f"leave out --layout to detect it, or choose another"
        )
    attempts, skipped = layout.read(folder, skip)
    return Export(layout.NAME, attempts, skipped)


LAYOUTS = ("auto", "plain", "canvas", "moodle", "blackboard", "gradescope", "classroom")
