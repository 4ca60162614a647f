"""Hidden checks of noise_step(x_prev, beta_t) -> (x_t, eps)."""

from functools import partial

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array, expect_pair, expect_precision, finite_statistics, within
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import BATCH_SHAPES, SEEDS, alpha_bar, describe_level, image, shape_id
from autograder.suites.ch01_forward.real import real_noisy_pair
from autograder.suites.ch01_forward.untouched import expect_new_arrays, expect_untouched, untouched_cases

pytestmark = pytest.mark.task("noise_step")

EXTRA_DRAWS = (
    "The call right after the seed matched, so this one should have gone on where it left off: "
    "does noise_step draw anything besides eps, or draw more than once? A call draws exactly "
    "np.random.randn(*x_prev.shape), once."
)


def step(submission, x_prev, beta, seed, reference=None):
    """noise_step(x_prev, beta) after ``seed``; with the ``reference``, only a real answer passes (property checks)."""
    submission.seed(seed)
    reply = submission.call("noise_step", x_prev, beta)
    x_t, eps = expect_pair(reply.result, "noise_step", ("x_t", "eps"), x_prev.shape)
    if reference is not None:
        where = f"for x_prev of shape {x_prev.shape} and {describe_level(beta, 'beta_t')}"
        real_noisy_pair(reply.result, x_prev, beta, seed, reference, "noise_step", where)
    return x_t, eps, reply


def assert_step(x_t, x_prev, beta, eps, what):
    """x_t is sqrt(1 - beta) * x_prev + sqrt(beta) * eps for the student's own eps."""
    keep = 1 - np.asarray(beta, dtype=np.float64)
    b = known.levels(keep, x_prev.ndim)
    given, x_prev = x_prev.dtype, x_prev.astype(np.float64)
    expected = np.sqrt(b) * x_prev + np.sqrt(1 - b) * eps.astype(np.float64)
    assert_close(
        x_t,
        expected,
        f"{what}, compared with sqrt(1 - beta_t) * x_prev + sqrt(beta_t) * eps for the eps you returned",
        precision=given,
        from_student=True,
        hint=known.hint(x_t, known.mix_variants(x_prev, keep, eps, step=True), expected),
    )


@pytest.mark.points(3)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_reference_for_fixed_seeds(submission, reference, seed):
    """matches the reference after np.random.seed, for several seeds and betas, and on the call after."""
    x_prev = image(seed=seed)
    for beta in (1e-4, 0.02, 0.5):
        x_t, eps, reply = step(submission, x_prev, beta, seed)
        reference.seed(seed)
        ref_x_t, ref_eps = reference.noise_step(x_prev, beta)
        where = f"with np.random.seed({seed}) and beta_t = {beta:g}"
        hint = partial(known.diagnose_message, x_prev, 1 - beta, x_t, eps, seed, reply.rng_used, step=True)
        assert_close(eps, ref_eps, f"eps {where}", hint=hint, from_student=False)
        assert_close(x_t, ref_x_t, f"x_t {where}", hint=hint, from_student=False)
    # The next call goes on with the same stream: anything else drawn in a call shifts it.
    last = eps
    reply = submission.call("noise_step", x_prev, 0.5)
    x_t, eps = expect_pair(reply.result, "noise_step", ("x_t", "eps"), x_prev.shape)
    reference.seed(seed)
    reference.noise_step(x_prev, 0.5)
    assert_close(
        eps,
        reference.noise_step(x_prev, 0.5)[1],
        f"eps of the next call, after the one with np.random.seed({seed}) and beta_t = 0.5",
        from_student=False,
        hint=lambda: known.message("reseeded") if np.array_equal(eps, last) else EXTRA_DRAWS,
    )


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_x_t_is_the_blend_of_x_prev_and_the_returned_eps(submission, reference, dtype):
    """x_t = sqrt(1 - beta_t) * x_prev + sqrt(beta_t) * eps holds with the eps it returns."""
    x_prev = image(seed=12, dtype=dtype)
    for beta in (0.3, 0.01):
        x_t, eps, _ = step(submission, x_prev, beta, seed=12)
        assert_step(x_t, x_prev, beta, eps, f"x_t for beta_t = {beta:g} ({np.dtype(dtype).name} x_prev)")
        real_noisy_pair((x_t, eps), x_prev, beta, 12, reference, "noise_step", f"for beta_t = {beta:g}")


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", BATCH_SHAPES, ids=shape_id)
def test_one_beta_per_sample_of_a_batch(submission, reference, shape):
    """a (B,) array of betas, 0 and 1 included, gives each sample its own beta, for samples of any shape."""
    x_prev = image(shape, seed=13)
    beta = np.linspace(0.0, 1.0, shape[0])
    with known.explaining_broadcast_errors(
        "step_trailing_axis", works=lambda: step(submission, x_prev, 0.5, seed=13), level="beta_t", count=shape[0]
    ):
        x_t, eps, _ = step(submission, x_prev, beta, seed=13)
    assert_step(x_t, x_prev, beta, eps, f"x_t for a batch of shape {shape} with {describe_level(beta, 'beta_t')}")
    real_noisy_pair((x_t, eps), x_prev, beta, 13, reference, "noise_step", f"for a batch of shape {shape}")


@pytest.mark.points(2)
@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_exact_boundary_betas(submission, reference, beta):
    """at beta_t = 0 exactly x_t is x_prev, as a new array; at beta_t = 1 it is eps (both ends are allowed)."""
    x_prev = image(seed=14)
    # x_prev itself, or zeros, is right at an end: the same function must be right between the ends too.
    step(submission, x_prev, 0.5, seed=14, reference=reference)
    x_t, eps, reply = step(submission, x_prev, beta, seed=14)
    expect_new_arrays(reply, "noise_step", ("x_prev", "beta_t"))
    target, name = (x_prev, "x_prev") if beta == 0 else (eps, "eps")
    assert_close(
        x_t,
        target,
        f"x_t at beta_t = {beta:g} compared with {name}",
        from_student=name == "eps",
        hint=known.hint(x_t, known.mix_variants(x_prev, 1 - beta, eps, step=True), target),
    )
    real_noisy_pair(reply.result, x_prev, beta, 14, reference, "noise_step", f"at beta_t = {beta:g}")


@pytest.mark.points(4)
def test_many_small_steps_equal_one_jump(submission):
    """25 steps, each 20 cosine steps in one, land where one jump to alpha_bar[500] lands."""
    schedule = alpha_bar()
    t, merged = 500, 20
    # Twenty cosine steps merged into one beta land exactly where the twenty would: the
    # chain still ends at alpha_bar[500], in 25 calls rather than 500. The reference's
    # levels, so only the step is graded.
    levels = schedule[0 : t + 1 : merged]
    betas = 1 - levels[1:] / levels[:-1]
    steps = len(betas)
    x0 = np.linspace(-1, 1, 50)[None, :].repeat(100, axis=0)  # 5000 values: six standard errors are 0.085
    n = x0.size

    def each_step_is_a_step(step, x_prev, beta, reply):
        # Every step is judged, so the end of the chain cannot be right while its steps are wrong.
        x_t, eps = expect_pair(reply.result, "noise_step", ("x_t", "eps"), x0.shape)
        where = f"step {step + 1} of the chain of {steps}"
        assert_close(
            x_t,
            np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * eps,
            f"x_t of {where}, compared with the blend of its x_prev and the eps it returned",
        )
        if not (abs(eps.mean()) <= 6 / np.sqrt(n) and abs(eps.var() - 1) <= 6 * np.sqrt(2 / n)):
            raise AssertionError(
                f"the eps of {where} is not standard normal: mean {eps.mean():.4f}, "
                f"variance {eps.var():.4f} over {n} values"
            )

    submission.seed(21)
    x_t = expect_array(
        submission.chain("noise_step", x0, betas, each=each_step_is_a_step), f"x_t after {steps} steps", x0.shape
    )
    z = finite_statistics((x_t - np.sqrt(schedule[t]) * x0) / np.sqrt(1 - schedule[t]), f"x_t after {steps} steps")
    # Six standard errors: a correct step fails with probability below 1e-8.
    bound_mean, bound_var = 6 / np.sqrt(n), 6 * np.sqrt(2 / n)
    bound_corr = 6 / np.sqrt(n)
    corr = float(np.corrcoef(z.ravel(), x0.ravel())[0, 1]) if z.std() > 0 else float("nan")
    if not (within(z.mean(), bound_mean) and within(z.var() - 1, bound_var) and within(corr, bound_corr)):
        raise AssertionError(
            f"after {steps} steps the images are not distributed like one jump to alpha_bar[{t}] = "
            f"{schedule[t]:.3f}: (x_t - sqrt(alpha_bar) x0) / sqrt(1 - alpha_bar) should be standard "
            f"normal and unrelated to x0, but over {n} values it has mean {z.mean():.4f} (allowed "
            f"+-{bound_mean:.4f}), variance {z.var():.4f} (allowed 1 +-{bound_var:.4f}) and correlation "
            f"with x0 {corr:.4f} (allowed +-{bound_corr:.4f})"
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_keeps_the_precision_of_x_prev(submission, reference, dtype):
    """x_t and eps are as precise as x_prev: float64 stays float64, float32 may stay float32."""
    name = np.dtype(dtype).name
    # A batch with one beta per sample may take another path through the code.
    for x_prev, beta, where in (
        (image(seed=15, dtype=dtype), 0.2, ""),
        (image((3, 8, 8, 3), seed=15, dtype=dtype), np.array([0.1, 0.2, 0.5]), " with a (B,) array of betas"),
    ):
        x_t, eps, _ = step(submission, x_prev, beta, seed=15)
        reference.seed(15)
        ref_x_t, ref_eps = reference.noise_step(x_prev, beta)
        expect_precision(x_t, dtype, f"x_t for {name} x_prev{where}", reference=ref_x_t)
        expect_precision(eps, dtype, f"eps for {name} x_prev{where}", reference=ref_eps)
        real_noisy_pair((x_t, eps), x_prev, beta, 15, reference, "noise_step", f"for {name} x_prev{where}")


@pytest.mark.points(1)
@pytest.mark.parametrize("given", ["x_prev", "float32 x_prev", "betas"])
def test_leaves_its_inputs_untouched(submission, reference, given):
    """x_prev and a (B,) array of betas are not modified."""
    dtype = np.float32 if given == "float32 x_prev" else np.float64
    names = ("x_prev", "beta_t")

    def real(x_prev, beta):
        where = f"for x_prev of shape {x_prev.shape}"
        return lambda result: real_noisy_pair(result, x_prev, beta, 16, reference, "noise_step", where)

    if given == "betas":
        x_prev, betas = image((3, 6, 6, 3), seed=16), np.array([0.1, 0.4, 0.9])
        expect_untouched(
            submission, "noise_step", names, (x_prev, betas), real=real(x_prev, betas), seed=16, watched=names[1:]
        )
        return
    # Code may take another path for a batch with one beta per sample, or for 2-D images.
    for x_prev, beta, when in untouched_cases(
        dtype, seed=16, levels=np.array([0.1, 0.4, 0.9]), level=0.1, name="betas"
    ):
        expect_untouched(
            submission,
            "noise_step",
            names,
            (x_prev, beta),
            real=real(x_prev, beta),
            seed=16,
            watched=names[:1],
            when=when,
        )
