"""Chapter 1: the forward process.

A clean image is blended with Gaussian noise on a fixed schedule until nothing
of it is left. Timesteps run t = 0, 1, ..., T: t = 0 is the clean image and
t = T is pure static. A schedule of T steps therefore has T + 1 levels.

Only NumPy is used. Noise always comes from NumPy's global random generator
(``np.random.randn``), so ``np.random.seed(s)`` before a call reproduces it.
"""

import numpy as np


def cosine_schedule(T=1000):
    """Noise levels alpha_bar for every timestep of the cosine schedule.

    alpha_bar[t] = cos(pi/2 * t/T) ** 2 for t = 0, 1, ..., T.

    Args:
        T: number of noising steps (int, T >= 1).

    Returns:
        alpha_bar: np.ndarray of shape (T + 1,), dtype float64, falling from
            alpha_bar[0] == 1.0 (clean) to alpha_bar[T] ~ 0 (pure static).
    """
    ### BEGIN SOLUTION
    s = np.linspace(0.0, 1.0, T + 1)
    return np.cos(s * np.pi / 2) ** 2
    ### END SOLUTION


def add_noise(x0, alpha_bar_t):
    """Jump from a clean image straight to the noise level alpha_bar_t.

    xt = sqrt(alpha_bar_t) * x0 + sqrt(1 - alpha_bar_t) * eps,
    with eps drawn once by np.random.randn(*x0.shape).

    Args:
        x0: np.ndarray, a clean image (H, W, C) or a batch (B, ...) of them,
            values in [-1, 1]. It is not modified.
        alpha_bar_t: float in [0, 1] (one level for everything), or
            np.ndarray of shape (B,) giving sample b of a batch its own level.

    Returns:
        xt: np.ndarray, same shape as x0, the noisy image(s).
        eps: np.ndarray, same shape as x0, the standard normal noise that was
            mixed in.
    """
    ### BEGIN SOLUTION
    eps = np.random.randn(*x0.shape)
    a = _per_sample(alpha_bar_t, x0.ndim)
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps
    ### END SOLUTION


def betas_from_alpha_bar(alpha_bar):
    """Per-step noise amounts of a schedule.

    beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1] for t = 1, ..., T.

    Args:
        alpha_bar: np.ndarray of shape (T + 1,), a schedule such as
            cosine_schedule(T).

    Returns:
        betas: np.ndarray of shape (T,); element t - 1 is beta_t.
    """
    ### BEGIN SOLUTION
    alpha_bar = np.asarray(alpha_bar, dtype=np.float64)
    return 1 - alpha_bar[1:] / alpha_bar[:-1]
    ### END SOLUTION


def noise_step(x_prev, beta_t):
    """One step of the forward process, from timestep t - 1 to t.

    x_t = sqrt(1 - beta_t) * x_prev + sqrt(beta_t) * eps,
    with eps drawn once by np.random.randn(*x_prev.shape).

    Args:
        x_prev: np.ndarray, the image(s) at timestep t - 1, any shape; a batch
            has shape (B, ...). It is not modified.
        beta_t: float in [0, 1], or np.ndarray of shape (B,) with one value
            per sample of a batch.

    Returns:
        x_t: np.ndarray, same shape as x_prev, the image(s) at timestep t.
        eps: np.ndarray, same shape as x_prev, the noise that was mixed in.
    """
    ### BEGIN SOLUTION
    eps = np.random.randn(*x_prev.shape)
    b = _per_sample(beta_t, x_prev.ndim)
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t, eps
    ### END SOLUTION


def remove_noise(xt, eps, alpha_bar_t):
    """Recover the clean image when the noise that was added is known.

    x0 = (xt - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t).

    Args:
        xt: np.ndarray, noisy image(s) made by add_noise, any shape; a batch
            has shape (B, ...).
        eps: np.ndarray, same shape as xt, the noise add_noise returned.
        alpha_bar_t: float in (0, 1], or np.ndarray of shape (B,) with one
            level per sample of a batch.

    Returns:
        x0: np.ndarray, same shape as xt, the clean image(s).
    """
    ### BEGIN SOLUTION
    a = _per_sample(alpha_bar_t, xt.ndim)
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)
    ### END SOLUTION


### BEGIN SOLUTION
def _per_sample(level, ndim):
    """Shape a scalar or (B,) level so it lines up with the batch axis."""
    level = np.asarray(level, dtype=np.float64)
    if level.ndim == 0:
        return level
    # (B,) -> (B, 1, 1, ...): one level per sample, never along a trailing axis.
    return level.reshape(level.shape + (1,) * (ndim - 1))


### END SOLUTION
