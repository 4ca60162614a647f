"""The NaN/inf battery: a function returning non-finite arrays never earns a point that zeros do not.

For every function of Chapter 1, the reference is graded with that one function
replaced by one returning arrays of the right shape filled with 0, NaN, +inf or
-inf, or the right answer with a single inf or NaN planted in it. Check by check, the
non-finite versions score no more than the zeros, the other functions keep every
point, and no check mistakes the student's NaN for a broken check.
"""

from __future__ import annotations

import pytest

from autograder.course import get_assignment

TASKS = get_assignment("ch01_forward").task_names
pytestmark = pytest.mark.in_process

FILLS = {
    "zeros": "0.0",
    "nan": "np.nan",
    "inf": "np.inf",
    "-inf": "-np.inf",
    "planted inf": "'inf'",
    "planted nan": "'nan'",
}

# Appended to the reference: the chosen function keeps its signature and the
# shape of what it returns, but its values are replaced.
OVERRIDE = """

def _filled(array):
    array = np.array(array, dtype=np.float64)
    if isinstance(FILL, str):  # the right answer with one value replaced
        array.flat[array.size // 2] = float(FILL)
    else:
        array[...] = FILL
    return array


_real = {function}


def {function}(*args):
    result = _real(*args)
    if isinstance(result, tuple):
        return tuple(_filled(part) for part in result)
    return _filled(result)
"""


def filled_source(reference_source: str, function: str, fill: str | None) -> str:
    return reference_source + f"\nFILL = {fill}\n" + OVERRIDE.format(function=function)


@pytest.fixture(scope="module")
def battery(ch01, grade, tmp_path_factory):
    """Reports by (function, fill), each graded once."""
    source = ch01.solution.read_text(encoding="utf-8")
    reports = {}

    def report(function, fill):
        if (function, fill) not in reports:
            folder = tmp_path_factory.mktemp(f"{function}-{fill.replace(' ', '_')}")
            path = folder / ch01.filename
            path.write_text(filled_source(source, function, FILLS[fill]), encoding="utf-8")
            reports[function, fill] = grade(path)
        return reports[function, fill]

    return report


@pytest.mark.slow
@pytest.mark.parametrize("fill", [f for f in FILLS if f != "zeros"])
@pytest.mark.parametrize("function", TASKS)
def test_nonfinite_results_gain_no_point_over_zeros(battery, function, fill):
    """NaN, inf, -inf or one planted inf or NaN: no check gives more points than it gives zeros, and no check breaks."""
    zeros = {t.name: t.score for t in battery(function, "zeros").tests}
    report = battery(function, fill)
    gained = [f"{t.name}: {t.score:g} > {zeros[t.name]:g}" for t in report.tests if t.score > zeros[t.name]]
    assert gained == []
    elsewhere = [t.name for t in report.tests if t.task != function and not t.passed]
    assert elsewhere == []
    mine = [t for t in report.tests if t.task == function]
    assert sum(t.score for t in mine) < sum(t.max_score for t in mine)
    broken = [t.name for t in report.tests if "check itself is broken" in t.output]
    assert broken == []
