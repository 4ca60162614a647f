"""The zoos of Chapter 1, Parts 2 and 3 (ch01_noise, ch01_reverse): real submissions, graded by the real grader.

tests/submissions/<assignment>/
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
(Part 1's zoo, older and with its own layout, is tests/test_zoo.py.)
"""

from __future__ import annotations

import ast
import importlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.course import get_assignment, tomllib
from autograder.grade import grade_submission
from autograder.stubs import solution_lines

SUBMISSIONS = Path(__file__).parent / "submissions"
# Each zoo: the least number of wrong variants, and the misconceptions its feedback must show named.
ZOOS = {
    "ch01_noise": (40, {"added_stds", "log10", "forgot_two", "ddof_one", "not_excess", "summed_betas"}),
    "ch01_reverse": (
        25,
        {"patches_column_order", "ddof_one", "inverse_cov", "no_sqrt_noise", "beta_previous", "sigma_beta"}
        | {"noise_after_last_step", "z_reused", "flattened_column_order"},
    ),
}

pytestmark = pytest.mark.in_process


@dataclass(frozen=True)
class Zoo:
    assignment: str
    least: int
    required_named: frozenset

    @property
    def folder(self) -> Path:
        return SUBMISSIONS / self.assignment

    def files(self, kind: str) -> list[Path]:
        return sorted((self.folder / kind).glob("*.py"))

    @property
    def explain(self) -> dict:
        return importlib.import_module(f"autograder.suites.{self.assignment}.misconceptions").EXPLAIN

    @property
    def expected_scores(self) -> dict:
        return tomllib.loads((self.folder / "expected_scores.toml").read_text(encoding="utf-8"))["wrong"]


ALL = [Zoo(name, least, frozenset(named)) for name, (least, named) in ZOOS.items()]


def cases(*kinds: str, named_only=False) -> list:
    """pytest params (zoo, path) over the zoos' files of these kinds."""
    found = []
    for zoo in ALL:
        for kind in kinds:
            for path in zoo.files(kind):
                if named_only and header(path)[1] == "none":
                    continue
                found.append(pytest.param(zoo, path, id=f"{zoo.assignment}/{kind}/{path.stem}"))
    return found


_REPORTS: dict[Path, object] = {}


def graded(zoo: Zoo, path: Path):
    """Grade a zoo file on every suite, once per run."""
    if path not in _REPORTS:
        _REPORTS[path] = grade_submission(get_assignment(zoo.assignment), path)
    return _REPORTS[path]


def header(path: Path) -> tuple[str, str]:
    """The (WRONG, NAMED) pair from the first two lines of a wrong variant's docstring."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines = [*doc.splitlines(), "", ""]
    if not (lines[0].startswith("WRONG: ") and lines[1].startswith("NAMED: ")):
        raise ValueError(f"{path.name}: the docstring must start with 'WRONG: ...' and 'NAMED: ...'")
    return lines[0].removeprefix("WRONG: ").strip(), lines[1].removeprefix("NAMED: ").strip()


def cause_text(zoo: Zoo, named: str) -> str:
    """What the feedback must contain for a NAMED header: a quoted phrase, or a misconception's explanation."""
    return named[1:-1] if named.startswith('"') else zoo.explain[named]


def failures(report) -> list[str]:
    return [f"{t.name}: {t.output}" for t in report.tests if not t.passed]


def task_points(report, task: str) -> tuple[float, float]:
    tests = [t for t in report.tests if t.name.startswith(f"{task}:")]
    return sum(t.score for t in tests), sum(t.max_score for t in tests)


@pytest.mark.parametrize("zoo", ALL, ids=lambda z: z.assignment)
def test_zoo_covers_every_function_with_distinct_mistakes(zoo):
    """enough wrong variants, all different, covering every function, each header valid."""
    wrong = zoo.files("wrong")
    assert len(wrong) >= zoo.least
    bodies = ["\n".join(ast.dump(node) for node in ast.parse(p.read_text(encoding="utf-8")).body[1:]) for p in wrong]
    assert len(set(bodies)) == len(bodies), "two wrong variants have the same code"
    headers = {p.stem: header(p) for p in wrong}
    assert {function for function, _ in headers.values()} == set(get_assignment(zoo.assignment).task_names)
    assert all(named == "none" or named in zoo.explain or named.startswith('"') for _, named in headers.values())
    assert zoo.required_named <= {named for _, named in headers.values()}


@pytest.mark.parametrize("zoo", ALL, ids=lambda z: z.assignment)
def test_every_wrong_variant_has_one_expected_score(zoo):
    """expected_scores.toml lists exactly the wrong variants, each with a whole-number score."""
    assert set(zoo.expected_scores) == {p.stem for p in zoo.files("wrong")}
    assert all(isinstance(score, int) for score in zoo.expected_scores.values())


@pytest.mark.slow
@pytest.mark.parametrize(("zoo", "path"), cases("correct"))
def test_correct_variant_gets_full_marks(zoo, path):
    """another correct way of writing the functions earns every point."""
    report = graded(zoo, path)
    assert failures(report) == []
    assert report.score == report.max_score > 0


@pytest.mark.slow
@pytest.mark.parametrize(("zoo", "path"), cases("wrong"))
def test_wrong_variant_loses_points_on_its_function_only(zoo, path):
    """a mistake in one function costs points there, nowhere else, and exactly the reviewed total."""
    wrong, _ = header(path)
    report = graded(zoo, path)
    score, max_score = task_points(report, wrong)
    assert score < max_score, f"{path.stem} is not caught: {wrong} keeps all {max_score:g} points"
    assert [f for f in failures(report) if not f.startswith(f"{wrong}:")] == []
    assert report.score == zoo.expected_scores[path.stem]


@pytest.mark.slow
@pytest.mark.parametrize(("zoo", "path"), cases("wrong", named_only=True))
def test_named_mistake_is_explained(zoo, path):
    """the feedback of at least one failed check names the variant's mistake."""
    _, named = header(path)
    report = graded(zoo, path)
    assert any(cause_text(zoo, named) in t.output for t in report.tests if not t.passed), failures(report)


@pytest.mark.slow
@pytest.mark.parametrize(("zoo", "path"), cases("broken"))
def test_broken_submission_matches_its_golden_file(zoo, path):
    """each check scores exactly as in the reviewed golden file, and every failure says why."""
    golden = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    report = graded(zoo, path)
    assert {t.name: t.score for t in report.tests} == golden["tests"]
    assert report.score == golden["score"]
    for test in report.tests:
        if not test.passed:
            missing = [phrase for phrase in golden["phrases"] if phrase not in test.output]
            assert missing == [], f"{test.name}: {test.output}"


@pytest.mark.parametrize("zoo", ALL, ids=lambda z: z.assignment)
def test_every_broken_file_has_a_golden_file(zoo):
    """no golden file without its submission, and no broken submission without a golden file."""
    goldens = {p.name.removesuffix(".expected.json") for p in (zoo.folder / "broken").glob("*.expected.json")}
    assert goldens == {p.stem for p in zoo.files("broken")}


@pytest.mark.slow
@pytest.mark.parametrize(("zoo", "path"), cases("correct", "wrong", "broken"))
def test_feedback_never_leaks_hidden_source(zoo, path):
    """no feedback quotes a line of the hidden suite or of the reference's solution regions."""
    assignment = get_assignment(zoo.assignment)
    secrets = set(solution_lines(assignment.solution.read_text(encoding="utf-8")))
    for source in sorted(assignment.hidden_tests.rglob("*.py")):
        secrets |= {line.strip() for line in source.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 25}
    # A student's own line quoted back (where an error happened) is not a leak.
    secrets -= {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    report = graded(zoo, path)
    outputs = [t.output for t in report.tests] + [report.output]
    assert sorted({line for line in secrets for output in outputs if line in output}) == []
