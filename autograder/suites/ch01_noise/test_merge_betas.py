"""Hidden checks of merge_betas(betas) -> the one beta equal to these steps in turn."""

import numpy as np
import pytest

from autograder.checks import expect_real_answer
from autograder.suites.ch01_noise import misconceptions as known
from autograder.suites.ch01_noise.data import T, betas, cosine_alpha_bar, cosine_betas
from autograder.suites.ch01_noise.expect import as_number, close_number, expect_python_float

pytestmark = pytest.mark.task("merge_betas")


def merged(submission, given, return_args=False):
    reply = submission.call("merge_betas", given, return_args=return_args)
    return as_number(reply.result, f"merge_betas of {_shown(given)}"), reply


def _shown(given) -> str:
    if isinstance(given, np.ndarray):
        return f"a {given.dtype} array of shape {given.shape}"
    return str([float(b) for b in given]) if len(given) <= 6 else f"a list of {len(given)}"


def compare(submission, reference, given, precision=np.float64, what=None):
    result, _ = merged(submission, given)
    expected = reference.merge_betas(given)
    close_number(
        result,
        expected,
        what or f"merge_betas of {_shown(given)}",
        precision=precision,
        hint=known.hint(result, known.beta_variants(given), expected, precision),
    )


@pytest.mark.points(2)
def test_returns_a_python_float(submission, reference):
    """returns a Python float (never a one-element array), 0.0 for no steps, for lists and arrays."""
    for given in ([], [0.02], [0.1, 0.2], np.array([0.3, 0.4]), np.array([], dtype=np.float64), betas(40, seed=1)):
        reply = submission.call("merge_betas", given)
        value = expect_python_float(reply.result, f"merge_betas of {_shown(given)}")
        if len(given) == 0 and value != 0.0:
            raise AssertionError(f"merge_betas([]) is {value!r}; no steps add no noise, so it should be 0.0")
        expect_real_answer(value, reference.merge_betas(given), "merge_betas", f"of {_shown(given)}")


@pytest.mark.points(3)
def test_matches_one_minus_the_kept_product(submission, reference):
    """matches 1 - (1 - b_1)(1 - b_2)... for lists and arrays of betas."""
    for given in (
        [0.5, 0.5],
        [0.1, 0.2, 0.3],
        [0.25],
        [0.2, 1.0, 0.3],
        betas(7, seed=2),
        betas(1000, seed=3, high=0.01),
    ):
        compare(submission, reference, given)


@pytest.mark.points(3)
def test_gives_back_part_one_schedule(submission):
    """1 - merge_betas(betas[:t]) is alpha_bar[t] of the cosine schedule, for t from 1 to T."""
    alpha_bar, steps = cosine_alpha_bar(), cosine_betas()
    eps = np.finfo(np.float64).eps
    for t in (1, 10, 250, 500, 900, 999, T):
        result, _ = merged(submission, steps[:t])
        # The betas were rounded from ratios of the levels: t of them carry up to about 4 t eps of error.
        bound = 8 * t * eps
        if not abs((1 - result) - alpha_bar[t]) <= bound:
            hint = known.message(known.first_match(result, known.beta_variants(steps[:t]), 1 - alpha_bar[t]))
            raise AssertionError(
                f"1 - merge_betas(betas[:{t}]) of the cosine schedule is off from alpha_bar[{t}] by "
                f"{abs((1 - result) - alpha_bar[t]):.3g} (allowed {bound:.2g}, {t} steps' rounding). {hint}".strip()
            )


@pytest.mark.points(2)
def test_merging_in_parts_changes_nothing(submission, reference):
    """merging the merged betas of two parts gives the merged beta of the whole (a jump equals many steps)."""
    whole = betas(60, seed=4)
    for cut in (1, 25, 59):
        first, _ = merged(submission, whole[:cut])
        second, _ = merged(submission, whole[cut:])
        at_once, _ = merged(submission, whole)
        in_parts, _ = merged(submission, np.array([first, second]))
        # A constant passes "merging in parts changes nothing": the merge of the whole must be right too.
        expect_real_answer(at_once, reference.merge_betas(whole), "merge_betas", "of 60 betas")
        close_number(
            in_parts,
            at_once,
            f"merge_betas of the two merged parts (60 betas cut after {cut}), compared with merging all 60",
        )


@pytest.mark.points(2)
def test_tiny_betas_within_an_absolute_tolerance(submission, reference):
    """tiny betas (1e-12 each) are compared with an absolute tolerance of 2.2e-13, as 1 - prod(1 - b) allows."""
    for given in (np.full(1000, 1e-12), np.array([1e-15, 3e-14, 0.0, 2e-12])):
        compare(submission, reference, given, what=f"merge_betas of {given.size} tiny betas (at most {given.max():g})")


@pytest.mark.points(1)
def test_float32_within_float32_tolerance(submission, reference):
    """float32 betas are accepted and compared within the float32 tolerance (1.2e-4 absolute)."""
    compare(submission, reference, betas(50, seed=5, high=0.05, dtype=np.float32), precision=np.float32)


@pytest.mark.points(1)
def test_leaves_betas_untouched(submission, reference):
    """the array or list of betas is not modified."""
    for given in (betas(20, seed=6), [float(b) for b in betas(5, seed=6)]):
        reply = submission.call("merge_betas", given.copy(), return_args=True)
        after = reply.args_after[0] if reply.args_after else None
        same = isinstance(after, np.ndarray) if isinstance(given, np.ndarray) else isinstance(after, list)
        if not (same and np.array_equal(after, given)):
            raise AssertionError(
                f"merge_betas changed the betas it was given (a {type(given).__name__}); work on a new one instead"
            )
        expect_real_answer(reply.result, reference.merge_betas(given), "merge_betas", f"of {_shown(given)}")
