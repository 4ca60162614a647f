"""Hidden checks of remove_noise(xt, eps, alpha_bar_t) -> x0."""

import numpy as np
import pytest

from autograder.checks import assert_close, expect_array
from autograder.suites.ch01_forward import misconceptions as known
from autograder.suites.ch01_forward.data import image
from autograder.suites.ch01_forward.precision import expect_precision

pytestmark = pytest.mark.task("remove_noise")


def round_trip(submission, reference, x0, a, seed, return_args=False):
    """Noise x0 with the reference's add_noise, then undo it with the student's remove_noise."""
    reference.seed(seed)
    xt, eps = reference.add_noise(x0, a)
    xt, eps = xt.astype(x0.dtype), eps.astype(x0.dtype)
    reply = submission.call("remove_noise", xt, eps, a, return_args=return_args)
    result = expect_array(reply.result, "remove_noise(xt, eps, alpha_bar_t)", x0.shape)
    expect_precision(result, x0.dtype, f"the image recovered from {x0.dtype} inputs")
    # Dividing by sqrt(alpha_bar_t) magnifies rounding errors by the same factor.
    scale = float(np.max(np.abs(xt))) / float(np.sqrt(np.min(a)))
    level = f"levels of shape {np.shape(a)}" if np.ndim(a) else f"alpha_bar_t = {float(a):g}"
    assert_close(
        result,
        x0,
        f"the image recovered from xt of shape {x0.shape} ({x0.dtype}) with {level}",
        scale=scale,
        precision=x0.dtype,
        hint=known.hint(result, known.inverse_variants(xt, eps, a), x0),
    )
    return xt, eps, reply


@pytest.mark.points(3)
@pytest.mark.parametrize("a", [0.99, 0.5, 0.05])
def test_recovers_the_clean_image(submission, reference, a):
    """given the true noise, gets the clean image back."""
    round_trip(submission, reference, image(seed=14), a, seed=14)


@pytest.mark.points(3)
@pytest.mark.parametrize("shape", [(3, 8, 8, 3), (4, 6)])
def test_one_level_per_sample_of_a_batch(submission, reference, shape):
    """a (B,) array of levels gives each sample its own level, also when B equals the channel count."""
    with known.explaining_broadcast_errors():
        round_trip(submission, reference, image(shape, seed=15), np.linspace(0.9, 0.2, shape[0]), seed=15)


@pytest.mark.points(2)
def test_works_in_float32(submission, reference):
    """float32 inputs come back right within float32 precision."""
    round_trip(submission, reference, image(seed=16, dtype=np.float32), 0.7, seed=16)


@pytest.mark.points(2)
def test_clean_level_changes_nothing(submission):
    """at alpha_bar = 1 (t = 0) the noisy image is already the clean one."""
    xt, eps = image(seed=17), image(seed=18)
    result = expect_array(submission.remove_noise(xt, eps, 1.0), "remove_noise(xt, eps, 1.0)", xt.shape)
    expect_precision(result, xt.dtype, "remove_noise(xt, eps, 1.0)")
    assert_close(result, xt, "remove_noise(xt, eps, 1.0) compared with xt")


@pytest.mark.points(1)
def test_leaves_its_inputs_untouched(submission, reference):
    """xt and eps are not modified."""
    xt, eps, reply = round_trip(submission, reference, image(seed=19), 0.4, seed=19, return_args=True)
    for name, before, after in zip(("xt", "eps"), (xt, eps), reply.args_after[:2], strict=False):
        if not (isinstance(after, np.ndarray) and np.array_equal(after, before)):
            raise AssertionError(f"remove_noise changed the {name} it was given; work on a new array instead")
