"""The zoo of Chapter 1, Part 2 (ch01_noise): real submissions, right and wrong, graded by the real grader.

tests/submissions/ch01_noise/
    correct/<name>.py   other ways to be right: each must earn every point.
    wrong/<name>.py     one mistake in one function. The docstring starts with
                        ``WRONG: <function>`` and ``NAMED: <cause>``, the cause being a
                        misconception key of the suite, a quoted phrase of the feedback
                        that names the mistake (``"should be a Python float"``), or none;
                        the exact total is in expected_scores.toml.
    broken/<name>.py    files that do not import, or do almost nothing; the exact
                        per-check scores and the phrases every failed check shows are
                        in <name>.expected.json.

The numbers are reviewed by hand: when a check changes, read the new feedback of
each file and update them, never copy whatever the grader printed.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from autograder.course import get_assignment, tomllib
from autograder.grade import grade_submission
from autograder.stubs import solution_lines
from autograder.suites.ch01_noise.misconceptions import EXPLAIN

ZOO = Path(__file__).parent / "submissions" / "ch01_noise"
CORRECT = sorted((ZOO / "correct").glob("*.py"))
WRONG = sorted((ZOO / "wrong").glob("*.py"))
BROKEN = sorted((ZOO / "broken").glob("*.py"))
EXPECTED_SCORES = tomllib.loads((ZOO / "expected_scores.toml").read_text(encoding="utf-8"))["wrong"]
# The misconceptions every zoo of this assignment must show named in its feedback.
REQUIRED_NAMED = {"added_stds", "log10", "forgot_two", "ddof_one", "not_excess", "summed_betas"}

pytestmark = pytest.mark.in_process


@pytest.fixture(scope="module")
def noise():
    return get_assignment("ch01_noise")


@pytest.fixture(scope="module")
def graded(noise):
    """Grade a zoo file on every suite, once per module."""
    reports = {}

    def report(path: Path):
        if path not in reports:
            reports[path] = grade_submission(noise, path)
        return reports[path]

    return report


def header(path: Path) -> tuple[str, str]:
    """The (WRONG, NAMED) pair from the first two lines of a wrong variant's docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines = [*doc.splitlines(), "", ""]
    if not (lines[0].startswith("WRONG: ") and lines[1].startswith("NAMED: ")):
        raise ValueError(f"{path.name}: the docstring must start with 'WRONG: ...' and 'NAMED: ...'")
    return lines[0].removeprefix("WRONG: ").strip(), lines[1].removeprefix("NAMED: ").strip()


def cause_text(named: str) -> str:
    """What the feedback must contain for a NAMED header: a quoted phrase, or a misconception's explanation."""
    return named[1:-1] if named.startswith('"') else EXPLAIN[named]


NAMED = [path for path in WRONG if header(path)[1] != "none"]


def failures(report) -> list[str]:
    return [f"{t.name}: {t.output}" for t in report.tests if not t.passed]


def task_points(report, task: str) -> tuple[float, float]:
    tests = [t for t in report.tests if t.name.startswith(f"{task}:")]
    return sum(t.score for t in tests), sum(t.max_score for t in tests)


def test_zoo_covers_every_function_with_distinct_mistakes(noise):
    """at least 40 wrong variants, all different, covering every function, each header valid."""
    assert len(WRONG) >= 40
    bodies = ["\n".join(ast.dump(node) for node in ast.parse(p.read_text(encoding="utf-8")).body[1:]) for p in WRONG]
    assert len(set(bodies)) == len(bodies), "two wrong variants have the same code"
    headers = {p.stem: header(p) for p in WRONG}
    assert {wrong for wrong, _ in headers.values()} == set(noise.task_names)
    assert all(named == "none" or named in EXPLAIN or named.startswith('"') for _, named in headers.values()), headers
    assert REQUIRED_NAMED <= {named for _, named in headers.values()}


def test_every_wrong_variant_has_one_expected_score():
    """expected_scores.toml lists exactly the wrong variants, each with a whole-number score."""
    assert set(EXPECTED_SCORES) == {p.stem for p in WRONG}
    assert all(isinstance(score, int) for score in EXPECTED_SCORES.values())


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_gets_full_marks(graded, path):
    """another correct way of writing the functions earns every point."""
    report = graded(path)
    assert failures(report) == []
    assert report.score == report.max_score > 0


@pytest.mark.slow
@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_wrong_variant_loses_points_on_its_function_only(graded, path):
    """a mistake in one function costs points there, nowhere else, and exactly the reviewed total."""
    wrong, _ = header(path)
    report = graded(path)
    score, max_score = task_points(report, wrong)
    assert score < max_score, f"{path.stem} is not caught: {wrong} keeps all {max_score:g} points"
    assert [f for f in failures(report) if not f.startswith(f"{wrong}:")] == []
    assert report.score == EXPECTED_SCORES[path.stem]


@pytest.mark.slow
@pytest.mark.parametrize("path", NAMED, ids=lambda p: p.stem)
def test_named_mistake_is_explained(graded, path):
    """the feedback of at least one failed check names the variant's mistake."""
    _, named = header(path)
    report = graded(path)
    assert any(cause_text(named) in t.output for t in report.tests if not t.passed), failures(report)


@pytest.mark.slow
@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_submission_matches_its_golden_file(graded, path):
    """each check scores exactly as in the reviewed golden file, and every failure says why."""
    golden = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = graded(path)
    assert {t.name: t.score for t in report.tests} == golden["tests"]
    assert report.score == golden["score"]
    for test in report.tests:
        if not test.passed:
            missing = [phrase for phrase in golden["phrases"] if phrase not in test.output]
            assert missing == [], f"{test.name}: {test.output}"


def test_every_broken_file_has_a_golden_file():
    """no golden file without its submission, and no broken submission without a golden file."""
    goldens = {p.name.removesuffix(".expected.json") for p in (ZOO / "broken").glob("*.expected.json")}
    assert goldens == {p.stem for p in BROKEN}


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT + WRONG + BROKEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_feedback_never_leaks_hidden_source(graded, noise, path):
    """no feedback quotes a line of the hidden suite or of the reference's solution regions."""
    secrets = set(solution_lines(noise.solution.read_text(encoding="utf-8")))
    for source in sorted(noise.hidden_tests.rglob("*.py")):
        secrets |= {line.strip() for line in source.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 25}
    # A student's own line quoted back (where an error happened) is not a leak.
    secrets -= {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    report = graded(path)
    outputs = [t.output for t in report.tests] + [report.output]
    assert sorted({line for line in secrets for output in outputs if line in output}) == []
