"""The zoo: real student-like submissions, right and wrong, graded by the real grader.

tests/submissions/ch01_forward/
    correct/<name>.py   other ways to be right: each must earn every point.
    wrong/<name>.py     one mistake in one function. The docstring starts with
                        ``WRONG: <function>`` and ``NAMED: <cause>``, the cause being a
                        misconception key, a quoted phrase of the feedback that names
                        this mistake (``"changed the x0 it was given"``), or none;
                        the exact total is in expected_scores.toml.
    broken/<name>.py    files that do not import, or do almost nothing; the exact
                        per-check scores and the phrases every failed check shows are
                        in <name>.expected.json.

The numbers in expected_scores.toml and the golden files are reviewed by hand:
when a check is added or changed, read the new feedback for each file and
update them, never copy whatever the grader printed.

Every file is graded once per session (grading is the slow part).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from autograder.course import tomllib
from autograder.stubs import solution_lines
from autograder.suites.ch01_forward.misconceptions import EXPLAIN

ZOO = Path(__file__).parent / "submissions" / "ch01_forward"
CORRECT = sorted((ZOO / "correct").glob("*.py"))
WRONG = sorted((ZOO / "wrong").glob("*.py"))
BROKEN = sorted((ZOO / "broken").glob("*.py"))
EXPECTED_SCORES = tomllib.loads((ZOO / "expected_scores.toml").read_text(encoding="utf-8"))["wrong"]
MIN_WRONG = 40
NAMED_SHARE = 0.9  # of the wrong variants, at least this share is named with its specific cause

pytestmark = pytest.mark.in_process


def header(path: Path) -> tuple[str, str]:
    """The (WRONG, NAMED) pair from the first two lines of a wrong variant's docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines = [*doc.splitlines(), "", ""]
    if not (lines[0].startswith("WRONG: ") and lines[1].startswith("NAMED: ")):
        raise ValueError(f"{path.name}: the docstring must start with 'WRONG: ...' and 'NAMED: ...'")
    return lines[0].removeprefix("WRONG: ").strip(), lines[1].removeprefix("NAMED: ").strip()


NAMED = [path for path in WRONG if header(path)[1] != "none"]


@pytest.fixture(scope="session")
def graded(grade):
    """Grade a zoo file, once per session."""
    reports = {}

    def report(path: Path):
        if path not in reports:
            reports[path] = grade(path)
        return reports[path]

    return report


def failures(report) -> list[str]:
    return [f"{t.name}: {t.output}" for t in report.tests if not t.passed]


def task_points(report, task: str) -> tuple[float, float]:
    """(score, max_score) over the checks of one function."""
    tests = [t for t in report.tests if t.name.startswith(f"{task}:")]
    return sum(t.score for t in tests), sum(t.max_score for t in tests)


# -- the zoo itself ---------------------------------------------------------------


def test_zoo_has_enough_distinct_mistakes(ch01):
    """there are at least 40 wrong variants, all different, covering every function, each with a valid header."""
    assert len(WRONG) >= MIN_WRONG
    # The code after the docstring, as a syntax tree: comments and spacing do not make a new mistake.
    bodies = ["\n".join(ast.dump(node) for node in ast.parse(p.read_text(encoding="utf-8")).body[1:]) for p in WRONG]
    assert len(set(bodies)) == len(bodies), "two wrong variants have the same code"
    headers = {p.stem: header(p) for p in WRONG}
    assert {wrong for wrong, _ in headers.values()} == set(ch01.task_names)
    assert all(named == "none" or named in EXPLAIN or named.startswith('"') for _, named in headers.values()), headers


def test_every_wrong_variant_has_one_expected_score():
    """expected_scores.toml lists exactly the wrong variants, each with a whole-number score."""
    assert set(EXPECTED_SCORES) == {p.stem for p in WRONG}
    assert all(isinstance(score, int) for score in EXPECTED_SCORES.values())


def test_most_wrong_variants_are_named():
    """at least 90 percent of the wrong variants have their specific cause named in the feedback."""
    assert len(NAMED) >= NAMED_SHARE * len(WRONG), sorted(p.stem for p in set(WRONG) - set(NAMED))


def cause_text(named: str) -> str:
    """The text the feedback must contain for a NAMED header: a quoted phrase, or a misconception's explanation."""
    return named[1:-1] if named.startswith('"') else EXPLAIN[named]


# -- correct variants ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_gets_full_marks(graded, path):
    """another correct way of writing the functions earns every point."""
    report = graded(path)
    assert failures(report) == []
    assert report.score == report.max_score > 0


# -- wrong variants -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_wrong_variant_loses_points_on_its_function_only(graded, ch01, path):
    """a mistake in one function costs points there, nowhere else, and exactly the reviewed total."""
    wrong, _ = header(path)
    report = graded(path)
    score, max_score = task_points(report, wrong)
    assert score < max_score, f"{path.stem} is not caught: {wrong} keeps all {max_score:g} points"
    elsewhere = [f for f in failures(report) if not f.startswith(f"{wrong}:")]
    assert elsewhere == []
    assert report.score == EXPECTED_SCORES[path.stem]


@pytest.mark.slow
@pytest.mark.parametrize("path", NAMED, ids=lambda p: p.stem)
def test_named_mistake_is_explained(graded, path):
    """the feedback of at least one failed check explains the variant's known misconception."""
    _, named = header(path)
    report = graded(path)
    assert any(cause_text(named) in t.output for t in report.tests if not t.passed), failures(report)


# -- broken submissions ---------------------------------------------------------------


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


def test_syntax_error_shows_the_offending_line(graded):
    """a file that does not compile gets 0, and every check shows the line Python stopped at."""
    path = ZOO / "broken" / "syntax_error.py"
    with pytest.raises(SyntaxError) as error:
        compile(path.read_text(encoding="utf-8"), path.name, "exec")
    report = graded(path)
    assert report.score == 0
    assert all(f"line {error.value.lineno}" in t.output for t in report.tests)


# -- no leaks ---------------------------------------------------------------------------


def secret_lines(ch01) -> set[str]:
    """Lines a student must never see: the hidden suites' source and the reference's solutions."""
    lines = set()
    for source in sorted(ch01.hidden_tests.rglob("*.py")):
        lines |= {line.strip() for line in source.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 25}
    lines |= set(solution_lines(ch01.solution.read_text(encoding="utf-8")))
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("path", CORRECT + WRONG + BROKEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_feedback_never_leaks_hidden_source(graded, ch01, path):
    """no feedback quotes a line of the hidden suites or of the reference's solution regions."""
    report = graded(path)
    # A student's own line quoted back (an error's line) is not a leak, even when it
    # happens to match the reference word for word.
    own = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    secrets = secret_lines(ch01) - own
    outputs = [t.output for t in report.tests] + [report.output]
    leaked = sorted({line for line in secrets for output in outputs if line in output})
    assert leaked == []
