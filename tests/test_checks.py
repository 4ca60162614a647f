"""The comparison helpers: nothing non-finite passes, tolerances follow dtypes, broken checks are told apart."""

import numpy as np
import pytest

from autograder.checks import (
    CheckError,
    assert_close,
    describe,
    expect_array,
    expect_precision,
    finite_statistics,
    held_precision,
    is_close,
    looser,
    tolerance,
    within,
)
from autograder.difference import Positions

VALUES = np.linspace(-1.0, 1.0, 12).reshape(3, 4) + 1e-3 / 3


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_value_never_matches_a_finite_one(bad):
    """NaN, inf or -inf where a finite number is expected fails, whatever the tolerance."""
    actual = VALUES.copy()
    actual[1, 2] = bad
    assert not is_close(actual, VALUES)
    with pytest.raises(AssertionError, match="where finite numbers were expected"):
        assert_close(actual, VALUES, "x", from_student=False)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_the_same_non_finite_value_at_the_same_place_matches(bad):
    """where the reference legitimately holds NaN or inf, only the very same value at the same place matches."""
    expected = VALUES.copy()
    expected[0, 0] = bad
    assert_close(expected.copy(), expected, "x", from_student=False, nonfinite_expected=True)
    shifted = expected.copy()
    shifted[0, 0], shifted[0, 1] = shifted[0, 1], bad
    with pytest.raises(AssertionError):
        assert_close(shifted, expected, "x", from_student=False, nonfinite_expected=True)


def test_expected_values_made_non_finite_by_the_student_fail():
    """an inf the student returned, fed into the expected values, fails instead of making the tolerance infinite."""
    expected = VALUES.copy()
    expected[2, 3] = np.inf
    with pytest.raises(AssertionError, match="cannot be checked"):
        assert_close(expected.copy(), expected, "xt")


def test_expected_values_non_finite_from_fixed_inputs_are_a_broken_check():
    """NaN in expected values from fixed inputs raises CheckError, never a pass or a student's failure."""
    expected = VALUES.copy()
    expected[0, 1] = np.nan
    with pytest.raises(CheckError):
        assert_close(expected.copy(), expected, "x", from_student=False)
    with pytest.raises(CheckError):
        finite_statistics(expected, "x", from_student=False)


def test_expect_array_refuses_nan_and_both_infinities():
    """expect_array fails on NaN, inf and -inf and says how many there are."""
    for bad, word in ((np.nan, "NaN in 1"), (np.inf, "inf in 1"), (-np.inf, "-inf in 1")):
        values = VALUES.copy()
        values[0, 0] = bad
        with pytest.raises(AssertionError, match=word):
            expect_array(values, "x")


def test_bounds_fail_on_nan_and_inf():
    """within() is False for NaN and inf, where a bare comparison would let NaN pass."""
    assert within(0.01, 0.1) and not within(0.2, 0.1)
    assert not within(float("nan"), 0.1)
    assert not within(float("inf"), 1e300)


def test_tolerance_is_the_looser_of_the_student_and_reference_dtypes():
    """a float128 result is compared with float64's tolerance; a float32 one with float32's."""
    assert looser(np.longdouble, np.float64) == np.float64
    assert looser(np.float32, np.float64) == np.float32
    precise = np.cos(np.linspace(0, 1, 1001, dtype=np.longdouble) * np.pi / 2) ** 2
    reference = np.cos(np.linspace(0, 1, 1001) * np.pi / 2) ** 2
    assert_close(precise, reference, "alpha_bar", from_student=False)
    assert tolerance(np.float32) > tolerance(np.float64)


def test_float32_numbers_stored_as_float64_are_compared_as_float32():
    """values cast down and back pass the value checks and fail exactly the precision check."""
    reference = np.cos(np.linspace(0, 1, 1001) * np.pi / 2) ** 2
    cast = reference.astype(np.float32).astype(np.float64)
    assert held_precision(cast) == np.float32 and held_precision(reference) == np.float64
    assert_close(cast, reference, "alpha_bar", from_student=False)
    with pytest.raises(AssertionError, match="float32 numbers"):
        expect_precision(cast, np.float64, "alpha_bar", reference=reference)
    expect_precision(reference, np.float64, "alpha_bar", reference=reference)
    expect_precision(reference.astype(np.longdouble), np.float64, "alpha_bar", reference=reference)
    with pytest.raises(AssertionError, match="casting down"):
        expect_precision(reference.astype(np.float32), np.float64, "alpha_bar")


def test_a_returned_value_is_described_item_by_item_whatever_its_length():
    """a tuple of 4 names 4 items, a long one counts what it does not list, nesting is followed two levels deep."""
    assert describe((1.0, 2.0, 3.0, 4.0)) == "a tuple of 4 items, each one number (float)"
    mixed = describe((1.0, np.float32(2.0), np.zeros(3), None))
    assert mixed.startswith("a tuple of 4 items (") and mixed.count(";") == 3 and "float32" in mixed
    long = describe((*range(8), "text"))
    assert long.startswith("a tuple of 9 items (") and long.endswith("; and 3 more)")
    assert describe([np.zeros(2), (1, [2, 3])]) == (
        "a list of 2 items (an array of shape (2,) and dtype float64; a tuple of 2 items "
        "(one number (int); a list of 2 items))"
    )
    assert describe(()) == "an empty tuple" and describe([5]) == "a list of 1 item (one number (int))"


@pytest.mark.parametrize(
    ("actual", "precision", "reason"),
    [
        (VALUES + 0.1, None, "float64 precision: your result is float64"),
        (
            VALUES.astype(np.float32) + np.float32(0.1),
            None,
            "float32 precision: your float32 result is compared with the expected values rounded to float32",
        ),
        (VALUES + 0.1, np.float32, "float32 precision: the inputs were float32, while your result is float64"),
        (
            np.round(VALUES) + 0.5,
            None,
            "float32 precision: your float64 result holds only float32 numbers and is compared with the expected "
            "values rounded to float32",
        ),
    ],
)
def test_the_tolerance_message_names_the_dtype_used_and_why(actual, precision, reason):
    """the failure names the dtype whose tolerance was applied and the reason it was that one."""
    with pytest.raises(AssertionError) as failed:
        assert_close(actual, VALUES, "x", precision=precision, from_student=False)
    assert reason in str(failed.value)


def test_a_difference_no_known_mistake_explains_is_described_in_measured_words():
    """with no hint, the failure says where the values are off and which way: a rise from t = 501, a flipped sign."""
    t = np.linspace(0, 1, 1001)
    expected = np.cos(t * np.pi / 2) ** 2
    with pytest.raises(AssertionError) as failed:
        assert_close(np.cos(t * np.pi) ** 2, expected, "alpha_bar", from_student=False, positions=Positions("t"))
    message = str(failed.value)
    assert "at 1000 of 1001 places (from t = 1 on)" in message
    assert "666 too small (t = 1 to 666)" in message and "334 too large (from t = 667 on)" in message
    assert "The expected values never increase; yours rise at every step from t = 500 on." in message
    with pytest.raises(AssertionError, match="the sign is flipped"):
        assert_close(-expected[1:], expected[1:], "betas", from_student=False)
    with pytest.raises(AssertionError) as failed:
        assert_close(expected + 1.0, expected, "x", from_student=False, hint="This looks like a known mistake: y.")
    assert "known mistake" in str(failed.value) and "too large" not in str(failed.value)
