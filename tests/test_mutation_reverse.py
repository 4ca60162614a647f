"""make mutants ASSIGNMENT=ch01_reverse: the oracle of tests/mutation_reverse.py (its sampled run: test_mutation.py)."""

from __future__ import annotations

import mutation
import pytest

from autograder.course import get_assignment

pytestmark = pytest.mark.slow
REVERSE = get_assignment("ch01_reverse")


def judged(source: str, function: str) -> mutation.Mutant:
    reference_source = REVERSE.solution.read_text(encoding="utf-8")
    reference = mutation.load(reference_source, "reference")
    cases = mutation.oracle_for(REVERSE)(REVERSE.task_names)
    expected = {(i, s): mutation.run_case(reference, f, a, s) for i, (f, a) in enumerate(cases) for s in (0, 1)}
    mutant = mutation.Mutant("m", function, "test", 0, "", source)
    mutation.judge(mutant, reference, cases, expected)
    return mutant


def test_the_oracle_tells_an_equivalent_rewrite_from_a_wrong_one():
    """dividing by N written as a product is equivalent; sample covariance (N - 1) touches fit_gaussian only."""
    source = REVERSE.solution.read_text(encoding="utf-8")
    assert "centred.T @ centred / rows.shape[0]" in source
    same = judged(
        source.replace("centred.T @ centred / rows.shape[0]", "(1 / rows.shape[0]) * (centred.T @ centred)"),
        "fit_gaussian",
    )
    wrong = judged(
        source.replace("centred.T @ centred / rows.shape[0]", "centred.T @ centred / (rows.shape[0] - 1)"),
        "fit_gaussian",
    )
    assert same.touched == []
    assert wrong.touched == ["fit_gaussian"]


def test_every_task_of_the_reverse_process_is_mutated():
    """each of the five functions gets mutants, and the domain operators reach them."""
    mutants = mutation.generate(REVERSE.solution.read_text(encoding="utf-8"))
    assert set(REVERSE.task_names) <= {m.function for m in mutants}
    assert {"domain.drop_sqrt", "domain.input modified in place", "domain.cast to float32 and back"} <= {
        m.operator for m in mutants
    }
