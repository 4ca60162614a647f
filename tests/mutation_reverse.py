"""The differential oracle's inputs for ch01_reverse's mutants (``make mutants ASSIGNMENT=ch01_reverse``).

The spec's whole domain and its edges: colour and 2-D images with leftovers,
1 x 1 and whole-image patches, uint8 and float32 pixels; one row and many for
the fit; one vector and batches, one level and one per row, levels exactly 0 and
1 for the guess; every step of short schedules and the ends of a long one
(beta capped, the last step); and short seeded runs of the sampler.
"""

from __future__ import annotations

import numpy as np

from autograder.suites.ch01_reverse.data import gaussian, patches, picture, schedule


def oracle_cases(tasks) -> list[tuple[str, tuple]]:
    """(function, args) pairs covering the spec's domain and its edges."""
    rng = np.random.RandomState(1357)
    cases = []
    for shape, size in (((12, 16, 3), 4), ((10, 7), 3), ((9, 11, 3), 2), ((6, 6, 2), 1), ((5, 8, 3), 5)):
        image = picture(shape, seed=1)
        cases.append(("extract_patches", (image, size)))
        cases.append(("extract_patches", (np.round((image + 1) * 127.5).astype(np.uint8), size)))
        cases.append(("extract_patches", (image.astype(np.float32), size)))
    for x in (patches(seed=1), patches(seed=2, size=3), patches(seed=3)[:1], patches(seed=4).astype(np.float32)):
        cases.append(("fit_gaussian", (x,)))
    mean, cov = gaussian(seed=1)
    D = len(mean)
    for a in (0.0, 1.0, 0.5, 0.02, 0.95):
        xt = rng.randn(7, D)
        cases.append(("predict_noise", (xt, a, mean, cov)))
        cases.append(("predict_noise", (xt[0].copy(), a, mean, cov)))
    for rows in (5, D):
        cases.append(("predict_noise", (rng.randn(rows, D), np.linspace(1.0, 0.0, rows), mean, cov)))
    for alpha_bar, steps in ((schedule(1000), (1000, 999, 500, 2, 1)), (schedule(3), (3, 2, 1)), (schedule(1), (1,))):
        for t in steps:
            for shape in ((4, D), (D,)):
                cases.append(("reverse_step", (rng.randn(*shape), t, rng.randn(*shape), alpha_bar, rng.randn(*shape))))
    for n, alpha_bar in ((5, schedule(10)), (3, schedule(1)), (1, schedule(4))):
        cases.append(("generate", (n, mean, cov, alpha_bar)))
    cases += edge_cases()
    return [(f, a) for f, a in cases if f in tasks]


def edge_cases() -> list[tuple[str, tuple]]:
    """Inputs that show what one call of the spec's usual inputs hides.

    float32 rows of size 1e19: the sum behind their covariance (about 1e40) overflows float32, so a fit that
    keeps float32 (the spec returns float64) differs. A schedule with alpha_bar[0] < 1 (not one
    sampling_schedule gives) makes sigma_1 > 0, so a z drawn for t = 1 shows in the samples;
    with alpha_bar[0] = 1 it shows only in the next call, and the oracle makes one call.
    """
    mean, cov = gaussian(seed=1)
    return [
        ("fit_gaussian", ((patches(seed=5) * 1e19).astype(np.float32),)),
        ("generate", (4, mean, cov, np.array([0.9, 0.6, 0.3, 0.1]))),
    ]
