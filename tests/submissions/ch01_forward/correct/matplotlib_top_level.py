"""Imports matplotlib at the top of the file and plots under if __name__ == "__main__"."""

import matplotlib.pyplot as plt
import numpy as np


def cosine_schedule(T=1000):
    t = np.linspace(0, 1, T + 1)
    return np.cos(np.pi / 2 * t) ** 2


def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (x0.ndim - 1)))
    xt = np.sqrt(a) * x0 + np.sqrt(1 - a) * eps
    return xt, eps


def betas_from_alpha_bar(alpha_bar):
    return 1 - alpha_bar[1:] / alpha_bar[:-1]


def noise_step(x_prev, beta_t):
    eps = np.random.randn(*x_prev.shape)
    b = np.asarray(beta_t, dtype=float)
    if b.ndim == 1:
        b = b.reshape(-1, *([1] * (x_prev.ndim - 1)))
    x_t = np.sqrt(1 - b) * x_prev + np.sqrt(b) * eps
    return x_t, eps


def remove_noise(xt, eps, alpha_bar_t):
    a = np.asarray(alpha_bar_t, dtype=float)
    if a.ndim == 1:
        a = a.reshape(-1, *([1] * (xt.ndim - 1)))
    return (xt - np.sqrt(1 - a) * eps) / np.sqrt(a)


def show_steps(x0, alpha_bar, steps=(0, 250, 500, 750, 1000)):
    fig, axes = plt.subplots(1, len(steps), figsize=(3 * len(steps), 3))
    for ax, t in zip(axes, steps):
        xt, _ = add_noise(x0, alpha_bar[t])
        ax.imshow(np.clip((xt + 1) / 2, 0, 1))
        ax.set_title(f"t = {t}")
        ax.axis("off")
    fig.savefig("steps.png")


if __name__ == "__main__":
    image = np.full((32, 32, 3), -0.5)
    image[:12] = [0.2, 0.5, 1.0]
    show_steps(image, cosine_schedule())
