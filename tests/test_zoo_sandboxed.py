"""The zoo through the real sandbox: of each zoo kind, graded in isolated workers, the same report as in-process.

test_zoo.py and test_zoo_noise.py grade every zoo file with the in-process stand-in
(tests/in_process_worker.py). Here a sample of each kind (correct, wrong,
broken: every broken file, whose import is where the worker matters most) is
graded by the isolated worker and by the stand-in: every check must score the
same and say the same, so the stand-in cannot drift from the real path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from in_process_worker import IN_PROCESS

from autograder.course import get_assignment
from autograder.grade import grade_submission
from autograder.sandbox import workers_of_kind

ZOOS = Path(__file__).parent / "submissions"
# Files whose behaviour differs where the worker is real: matplotlib at import, printing, raising at import.
SAMPLE = {
    "ch01_forward": ["correct/matplotlib_top_level", "correct/debug_prints", "wrong/betas_diff"],
    "ch01_noise": ["correct/raw_moments_and_warnings", "correct/mo_statistics_error", "wrong/cs_added"],
    "ch01_reverse": ["correct/loops_and_cholesky", "wrong/ep_channels_first"],
}
PRINTED = "\n\nYour code printed:\n"
CASES = [
    (assignment, ZOOS / assignment / f"{name}.py")
    for assignment, names in SAMPLE.items()
    for name in [*names, *(f"broken/{p.stem}" for p in sorted((ZOOS / assignment / "broken").glob("*.py")))]
]


def outcome(report) -> dict[str, tuple[float, str]]:
    """Each check's score and what it says, with the report's own output.

    What the code printed is left out: the process it runs in adds lines of its own
    (a sandbox without fonts makes Matplotlib's fontconfig complain on stderr), and
    the path of the file in a warning is the worker's folder.
    """
    said = {t.name: (t.score, t.output.partition(PRINTED)[0]) for t in report.tests}
    return {"(output)": (0.0, report.output), **said}


@pytest.mark.slow
@pytest.mark.parametrize(("assignment", "path"), CASES, ids=[f"{a}/{p.parent.name}/{p.stem}" for a, p in CASES])
def test_the_sandbox_and_the_stand_in_grade_alike(assignment, path):
    """a zoo file gets the same score and feedback, check by check, in the isolated worker and in-process."""
    task = get_assignment(assignment)
    isolated = grade_submission(task, path)
    with workers_of_kind(IN_PROCESS):
        in_process = grade_submission(task, path)
    # It ran in the sandbox (unless nothing could run: an empty file is rejected before any worker starts).
    assert isolated.metadata["protections"]["in_force"] or isolated.output.startswith("0 points")
    assert outcome(isolated) == outcome(in_process)
    assert isolated.score == in_process.score


def test_every_zoo_kind_is_sampled():
    """the sample holds a file of every kind of every zoo (correct, wrong, and each broken file)."""
    kinds = {(assignment, path.parent.name) for assignment, path in CASES}
    zoos = {(folder.parent.name, folder.name) for folder in ZOOS.glob("*/*") if folder.is_dir()}
    assert kinds == zoos
    assert len(CASES) == sum(len(names) for names in SAMPLE.values()) + len(list(ZOOS.glob("*/broken/*.py")))
