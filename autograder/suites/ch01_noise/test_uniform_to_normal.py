"""Hidden checks of uniform_to_normal(u1, u2) -> (z1, z2)."""

import numpy as np
import pytest

from autograder.checks import assert_close, describe, expect_precision, expect_real_answer
from autograder.suites.ch01_noise import misconceptions as known
from autograder.suites.ch01_noise.data import uniforms
from autograder.suites.ch01_noise.expect import correlation, expect_two_arrays, normal_sample_report, within

pytestmark = pytest.mark.task("uniform_to_normal")


def transform(submission, u1, u2, return_args=False):
    reply = submission.call("uniform_to_normal", u1, u2, return_args=return_args)
    what = f"uniform_to_normal of {u1.dtype} arrays of shape {u1.shape}"
    z1, z2 = expect_two_arrays(
        reply.result, what, u1.shape, hint=lambda: known.diagnose_transform(u1, u2, reply.result)
    )
    return z1, z2, reply


def compare_with_reference(submission, reference, u1, u2, where):
    z1, z2, reply = transform(submission, u1, u2)
    expected = reference.uniform_to_normal(u1, u2)
    # Float32 inputs carry float32 precision: a result computed from them in float32
    # is as right as the reference's, so the looser of the two tolerances applies.
    hint = lambda: known.diagnose_transform(u1, u2, reply.result)  # noqa: E731 - computed only on failure
    for name, actual, wanted in zip(("z1", "z2"), (z1, z2), expected, strict=True):
        assert_close(actual, wanted, f"{name} {where}", precision=u1.dtype, hint=hint)


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_returns_a_tuple_of_two_float64_arrays(submission, reference, dtype):
    """returns a tuple (z1, z2) of two float64 arrays shaped like the inputs, for float64 and float32 inputs."""
    # Any shape, the empty one included, as the docstring says.
    for shape in ((1000,), (3, 4, 5), (1,), (0,)):
        u1, u2 = uniforms(shape, seed=1, dtype=dtype)
        result = submission.call("uniform_to_normal", u1, u2).result
        if not isinstance(result, tuple):
            raise AssertionError(
                f"uniform_to_normal should return a tuple (z1, z2), but it returned {describe(result)}"
            )
        what = f"of {np.dtype(dtype)} arrays of shape {shape}"
        z1, z2 = expect_two_arrays(result, f"uniform_to_normal {what}", shape)
        expect_real_answer(result, reference.uniform_to_normal(u1, u2), "uniform_to_normal", what, precision=dtype)
        for name, z in (("z1", z1), ("z2", z2)):
            if z.dtype != np.float64:
                raise AssertionError(
                    f"{name} for {np.dtype(dtype)} inputs should be float64, but it is {z.dtype}; "
                    f"convert the inputs with np.asarray(u, dtype=np.float64) first"
                )
    if dtype == np.float64:
        # float64 throughout, a large input too (it may take another path): float32 numbers in a
        # float64 array would pass the value checks at float32's tolerance.
        u1, u2 = uniforms((200_000,), seed=1)
        results = zip(("z1", "z2"), transform(submission, u1, u2)[:2], reference.uniform_to_normal(u1, u2), strict=True)
        for name, z, wanted in results:
            expect_precision(z, np.float64, f"{name} for float64 inputs of shape (200000,)", reference=wanted)
    # 0-d inputs: NumPy's arithmetic gives 0-d results as NumPy scalars, which have shape () too.
    u1, u2 = (np.asarray(u[0]) for u in uniforms((1,), seed=1, dtype=dtype))
    result = submission.call("uniform_to_normal", u1, u2).result
    shapes = [np.shape(z) for z in result] if isinstance(result, tuple) and len(result) == 2 else None
    if shapes != [(), ()]:
        raise AssertionError(
            f"uniform_to_normal of 0-d arrays should give two values of shape (), like the inputs, "
            f"but it returned {describe(result)}"
        )
    expect_real_answer(
        result, reference.uniform_to_normal(u1, u2), "uniform_to_normal", "of 0-d arrays", precision=dtype
    )


@pytest.mark.points(3)
@pytest.mark.parametrize("shape", [(200_000,), (4, 5, 6)])  # a large input may take another path
def test_matches_the_box_muller_formula(submission, reference, shape):
    """matches r = sqrt(-2 ln u1), z1 = r cos(2 pi u2), z2 = r sin(2 pi u2) element by element."""
    for seed in (2, 3):
        u1, u2 = uniforms(shape, seed=seed)
        compare_with_reference(submission, reference, u1, u2, f"for u1, u2 of shape {shape}")


@pytest.mark.points(2)
def test_takes_u1_equal_to_one_and_tiny_u1(submission, reference):
    """u1 = 1 exactly gives z = 0, and u1 as small as 1e-300 gives finite values (r about 37.2)."""
    u1 = np.array([1.0, 1.0, 1e-300, 1e-300, 1e-200, 1e-100, 1e-30, 0.5])
    u2 = np.array([0.0, 0.3, 0.0, 0.7, 0.125, 0.6, 0.9, 0.25])
    z1, z2, reply = transform(submission, u1, u2)
    infinite = int(np.count_nonzero(~np.isfinite(z1)) + np.count_nonzero(~np.isfinite(z2)))
    if infinite:
        raise AssertionError(
            f"for u1 in [1e-300, 1] the results hold {infinite} infinite values; r = sqrt(-2 ln u1) is "
            f"finite there (0 at u1 = 1, about 37.2 at u1 = 1e-300). "
            f"{known.diagnose_transform(u1, u2, reply.result)}".strip()
        )
    compare_with_reference(submission, reference, u1, u2, "for u1 = 1 and u1 down to 1e-300")


@pytest.mark.points(2)
def test_float32_inputs_match_within_float32_tolerance(submission, reference):
    """float32 inputs give the formula's values within the float32 tolerance (1.2e-4, relative above 1)."""
    u1, u2 = uniforms((500,), seed=4, dtype=np.float32)
    compare_with_reference(submission, reference, u1, u2, "for float32 u1, u2 of shape (500,)")


@pytest.mark.points(3)
def test_large_sample_is_standard_normal_and_independent(submission):
    """z1 and z2 of 400000 uniforms each have the moments of N(0, 1), and are uncorrelated, squares included."""
    n = 400_000
    u1, u2 = uniforms((n,), seed=5)
    z1, z2, reply = transform(submission, u1, u2)
    # Naming the mistake tries a dozen transforms of 400000 values: only once the sample has failed.
    hint = lambda: known.diagnose_transform(u1, u2, reply.result)  # noqa: E731 - computed only on failure
    for name, z in (("z1", z1), ("z2", z2)):
        report = normal_sample_report(z, name)
        if report:
            raise AssertionError(f"{report}. {hint()}".strip())
    # Independent standard normals: z1 z2 and (z1^2 - 1)(z2^2 - 1) have standard errors 1/sqrt(n)
    # (and 2/sqrt(n) before dividing by the variance 2 of z^2): six of them is 0.0095.
    bound = 6 / np.sqrt(n)
    for what, a, b in (("z1 and z2", z1, z2), ("z1 ** 2 and z2 ** 2", z1**2, z2**2)):
        r = correlation(a, b)
        if not within(r, 0.0, bound):
            raise AssertionError(
                f"the correlation of {what} over {n} pairs is {r:.4f}; independent noises give 0 +- {bound:.4f} "
                f"(six standard errors). {hint()}".strip()
            )


@pytest.mark.points(1)
def test_leaves_its_inputs_untouched(submission, reference):
    """u1 and u2 are not modified."""
    for shape in ((200,), (201,), (5, 8)):  # code may take another path for other shapes
        u1, u2 = uniforms(shape, seed=6)
        reply = submission.call("uniform_to_normal", u1.copy(), u2.copy(), return_args=True)
        for name, given, after in zip(("u1", "u2"), (u1, u2), reply.args_after, strict=True):
            if not (isinstance(after, np.ndarray) and np.array_equal(after, given)):
                raise AssertionError(
                    f"uniform_to_normal changed the {name} it was given (of shape {shape}); work on a new array instead"
                )
        expect_real_answer(reply.result, reference.uniform_to_normal(u1, u2), "uniform_to_normal", f"of shape {shape}")
