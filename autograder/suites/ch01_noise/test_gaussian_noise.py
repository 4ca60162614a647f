"""Hidden checks of gaussian_noise(*shape) -> z.

gaussian_noise is graded on what it adds to uniform_to_normal: the draws (u1 =
1 - rand first, then u2 = rand, from the global generator) and keeping z1. When
its values equal the student's own uniform_to_normal of the expected draws, the
draws are right, and a mistake in the transform is charged to uniform_to_normal
only.
"""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array
from autograder.interface import StudentError
from autograder.suites.ch01_noise import misconceptions as known
from autograder.suites.ch01_noise.data import SEEDS, seeded_uniforms
from autograder.suites.ch01_noise.expect import correlation, normal_sample_report, within

pytestmark = pytest.mark.task("gaussian_noise")


def noise(submission, shape, seed=None, finite=True):
    """gaussian_noise(*shape) after ``seed``; NaN is let through (``finite=False``) only to be compared with
    the student's own transform, whose NaN is charged to uniform_to_normal."""
    if seed is not None:
        submission.seed(seed)
    reply = submission.call("gaussian_noise", *shape)
    label = f"gaussian_noise({', '.join(str(int(d)) for d in shape)})"
    dims = tuple(int(d) for d in shape)
    result = reply.result
    if not finite and isinstance(result, np.ndarray) and result.shape == dims and result.dtype.kind == "f":
        return result, reply
    return expect_array(result, label, dims), reply


def own_pair(submission, u1, u2):
    """The student's uniform_to_normal(u1, u2) as float64 arrays, or None when it gives no usable pair."""
    try:
        result = submission.call("uniform_to_normal", u1, u2).result
    except StudentError:
        return None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None
    if not all(isinstance(z, np.ndarray) and z.shape == u1.shape and z.dtype.kind == "f" for z in result):
        return None
    # A transform that gives (almost) the same number for different uniforms tells nothing about the
    # draws: constant noise would otherwise "match the student's own transform" and earn the draws' points.
    finite = result[0][np.isfinite(result[0])]
    if finite.size > 1 and np.unique(finite).size < 0.9 * finite.size:
        return None
    return tuple(z.astype(np.float64) for z in result)


def own_transform(submission, u1, u2):
    """The student's z1 of uniform_to_normal(u1, u2), or None."""
    pair = own_pair(submission, u1, u2)
    return None if pair is None else pair[0]


def transforms(submission, reference):
    """The reference's transform, then the student's own (for naming mistakes)."""
    mine = [reference.uniform_to_normal]

    def theirs(u1, u2):
        pair = own_pair(submission, u1, u2)
        if pair is None:
            raise ValueError("no usable transform")
        return pair

    return [*mine, theirs]


def assert_expected_draws(submission, reference, z, reply, seed, shape, call=0):
    """``z`` is z1 of the uniforms the call number ``call`` after seeding should draw."""
    u1, u2 = seeded_uniforms(seed, shape, calls=call + 1)[call]
    expected = reference.uniform_to_normal(u1, u2)[0]
    if known.matches(z, expected):
        return
    own = own_transform(submission, u1, u2)
    if own is not None and known.matches(z, own) and not known.matches(own, expected):
        return  # the draws are right; uniform_to_normal is graded on its own
    z = expect_array(z, f"gaussian_noise{tuple(shape)}", tuple(shape))
    which = "" if call == 0 else f" (call {call + 1} after the seed)"
    assert_close(
        z,
        expected,
        f"gaussian_noise{tuple(shape)} after np.random.seed({seed}){which}",
        hint=lambda: known.diagnose_noise(z, seed, shape, transforms(submission, reference), reply.rng_used, call),
    )


# The first of the gaussian_noise checks on purpose: code that does something else on
# its first call (seeds the generator, say) is seen at once.
@pytest.mark.points(3)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_reference_for_fixed_seeds(submission, reference, seed):
    """after np.random.seed, gives z1 of u1 = 1 - rand, then u2 = rand, for several shapes."""
    # A large call may take another path through the code: one of them per grading.
    for shape in ((500,), (4, 8, 3)) + (((200_000,),) if seed == SEEDS[0] else ()):
        z, reply = noise(submission, shape, seed=seed, finite=False)
        assert_expected_draws(submission, reference, z, reply, seed, shape)


@pytest.mark.points(2)
def test_returns_float64_of_the_requested_shape(submission, reference):
    """returns a float64 array of the shape given by one or more integer dimensions."""
    for shape in ((1000,), (3, 4, 5), (1,), (2, 1, 3, 1), (np.int64(4), 6), (0, 3)):
        try:
            z, reply = noise(submission, shape, seed=1, finite=False)
        except StudentError:
            empty = np.ones(shape)
            if 0 in shape and own_pair(submission, empty, empty) is None:
                continue  # the student's uniform_to_normal fails on empty arrays: its own checks say so
            raise
        if z.dtype != np.float64:
            raise AssertionError(f"gaussian_noise{tuple(int(d) for d in shape)} should be float64, but it is {z.dtype}")
        # Only a real answer counts: the values the draws after the seed give (no point for zeros of that shape).
        dims = tuple(int(d) for d in shape)
        try:
            assert_expected_draws(submission, reference, z, reply, 1, dims)
        except AssertionError as wrong:
            raise AssertionError(
                f"gaussian_noise{dims} after np.random.seed(1) is not the right noise, and this check pays only "
                f"when the result is right too:\n{wrong}"
            ) from None


@pytest.mark.points(2)
def test_consecutive_calls_continue_the_stream(submission, reference):
    """two calls after one seed draw fresh uniforms, in the order the reference draws them."""
    shape = (300,)
    # The first call has as many values in two dimensions (the same uniforms): a draw of
    # its own on another path shifts the second call.
    first, _ = noise(submission, (3, 100), seed=11, finite=False)
    first = first.reshape(shape) if first.size == 300 else first
    second, reply = noise(submission, shape, finite=False)
    if np.array_equal(first, second):
        raise AssertionError("two calls in a row returned the same noise. " + known.message("reseeded"))
    assert_expected_draws(submission, reference, second, reply, 11, shape, call=1)


@pytest.mark.points(3)
def test_large_unseeded_sample_is_standard_normal(submission, reference):
    """without a seed, 500000 values have the moments of N(0, 1) and no correlation between neighbours."""
    # Draws already shown right with a transform of the student's own that is wrong are not charged
    # here a second time: uniform_to_normal's checks name that mistake.
    probe, _ = noise(submission, (2000,), seed=5, finite=False)
    u1, u2 = seeded_uniforms(5, (2000,))[0]
    own = own_transform(submission, u1, u2)
    if own is not None and known.matches(probe, own) and not known.matches(own, reference.uniform_to_normal(u1, u2)[0]):
        return
    n = 500_000
    z, _ = noise(submission, (n,))
    report = normal_sample_report(z, "gaussian_noise(500000)")
    if report:
        raise AssertionError(report)
    # Neighbours of independent values: the correlation has standard error 1/sqrt(n).
    bound = 6 / np.sqrt(n - 1)
    r = correlation(z[:-1], z[1:])
    if not within(r, 0.0, bound):
        raise AssertionError(
            f"neighbouring values of gaussian_noise({n}) have correlation {r:.4f}; independent values "
            f"give 0 +- {bound:.4f} (six standard errors)"
        )
