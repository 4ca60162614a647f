"""Hidden checks of extract_patches(image, size) -> (N, D) patches."""

import numpy as np
import pytest

from autograder.checks import expect_precision
from autograder.suites.ch01_reverse import misconceptions as known
from autograder.suites.ch01_reverse.data import picture
from autograder.suites.ch01_reverse.expect import close, expect_new_array, expect_untouched, float64_array

pytestmark = pytest.mark.task("extract_patches")


def patches_of(submission, reference, image, size, label):
    reply = submission.call("extract_patches", image, size)
    expected = reference.extract_patches(image, size)
    result = float64_array(reply.result, f"extract_patches of {label} with size {size}", expected.shape)
    close(
        result,
        expected,
        f"the patches of {label} with size {size}",
        scale=float(np.max(np.abs(expected))),
        hint=known.hint(result, known.patch_variants(image, size), expected),
    )
    return reply


# (shape, size): leftovers at the bottom and on the right, a 2-D image, 1 x 1 patches, one patch only.
CASES = [((12, 16, 3), 4), ((10, 7), 3), ((9, 11, 3), 2), ((6, 6, 2), 1), ((5, 8, 3), 5)]


@pytest.mark.points(3)
@pytest.mark.parametrize(("shape", "size"), CASES, ids=lambda v: "x".join(map(str, v)) if isinstance(v, tuple) else v)
def test_row_major_patches(submission, reference, shape, size):
    """patch k is patch-row k // (W // size), patch-column k % (W // size), flattened row-major; leftovers dropped."""
    patches_of(submission, reference, picture(shape, seed=1), size, f"an image of shape {shape}")


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int64])
def test_any_dtype_gives_unscaled_float64(submission, reference, dtype):
    """uint8, float32 and int images give float64 patches of the very same values (nothing rescaled)."""
    image = np.round((picture((8, 12, 3), seed=2) + 1) * 127.5).astype(dtype)
    patches_of(submission, reference, image, 4, f"a {np.dtype(dtype)} image of shape {image.shape}")


@pytest.mark.points(1)
def test_returns_a_new_array(submission):
    """the patches are a new array, also when they could be a view of a float64 image (1 x 1 patches)."""
    for shape, size in (((4, 5, 3), 1), ((3, 3), 3), ((6, 6, 3), 6)):
        reply = submission.call("extract_patches", picture(shape, seed=3), size)
        expect_new_array(reply, "extract_patches", f" for an image of shape {shape} and size {size}")


@pytest.mark.points(1)
def test_leaves_the_image_untouched(submission):
    """the image is not modified (colour and 2-D)."""
    for shape in ((8, 8, 3), (9, 6)):
        expect_untouched(submission, "extract_patches", (picture(shape, seed=4), 3), when=f" (shape {shape})")


@pytest.mark.points(1)
def test_keeps_float64_precision(submission, reference):
    """the patches of a float64 image are the image's own float64 numbers, never rounded through float32."""
    image = picture((12, 16, 3), seed=5)
    result = float64_array(submission.extract_patches(image, 4), "extract_patches of a float64 image", (12, 48))
    expect_precision(
        result, np.float64, "the patches of a float64 image", reference=reference.extract_patches(image, 4)
    )
