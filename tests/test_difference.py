"""The shape of a difference in words: each relation, dependence and piece of advice only when measured."""

import numpy as np

from autograder.difference import dependence, describe_difference, error_advice, only_some_inputs_fail


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
