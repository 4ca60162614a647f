"""Chapter 1, Part 2: what noise is.

The forward process of Part 1 mixes an image with Gaussian noise. Here you make
that noise yourself, out of nothing but uniform random numbers, measure it, and
prove the two facts Part 1 relies on: the variances of independent noises add
(which is why add_noise weights its two terms with square roots), and many small
noising steps merge into one (which is why add_noise can jump straight to any
timestep).

Only NumPy is used. Random numbers come from NumPy's global generator
(``np.random.rand``), so ``np.random.seed(s)`` before a call reproduces them.
No function modifies its inputs, and every function accepts float32 as well as
float64 inputs. Results are compared with a tolerance of 1000 units in the last
place of their precision, absolute for values up to 1 and relative above: about
2.2e-13 for float64, and 1.2e-4 when the inputs are float32. Warnings NumPy
prints for valid inputs never cost points.
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
    # TODO(uniform_to_normal): return (z1, z2) of the Box-Muller transform as float64 arrays.
    raise NotImplementedError("uniform_to_normal: not implemented yet")


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
    # TODO(gaussian_noise): draw u1, then u2, as the docstring says; return z1 of uniform_to_normal.
    raise NotImplementedError("gaussian_noise: not implemented yet")


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
    # TODO(moments): return the four population moments as floats; ValueError for zero variance.
    raise NotImplementedError("moments: not implemented yet")


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
    # TODO(combined_std): return the standard deviation of the sum as a Python float (0.0 for no noises).
    raise NotImplementedError("combined_std: not implemented yet")


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
    # TODO(merge_betas): return the single beta equivalent to all these steps as a Python float (0.0 for no steps).
    raise NotImplementedError("merge_betas: not implemented yet")
