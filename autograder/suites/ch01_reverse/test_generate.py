"""Hidden checks of generate(n, mean, cov, alpha_bar) -> (n, D) new samples.

generate is graded on what it adds to predict_noise and reverse_step: the draws
(x_T first, then one z per step from t = T down to 2, from the global generator)
and the order of the steps. When its samples equal the student's own
predict_noise and reverse_step driven over the expected draws, the loop is
right, and a mistake in those two is charged to them only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.checks import cast_down, expect_precision, expect_real_answer, finite_statistics, is_close
from autograder.interface import StudentError
from autograder.suites.ch01_reverse import misconceptions as known
from autograder.suites.ch01_reverse.data import gaussian, patches, sampler_law, schedule
from autograder.suites.ch01_reverse.expect import close, expect_untouched, float64_array

pytestmark = pytest.mark.task("generate")

SHORT = 10  # steps of the seeded runs: short, so a grading stays quick, yet every step kind occurs
# From this many samples on, six standard errors of the law check tell real samples from a pattern.
LAW_FEWEST = 400


def samples(submission, n, mean, cov, alpha_bar, seed=None, label=""):
    if seed is not None:
        submission.seed(seed)
    reply = submission.call("generate", n, mean, cov, alpha_bar)
    what = f"generate({n}, mean, cov, alpha_bar) with D = {len(mean)} and T = {len(alpha_bar) - 1}{label}"
    return float64_array(reply.result, what, (n, len(mean))), reply


def expected_draws(n, D, T, seed, calls):
    """x_T and the z of each step, for ``calls`` runs right after np.random.seed(seed)."""
    rng = np.random.RandomState(seed)
    runs = []
    for _ in range(calls):
        x_T = rng.randn(n, D)
        runs.append((x_T, {t: rng.randn(n, D) for t in range(T, 1, -1)}))
    return runs


def driven(function, x_T, zs, mean, cov, alpha_bar):
    """The loop over t = T..1 with a given predict_noise and reverse_step (the reference's or the student's)."""
    x = x_T
    for t in range(len(alpha_bar) - 1, 0, -1):
        eps_hat = function.predict_noise(x, float(alpha_bar[t]), mean, cov)
        x = function.reverse_step(x, t, eps_hat, alpha_bar, zs.get(t, np.zeros_like(x_T)))
    return x


def students_own(submission, x_T, zs, mean, cov, alpha_bar):
    """The student's predict_noise and reverse_step driven over the expected draws, or None if they fail.

    None too when the steps did no work (no point without work): a generate that returns what
    they give earns nothing for that. NaN or inf in the result is kept only when one of the two
    steps does work on finite inputs: then it comes from the other, graded (and failing) on its
    own, while the loop around them may be right.
    """
    try:
        x = driven(submission, x_T, zs, mean, cov, alpha_bar)
    except StudentError:
        return None
    if not (isinstance(x, np.ndarray) and x.shape == x_T.shape and x.dtype.kind == "f"):
        return None
    if np.all(np.isfinite(x)):
        return x if did_work(x, x_T) else None
    return x if steps_work(submission, x_T, mean, cov, alpha_bar) else None


def did_work(x, x_T) -> bool:
    """Whether ``x`` is a finite float array shaped like x_T that is neither x_T itself nor one number everywhere."""
    if not (isinstance(x, np.ndarray) and x.shape == x_T.shape and x.dtype.kind == "f" and x.size):
        return False
    return bool(np.all(np.isfinite(x))) and not np.all(x == x.flat[0]) and not np.array_equal(x, x_T)


def steps_work(submission, x_T, mean, cov, alpha_bar) -> bool:
    """Whether the student's predict_noise or reverse_step, given the finite x_T, does work (``did_work``)."""
    T = len(alpha_bar) - 1
    noise = np.flip(x_T, axis=1).copy()  # finite, shaped like x_T, and not x_T itself
    try:
        if did_work(submission.predict_noise(x_T, float(alpha_bar[T]), mean, cov), x_T):
            return True
        return did_work(submission.reverse_step(x_T, T, noise, alpha_bar, noise), x_T)
    except StudentError:
        return False


def real_samples(submission, reference, raw, mean, cov, alpha_bar, seed, where) -> None:
    """generate(n, mean, cov, alpha_bar), called right after np.random.seed(seed), returned real samples.

    Real: the reference's samples for those draws, the student's own predict_noise and
    reverse_step over them (those two are graded on their own), or, from LAW_FEWEST samples
    on, samples that follow the sampler's law (a mistake in the draws alone is charged by
    the seeded checks, not by the checks of properties).
    """
    n, D = (len(raw), len(mean)) if isinstance(raw, np.ndarray) and raw.ndim == 2 else (0, len(mean))
    x_T, zs = expected_draws(max(n, 1), D, len(alpha_bar) - 1, seed, calls=1)[0]
    expected = driven(reference, x_T, zs, mean, cov, alpha_bar)
    scale = tolerance_scale(alpha_bar, mean)
    if is_close(raw, expected, scale=scale):
        return
    if n and raw.shape == (n, D) and raw.dtype.kind == "f":
        own = students_own(submission, x_T, zs, mean, cov, alpha_bar)
        if own is not None and (np.array_equal(raw, own, equal_nan=True) or is_close(raw, own, scale=scale)):
            return
        if n >= LAW_FEWEST and np.all(np.isfinite(raw)):
            problems = law_problems(raw, mean, cov, alpha_bar)
            if not problems:
                return
            raise AssertionError(
                f"generate {where} returned samples that are not the seeded ones and do not follow the sampler's "
                f"law ({'; '.join(problems)}): this check pays only when the result is right too (the checks of "
                f"the samples say what differs)"
            )
    expect_real_answer(raw, expected, "generate", where, scale=scale)


def tolerance_scale(alpha_bar, mean) -> float:
    """Rounding grows by about one float64 tolerance per step: T steps, times the samples' size."""
    return (len(alpha_bar) - 1) * max(1.0, 4 * float(np.max(np.abs(mean))) + 4)


def assert_seeded_run(submission, reference, seed, call):
    mean, cov = gaussian(seed=1)
    n, D, alpha_bar = 20, len(mean), schedule(SHORT)
    runs = expected_draws(n, D, SHORT, seed, calls=call + 1)
    submission.seed(seed)
    result = None
    for _ in range(call + 1):
        raw = submission.call("generate", n, mean, cov, alpha_bar).result
    x_T, zs = runs[call]
    expected = driven(reference, x_T, zs, mean, cov, alpha_bar)
    scale = tolerance_scale(alpha_bar, mean)
    if is_close(raw, expected, scale=scale):
        return
    own = students_own(submission, x_T, zs, mean, cov, alpha_bar)
    if own is not None and isinstance(raw, np.ndarray) and raw.shape == own.shape:
        if np.array_equal(raw, own, equal_nan=True) or is_close(raw, own, scale=scale):
            return  # the loop and the draws are right; the two functions it calls are graded on their own
    result = float64_array(raw, f"generate({n}, mean, cov, alpha_bar) with D = {D} and T = {SHORT}", (n, D))
    variants = known.generate_variants(n, mean, cov, alpha_bar, seed) if call == 0 else {}
    which = "" if call == 0 else f", call {call + 1} after the seed"
    close(
        result,
        expected,
        f"the samples of generate({n}, ...) after np.random.seed({seed}){which}, T = {SHORT} (the tolerance "
        f"allows rounding to grow by one float64 tolerance per step)",
        scale=scale,
        hint=known.hint(
            result, variants if call == 0 else _extra_draw(reference, n, mean, cov, alpha_bar, seed), expected
        ),
    )


def _extra_draw(reference, n, mean, cov, alpha_bar, seed) -> dict:
    """The second run when the first drew a z for t = 1 as well."""

    def second():
        rng = np.random.RandomState(seed)
        rng.randn((SHORT + 1) * n * len(mean))
        x_T = rng.randn(n, len(mean))
        zs = {t: rng.randn(n, len(mean)) for t in range(SHORT, 1, -1)}
        return driven(reference, x_T, zs, mean, cov, alpha_bar)

    return {"z_on_last_step": second}


@pytest.mark.points(4)
@pytest.mark.parametrize("seed", [3, 2024])
def test_seeded_short_run(submission, reference, seed):
    """after np.random.seed, x_T then one z per step t = T..2, each step with predict_noise and reverse_step."""
    assert_seeded_run(submission, reference, seed, call=0)


@pytest.mark.points(2)
def test_the_call_after(submission, reference):
    """the second call after a seed goes on from where the first left the generator (no extra draws)."""
    assert_seeded_run(submission, reference, 11, call=1)


@pytest.mark.points(4)
def test_samples_follow_the_fitted_gaussian(submission):
    """400 samples over T = 200 steps have the mean and covariance the sampler must give, within six standard errors."""
    mean, cov = gaussian(seed=2)
    n, D, alpha_bar = 400, len(mean), schedule(200)
    submission.seed(17)
    raw = submission.call("generate", n, mean, cov, alpha_bar).result
    finite = isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and bool(np.all(np.isfinite(raw)))
    problems = law_problems(raw, mean, cov, alpha_bar) if finite and raw.shape == (n, D) else ["not finite"]
    if not problems or (
        isinstance(raw, np.ndarray)
        and raw.shape == (n, D)
        and own_functions_give(submission, raw, 17, mean, cov, alpha_bar)
    ):
        return
    result = float64_array(raw, f"generate({n}, mean, cov, alpha_bar) with D = {D} and T = 200", (n, D))
    finite_statistics(result, "the samples")
    _, _, v = sampler_law(mean, cov, alpha_bar)
    if problems:
        gap = float(np.max(np.abs(v - np.linalg.eigvalsh(cov)) / np.linalg.eigvalsh(cov)))
        raise AssertionError(
            f"the samples of generate({n}, mean, cov, alpha_bar) (D = {D}, T = 200, after np.random.seed(17)) do "
            f"not follow N(mean, cov): " + "; ".join(problems) + f". The bounds are six standard errors for {n} "
            f"samples, around the exact law of the sampler (whose variances differ from cov's by up to "
            f"{100 * gap:.2g}% after 200 steps)"
        )


def own_functions_give(submission, result, seed, mean, cov, alpha_bar) -> bool:
    """Whether ``result`` is the student's own predict_noise and reverse_step over the right draws.

    Then the loop is right and the law is wrong because of those two, which are graded on their own.
    """
    n, D = result.shape
    x_T, zs = expected_draws(n, D, len(alpha_bar) - 1, seed, calls=1)[0]
    own = students_own(submission, x_T, zs, mean, cov, alpha_bar)
    if own is None:
        return False
    return np.array_equal(result, own, equal_nan=True) or is_close(result, own, scale=tolerance_scale(alpha_bar, mean))


def law_problems(result, mean, cov, alpha_bar) -> list[str]:
    """What is wrong with the samples' mean and covariance, against the sampler's exact law."""
    n = len(result)
    U, m, v = sampler_law(mean, cov, alpha_bar)
    # Along each eigenvector of cov the samples' coordinates are independent N(m_k, v_k): standardised,
    # their means have standard error 1/sqrt(n), their variances sqrt(2/n), their correlations 1/sqrt(n).
    y = (result @ U - m) / np.sqrt(v)
    means = y.mean(axis=0)
    centred = y - means
    second = centred.T @ centred / n
    bound_mean, bound_var, bound_corr = 6 / math.sqrt(n), 6 * math.sqrt(2 / n), 6 / math.sqrt(n)
    worst_mean = int(np.argmax(np.abs(means)))
    variances = np.diag(second)
    worst_var = int(np.argmax(np.abs(variances - 1)))
    corr = second / np.sqrt(np.outer(variances, variances))
    off = np.abs(corr - np.diag(np.diag(corr)))
    problems = []
    if abs(means[worst_mean]) > bound_mean:
        problems.append(
            f"the mean along eigenvector {worst_mean} of cov is off by {abs(means[worst_mean]):.3g} "
            f"standard deviations (allowed {bound_mean:.3g})"
        )
    if abs(variances[worst_var] - 1) > bound_var:
        problems.append(
            f"the variance along eigenvector {worst_var} is {variances[worst_var]:.3g} times the right "
            f"one (allowed 1 +- {bound_var:.3g})"
        )
    if off.max() > bound_corr:
        problems.append(
            f"two eigenvector coordinates are correlated by {off.max():.3g} (allowed 0 +- {bound_corr:.3g})"
        )
    return problems


@pytest.mark.points(2)
def test_samples_are_new(submission, reference):
    """samples differ from each other, from the patches cov was fitted to, and from one call to the next."""
    mean, cov = gaussian(seed=1)
    training = patches(seed=1)
    alpha_bar = schedule(SHORT)
    n = LAW_FEWEST
    submission.seed(5)
    raw = submission.call("generate", n, mean, cov, alpha_bar).result
    if not (isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and np.all(np.isfinite(raw))):
        if isinstance(raw, np.ndarray) and raw.shape == (n, len(mean)):
            if own_functions_give(submission, raw, 5, mean, cov, alpha_bar):
                return  # NaN or inf from the student's own predict_noise or reverse_step, graded there
    first = float64_array(
        raw, f"generate({n}, mean, cov, alpha_bar) with D = {len(mean)} and T = {SHORT}", (n, len(mean))
    )
    second, _ = samples(submission, n, mean, cov, alpha_bar)
    spread = math.sqrt(float(np.trace(cov)))
    close_to = 1e-6 * spread  # far below the distance between two draws, about sqrt(2 trace(cov))
    within = np.sqrt(((first[:, None, :] - first[None, :, :]) ** 2).sum(-1))[np.triu_indices(n, 1)]
    copies = np.sqrt(((first[:, None, :] - training[None, :, :]) ** 2).sum(-1)).min()
    if np.any(within <= close_to):
        raise AssertionError(
            "two samples of one generate(50, ...) call are the same: each sample needs its own "
            "x_T and its own z, arrays of shape (n, D)"
        )
    if copies <= close_to:
        raise AssertionError("a sample equals one of the patches the Gaussian was fitted to; samples must be new")
    if np.max(np.abs(first - second)) <= close_to:
        raise AssertionError(f"two generate calls in a row gave the same samples. {known.message('reseeded')}")
    real_samples(submission, reference, raw, mean, cov, alpha_bar, 5, f"for n = {n} after np.random.seed(5)")


@pytest.mark.points(1)
def test_leaves_its_inputs_untouched(submission, reference):
    """mean, cov and alpha_bar are not modified."""
    mean, cov = gaussian(seed=3)
    alpha_bar = schedule(SHORT)
    expect_untouched(
        submission,
        "generate",
        (LAW_FEWEST, mean, cov, alpha_bar),
        real=lambda result: real_samples(
            submission, reference, result, mean, cov, alpha_bar, 0, f"for n = {LAW_FEWEST} after np.random.seed(0)"
        ),
        seed=0,
    )


@pytest.mark.points(1)
def test_keeps_float64_precision(submission, reference):
    """the samples hold float64 numbers, never rounded through float32 (unless reverse_step's own results are)."""
    mean, cov = gaussian(seed=1)
    n, D, alpha_bar = LAW_FEWEST, len(mean), schedule(SHORT)
    submission.seed(23)
    raw = submission.call("generate", n, mean, cov, alpha_bar).result
    x_T, zs = expected_draws(n, D, SHORT, 23, calls=1)[0]
    expected = driven(reference, x_T, zs, mean, cov, alpha_bar)
    finite = isinstance(raw, np.ndarray) and raw.dtype.kind == "f" and bool(np.all(np.isfinite(raw)))
    if isinstance(raw, np.ndarray) and raw.shape == (n, D) and (not finite or cast_down(raw, expected)):
        own = students_own(submission, x_T, zs, mean, cov, alpha_bar)
        explained = own is not None and (
            np.array_equal(raw, own, equal_nan=True) or is_close(raw, own, scale=tolerance_scale(alpha_bar, mean))
        )
        if explained and (not finite or cast_down(own, expected)):
            return  # NaN, inf or float32 numbers from the student's own reverse_step or predict_noise: graded there
    result = float64_array(raw, f"generate({n}, mean, cov, alpha_bar) with D = {D} and T = {SHORT}", (n, D))
    expect_precision(result, np.float64, "the samples of generate", reference=expected)
    real_samples(submission, reference, result, mean, cov, alpha_bar, 23, f"for n = {n} after np.random.seed(23)")
