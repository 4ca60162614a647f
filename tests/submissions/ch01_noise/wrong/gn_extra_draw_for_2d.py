"""WRONG: gaussian_noise
NAMED: none

Draws one extra uniform after a call of more than one dimension, shifting the next call.
"""

import numpy as np


def uniform_to_normal(u1, u2):
    """Turn two arrays of uniform random numbers into two of standard normal ones (Box-Muller).

    r  = sqrt(-2 ln u1)
    z1 = r cos(2 pi u2)
    z2 = r sin(2 pi u2)

    ln is the natural logarithm. When u1 and u2 are independent and uniform,
    z1 and z2 are independent and standard normal.

    Args:
        u1: np.ndarray of any shape, float32 or float64, values in (0, 1].
            u1 = 1 exactly gives r = 0; values as small as 1e-300 give large
            but finite r (about 37). It is not modified.
        u2: np.ndarray of the same shape and a dtype as above, values in [0, 1].
            It is not modified.

    Returns:
        (z1, z2): a tuple of two np.ndarray of float64, each shaped like u1.
    """
    ### BEGIN SOLUTION
    u1 = np.asarray(u1, dtype=np.float64)
    u2 = np.asarray(u2, dtype=np.float64)
    r = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return r * np.cos(angle), r * np.sin(angle)
    ### END SOLUTION


def gaussian_noise(*shape):
    """Standard normal noise of the given shape, made from uniform numbers only.

    The uniforms come from NumPy's global generator, in this order:
        u1 = 1 - np.random.rand(*shape)     (values in (0, 1], never 0)
        u2 = np.random.rand(*shape)
    and the noise is z1 of uniform_to_normal(u1, u2). After np.random.seed(s)
    the result is therefore always the same. Do not seed inside, and do not
    use np.random.randn or a generator of your own.

    Args:
        *shape: one or more ints >= 0 (at least one), the dimensions of the
            result, as for np.random.rand: gaussian_noise(3, 4) has shape (3, 4).

    Returns:
        z: np.ndarray of float64 of the given shape, standard normal values.
    """
    ### BEGIN SOLUTION
    u1 = 1.0 - np.random.rand(*shape)
    u2 = np.random.rand(*shape)
    return uniform_to_normal(u1, u2)[0]
    ### END SOLUTION


def moments(x):
    """Mean, variance, skewness and excess kurtosis of all the values in x.

    With m = the mean of x and c_k = the mean of (x - m) ** k over all elements
    (population formulas: divide by the number of values n, not n - 1):
        mean            = m
        variance        = c_2
        skewness        = c_3 / c_2 ** 1.5
        excess_kurtosis = c_4 / c_2 ** 2 - 3
    A standard normal sample gives about (0, 1, 0, 0).

    Args:
        x: np.ndarray of any shape, float32 or float64, with at least two
            different values. It is not modified.

    Returns:
        (mean, variance, skewness, excess_kurtosis): a tuple of four Python
            floats (np.float64 is a float too; arrays and float32 are not).

    Raises:
        ValueError: if x is empty or all its values are equal. The variance is
            then 0 and skewness and kurtosis are undefined (0 / 0).
    """
    ### BEGIN SOLUTION
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0 or np.all(x == x[0]):
        raise ValueError("moments need at least two different values (the variance must not be 0)")
    centred = x - x.mean()
    c2 = np.mean(centred**2)
    c3 = np.mean(centred**3)
    c4 = np.mean(centred**4)
    return float(x.mean()), float(c2), float(c3 / c2**1.5), float(c4 / c2**2 - 3.0)
    ### END SOLUTION


def combined_std(stds):
    """The standard deviation of a sum of independent zero-mean Gaussian noises.

    Noise i has standard deviation stds[i]. For independent noises the
    variances add, the standard deviations do not:
        std of the sum = sqrt(stds[0] ** 2 + stds[1] ** 2 + ...)

    Args:
        stds: a list of floats or an np.ndarray of shape (n,), float32 or
            float64, each >= 0; n may be 0. It is not modified.

    Returns:
        std: a Python float >= 0 (np.float64 is a float too; arrays are not);
            0.0 when stds is empty.
    """
    ### BEGIN SOLUTION
    stds = np.asarray(stds, dtype=np.float64).ravel()
    return float(np.sqrt(np.sum(stds**2)))
    ### END SOLUTION


def merge_betas(betas):
    """The one beta whose single noising step equals the steps with these betas in turn.

    One step with beta keeps sqrt(1 - beta) of the image and adds noise of
    variance beta (noise_step of Part 1). Steps with betas b_1, ..., b_k, taken
    one after the other, keep sqrt((1 - b_1) ... (1 - b_k)) of the image, so
        merged = 1 - (1 - b_1) (1 - b_2) ... (1 - b_k)
    and 1 - merge_betas(betas[:t]) is alpha_bar[t] of Part 1.

    Args:
        betas: a list of floats or an np.ndarray of shape (k,), float32 or
            float64, each in [0, 1]; k may be 0. It is not modified.

    Returns:
        beta: a Python float in [0, 1] (np.float64 is a float too; arrays are
            not); 0.0 when betas is empty (no step adds no noise).
    """
    ### BEGIN SOLUTION
    betas = np.asarray(betas, dtype=np.float64).ravel()
    # log1p and expm1 keep full precision for tiny betas, where 1 - prod(1 - b)
    # would lose its digits; a beta of 1 gives log1p(-1) = -inf and a merge of 1.
    with np.errstate(divide="ignore"):
        kept = np.sum(np.log1p(-betas))
    return float(-np.expm1(kept))
    ### END SOLUTION


# ---- variant ----

def gaussian_noise(*shape):
    u1 = 1.0 - np.random.rand(*shape)
    u2 = np.random.rand(*shape)
    if len(shape) > 1:
        _ = np.random.rand()     # leftover debugging draw, shifts later calls
    return uniform_to_normal(u1, u2)[0]
