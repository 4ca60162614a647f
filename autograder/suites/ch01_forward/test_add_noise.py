"""Hidden checks of add_noise(x0, alpha_bar_t) -> (xt, eps)."""

from functools import partial

import numpy as np
import pytest

from autograder.checks import assert_close, expect_pair, expect_precision, tolerance, within
from autograder.difference import dependence
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import BATCH_SHAPES, SEEDS, alpha_bar, describe_level, image, shape_id
from autograder.suites.ch01_forward.real import real_noisy_pair
from autograder.suites.ch01_forward.untouched import expect_new_arrays, expect_untouched, untouched_cases

pytestmark = pytest.mark.task("add_noise")


def noisy(submission, x0, a, seed=None, reference=None):
    """add_noise(x0, a) after ``seed``; with the ``reference``, only a real answer passes (for property checks)."""
    if seed is not None:
        submission.seed(seed)
    reply = submission.call("add_noise", x0, a)
    xt, eps = expect_pair(reply.result, "add_noise", ("xt", "eps"), x0.shape)
    if reference is not None:
        real_noisy_pair(
            reply.result, x0, a, seed, reference, where=f"for x0 of shape {x0.shape} and {describe_level(a)}"
        )
    return xt, eps, reply


def compare_with_reference(submission, reference, x0, a, seed):
    xt, eps, reply = noisy(submission, x0, a, seed)
    reference.seed(seed)
    ref_xt, ref_eps = reference.add_noise(x0, a)
    where = f"with np.random.seed({seed}), x0 of shape {x0.shape} ({x0.dtype}) and {describe_level(a)}"
    hint = partial(known.diagnose_message, x0, a, xt, eps, seed, reply.rng_used)
    assert_close(eps, ref_eps, f"eps {where}", hint=hint, from_student=False)
    assert_close(xt, ref_xt, f"xt {where}", hint=hint, precision=x0.dtype, from_student=False)


def assert_blend(xt, x0, a, eps, what, submission=None, seed=None):
    """xt is sqrt(a) * x0 + sqrt(1 - a) * eps for the student's own eps (levels per sample if a is (B,)).

    With the ``submission`` and the ``seed`` xt was drawn with, a failure also
    says how xt moves when x0 changes (same seed, so the same eps), measured.
    """
    w = known.levels(a, x0.ndim)
    given, x0 = x0.dtype, x0.astype(np.float64)
    expected = np.sqrt(w) * x0 + np.sqrt(1 - w) * eps.astype(np.float64)
    assert_close(
        xt,
        expected,
        f"{what}, compared with the blend of x0 and the eps you returned",
        precision=given,
        from_student=True,
        hint=known.hint(xt, known.mix_variants(x0, a, eps), expected),
        probe=(lambda: _moves_with_x0(submission, x0.astype(given), a, seed)) if submission else None,
    )


def _moves_with_x0(submission, x0, a, seed):
    """How the student's xt moves when x0 changes, against sqrt(a) times the change (the eps term cancels)."""

    def students_xt(image, level):
        return noisy(submission, image, level, seed)[0]

    def right_change(image, level):
        return np.sqrt(known.levels(level, image.ndim)) * image.astype(np.float64)

    return dependence(students_xt, right_change, (x0, a), ("x0", "alpha_bar_t"), tolerance(x0.dtype, 4.0), ("x0",))


# The first of the add_noise checks on purpose: code that does something else on its
# first call (seeds the generator, say) is seen at once.
@pytest.mark.points(3)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_reference_for_fixed_seeds(submission, reference, seed):
    """matches the reference after np.random.seed, for several seeds and levels."""
    for a in (0.9, 0.5, 0.02):
        compare_with_reference(submission, reference, image(seed=seed), a, seed)


@pytest.mark.points(2)
def test_returns_pair_shaped_like_x0(submission, reference):
    """returns (xt, eps), two float arrays shaped like x0."""
    for shape in ((16, 16, 3), (2, 8, 8, 3), (5,)):
        pair = noisy(submission, image(shape, seed=2), 0.5, seed=2, reference=reference)[:2]
        for name, array in zip(("xt", "eps"), pair, strict=True):
            if array.dtype.kind != "f":
                raise AssertionError(f"{name} should hold floats, but its dtype is {array.dtype}")


@pytest.mark.points(3)
def test_consecutive_calls_continue_the_stream(submission, reference):
    """two calls after one seed draw fresh noise, like the reference."""
    x0 = image((8, 8, 3), seed=3)
    _, first_eps, _ = noisy(submission, x0, 0.5, seed=11)
    xt, eps, reply = noisy(submission, x0, 0.5)
    if np.array_equal(first_eps, eps):
        raise AssertionError("two calls in a row returned the same eps. " + known.message("reseeded"))
    reference.seed(11)
    reference.add_noise(x0, 0.5)
    assert_close(
        eps,
        reference.add_noise(x0, 0.5)[1],
        "eps of the second call after np.random.seed(11)",
        from_student=False,
        hint=partial(known.diagnose_message, x0, 0.5, xt, eps, 11, reply.rng_used, call=1),
    )


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_xt_is_the_blend_of_x0_and_the_returned_eps(submission, reference, dtype):
    """xt = sqrt(a) * x0 + sqrt(1 - a) * eps holds with the eps it returns."""
    x0 = image(seed=5, dtype=dtype)
    for a in (0.95, 0.6, 0.1):
        xt, eps, _ = noisy(submission, x0, a, seed=5)
        assert_blend(xt, x0, a, eps, f"xt for alpha_bar_t = {a} ({np.dtype(dtype).name} x0)", submission, 5)
        real_noisy_pair((xt, eps), x0, a, 5, reference, where=f"for alpha_bar_t = {a}")


@pytest.mark.points(3)
def test_eps_is_standard_normal(submission, reference):
    """eps is standard normal noise (mean 0, standard deviation 1), whatever the seed."""
    x0 = np.zeros((100, 100, 5))
    n = x0.size
    xt, eps, _ = noisy(submission, x0, 0.5, seed=99)
    mean, std = float(eps.mean()), float(eps.std())
    # Six standard errors: a correct generator fails with probability below 1e-8.
    mean_bound, std_bound = 6 / np.sqrt(n), 6 / np.sqrt(2 * n)
    hint = known.message("uniform") if eps.min() >= 0 else ""
    if not (within(mean, mean_bound) and within(std - 1, std_bound)):
        raise AssertionError(
            f"over {n} values, eps has mean {mean:.4f} and standard deviation "
            f"{std:.4f}; standard normal noise stays within {mean_bound:.4f} of 0 "
            f"and {std_bound:.4f} of 1. {hint}".strip()
        )
    real_noisy_pair((xt, eps), x0, 0.5, 99, reference, where="for x0 of zeros")


@pytest.mark.points(3)
def test_pure_static_at_the_last_timestep(submission, reference):
    """at t = T (alpha_bar about 3.7e-33) xt equals eps: nothing of the image is left."""
    a_T = float(alpha_bar()[-1])
    for seed, x0 in ((1, image(seed=1)), (2, np.ones((8, 8, 3))), (3, -np.ones((4, 5)))):
        xt, eps, reply = noisy(submission, x0, a_T, seed=seed)
        assert_close(
            xt,
            eps,
            f"xt at alpha_bar_t = {a_T:.2g} (t = T) compared with eps",
            from_student=True,
            hint="At t = T the image's weight sqrt(alpha_bar_t) is about 6e-17.",
        )
        real_noisy_pair(reply.result, x0, a_T, seed, reference, where=f"at t = T for x0 of shape {x0.shape}")


@pytest.mark.points(2)
@pytest.mark.parametrize("a", [1.0, 0.0])
def test_exact_boundary_levels(submission, reference, a):
    """at alpha_bar_t = 1 exactly (t = 0) xt is x0, as a new array; at exactly 0 it is eps (both ends are allowed)."""
    x0 = image(seed=4)
    # x0 itself, or zeros, is right at an end: the same function must be right between the ends too.
    noisy(submission, x0, 0.5, seed=4, reference=reference)
    xt, eps, reply = noisy(submission, x0, a, seed=4)
    expect_new_arrays(reply, "add_noise", ("x0", "alpha_bar_t"))
    target, name = (x0, "x0") if a == 1 else (eps, "eps")
    assert_close(
        xt,
        target,
        f"xt at alpha_bar_t = {a:g} compared with {name}",
        from_student=name == "eps",
        hint=known.hint(xt, known.mix_variants(x0, a, eps), target),
    )
    real_noisy_pair(reply.result, x0, a, 4, reference, where=f"at alpha_bar_t = {a:g}")


@pytest.mark.points(2)
def test_preserves_unit_variance(submission, reference):
    """an image with unit variance keeps unit variance at every level."""
    x0 = np.random.RandomState(80).randn(50, 50, 10)
    n = x0.size
    # x0's own deviation from 1 is known exactly; the noise's part (its variance and its
    # covariance with x0) has a standard error of at most sqrt(2 / n): allow eight of them.
    bound = 8 * np.sqrt(2 / n) + abs(x0.var() - 1)
    for a in (0.75, 0.5, 0.25):
        xt, eps, reply = noisy(submission, x0, a, seed=8)
        if not within(float(xt.var()) - 1, bound):
            mistake = known.diagnose_message(x0, a, xt, eps, 8, reply.rng_used)
            raise AssertionError(
                f"for x0 with variance {x0.var():.3f} and alpha_bar_t = {a}, xt has "
                f"variance {xt.var():.3f}; it should stay within {bound:.3f} of 1. "
                f"{mistake}".strip()
            )
        real_noisy_pair(reply.result, x0, a, 8, reference, where=f"for alpha_bar_t = {a}")


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", BATCH_SHAPES, ids=shape_id)
def test_one_level_per_sample_of_a_batch(submission, reference, shape):
    """a (B,) array of levels, 0 and 1 included, gives each sample its own level, for samples of any shape."""
    x0 = image(shape, seed=6)
    a = np.linspace(1.0, 0.0, shape[0])
    with known.explaining_broadcast_errors(works=lambda: noisy(submission, x0, 0.5, seed=6), count=shape[0]):
        xt, eps, _ = noisy(submission, x0, a, seed=6)
    assert_blend(xt, x0, a, eps, f"xt for a batch of shape {shape} with {describe_level(a)}", submission, 6)
    real_noisy_pair((xt, eps), x0, a, 6, reference, where=f"for a batch of shape {shape}")


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_keeps_the_precision_of_x0(submission, reference, dtype):
    """xt and eps are as precise as x0: float64 stays float64, float32 may stay float32."""
    name = np.dtype(dtype).name
    # A batch with one level per sample may take another path through the code.
    for x0, a, where in (
        (image(seed=10, dtype=dtype), 0.4, ""),
        (image((3, 8, 8, 3), seed=10, dtype=dtype), np.array([0.9, 0.4, 0.1]), " with a (B,) array of levels"),
    ):
        xt, eps, _ = noisy(submission, x0, a, seed=10)
        reference.seed(10)
        ref_xt, ref_eps = reference.add_noise(x0, a)
        expect_precision(xt, dtype, f"xt for {name} x0{where}", reference=ref_xt)
        expect_precision(eps, dtype, f"eps for {name} x0{where}", reference=ref_eps)
        real_noisy_pair((xt, eps), x0, a, 10, reference, where=f"for {name} x0{where}")


@pytest.mark.points(1)
@pytest.mark.parametrize("given", ["x0", "float32 x0", "levels"])
def test_leaves_its_inputs_untouched(submission, reference, given):
    """x0 and a (B,) array of levels are not modified."""
    dtype = np.float32 if given == "float32 x0" else np.float64
    names = ("x0", "alpha_bar_t")

    def real(x0, a):
        return lambda result: real_noisy_pair(result, x0, a, 9, reference, where=f"for x0 of shape {x0.shape}")

    if given == "levels":
        x0, levels = image((3, 6, 6, 3), seed=9), np.array([0.9, 0.4, 0.1])
        expect_untouched(submission, "add_noise", names, (x0, levels), real=real(x0, levels), seed=9, watched=names[1:])
        return
    # Code may take another path for a batch with one level per sample, or for 2-D images.
    for x0, a, when in untouched_cases(dtype, seed=9, levels=np.array([0.9, 0.4, 0.1]), level=0.3, name="levels"):
        expect_untouched(
            submission, "add_noise", names, (x0, a), real=real(x0, a), seed=9, watched=names[:1], when=when
        )
