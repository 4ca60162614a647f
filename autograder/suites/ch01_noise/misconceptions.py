"""Known wrong versions of the noise functions, to name a student's mistake.

When a result does not match, a check computes these variants on the same
inputs and says which one the result matches. Only the name's explanation
reaches the student, never the variants' values.
"""

from __future__ import annotations

import numpy as np

from autograder.checks import tolerance
from autograder.suites.ch01_noise.expect import quiet_numpy

# Seeds students like to hard-code when they reseed inside a function.
COMMON_SEEDS = (0, 1, 2, 3, 7, 42, 123, 1234, 2024, 2025, 2026, 12345)

EXPLAIN = {
    # uniform_to_normal
    "log10": "the radius uses log10, but ln is the natural logarithm: np.log",
    "log2": "the radius uses log2, but ln is the natural logarithm: np.log",
    "forgot_two": "the radius is missing its factor 2: r = sqrt(-2 ln u1)",
    "lost_minus": "ln u1 is negative (or 0) for u1 in (0, 1], so the square root needs -2 ln u1, minus sign included",
    "no_sqrt": "the radius is -2 ln u1 without its square root: r = sqrt(-2 ln u1)",
    "no_two_pi": "the angle is u2 itself, but it must go once round the circle: 2 pi u2 radians",
    "pi_not_two_pi": "the angle is pi u2, only half a circle: it is 2 pi u2",
    "degrees": "the angle is in degrees (360 u2), but np.cos and np.sin take radians: 2 pi u2",
    "swapped_cos_sin": "z1 and z2 are swapped: z1 = r cos(2 pi u2) and z2 = r sin(2 pi u2)",
    "swapped_u1_u2": "u1 and u2 have swapped roles: the radius comes from u1 and the angle from u2",
    "z2_cos": "z2 uses the cosine as well, so it equals z1: z2 = r sin(2 pi u2)",
    "one_minus_u1": "the radius uses ln(1 - u1); uniform_to_normal takes u1 as it is "
    "(it is gaussian_noise that makes u1 = 1 - rand)",
    "guarded_log": "u1 is changed before its logarithm (clipped, or a small number added), which cuts off the "
    "largest values: take ln of u1 itself, it is never 0",
    # gaussian_noise
    "u1_not_flipped": "u1 is np.random.rand(...) itself; it must be 1 - np.random.rand(...), which is never 0",
    "draws_swapped": "u2 is drawn before u1; draw u1 = 1 - np.random.rand(*shape) first, then u2",
    "returns_z2": "that is z2 of the transform; gaussian_noise returns z1",
    "same_uniforms": "u1 and u2 come from one draw; they must be two separate calls of np.random.rand",
    "randn": "the noise comes from np.random.randn; this exercise makes it from uniform numbers (np.random.rand)",
    "reseeded": "the function seeds the generator itself, so every call draws the same noise; "
    "leave seeding to the caller",
    "private_generator": "the numbers do not come from NumPy's global generator (np.random.rand), so np.random.seed "
    "does not reproduce them; a private generator such as np.random.default_rng() cannot be seeded by the caller",
    # moments
    "ddof_one": "that is the sample variance (divided by n - 1, ddof = 1); the population variance divides by n",
    "std_not_variance": "that is the standard deviation; the variance is its square",
    "not_centred": "the powers are taken of x itself, not of x minus its mean",
    "skewness_not_standardised": "the skewness is c_3 alone; divide it by c_2 ** 1.5 to make it independent of scale",
    "skewness_sample_std": "the skewness divides by the sample standard deviation (ddof = 1); use c_2 ** 1.5",
    "skewness_bias_corrected": "that is the bias-corrected sample skewness; the population formula is c_3 / c_2 ** 1.5",
    "not_excess": "that is the kurtosis itself; the excess kurtosis subtracts 3, so that a normal sample gives 0",
    "kurtosis_not_standardised": "the kurtosis is c_4 alone; divide it by c_2 ** 2 (then subtract 3)",
    "kurtosis_sample_std": "the kurtosis divides by the sample variance (ddof = 1); use c_2 ** 2",
    "kurtosis_bias_corrected": "that is the bias-corrected sample excess kurtosis; the population formula is "
    "c_4 / c_2 ** 2 - 3",
    "per_axis": "the moments are taken along one axis; they are over all elements of x",
    # combined_std
    "added_stds": "the standard deviations are added; for independent noises the variances add, so the "
    "standard deviation of the sum is sqrt(s_1 ** 2 + s_2 ** 2 + ...)",
    "variance_not_std": "that is the variance of the sum; its standard deviation is the square root",
    "sqrt_of_stds": "the square root is taken of the sum of the standard deviations; square each of them first",
    "averaged": "the variances are averaged; the variance of a sum is their sum, not their mean",
    "largest_only": "that is the largest standard deviation alone; every noise adds its variance",
    # merge_betas
    "summed_betas": "the betas are added; each step keeps a fraction (1 - beta) of the image, so the fractions "
    "multiply: 1 - (1 - b_1)(1 - b_2)...",
    "product_of_betas": "the betas are multiplied; it is the kept fractions (1 - beta) that multiply",
    "kept_fraction": "that is the fraction of the image the steps keep, (1 - b_1)(1 - b_2)...; the merged beta "
    "is one minus it",
    "sqrt_kept": "that uses the image's weights sqrt(1 - beta); a beta is a variance, so merge the (1 - beta) "
    "themselves: 1 - (1 - b_1)(1 - b_2)...",
    "averaged_betas": "the betas are averaged; each step keeps a fraction (1 - beta) of the image, and the "
    "fractions multiply",
    "last_beta": "that is the last beta alone; every step removes some of the image",
}


def message(name: str | None) -> str:
    """The feedback line for a recognised mistake (empty when none was recognised)."""
    return f"This looks like a known mistake: {EXPLAIN[name]}." if name else ""


def hint(actual, candidates: dict, correct=None, precision=np.float64):
    """A callable giving the feedback line, computed only if a check fails."""
    return lambda: message(first_match(actual, candidates, correct, precision))


def first_match(actual, candidates: dict, correct=None, precision=np.float64) -> str | None:
    """The one candidate (name -> callable giving a value) that ``actual`` matches, or None.

    Values are numbers, arrays, or tuples of them. Candidates that coincide with
    the ``correct`` answer for these inputs cannot explain a difference and are skipped.
    When several different mistakes give this very value (merge_betas([0.5, 0.5])
    is 0.5 for the last beta, the mean and the square-rooted weights alike), the
    input cannot tell them apart and none is named: a guess would be no measurement.
    """
    named = set()
    for name, make in candidates.items():
        try:
            with quiet_numpy():
                candidate = make()
                # Most candidates are not what was returned: only a match is compared with the correct answer.
                if not matches(actual, candidate, precision):
                    continue
                if correct is None or not matches(candidate, correct, precision):
                    named.add(name)
        except (ValueError, IndexError, TypeError, ZeroDivisionError):
            continue
    return named.pop() if len(named) == 1 else None


def matches(actual, expected, precision=np.float64) -> bool:
    """Whether two values (numbers, arrays, or tuples of them) agree within the tolerance of ``precision``."""
    if isinstance(expected, tuple):
        return (
            isinstance(actual, (tuple, list))
            and len(actual) == len(expected)
            and all(matches(a, e, precision) for a, e in zip(actual, expected, strict=True))
        )
    try:
        a = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape and not (a.size == 1 and e.size == 1):
        return False
    finite = np.isfinite(e)
    if finite.all():
        return _finite_arrays_match(a, e, precision)
    if not np.array_equal(np.isfinite(a), finite) or not np.array_equal(a[~finite], e[~finite], equal_nan=True):
        return False
    scale = float(np.max(np.abs(e[finite]))) if finite.any() else 1.0
    return bool(np.all(np.abs(a[finite] - e[finite]) <= tolerance(precision, scale)))


def _finite_arrays_match(a: np.ndarray, e: np.ndarray, precision) -> bool:
    """``matches`` where every expected value is finite: the usual case, without the masks.

    Masking copies both arrays for every candidate compared, a large sample's
    worth each time. The answer is the masked comparison's: where ``e`` is
    finite, so must ``a`` be, shapes included.
    """
    if a.shape != e.shape or not np.isfinite(a).all():
        return False
    scale = float(np.max(np.abs(e))) if e.size else 1.0
    return bool(np.all(np.abs(a - e) <= tolerance(precision, scale)))


# -- uniform_to_normal ----------------------------------------------------------------
def box_muller(radius, angle) -> tuple[np.ndarray, np.ndarray]:
    return radius * np.cos(angle), radius * np.sin(angle)


class _Circle:
    """The true radius of float64 uniforms and the cosine and sine of the true angle, each computed once.

    Most variants keep the angle 2 pi u2 or the radius: computing its cosine and
    sine once instead of for each of them halves the work of naming a mistake in
    a large sample, and gives the very same numbers.
    """

    def __init__(self, u1: np.ndarray, u2: np.ndarray) -> None:
        self.radius = np.sqrt(-2 * np.log(u1))
        turn = 2 * np.pi * u2
        self.cos, self.sin = np.cos(turn), np.sin(turn)

    def around(self, radius) -> tuple[np.ndarray, np.ndarray]:
        """``box_muller(radius, 2 pi u2)``."""
        return radius * self.cos, radius * self.sin


def transform_variants(u1, u2, circle: _Circle | None = None) -> dict:
    """Wrong Box-Muller transforms of float64 uniforms (``circle``: theirs, when already computed)."""
    u1 = np.asarray(u1, dtype=np.float64)
    u2 = np.asarray(u2, dtype=np.float64)
    with quiet_numpy():
        known = circle or _Circle(u1, u2)
    r = known.radius
    return {
        "log10": lambda: known.around(np.sqrt(-2 * np.log10(u1))),
        "log2": lambda: known.around(np.sqrt(-2 * np.log2(u1))),
        "forgot_two": lambda: known.around(np.sqrt(-np.log(u1))),
        "no_sqrt": lambda: known.around(-2 * np.log(u1)),
        "no_two_pi": lambda: box_muller(r, u2),
        "pi_not_two_pi": lambda: box_muller(r, np.pi * u2),
        "degrees": lambda: box_muller(r, 360 * u2),
        "swapped_cos_sin": lambda: known.around(r)[::-1],
        "swapped_u1_u2": lambda: box_muller(np.sqrt(-2 * np.log(u2)), 2 * np.pi * u1),
        "z2_cos": lambda: (r * known.cos, r * known.cos),
        "one_minus_u1": lambda: known.around(np.sqrt(-2 * np.log(1 - u1))),
    }


def diagnose_transform(u1, u2, result) -> str:
    """The feedback line for a wrong (z1, z2): a known variant, NaN from a lost sign, or a guarded logarithm."""
    u1 = np.asarray(u1, dtype=np.float64)
    u2 = np.asarray(u2, dtype=np.float64)
    try:
        z1, z2 = (np.asarray(z, dtype=np.float64) for z in result)
    except (TypeError, ValueError):
        return ""
    if z1.shape != u1.shape or z2.shape != u1.shape:
        return ""
    with quiet_numpy():
        circle = _Circle(u1, u2)
        true_radius = circle.radius
        named = first_match(result, transform_variants(u1, u2, circle), circle.around(true_radius))
        if named:
            return message(named)
        below_one = u1 < 1
        if below_one.any() and np.isnan(z1[below_one]).all():
            return message("lost_minus")
        radius = np.hypot(z1, z2)
        # A guard shows at the ends: a radius cut short where u1 is tiny, or not 0 where u1 is 1.
        cut = (u1 < 1e-20) & np.isfinite(radius) & (radius < 0.9 * true_radius)
        off_at_one = (u1 == 1) & ~(radius <= 1e-6)
    return message("guarded_log") if cut.any() or off_at_one.any() else ""


# -- gaussian_noise -------------------------------------------------------------------
def noise_variants(seed, shape, transform, call=0) -> dict:
    """Wrong ways of drawing noise after ``np.random.seed(seed)``; ``transform(u1, u2)`` gives (z1, z2).

    ``call`` counts the calls made since the seed (0: right after it).
    """
    size = int(np.prod(shape))

    def stream(draw):
        rng = np.random.RandomState(seed)
        for _ in range(call):
            draw(rng)
        return draw(rng)

    def flipped(rng):
        u1 = 1 - rng.rand(*shape)
        return u1, rng.rand(*shape)

    def u2_first(rng):
        u2 = rng.rand(*shape)
        return 1 - rng.rand(*shape), u2

    return {
        "u1_not_flipped": lambda: transform(*stream(lambda rng: (rng.rand(*shape), rng.rand(*shape))))[0],
        "draws_swapped": lambda: transform(*stream(u2_first))[0],
        "returns_z2": lambda: transform(*stream(flipped))[1],
        "same_uniforms": lambda: transform(*stream(lambda rng: (1 - rng.rand(*shape),) * 2))[0],
        "randn": lambda: stream(lambda rng: rng.randn(size)).reshape(shape),
    }


def diagnose_noise(actual, seed, shape, transforms, rng_used, call=0) -> str:
    """The feedback line for gaussian_noise output that differs from the expected draws.

    ``transforms`` are the transforms to try the variants with: the reference's,
    and the student's own uniform_to_normal when it gives arrays.
    """
    for transform in transforms:
        named = first_match(actual, noise_variants(seed, shape, transform, call))
        if named:
            return message(named)
    for common in COMMON_SEEDS:
        for transform in transforms:
            try:
                if matches(actual, transform(*_flipped_draws(common, shape))[0]):
                    return message("reseeded")
            except ValueError:
                continue
    return message("private_generator") if not rng_used else ""


def _flipped_draws(seed, shape):
    rng = np.random.RandomState(seed)
    u1 = 1 - rng.rand(*shape)
    return u1, rng.rand(*shape)


# -- moments ----------------------------------------------------------------------------
def per_axis_message(result) -> str:
    """Feedback for moments that came back as arrays, one value per position along an axis."""
    if isinstance(result, (tuple, list)) and any(isinstance(v, np.ndarray) and v.size > 1 for v in result):
        shapes = sorted({str(v.shape) for v in result if isinstance(v, np.ndarray)})
        return f"moments returned arrays of shape {', '.join(shapes)} instead of four numbers. {message('per_axis')}"
    return ""


def moment_variants(x) -> dict:
    """Wrong (mean, variance, skewness, excess kurtosis) of data ``x``."""
    x = np.asarray(x, np.float64)
    flat = x.ravel()
    n = flat.size
    d = flat - flat.mean()
    c2, c3, c4 = (np.mean(d**k) for k in (2, 3, 4))
    mean, skew, kurt = flat.mean(), c3 / c2**1.5, c4 / c2**2 - 3
    s2 = c2 * n / (n - 1)
    g1 = skew * np.sqrt(n * (n - 1)) / (n - 2)
    g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * kurt + 6)
    r2, r3, r4 = (np.mean(flat**k) for k in (2, 3, 4))

    def axis0():
        a = x - x.mean(axis=0)
        v = np.mean(a**2, axis=0)
        return (x.mean(axis=0), v, np.mean(a**3, axis=0) / v**1.5, np.mean(a**4, axis=0) / v**2 - 3)

    return {
        "ddof_one": lambda: (mean, s2, skew, kurt),
        "std_not_variance": lambda: (mean, np.sqrt(c2), skew, kurt),
        "not_centred": lambda: (mean, r2, r3 / r2**1.5, r4 / r2**2 - 3),
        "skewness_not_standardised": lambda: (mean, c2, c3, kurt),
        "skewness_sample_std": lambda: (mean, c2, c3 / s2**1.5, kurt),
        "skewness_bias_corrected": lambda: (mean, c2, g1, kurt),
        "not_excess": lambda: (mean, c2, skew, kurt + 3),
        "kurtosis_not_standardised": lambda: (mean, c2, skew, c4 - 3),
        "kurtosis_sample_std": lambda: (mean, c2, skew, c4 / s2**2 - 3),
        "kurtosis_bias_corrected": lambda: (mean, c2, skew, g2),
        "per_axis": axis0,
    }


def diagnose_moments(x, actual, correct, precision=np.float64) -> str:
    """The feedback line for wrong moments: a variant matching every part the student got wrong."""
    if not isinstance(actual, (tuple, list)) or len(actual) != 4:
        return ""
    candidates = {}
    for name, make in moment_variants(x).items():
        try:
            with quiet_numpy():
                candidates[name] = make()
        except (ValueError, ZeroDivisionError):
            continue
    for name, candidate in candidates.items():
        if matches(tuple(actual), tuple(candidate), precision) and not matches(tuple(candidate), correct, precision):
            return message(name)
    # Several slips at once: name the first variant explaining one of the wrong parts.
    wrong = [i for i in range(4) if not matches(actual[i], correct[i], precision)]
    for i in wrong:
        for name, candidate in candidates.items():
            if matches(actual[i], candidate[i], precision) and not matches(candidate[i], correct[i], precision):
                return message(name)
    return ""


# -- combined_std and merge_betas ---------------------------------------------------------
def std_variants(stds) -> dict:
    s = np.asarray(stds, dtype=np.float64).ravel()
    return {
        "added_stds": lambda: float(np.sum(s)),
        "variance_not_std": lambda: float(np.sum(s**2)),
        "sqrt_of_stds": lambda: float(np.sqrt(np.sum(s))),
        "averaged": lambda: float(np.sqrt(np.mean(s**2))),
        "largest_only": lambda: float(np.max(s)),
    }


def beta_variants(betas) -> dict:
    b = np.asarray(betas, dtype=np.float64).ravel()
    return {
        "summed_betas": lambda: float(np.sum(b)),
        "product_of_betas": lambda: float(np.prod(b)),
        "kept_fraction": lambda: float(np.prod(1 - b)),
        "sqrt_kept": lambda: float(1 - np.prod(np.sqrt(1 - b))),
        "averaged_betas": lambda: float(np.mean(b)),
        "last_beta": lambda: float(b[-1]),
    }
