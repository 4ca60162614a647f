"""make mutants: the generator, the oracle, and the shape of what it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import mutation
import pytest

from autograder.course import get_assignment, load_course

pytestmark = pytest.mark.slow
PROGRAM = Path(mutation.__file__)
CI_SAMPLE = 3  # mutants per function: the Makefile's MUTANTS_SAMPLE, the spread `make mutants-ci` grades


@pytest.fixture(scope="module")
def source():
    return get_assignment("ch01_forward").solution.read_text(encoding="utf-8")


def test_mutants_stay_inside_the_solution_regions(source):
    """every mutant differs from the reference only on lines inside a solution region, and compiles."""
    region = mutation.solution_lines(source)
    mutants = mutation.generate(source)
    assert len(mutants) > 100
    original = source.splitlines()
    for mutant in mutants:
        compile(mutant.source, "forward.py", "exec")
        lines = mutant.source.splitlines()
        first = next(i for i, (a, b) in enumerate(zip(original, lines, strict=False)) if a != b)
        assert first + 1 in region, (mutant.operator, mutant.change)


def test_every_function_and_every_domain_operator_is_mutated(source):
    """each task gets mutants, and the domain mutations (noise, in place, cast down, sqrt) all occur."""
    mutants = mutation.generate(source)
    assert set(get_assignment("ch01_forward").task_names) <= {m.function for m in mutants}
    operators = {m.operator for m in mutants}
    for wanted in (
        "other_noise",
        "input modified in place",
        "cast to float32 and back",
        "drop_sqrt",
        "flatten_reshape",
    ):
        assert f"domain.{wanted}" in operators
    assert any(op.startswith("mutmut.") for op in operators)


def test_the_oracle_tells_an_equivalent_rewrite_from_a_wrong_one(source):
    """a commuted product is equivalent; drawing the noise per channel touches add_noise and noise_step only."""
    tasks = get_assignment("ch01_forward").task_names
    reference = mutation.load(source, "reference")
    cases = mutation.oracle_cases(tasks)
    expected = {(i, s): mutation.run_case(reference, f, a, s) for i, (f, a) in enumerate(cases) for s in (0, 1)}
    same = mutation.Mutant("same", "add_noise", "test", 0, "", source.replace("np.sqrt(a) * x0", "x0 * np.sqrt(a)"))
    wrong = mutation.Mutant(
        "wrong",
        "_per_sample",
        "test",
        0,
        "",
        source.replace("level.shape + (1,) * (ndim - 1)", "(1,) * (ndim - 1) + level.shape"),
    )
    mutation.judge(same, reference, cases, expected)
    mutation.judge(wrong, reference, cases, expected)
    assert same.touched == []
    assert wrong.touched == ["add_noise", "noise_step", "remove_noise"]


def test_the_oracle_holds_the_suites_own_calls_of_every_function(assignment):
    """the calls recorded while the suites grade the reference reach every task function of the assignment."""
    cases = mutation.recorded_cases(assignment.id)
    assert {function for function, _ in cases} == set(assignment.task_names)
    assert len(cases) <= mutation.RECORDED_PER_FUNCTION * len(assignment.task_names)


def test_make_mutants_ends_with_its_summary_line(tmp_path):
    """CI's spread of every assignment prints the table and the summary line; nothing survives or is misblamed."""
    out = tmp_path / "mutants.json"
    run = subprocess.run(
        # The degenerate family is graded, and its lines checked, in test_no_points_for_nothing.py.
        [sys.executable, str(PROGRAM), "--quiet", "--sample", str(CI_SAMPLE), "--json", str(out), "--no-degenerates"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    last = run.stdout.strip().splitlines()[-1]
    match = mutation.SUMMARY.match(last)
    assert match, run.stdout
    generated, equivalent, killed, survived, misblamed = map(int, match.groups())
    verdicts = json.loads(out.read_text(encoding="utf-8"))
    assert generated > len(verdicts) > 0
    assert equivalent + killed + survived == len(verdicts)
    assert (survived, misblamed) == (0, 0), run.stdout
    graded = Counter((verdict["assignment"], verdict["function"]) for verdict in verdicts)
    for assignment in load_course().values():
        assert f"== {assignment.id}" in run.stdout and assignment.task_names[-1] in run.stdout
        # --sample K: K mutants of each task (every task has dozens), chosen the same way every run.
        assert {task: graded[assignment.id, task] for task in assignment.task_names} == dict.fromkeys(
            assignment.task_names, CI_SAMPLE
        )
    assert not any(map(mutation.DEGENERATES.match, run.stdout.splitlines()))
