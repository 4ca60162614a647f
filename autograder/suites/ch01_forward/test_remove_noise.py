"""Hidden checks of remove_noise(xt, eps, alpha_bar_t) -> x0."""

from functools import partial

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array, expect_precision, tolerance
from autograder.difference import dependence
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import BATCH_SHAPES, describe_level, image, shape_id
from autograder.suites.ch01_forward.real import real_recovered
from autograder.suites.ch01_forward.untouched import expect_new_arrays, expect_untouched, untouched_cases

pytestmark = pytest.mark.task("remove_noise")


def noised(reference, x0, a, seed):
    """xt and eps made by the reference's add_noise, in x0's dtype."""
    reference.seed(seed)
    xt, eps = reference.add_noise(x0, a)
    return xt.astype(x0.dtype), eps.astype(x0.dtype)


def round_trip(submission, reference, x0, a, seed):
    """Noise x0 with the reference's add_noise, then undo it with the student's remove_noise."""
    xt, eps = noised(reference, x0, a, seed)
    result = expect_array(submission.remove_noise(xt, eps, a), "remove_noise(xt, eps, alpha_bar_t)", x0.shape)
    # Dividing by sqrt(alpha_bar_t) magnifies rounding errors by the same factor.
    scale = float(np.max(np.abs(xt))) / float(np.sqrt(np.min(a)))
    assert_close(
        result,
        x0,
        f"the image recovered from xt of shape {x0.shape} ({x0.dtype}) with {describe_level(a)}",
        scale=scale,
        precision=x0.dtype,
        reference_dtype=np.float64,
        from_student=False,
        hint=known.hint(result, known.inverse_variants(xt, eps, a), x0),
        # Measured by calling remove_noise again with xt, then eps, changed.
        probe=lambda: dependence(
            submission.remove_noise,
            reference.remove_noise,
            (xt, eps, a),
            ("xt", "eps", "alpha_bar_t"),
            tolerance(x0.dtype, scale),
        ),
    )
    return result


@pytest.mark.points(3)
@pytest.mark.parametrize("a", [0.99, 0.5, 0.001])  # 0.001: t = 980 of 1000, near pure static
def test_recovers_the_clean_image(submission, reference, a):
    """given the true noise, gets the clean image back."""
    round_trip(submission, reference, image(seed=14), a, seed=14)


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", BATCH_SHAPES, ids=shape_id)
def test_one_level_per_sample_of_a_batch(submission, reference, shape):
    """a (B,) array of levels, 1 included, gives each sample its own level, for samples of any shape."""
    x0 = image(shape, seed=15)
    with known.explaining_broadcast_errors(
        "inverse_trailing_axis", works=lambda: submission.remove_noise(x0, x0, 0.5), count=shape[0]
    ):
        round_trip(submission, reference, x0, np.linspace(1.0, 0.2, shape[0]), seed=15)


@pytest.mark.points(2)
def test_works_in_float32(submission, reference):
    """float32 inputs come back right within float32 precision."""
    round_trip(submission, reference, image(seed=16, dtype=np.float32), 0.7, seed=16)


@pytest.mark.points(2)
def test_clean_level_changes_nothing(submission, reference):
    """at alpha_bar = 1 exactly (t = 0) the noisy image is already the clean one, returned as a new array."""
    xt, eps = image(seed=17), image(seed=18)
    # xt itself is right at alpha_bar = 1: the same function must be right at another level too.
    real_recovered(submission.remove_noise(xt, eps, 0.5), xt, eps, 0.5, reference, "with alpha_bar_t = 0.5")
    reply = submission.call("remove_noise", xt, eps, 1.0)
    expect_new_arrays(reply, "remove_noise", ("xt", "eps", "alpha_bar_t"))
    result = expect_array(reply.result, "remove_noise(xt, eps, 1.0)", xt.shape)
    assert_close(
        result,
        xt,
        "remove_noise(xt, eps, 1.0) compared with xt",
        from_student=False,
        hint=known.hint(result, known.inverse_variants(xt, eps, 1.0), xt),
    )


@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_keeps_the_precision_of_its_inputs(submission, reference, dtype):
    """the image comes back as precise as xt and eps: float64 stays float64, float32 may stay float32."""
    name = np.dtype(dtype).name
    # A batch with one level per sample may take another path through the code.
    for x0, a, where in (
        (image(seed=20, dtype=dtype), 0.6, ""),
        (image((3, 8, 8, 3), seed=20, dtype=dtype), np.array([0.9, 0.6, 0.2]), " with a (B,) array of levels"),
    ):
        xt, eps = noised(reference, x0, a, seed=20)
        result = expect_array(
            submission.remove_noise(xt, eps, a),
            f"remove_noise(xt, eps, alpha_bar_t) with {describe_level(a)}",
            x0.shape,
        )
        expect_precision(
            result,
            dtype,
            f"the image recovered from {name} inputs{where}",
            reference=reference.remove_noise(xt, eps, a),
        )
        real_recovered(result, xt, eps, a, reference, f"for {name} inputs{where}")


@pytest.mark.points(1)
@pytest.mark.parametrize("given", ["xt and eps", "float32 xt and eps", "levels"])
def test_leaves_its_inputs_untouched(submission, reference, given):
    """xt, eps and a (B,) array of levels are not modified."""
    dtype = np.float32 if given.startswith("float32") else np.float64
    names = ("xt", "eps", "alpha_bar_t")
    levels = np.array([0.9, 0.5, 0.3])
    if given == "levels":
        xt, eps = noised(reference, image((3, 6, 6, 3), seed=19), levels, seed=19)
        real = lambda result: real_recovered(result, xt, eps, levels, reference)  # noqa: E731 - one use
        expect_untouched(submission, "remove_noise", names, (xt, eps, levels), real=real, watched=names[2:])
        return
    # Code may take another path for a batch with one level per sample, or for 2-D images.
    for x0, a, when in untouched_cases(dtype, seed=19, levels=levels, level=0.4, name="levels"):
        xt, eps = noised(reference, x0, a, seed=19)
        expect_untouched(
            submission,
            "remove_noise",
            names,
            (xt, eps, a),
            real=partial(real_recovered, xt=xt, eps=eps, level=a, reference=reference, where=f"for xt{when}"),
            watched=names[:2],
            when=when,
        )
