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
from autograder.difference import Positions, dependence, describe_difference, error_advice, only_some_inputs_fail

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


def test_relations_are_claimed_only_when_they_hold_everywhere():
    """a factor, an offset, reversed order and off-by-item places are each stated only when measured true."""
    x = np.linspace(1.0, 2.0, 10)
    assert describe_difference(2 * x, x, 1e-12) == "Every one of your values is 2 times the expected one."
    assert describe_difference(x - 0.5, x, 1e-12) == "Every one of your values is too small by the same amount, 0.5."
    assert "in reverse order" in describe_difference(x[::-1], x, 1e-12)
    bumped = x.copy()
    bumped[3] += 1.0
    words = describe_difference(bumped, x, 1e-12)
    assert words.startswith("Your values differ from the expected ones at 1 of 10 places (index 3): all too large.")
    assert "times" not in words and "reverse" not in words
    batch = np.ones((3, 4))
    moved = batch.copy()
    moved[1] -= 0.2
    assert "all of them in item 1 along the first axis (of 3; the others are right): all too small" in (
        describe_difference(moved, batch, 1e-12)
    )
    assert describe_difference(np.array([0.94]), np.array([1.0]), 1e-12) == (
        "Your value is too small by 0.06 (0.94 times the expected value)."
    )


def test_what_a_result_does_not_depend_on_is_measured_by_calling_again():
    """a function that ignores an input is told so; one that uses it at the wrong strength gets the measured factor."""

    def right(x, y):
        return x - 0.6 * y

    def ignores_y(x, y):
        return x + 0 * y

    def weak_y(x, y):
        return x - 0.36 * y

    x, y = np.linspace(-1, 1, 12), np.linspace(2, 3, 12)
    assert dependence(ignores_y, right, (x, y), ("x", "y"), 1e-12) == (
        "Your result does not change when y changes, but it should depend on y."
    )
    assert dependence(weak_y, right, (x, y), ("x", "y"), 1e-12) == (
        "When y changes, your result changes 0.6 times as much as it should."
    )
    assert dependence(right, right, (x, y), ("x", "y"), 1e-12) == ""
    # Only the arguments named in vary are changed: the reference need only hold their term.
    assert dependence(ignores_y, lambda x, y: x, (x, y), ("x", "y"), 1e-12, vary=("x",)) == ""
    assert "does not change when x" in dependence(lambda x, y: y, lambda x, y: x, (x, y), ("x", "y"), 1e-12, ("x",))


def test_an_error_only_arrays_cause_gets_what_to_change():
    """math.sqrt on an array and an if on an array get advice; an unrelated error gets none."""
    assert "np.sqrt" in error_advice("TypeError: only length-1 arrays can be converted to Python scalars")
    assert "np.where" in error_advice("ValueError: The truth value of an array with more than one element is ambiguous")
    assert error_advice("KeyError: 'x'") == ""

    def fails():
        raise TypeError("only 0-dimensional arrays can be converted to Python scalars")

    contrast = only_some_inputs_fail(TypeError("only 0-dimensional arrays"), lambda: 1.0, "one number", "an array")
    assert contrast.startswith("With one number your code works; with an array it raises the error above.")
    assert only_some_inputs_fail(TypeError("x"), fails, "one number", "an array") == ""
