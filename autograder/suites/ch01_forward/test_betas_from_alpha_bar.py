"""Hidden checks of betas_from_alpha_bar(alpha_bar) -> betas of shape (T,)."""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array, expect_precision, finite_statistics, within
from autograder.difference import Positions
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import alpha_bar as cosine
from autograder.suites.ch01_forward.real import real_betas
from autograder.suites.ch01_forward.untouched import expect_untouched

pytestmark = pytest.mark.task("betas_from_alpha_bar")

# Element t - 1 of the betas is beta_t: feedback names the step t.
BETA_STEPS = Positions("t", first=1)


def linear_schedule(T=50):
    """alpha_bar of a linear-beta schedule: any decreasing schedule must work, not only the cosine."""
    return np.concatenate([[1.0], np.cumprod(1 - np.linspace(1e-4, 0.2, T))])


def betas(submission, alpha_bar):
    T = len(alpha_bar) - 1
    result = submission.betas_from_alpha_bar(alpha_bar)
    if isinstance(result, np.ndarray) and result.shape != (T,):
        mistake = known.first_match(result, known.beta_variants(alpha_bar))
        raise AssertionError(
            f"for a schedule of shape ({T + 1},) the betas should have shape ({T},), "
            f"one for each step t = 1..{T}, but they have shape {result.shape}. "
            f"{known.message(mistake)}".strip()
        )
    return expect_array(result, "betas_from_alpha_bar(...)", (T,))


@pytest.mark.points(2)
def test_one_beta_per_step(submission, reference):
    """returns T float betas for a schedule of T + 1 levels."""
    for schedule in (cosine(1000), linear_schedule(10)):
        result = betas(submission, schedule)
        real_betas(result, schedule, reference, f"for a schedule of {len(schedule)} levels")
        if result.dtype.kind not in "f":
            raise AssertionError(f"the betas should hold floats, but their dtype is {result.dtype}")


@pytest.mark.points(3)
@pytest.mark.parametrize("name", ["cosine", "linear", "float32 cosine"])
def test_matches_the_ratio_formula(submission, reference, name):
    """matches 1 - alpha_bar[t] / alpha_bar[t - 1] for every step."""
    alpha_bar = {"cosine": cosine(1000), "linear": linear_schedule(), "float32 cosine": cosine(100).astype(np.float32)}[
        name
    ]
    result = betas(submission, alpha_bar)
    expected = reference.betas_from_alpha_bar(alpha_bar)
    assert_close(
        result,
        expected,
        f"the betas of the {name} schedule",
        precision=alpha_bar.dtype,
        from_student=False,
        hint=known.hint(result, known.beta_variants(alpha_bar), expected),
        positions=BETA_STEPS,
    )


@pytest.mark.points(3)
def test_steps_multiply_back_to_the_schedule(submission, reference):
    """the product of (1 - beta) over steps 1..t gives back alpha_bar[t] (the shortcut)."""
    for alpha_bar in (cosine(1000), linear_schedule()):
        result = betas(submission, alpha_bar)
        # The product is as precise as the betas are (a float32 rounding of right betas is charged once, by
        # the precision check): such a relation pays only when the betas themselves are right.
        real_betas(result, alpha_bar, reference)
        assert_close(
            np.cumprod(1 - result.astype(np.float64)),
            alpha_bar[1:],
            "the running product of (1 - beta_t) compared with alpha_bar[1:]",
            precision=result.dtype,
            from_student=False,
            hint=known.hint(result, known.beta_variants(alpha_bar), 1 - alpha_bar[1:] / alpha_bar[:-1]),
            positions=BETA_STEPS,
        )


@pytest.mark.points(3)
def test_many_small_steps_equal_one_jump(submission, reference):
    """noising step by step with these betas lands where one jump to alpha_bar[t] lands."""
    schedule = cosine(1000)
    result = betas(submission, schedule)
    x0 = np.linspace(-1, 1, 50)[None, :].repeat(100, axis=0)  # 5000 values: six standard errors are 0.085
    reference.seed(1)
    # The reference's own step, so only the betas are graded here; a beta outside
    # [0, 1] makes the chain NaN, which is the betas' fault. One walk of 500 steps,
    # looked at halfway and at its end.
    x_t, done = x0, 0
    for t in (250, 500):
        with np.errstate(invalid="ignore", divide="ignore"):
            x_t = reference.chain("noise_step", x_t, result[done:t])
        done = t
        _assert_one_jump(finite_statistics(x_t, f"the images after {t} steps with your betas"), x0, schedule[t], t)


def _assert_one_jump(x_t, x0, level, t):
    z = (x_t - np.sqrt(level) * x0) / np.sqrt(1 - level)
    n = z.size
    bound_mean, bound_var = 6 / np.sqrt(n), 6 * np.sqrt(2 / n)
    if not (within(z.mean(), bound_mean) and within(z.var() - 1, bound_var)):
        raise AssertionError(
            f"after {t} steps the images are not distributed like one jump to alpha_bar[{t}]: "
            f"the standardised difference has mean {z.mean():.4f} (allowed {bound_mean:.4f}) and "
            f"variance {z.var():.4f} (allowed 1 +- {bound_var:.4f}) over {n} values"
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_keeps_the_precision_of_the_schedule(submission, reference, dtype):
    """the betas are as precise as the schedule: float64 stays float64, float32 may stay float32."""
    alpha_bar = cosine(1000).astype(dtype)
    result = betas(submission, alpha_bar)
    expect_precision(
        result,
        dtype,
        f"the betas of a {np.dtype(dtype).name} schedule",
        reference=reference.betas_from_alpha_bar(alpha_bar),
    )
    real_betas(result, alpha_bar, reference)


@pytest.mark.points(1)
def test_leaves_the_schedule_untouched(submission, reference):
    """alpha_bar is not modified."""
    # A schedule may end in an exact 0 (pure static), which code may treat on its own.
    for schedule, when in ((linear_schedule(), ""), (np.append(cosine(50)[:-1], 0.0), " ending in an exact 0")):
        expect_untouched(
            submission,
            "betas_from_alpha_bar",
            ("alpha_bar",),
            (schedule,),
            real=lambda result, schedule=schedule: real_betas(result, schedule, reference),
            when=when,
        )
