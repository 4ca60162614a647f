"""WRONG: reverse_step
NAMED: "changed the xt"

Subtracts the guess from xt in place.
"""

import numpy as np

MAX_BETA = 0.999


def sampling_schedule(T=1000):
    """The levels alpha_bar[t], t = 0..T, that the reverse process walks down (given, not a task).

    Part 1's cosine schedule cos(pi/2 * t/T) ** 2 reaches about 3.7e-33 at
    t = T, so its last beta_T = 1 - alpha_bar[T] / alpha_bar[T - 1] is 1 up to
    rounding, and a reverse step divides by sqrt(1 - beta_T), about 4e-14.
    Here each beta_t of the cosine schedule is capped at 0.999 (Nichol and
    Dhariwal, 2021) and the levels are rebuilt from the capped betas:

        alpha_bar[0] = 1,   alpha_bar[t] = alpha_bar[t - 1] * (1 - min(beta_t, 0.999))

    For T = 1000 only the last beta is capped: alpha_bar[T] is about 2.5e-9
    instead of 3.7e-33, still static for any picture, and the last step
    divides by sqrt(0.001), about 0.032.

    Args:
        T: number of steps (int, T >= 1).

    Returns:
        alpha_bar: np.ndarray of shape (T + 1,), float64, from 1.0 down to > 0.
    """
    cosine = np.cos(np.linspace(0.0, 1.0, T + 1) * np.pi / 2) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        betas = np.minimum(1.0 - cosine[1:] / cosine[:-1], MAX_BETA)
    return np.concatenate([[1.0], np.cumprod(1.0 - betas)])


def extract_patches(image, size):
    """Cut an image into non-overlapping size x size patches, each flattened into one row.

    Patches are taken row by row: patch k is the one in patch-row i and
    patch-column j with k = i * (W // size) + j, so the first W // size rows of
    the result come from the top of the image, left to right. Each patch
    image[i*size:(i+1)*size, j*size:(j+1)*size] is flattened in row-major
    order (NumPy's default, ``.reshape(-1)``): its first row of pixels, then
    the second, ..., each pixel's channels together. Rows and columns left over
    at the bottom and right (when size does not divide H or W) are dropped.

    Args:
        image: np.ndarray of shape (H, W) or (H, W, C), any real dtype
            (uint8 values stay 0..255: nothing is rescaled). It is not modified.
        size: int, 1 <= size <= min(H, W).

    Returns:
        patches: a new np.ndarray of float64 and shape (N, D), with
            N = (H // size) * (W // size) and D = size * size * C (C = 1 for a
            2-D image).
    """
    pixels = np.asarray(image, dtype=np.float64)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    rows, cols = pixels.shape[0] // size, pixels.shape[1] // size
    channels = pixels.shape[2]
    kept = pixels[: rows * size, : cols * size]
    blocks = kept.reshape(rows, size, cols, size, channels).swapaxes(1, 2)
    return blocks.reshape(rows * cols, size * size * channels).copy()


def fit_gaussian(x):
    """The mean and the population covariance of a set of vectors.

        mean = (1/N) sum_n x[n]
        cov  = (1/N) sum_n (x[n] - mean)(x[n] - mean)^T      (divided by N, not N - 1)

    Args:
        x: np.ndarray of shape (N, D), float32 or float64, N >= 1: N vectors
            (patches) of D numbers each. It is not modified.

    Returns:
        (mean, cov): a tuple of np.ndarray of float64, mean of shape (D,) and
            cov of shape (D, D) (symmetric).
    """
    rows = np.asarray(x, dtype=np.float64)
    mean = rows.mean(axis=0)
    centred = rows - mean
    cov = centred.T @ centred / rows.shape[0]
    return mean, cov


def predict_noise(xt, alpha_bar_t, mean, cov):
    """The best guess of the noise in xt: E[eps | xt] when x0 ~ N(mean, cov).

    With a = alpha_bar_t and I the D x D identity, xt is Gaussian with mean
    sqrt(a) mean and covariance M = a cov + (1 - a) I, and

        E[eps | xt] = sqrt(1 - a) M^-1 (xt - sqrt(a) mean)

    Compute M^-1 v by solving the linear system M y = v (np.linalg.solve);
    never form the inverse matrix. At a = 0, xt is pure noise and the guess
    is xt itself; at a = 1 there is no noise in xt and the guess is 0.

    Args:
        xt: np.ndarray of float64, one noisy vector (D,) or a batch (B, D).
            It is not modified.
        alpha_bar_t: a float in [0, 1] (one level for every row), or an
            np.ndarray of shape (B,) giving row b of a batch its own level.
        mean: np.ndarray of shape (D,). It is not modified.
        cov: np.ndarray of shape (D, D), symmetric positive definite.
            It is not modified.

    Returns:
        eps_hat: a new np.ndarray of float64, shaped like xt.
    """
    xt = np.asarray(xt, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    rows = np.atleast_2d(xt)
    a = np.broadcast_to(np.asarray(alpha_bar_t, dtype=np.float64), rows.shape[:1])
    centred = rows - np.sqrt(a)[:, None] * mean
    identity = np.eye(cov.shape[0])
    if np.ndim(alpha_bar_t) == 0:
        # One matrix for every row: one factorisation, all rows solved at once.
        level = float(alpha_bar_t)
        solved = np.linalg.solve(level * cov + (1.0 - level) * identity, centred.T).T
    else:
        matrices = a[:, None, None] * cov + (1.0 - a)[:, None, None] * identity
        solved = np.linalg.solve(matrices, centred[:, :, None])[:, :, 0]
    guess = np.sqrt(1.0 - a)[:, None] * solved
    return guess.reshape(xt.shape)


def reverse_step(xt, t, eps_hat, alpha_bar, z):
    """One step back down the dial, from x_t to x_{t-1} (the DDPM ancestral step).

    With beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]:

        x_{t-1} = (xt - beta_t / sqrt(1 - alpha_bar[t]) * eps_hat) / sqrt(1 - beta_t) + sigma_t * z
        sigma_t = sqrt(beta_t * (1 - alpha_bar[t - 1]) / (1 - alpha_bar[t]))

    Since alpha_bar[0] = 1, sigma_1 = 0: the last step (t = 1) adds no noise.
    Nothing is random here: the noise z is given.

    Args:
        xt: np.ndarray of float64, shape (D,) or (B, D). It is not modified.
        t: int, 1 <= t <= T, the level xt is at.
        eps_hat: np.ndarray shaped like xt, the guessed noise in xt.
            It is not modified.
        alpha_bar: np.ndarray of shape (T + 1,), a schedule with alpha_bar[0] = 1
            and every beta_t < 1 (sampling_schedule). It is not modified.
        z: np.ndarray shaped like xt, standard normal noise. It is not modified.

    Returns:
        x_prev: a new np.ndarray of float64 shaped like xt, x_{t-1}.
    """
    a_t, a_prev = float(alpha_bar[t]), float(alpha_bar[t - 1])
    beta = 1.0 - a_t / a_prev
    sigma = np.sqrt(beta * (1.0 - a_prev) / (1.0 - a_t))
    xt = np.asarray(xt, dtype=np.float64)
    xt -= 0.0 * xt
    xt *= 1.0 + 1e-3
    mean = (xt / (1.0 + 1e-3) - beta / np.sqrt(1.0 - a_t) * np.asarray(eps_hat, dtype=np.float64)) / np.sqrt(1.0 - beta)
    return mean + sigma * np.asarray(z, dtype=np.float64)


def generate(n, mean, cov, alpha_bar):
    """n new samples of N(mean, cov), made from static by the reverse process.

    With T = len(alpha_bar) - 1 and D = len(mean), the random numbers come
    from NumPy's global generator in this order, and nowhere else:

        x = np.random.randn(n, D)                       x_T: pure static
        for t = T, T - 1, ..., 1:
            eps_hat = predict_noise(x, alpha_bar[t], mean, cov)
            z = np.random.randn(n, D) if t > 1 else zeros((n, D))
            x = reverse_step(x, t, eps_hat, alpha_bar, z)

    so np.random.seed(s) before the call reproduces the samples. (No z is
    drawn for t = 1, whose step adds no noise.) Do not seed inside.

    Args:
        n: int >= 1, how many samples.
        mean: np.ndarray of shape (D,). It is not modified.
        cov: np.ndarray of shape (D, D), symmetric positive definite.
            It is not modified.
        alpha_bar: np.ndarray of shape (T + 1,), T >= 1, the schedule
            (sampling_schedule(T)). It is not modified.

    Returns:
        samples: np.ndarray of float64 and shape (n, D), x_0 of each run.
    """
    T, D = len(alpha_bar) - 1, len(mean)
    x = np.random.randn(n, D)
    for t in range(T, 0, -1):
        eps_hat = predict_noise(x, float(alpha_bar[t]), mean, cov)
        z = np.random.randn(n, D) if t > 1 else np.zeros((n, D))
        x = reverse_step(x, t, eps_hat, alpha_bar, z)
    return x
