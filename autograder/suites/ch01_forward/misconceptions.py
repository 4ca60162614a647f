"""Known wrong versions of the Chapter 1 functions, to name a student's mistake.

When a student's output does not match, the suites compute these variants on the
same inputs (and the same seed) and say which one it matches. Only the name and
an explanation reach the student, never the values.
"""

from __future__ import annotations

import contextlib

import numpy as np

from autograder.checks import is_close
from autograder.difference import only_some_inputs_fail
from autograder.interface import NotImplementedYet, StudentError, SubmissionDidNotImport

# Seeds students like to hard-code when they reseed inside a function.
COMMON_SEEDS = (0, 1, 2, 3, 7, 42, 123, 1234, 2024, 2025, 2026, 12345)

EXPLAIN = {
    # add_noise: xt = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * eps
    "no_sqrt": "the weights are missing their square roots: use sqrt(alpha_bar_t) and "
    "sqrt(1 - alpha_bar_t), which scale standard deviations, not variances",
    "sqrt_on_signal_only": "only the image's weight has its square root; the noise needs sqrt(1 - alpha_bar_t) too",
    "sqrt_on_noise_only": "only the noise's weight has its square root; the image needs sqrt(alpha_bar_t) too",
    "swapped": "the weights are swapped: the clean image gets sqrt(alpha_bar_t) and the "
    "noise gets sqrt(1 - alpha_bar_t), so alpha_bar_t = 1 means clean",
    "trailing_axis": "a (B,) array of levels lines up with the last axis of the image, not the "
    "first: reshape alpha_bar_t to (B, 1, 1, ...) so each sample gets its own level",
    "clipped_xt": "xt is clipped to [-1, 1]; the noisy image may leave that range: return "
    "sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * eps as it is",
    # noise_step: x_t = sqrt(1 - beta_t) * x_prev + sqrt(beta_t) * eps
    "step_no_sqrt": "the weights are missing their square roots: use sqrt(1 - beta_t) for x_prev and "
    "sqrt(beta_t) for eps, which scale standard deviations, not variances",
    "step_sqrt_on_signal_only": "only x_prev's weight has its square root; the noise needs sqrt(beta_t) too",
    "step_sqrt_on_noise_only": "only the noise's weight has its square root; x_prev needs sqrt(1 - beta_t) too",
    "step_swapped": "the weights are swapped: x_prev keeps sqrt(1 - beta_t) and the fresh noise "
    "gets sqrt(beta_t), so a small beta_t changes the image only a little",
    "step_trailing_axis": "a (B,) array of betas lines up with the last axis of x_prev, not the "
    "first: reshape beta_t to (B, 1, 1, ...) so each sample gets its own beta",
    "step_clipped": "x_t is clipped to [-1, 1]; the noisy image may leave that range: return "
    "sqrt(1 - beta_t) * x_prev + sqrt(beta_t) * eps as it is",
    # how the noise is drawn (add_noise and noise_step)
    "uniform": "the noise is uniform (np.random.rand) instead of Gaussian (np.random.randn)",
    "reseeded": "the function seeds the generator itself, so every call draws the same noise; "
    "leave seeding to the caller",
    "private_generator": "the noise does not come from NumPy's global generator (np.random.randn), "
    "so np.random.seed does not reproduce it; a private generator such as "
    "np.random.default_rng() cannot be seeded by the caller",
    "eps_drawn_twice": "the noise you return is not the noise you mixed in: draw eps once and use "
    "that same array for both",
    "noise_layout": "eps holds the right random numbers in a different order: draw all of it with one "
    "np.random.randn call in the image's own shape (one call per channel or per sample, or drawing "
    "another shape and transposing, fills the array in another order)",
    # cosine_schedule: alpha_bar[t] = cos(pi/2 * t/T) ** 2
    "fencepost": "the schedule has one level too few: timesteps run from 0 to T inclusive, so "
    "there are T + 1 levels (np.linspace(0, 1, T + 1))",
    "degrees": "the angle is in degrees, but np.cos takes radians: the angle is pi/2 * t/T",
    "radians_converted": "the angle pi/2 * t/T is already in radians; converting it again "
    "with np.radians/np.deg2rad shrinks it",
    "not_squared": "the schedule is cos(...), but alpha_bar is cos(...) squared",
    "sin_for_cos": "the schedule runs the wrong way: sin(...)**2 starts at 0 (static), but "
    "alpha_bar[0] must be 1 (clean)",
    "offset_s": "this is the improved-DDPM schedule with its small offset s (about 0.008); "
    "this exercise asks for the plain cos(pi/2 * t/T) ** 2, without s",
    "integer_division": "t/T was computed with integer division (t // T), which is 0 for every t < T: "
    "divide as floats, e.g. np.arange(T + 1) / T or np.linspace(0, 1, T + 1)",
    # betas_from_alpha_bar: beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]
    "reversed_ratio": "the ratio is upside down: beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]",
    "alphas_not_betas": "that is alpha_t = alpha_bar[t] / alpha_bar[t - 1], the part kept; beta_t is one minus it",
    "one_minus_alpha_bar": "1 - alpha_bar[t] is the total noise up to t, not the noise of step t: "
    "use the ratio of neighbouring levels",
    "clipped": "the betas are clipped; this exercise asks for the exact values, including beta_T, which is (almost) 1",
    "leading_zero": "there is one beta per step t = 1..T, so T values: drop the one for t = 0",
    "diff_for_ratio": "np.diff gives the difference alpha_bar[t - 1] - alpha_bar[t] (up to sign), but "
    "beta_t comes from the ratio: 1 - alpha_bar[t] / alpha_bar[t - 1]",
    # remove_noise: x0 = (xt - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t)
    "multiplied": "the noisy image is multiplied by sqrt(alpha_bar_t) instead of divided by it",
    "added_noise": "the noise term is added instead of subtracted",
    "no_sqrt_inverse": "the inverse needs the same square roots as add_noise: "
    "(xt - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t)",
    "not_divided": "after subtracting the noise, divide by sqrt(alpha_bar_t) to undo the image's weight",
    "divided_by_level": "the result is divided by alpha_bar_t; the image's weight is sqrt(alpha_bar_t), "
    "so divide by its square root",
    "inverse_trailing_axis": "a (B,) array of levels lines up with the last axis of xt, not the "
    "first: reshape alpha_bar_t to (B, 1, 1, ...) so each sample gets its own level",
}


@contextlib.contextmanager
def explaining_broadcast_errors(name="trailing_axis", works=None, level="alpha_bar_t", count=0):
    """A student's error on a batch with one level per sample, explained.

    A broadcasting error gets the explanation of per-sample levels (``name``).
    Any other error, when ``works()`` (the same call with one number as the
    level) succeeds, is told as such, with what to change for that error.
    """
    try:
        yield
    except (NotImplementedYet, SubmissionDidNotImport):
        raise
    except StudentError as refused:
        if "could not be broadcast" in str(refused):
            raise AssertionError(f"{refused}\n{message(name)}") from None
        contrast = (
            only_some_inputs_fail(refused, works, f"one number as {level}", f"a ({count},) array of {level}")
            if works
            else ""
        )
        if not contrast:
            raise
        raise AssertionError(f"{refused}\n{contrast}") from None


def message(name: str | None) -> str:
    """The feedback line for a recognised mistake (empty when none was recognised)."""
    return f"This looks like a known mistake: {EXPLAIN[name]}." if name else ""


def hint(actual, candidates: dict, correct=None):
    """A callable giving the feedback line, computed only if a check fails."""
    return lambda: message(first_match(actual, candidates, correct))


def first_match(actual, candidates: dict, correct=None) -> str | None:
    """The one candidate (name -> callable giving an array) that ``actual`` matches, or None.

    ``candidates`` is a dict, or a list of (name, callable) pairs when one mistake
    has several forms.

    Candidates that coincide with the ``correct`` answer for these inputs are
    skipped: they cannot explain a difference. When different mistakes give this
    very result, the inputs cannot tell them apart and none is named.
    """
    pairs = candidates.items() if isinstance(candidates, dict) else candidates
    named = set()
    for name, make in pairs:
        try:
            with np.errstate(all="ignore"):
                candidate = np.asarray(make())
                if correct is not None and is_close(candidate, correct):
                    continue
                if is_close(actual, candidate):
                    named.add(name)
        except (ValueError, IndexError, TypeError):
            continue
    return named.pop() if len(named) == 1 else None


def levels(a, ndim, trailing=False):
    """A scalar or (B,) level shaped to broadcast over a batch (or, wrongly, its last axis)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0 or trailing:
        return a
    return a.reshape(a.shape + (1,) * (ndim - 1))


def mix_variants(x0, a, eps, step=False):
    """Wrong ways to blend an image with noise, ``a`` being the square of the image's weight.

    add_noise passes alpha_bar_t, noise_step (``step=True``) passes 1 - beta_t: the
    names then point at the explanations written in noise_step's own symbols.
    """
    w = levels(a, x0.ndim)
    t = levels(a, x0.ndim, trailing=True)
    variants = {
        "no_sqrt": lambda: w * x0 + (1 - w) * eps,
        "swapped": lambda: np.sqrt(1 - w) * x0 + np.sqrt(w) * eps,
        "sqrt_on_signal_only": lambda: np.sqrt(w) * x0 + (1 - w) * eps,
        "sqrt_on_noise_only": lambda: w * x0 + np.sqrt(1 - w) * eps,
        "trailing_axis": lambda: np.sqrt(t) * x0 + np.sqrt(1 - t) * eps,
        "clipped_xt": lambda: np.clip(np.sqrt(w) * x0 + np.sqrt(1 - w) * eps, -1, 1),
    }
    if not step:
        return variants
    return {STEP_NAMES.get(name, f"step_{name}"): make for name, make in variants.items()}


STEP_NAMES = {"clipped_xt": "step_clipped"}


def diagnose_noise(x0, level, xt, eps, seed, rng_used, call=0, step=False):
    """Name the mistake in add_noise/noise_step output drawn after ``np.random.seed(seed)``.

    ``level`` is the square of the image's weight: alpha_bar_t for add_noise,
    1 - beta_t for noise_step (``step=True``). ``call`` counts the calls made
    between the seed and this one (0: this call came right after the seed).
    """
    shape = x0.shape
    # Enough draws for a function that draws twice per call, up to this call.
    draws = _normal_stream(seed, (2 * call + 2, *shape))
    stream = draws[call]
    returned = isinstance(eps, np.ndarray) and eps.shape == shape
    if returned:
        # Drawn twice: one draw mixed in, the other returned (in either order).
        first, second = draws[2 * call], draws[2 * call + 1]
        for given, mixed in ((first, second), (second, first)):
            if is_close(eps, given) and is_close(xt, _mix(x0, level, mixed)):
                return "eps_drawn_twice"
    if returned and not is_close(eps, stream):
        uniform = _uniform_stream(seed, (call + 1, *shape))[call]
        if is_close(eps, uniform) or (eps.size > 100 and eps.min() >= 0 and eps.max() < 1):
            return "uniform"
        if eps.size > 1 and is_close(np.sort(eps, axis=None), np.sort(stream, axis=None)):
            return "noise_layout"
        for common in COMMON_SEEDS:
            if is_close(eps, _normal_stream(common, shape)):
                return "reseeded"
        if not rng_used:
            return "private_generator"
    noise = eps if returned else stream
    return first_match(xt, mix_variants(x0, level, noise, step), correct=_mix(x0, level, noise))


def diagnose_message(x0, level, xt, eps, seed, rng_used, call=0, step=False) -> str:
    """``diagnose_noise`` as a feedback line."""
    return message(diagnose_noise(x0, level, xt, eps, seed, rng_used, call, step))


def _mix(x0, a, eps):
    w = levels(a, x0.ndim)
    return np.sqrt(w) * x0 + np.sqrt(1 - w) * eps


def _normal_stream(seed, shape):
    return np.random.RandomState(seed).randn(*shape)


def _uniform_stream(seed, shape):
    return np.random.RandomState(seed).rand(*shape)


def schedule_variants(T):
    """Wrong cosine schedules for T steps."""
    s = np.linspace(0.0, 1.0, T + 1)
    offset = 0.008

    def improved(normalised):
        f = np.cos((s + offset) / (1 + offset) * np.pi / 2) ** 2
        return f / f[0] if normalised else f

    return [
        ("fencepost", lambda: np.cos(np.linspace(0.0, 1.0, T) * np.pi / 2) ** 2),
        ("degrees", lambda: np.cos(s * 90) ** 2),
        ("radians_converted", lambda: np.cos(np.radians(s * np.pi / 2)) ** 2),
        ("not_squared", lambda: np.cos(s * np.pi / 2)),
        ("sin_for_cos", lambda: np.sin(s * np.pi / 2) ** 2),
        ("offset_s", lambda: improved(True)),
        ("offset_s", lambda: improved(False)),
        ("integer_division", lambda: np.cos((np.arange(T + 1) // T) * np.pi / 2) ** 2),
    ]


def beta_variants(alpha_bar):
    """Wrong per-step betas for a schedule."""
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    ratio = alpha_bar[1:] / alpha_bar[:-1]
    return [
        ("reversed_ratio", lambda: 1 - alpha_bar[:-1] / alpha_bar[1:]),
        ("alphas_not_betas", lambda: ratio),
        ("one_minus_alpha_bar", lambda: 1 - alpha_bar[1:]),
        ("clipped", lambda: np.clip(1 - ratio, 0, 0.999)),
        ("leading_zero", lambda: np.concatenate([[0.0], 1 - ratio])),
        ("diff_for_ratio", lambda: -np.diff(alpha_bar)),
        ("diff_for_ratio", lambda: np.diff(alpha_bar)),
        ("diff_for_ratio", lambda: 1 + np.diff(alpha_bar)),
    ]


def inverse_variants(xt, eps, a):
    """Wrong ways to undo add_noise."""
    w = levels(a, xt.ndim)
    t = levels(a, xt.ndim, trailing=True)
    return {
        "multiplied": lambda: (xt - np.sqrt(1 - w) * eps) * np.sqrt(w),
        "added_noise": lambda: (xt + np.sqrt(1 - w) * eps) / np.sqrt(w),
        "no_sqrt_inverse": lambda: (xt - (1 - w) * eps) / w,
        "divided_by_level": lambda: (xt - np.sqrt(1 - w) * eps) / w,
        "not_divided": lambda: xt - np.sqrt(1 - w) * eps,
        "inverse_trailing_axis": lambda: (xt - np.sqrt(1 - t) * eps) / np.sqrt(t),
    }
