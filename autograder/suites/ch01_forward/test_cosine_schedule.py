"""Hidden checks of cosine_schedule(T) -> alpha_bar of shape (T + 1,)."""

import numpy as np
import pytest

from autograder.checks import assert_close, describe, expect_array, expect_precision, within
from autograder.difference import Positions
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.real import real_schedule

pytestmark = pytest.mark.task("cosine_schedule")


def schedule(submission, T):
    result = submission.call("cosine_schedule", T).result
    if isinstance(result, np.ndarray) and result.shape != (T + 1,):
        mistake = known.first_match(result, known.schedule_variants(T))
        raise AssertionError(
            f"cosine_schedule({T}) should have shape ({T + 1},), one level for each "
            f"t = 0..{T}, but it has shape {result.shape}. {known.message(mistake)}".strip()
        )
    return expect_array(result, f"cosine_schedule({T})", (T + 1,))


@pytest.mark.points(1)
def test_one_level_per_timestep(submission, reference):
    """returns T + 1 float levels, one for each t = 0..T, and T = 1000 when T is not given."""
    alpha_bar = schedule(submission, 1000)
    real_schedule(alpha_bar, 1000, reference)
    if alpha_bar.dtype.kind != "f":
        raise AssertionError(f"cosine_schedule(1000) should hold floats, but its dtype is {alpha_bar.dtype}")
    default = submission.call("cosine_schedule").result
    if np.shape(default) != (1001,):
        raise AssertionError(
            f"cosine_schedule() with no T should use T = 1000 and give 1001 levels, but it gave {describe(default)}; "
            "the signature is def cosine_schedule(T=1000)"
        )
    real_schedule(default, 1000, reference)


@pytest.mark.points(1)
def test_computed_in_float64(submission, reference):
    """the levels are float64 (or more precise), computed in float64 throughout."""
    alpha_bar = schedule(submission, 1000)
    expect_precision(alpha_bar, np.float64, "cosine_schedule(1000)", reference=reference.cosine_schedule(1000))
    real_schedule(alpha_bar, 1000, reference)


@pytest.mark.points(3)
@pytest.mark.parametrize("T", [1000, 10, 4000])
def test_matches_the_cosine_formula(submission, reference, T):
    """matches cos(pi/2 * t/T) ** 2 at every timestep."""
    alpha_bar = schedule(submission, T)
    expected = reference.cosine_schedule(T)
    assert_close(
        alpha_bar,
        expected,
        f"cosine_schedule({T})",
        hint=known.hint(alpha_bar, known.schedule_variants(T), expected),
        from_student=False,
        positions=Positions("t"),
    )


@pytest.mark.points(3)
@pytest.mark.parametrize("T", [1, 7, 1000])
def test_starts_clean_ends_in_static_and_never_rises(submission, reference, T):
    """starts at 1 (clean), ends near 0 (static) and never rises, for several T."""
    alpha_bar = schedule(submission, T)
    if not within(alpha_bar[0] - 1, 1e-12):
        raise AssertionError(
            f"alpha_bar[0] for T = {T} is {alpha_bar[0]:.6g}; timestep 0 is the clean image, so it must be 1"
        )
    if not 0 <= float(alpha_bar[-1]) <= 1e-12:
        raise AssertionError(
            f"alpha_bar[T] for T = {T} is {alpha_bar[-1]:.3g}; timestep T is pure "
            f"static, so it must be 0 up to rounding (about 3.7e-33)"
        )
    rises = np.flatnonzero(np.diff(alpha_bar) > 1e-12)
    if rises.size:
        raise AssertionError(
            f"alpha_bar rises between t = {rises[0]} and t = {rises[0] + 1} (T = {T}); "
            f"noise only ever grows, so the levels must never increase"
        )
    real_schedule(alpha_bar, T, reference)
    # [1, 0] is right for T = 1: a schedule of a nontrivial length must be right too.
    real_schedule(schedule(submission, 10), 10, reference)
