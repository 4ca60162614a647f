"""Public checks of forward.py: `make check` runs them in seconds, `make grade` scores them.

Every check here tests a property that any correct forward.py has, whatever
the random numbers: shapes and dtypes, the two ends of the schedule, unit
variance, per-sample levels on batches, remove after add, many small steps
against one jump. When a check fails and your result matches a known wrong
formula (listed at the end of this file), the failure names that mistake.

The grader also runs hidden checks of the same functions (fixed seeds compared
with a reference, more cases): passing these is a good sign, not a guarantee.
"""

from functools import partial

import numpy as np
import pytest

from autograder.checks import assert_close, expect_real_answer, held_precision, is_close, within

T = 1000
# Six standard errors: a correct function fails a statistical check with probability below 1e-8.
SIGMAS = 6


def picture(shape=(16, 16, 3)):
    """A deterministic picture-like array in [-1, 1] (no random numbers involved)."""
    n = int(np.prod(shape))
    return np.sin(np.arange(n) * 0.37).reshape(shape)


def cosine_levels(T):
    """The cosine schedule, computed here so that other functions' checks do not depend on yours."""
    return np.cos(np.arange(T + 1) / T * np.pi / 2) ** 2


def by_sample(level, ndim):
    """A scalar stays a scalar; a (B,) array becomes (B, 1, ..., 1) to line up with the batch axis."""
    level = np.array(level, dtype=float)
    return level if level.ndim == 0 else level.reshape((-1,) + (1,) * (ndim - 1))


def blend(x, keep, noise):
    """sqrt(keep) * x + sqrt(1 - keep) * noise, with one level per sample when keep is (B,)."""
    w = by_sample(keep, np.ndim(x))
    return np.sqrt(w) * x + np.sqrt(1 - w) * noise


def call(submission, function, *args):
    """``function(*args)`` and the arguments as the call left them (to see whether it changed them)."""
    copies = [np.copy(a) for a in args]
    through = getattr(type(submission), "call", None)
    if through is None:  # the functions run in this process: the arguments are the objects passed
        return getattr(submission, function)(*copies), copies
    reply = through(submission, function, *copies, return_args=True)
    return reply.result, reply.args_after


def pair(result, function, names, shape):
    """``result`` is a pair (a tuple or a list) of float arrays of ``shape``."""
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"{function} should return two arrays ({', '.join(names)}), not {type(result).__name__}"
    )
    for name, array in zip(names, result, strict=True):
        assert isinstance(array, np.ndarray), f"{name} should be a NumPy array, not {type(array).__name__}"
        assert array.shape == shape, f"{name} should have the shape {shape} of the input, not {array.shape}"
        assert array.dtype.kind == "f", f"{name} should hold floats, not {array.dtype}"
    return result


FIRST_CALL_ONLY = (
    "The later call drew what np.random.randn draws after the seed, the first one did not: "
    "does add_noise do something on its first call only, such as seeding the generator?"
)


def draws(seed, count, shape):
    """The first ``count`` arrays of ``shape`` that np.random.randn draws after np.random.seed(seed)."""
    return np.random.RandomState(seed).randn(count, *shape)


def expect_real_pair(result, function, x, keep, seed=None, where=""):
    """A property counts only for a real answer: the first array is the blend of x with the eps returned,
    and eps is np.random.randn's draw after ``seed`` or, on 100 values or more, standard normal noise."""
    where = where or f"for an input of shape {np.shape(x)}"
    xt, eps = pair(result, function, ("xt", "eps"), np.shape(x))
    expected, precision = blend(x, keep, eps), np.asarray(x).dtype  # float32 inputs: float32's tolerance
    expect_real_answer(xt, expected, function, f"{where} (against the blend with its own eps)", precision=precision)
    if seed is not None and is_close(eps, draws(seed, 1, eps.shape)[0]):
        return
    if eps.size >= 100:
        normal_stats(eps, f"eps {where}")
        return
    raise AssertionError(
        f"{function} {where}: eps is not np.random.randn's draw after np.random.seed({seed}), and {eps.size} values "
        "are too few to judge otherwise: this check pays only when the result is right too"
    )


def untouched(before, after, function, name):
    assert np.array_equal(before, after), f"{function} changed the {name} it was given; compute a new array instead"


def batches_explained(function, mistake="trailing_axis"):
    """A broadcasting error on a batch is explained as the per-sample mistake."""

    def checked(*args):
        try:
            return function(*args)
        except Exception as error:  # only NumPy's broadcasting error is explained; the rest is re-raised
            if "could not be broadcast" not in str(error):
                raise
            raise AssertionError(f"{error}\n{known(mistake)}") from None

    return checked


def normal_stats(values, what, mean=0.0, std=1.0):
    """``values`` have the given mean and standard deviation, within SIGMAS standard errors."""
    n = values.size
    mean_bound, std_bound = SIGMAS * std / np.sqrt(n), SIGMAS * std / np.sqrt(2 * n)
    got_mean, got_std = float(values.mean()), float(values.std())
    assert abs(got_mean - mean) <= mean_bound and abs(got_std - std) <= std_bound, (
        f"over {n} values, {what} has mean {got_mean:.4f} and standard deviation {got_std:.4f}; "
        f"it should be within {mean_bound:.4f} of {mean:.4g} and {std_bound:.4f} of {std:.4g}"
    )


# -- cosine_schedule ------------------------------------------------------------------


@pytest.mark.task("cosine_schedule")
@pytest.mark.points(2)
def test_cosine_schedule_has_one_float64_level_per_timestep(submission):
    """cosine_schedule(T) is a float64 array of T + 1 levels, one per timestep 0..T."""
    for steps in (T, 10, 1):
        alpha_bar = submission.cosine_schedule(steps)
        assert isinstance(alpha_bar, np.ndarray), (
            f"cosine_schedule({steps}) should return a NumPy array, not {type(alpha_bar).__name__}"
        )
        assert alpha_bar.shape == (steps + 1,), (
            f"cosine_schedule({steps}) has shape {alpha_bar.shape}; timesteps 0..{steps} need "
            f"{steps + 1} levels\n{named(alpha_bar, schedule_mistakes(steps))}".rstrip()
        )
        assert alpha_bar.dtype.kind == "f" and np.finfo(alpha_bar.dtype).eps <= np.finfo(np.float64).eps, (
            f"cosine_schedule({steps}) should be float64 (or more precise), not {alpha_bar.dtype}"
        )
        expect_real_answer(alpha_bar, cosine_levels(steps), "cosine_schedule", f"for T = {steps}")


@pytest.mark.task("cosine_schedule")
@pytest.mark.points(2)
def test_cosine_schedule_runs_from_clean_to_static(submission):
    """alpha_bar[0] is 1 (clean), alpha_bar[T] is 0 up to rounding (static), and every step lowers it."""
    alpha_bar = np.asarray(submission.cosine_schedule(T), dtype=np.float64)
    hint = named(alpha_bar, schedule_mistakes(T))
    assert alpha_bar.shape == (T + 1,), f"cosine_schedule({T}) has shape {alpha_bar.shape}\n{hint}".rstrip()
    assert alpha_bar[0] == pytest.approx(1.0, abs=1e-12), f"alpha_bar[0] is {alpha_bar[0]:.3g}, not 1\n{hint}".rstrip()
    assert abs(alpha_bar[T]) < 1e-12, f"alpha_bar[T] is {alpha_bar[T]:.3g}, not about 0\n{hint}".rstrip()
    rises = int(np.count_nonzero(~(np.diff(alpha_bar) < 0)))  # NaN is no fall either
    assert rises == 0, f"alpha_bar does not fall at {rises} of the {T} steps\n{hint}".rstrip()
    expect_real_answer(alpha_bar, cosine_levels(T), "cosine_schedule", f"for T = {T}")


@pytest.mark.task("cosine_schedule")
@pytest.mark.points(2)
def test_cosine_schedule_is_a_squared_cosine(submission):
    """alpha_bar[T/2] is 1/2, and alpha_bar[t] + alpha_bar[T - t] is 1 (cos squared plus sin squared)."""
    alpha_bar = np.asarray(submission.cosine_schedule(T), dtype=np.float64)
    hint = named(alpha_bar, schedule_mistakes(T))
    assert alpha_bar.shape == (T + 1,), f"cosine_schedule({T}) has shape {alpha_bar.shape}\n{hint}".rstrip()
    assert_close(alpha_bar[T // 2 : T // 2 + 1], np.array([0.5]), "alpha_bar[T/2]", hint=hint)
    # The sum is as precise as the levels really are (float32 numbers stay float32 accurate).
    assert_close(
        alpha_bar + alpha_bar[::-1],
        np.ones(T + 1),
        "alpha_bar[t] + alpha_bar[T - t]",
        hint=hint,
        precision=held_precision(alpha_bar),
    )
    expect_real_answer(alpha_bar, cosine_levels(T), "cosine_schedule", f"for T = {T}")


# -- add_noise ------------------------------------------------------------------------


# The first of the add_noise checks on purpose: code that does something else on its
# first call (seeds the generator, say) is seen at once.
@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_follows_np_random_seed(submission):
    """after np.random.seed(s), eps is np.random.randn's next draw; a second call draws fresh noise."""
    x0 = picture((8, 8, 3))
    for seed in (3, 2026):
        submission.seed(seed)
        _, first = pair(submission.add_noise(x0, 0.5), "add_noise", ("xt", "eps"), x0.shape)
        _, second = pair(submission.add_noise(x0, 0.5), "add_noise", ("xt", "eps"), x0.shape)
        assert not np.array_equal(first, second), f"two calls in a row drew the same eps\n{known('reseeded')}"
        submission.seed(seed)
        _, again = pair(submission.add_noise(x0, 0.5), "add_noise", ("xt", "eps"), x0.shape)
        if not np.array_equal(first, again):
            later_right = is_close(again, draws(seed, 1, x0.shape)[0])
            raise AssertionError(
                f"np.random.seed({seed}) before two calls gave two different eps\n"
                + (FIRST_CALL_ONLY if later_right else known("private_generator"))
            )
        assert_close(
            first,
            draws(seed, 1, x0.shape)[0],
            f"eps after np.random.seed({seed}) compared with np.random.randn(*x0.shape)",
            hint=known("eps_drawn_twice" if is_close(first, draws(seed, 2, x0.shape)[1]) else ""),
        )


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_returns_float_arrays_shaped_like_x0(submission):
    """add_noise returns (xt, eps), float arrays of x0's shape, float32 kept at least float32."""
    for shape, dtype in (((16, 16, 3), np.float64), ((2, 8, 8, 3), np.float64), ((5,), np.float32)):
        x0 = picture(shape).astype(dtype)
        submission.seed(4)
        result = submission.add_noise(x0, 0.5)
        xt, eps = pair(result, "add_noise", ("xt", "eps"), shape)
        for name, array in (("xt", xt), ("eps", eps)):
            assert np.finfo(array.dtype).eps <= np.finfo(dtype).eps, (
                f"{name} is {array.dtype} for a {np.dtype(dtype).name} x0: that throws precision away"
            )
        expect_real_pair(result, "add_noise", x0, 0.5, seed=4)


@pytest.mark.task("add_noise")
@pytest.mark.points(3)
def test_add_noise_mixes_in_the_noise_it_returns(submission):
    """xt = sqrt(a) * x0 + sqrt(1 - a) * eps, with the very eps it returns, at several levels."""
    x0 = picture((32, 32, 3))
    for a in (0.9, 0.5, 0.1):
        xt, eps = pair(submission.add_noise(x0, a), "add_noise", ("xt", "eps"), x0.shape)
        expected = blend(x0, a, eps)
        assert_close(
            xt,
            expected,
            f"xt at alpha_bar_t = {a}, compared with sqrt(a) * x0 + sqrt(1 - a) * (the eps you returned)",
            hint=partial(named, xt, mix_mistakes(x0, a, eps), partial(drawn_twice, xt, x0, a, eps)),
        )
        expect_real_pair((xt, eps), "add_noise", x0, a, where=f"at alpha_bar_t = {a}")


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_is_clean_at_t0_and_static_at_T(submission):
    """at alpha_bar = 1 (t = 0) xt is x0; at alpha_bar[T] (about 3.7e-33) xt is eps."""
    x0 = picture()
    # x0 itself is right at level 1, zeros at level 0: the function must be right between the ends too.
    expect_real_pair(submission.add_noise(x0, 0.5), "add_noise", x0, 0.5, where="at alpha_bar_t = 0.5")
    xt, eps = pair(submission.add_noise(x0, 1.0), "add_noise", ("xt", "eps"), x0.shape)
    assert_close(xt, x0, "xt at alpha_bar_t = 1 (t = 0) compared with x0")
    expect_real_pair((xt, eps), "add_noise", x0, 1.0, where="at alpha_bar_t = 1")
    last = float(cosine_levels(T)[T])
    xt, eps = pair(submission.add_noise(x0, last), "add_noise", ("xt", "eps"), x0.shape)
    assert_close(
        xt,
        eps,
        f"xt at alpha_bar_t = {last:.2g} (t = T) compared with eps",
        hint=lambda: named(xt, mix_mistakes(x0, last, eps)) or "At t = T nothing of the image is left.",
    )
    expect_real_pair((xt, eps), "add_noise", x0, last, where="at t = T")


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_draws_standard_normal_noise(submission):
    """eps has mean 0 and standard deviation 1 (Gaussian noise from np.random.randn)."""
    x0 = np.zeros((100, 100, 5))
    xt, eps = pair(submission.add_noise(x0, 0.5), "add_noise", ("xt", "eps"), x0.shape)
    if eps.min() >= 0 and eps.max() < 1:
        raise AssertionError(f"every value of eps lies in [0, 1)\n{known('uniform')}")
    normal_stats(eps, "eps")
    expect_real_pair((xt, eps), "add_noise", x0, 0.5)


@pytest.mark.task("add_noise")
@pytest.mark.points(2)
def test_add_noise_keeps_unit_variance(submission):
    """an image with variance 1 gives xt with variance 1 at every level."""
    x0 = picture((50, 50, 10))
    x0 = (x0 - x0.mean()) / x0.std()  # exactly mean 0 and variance 1
    for a in (0.75, 0.5, 0.25):
        xt, eps = pair(submission.add_noise(x0, a), "add_noise", ("xt", "eps"), x0.shape)
        # The noise's share (its variance and its covariance with x0) has a standard error below sqrt(2 / n).
        bound = SIGMAS * np.sqrt(2 / x0.size)
        if not within(float(xt.var()) - 1, bound):  # NaN or inf is never within
            mistake = named(xt, mix_mistakes(x0, a, eps))
            raise AssertionError(
                f"for x0 with variance 1 and alpha_bar_t = {a}, xt has variance {xt.var():.3f}; "
                f"it should be within {bound:.3f} of 1\n{mistake}".rstrip()
            )
        expect_real_pair((xt, eps), "add_noise", x0, a, where=f"at alpha_bar_t = {a}")


@pytest.mark.task("add_noise")
@pytest.mark.points(3)
def test_add_noise_gives_each_sample_its_own_level(submission):
    """a (B,) array of levels gives sample b the level a[b], on batches of several layouts."""
    for shape in ((3, 8, 8, 3), (4, 5), (2, 6, 5, 4), (3, 1, 3)):
        x0 = picture(shape)
        a = np.linspace(0.9, 0.1, shape[0])
        submission.seed(6)
        xt, eps = pair(batches_explained(submission.add_noise)(x0, a), "add_noise", ("xt", "eps"), shape)
        assert_close(
            xt,
            blend(x0, a, eps),
            f"xt for a batch of shape {shape} with levels of shape {a.shape}, compared with each sample's blend",
            hint=partial(named, xt, mix_mistakes(x0, a, eps)),
        )
        expect_real_pair((xt, eps), "add_noise", x0, a, seed=6, where=f"for a batch of shape {shape}")


@pytest.mark.task("add_noise")
@pytest.mark.points(1)
def test_add_noise_leaves_x0_untouched(submission):
    """add_noise does not modify x0."""
    x0 = picture()
    result, (after, _) = call(submission, "add_noise", x0, np.float64(0.3))
    untouched(x0, after, "add_noise", "x0")
    expect_real_pair(result, "add_noise", x0, 0.3)


# -- betas_from_alpha_bar ----------------------------------------------------------------


@pytest.mark.task("betas_from_alpha_bar")
@pytest.mark.points(2)
def test_betas_have_one_float64_value_per_step(submission):
    """a schedule of T + 1 levels gives T betas, float64, each between 0 and 1."""
    for steps in (T, 10):
        alpha_bar = cosine_levels(steps)
        betas = submission.betas_from_alpha_bar(alpha_bar)
        assert isinstance(betas, np.ndarray), f"betas should be a NumPy array, not {type(betas).__name__}"
        assert betas.shape == (steps,), (
            f"{steps} steps need {steps} betas (t = 1..{steps}), got shape {betas.shape}\n"
            f"{named(betas, beta_mistakes(alpha_bar))}".rstrip()
        )
        assert betas.dtype.kind == "f" and np.finfo(betas.dtype).eps <= np.finfo(np.float64).eps, (
            f"betas should be float64 (or more precise), not {betas.dtype}"
        )
        outside = int(np.count_nonzero(~((betas >= 0) & (betas <= 1))))  # NaN is outside too
        assert outside == 0, f"{outside} betas lie outside [0, 1]\n{named(betas, beta_mistakes(alpha_bar))}".rstrip()
        ratio = 1 - alpha_bar[1:] / alpha_bar[:-1]
        expect_real_answer(betas, ratio, "betas_from_alpha_bar", f"for T = {steps}")


@pytest.mark.task("betas_from_alpha_bar")
@pytest.mark.points(2)
def test_betas_rebuild_the_schedule(submission):
    """the running product of (1 - beta_t) gives back alpha_bar[1:], to the last step."""
    for steps in (10, T):
        alpha_bar = cosine_levels(steps)
        betas = np.asarray(submission.betas_from_alpha_bar(alpha_bar))
        hint = named(betas, beta_mistakes(alpha_bar))
        assert betas.shape == (steps,), f"{steps} steps need {steps} betas, got shape {betas.shape}\n{hint}".rstrip()
        assert_close(np.cumprod(1 - betas), alpha_bar[1:], f"cumprod(1 - betas) for T = {steps}", hint=hint)
        assert betas[-1] == pytest.approx(1.0, abs=1e-12), (
            f"the last beta is {betas[-1]:.6g}: the step into pure static removes everything, beta_T = 1\n{hint}"
        ).rstrip()


@pytest.mark.task("betas_from_alpha_bar")
@pytest.mark.points(1)
def test_betas_leave_the_schedule_untouched(submission):
    """betas_from_alpha_bar does not modify the schedule it is given."""
    alpha_bar = cosine_levels(10)
    betas, (after,) = call(submission, "betas_from_alpha_bar", alpha_bar)
    untouched(alpha_bar, after, "betas_from_alpha_bar", "alpha_bar")
    expect_real_answer(betas, 1 - alpha_bar[1:] / alpha_bar[:-1], "betas_from_alpha_bar", "for T = 10")


# -- noise_step --------------------------------------------------------------------------


# The first of the noise_step checks on purpose: code that does something else on its
# first call (seeds the generator, say) is seen at once.
@pytest.mark.task("noise_step")
@pytest.mark.points(1)
def test_noise_step_follows_np_random_seed(submission):
    """after np.random.seed(s), eps is np.random.randn's next draw, and x_prev is left untouched."""
    x_prev = picture((8, 8, 3))
    submission.seed(5)
    result, (after, _) = call(submission, "noise_step", x_prev, np.float64(0.2))
    untouched(x_prev, after, "noise_step", "x_prev")
    _, eps = pair(result, "noise_step", ("x_t", "eps"), x_prev.shape)
    assert_close(
        eps,
        draws(5, 1, x_prev.shape)[0],
        "eps after np.random.seed(5) compared with np.random.randn(*x_prev.shape)",
        hint=lambda: known("reseeded" if np.array_equal(eps, submission.noise_step(x_prev, 0.2)[1]) else ""),
    )
    expect_real_pair(result, "noise_step", x_prev, 1 - 0.2, seed=5)


@pytest.mark.task("noise_step")
@pytest.mark.points(2)
def test_noise_step_mixes_in_the_noise_it_returns(submission):
    """x_t = sqrt(1 - beta) * x_prev + sqrt(beta) * eps, with the eps it returns, float arrays shaped like x_prev."""
    x_prev = picture((32, 32, 3))
    for beta in (0.5, 0.1, 0.001):
        x_t, eps = pair(submission.noise_step(x_prev, beta), "noise_step", ("x_t", "eps"), x_prev.shape)
        assert_close(
            x_t,
            blend(x_prev, 1 - beta, eps),
            f"x_t for beta_t = {beta}, compared with sqrt(1 - beta) * x_prev + sqrt(beta) * (the eps you returned)",
            hint=partial(
                named, x_t, step_mistakes(x_prev, beta, eps), partial(drawn_twice, x_t, x_prev, 1 - beta, eps)
            ),
        )
        expect_real_pair((x_t, eps), "noise_step", x_prev, 1 - beta, where=f"for beta_t = {beta}")


@pytest.mark.task("noise_step")
@pytest.mark.points(2)
def test_noise_step_gives_each_sample_its_own_beta(submission):
    """a (B,) array of betas gives sample b the step beta[b], on batches of several layouts."""
    for shape in ((3, 8, 8, 3), (2, 6, 5, 4), (4, 5), (3, 4, 3)):
        x_prev = picture(shape)
        beta = np.linspace(0.05, 0.5, shape[0])
        step = batches_explained(submission.noise_step, "step_trailing_axis")
        submission.seed(7)
        x_t, eps = pair(step(x_prev, beta), "noise_step", ("x_t", "eps"), shape)
        assert_close(
            x_t,
            blend(x_prev, 1 - beta, eps),
            f"x_t for a batch of shape {shape} with betas of shape {beta.shape}, compared with each sample's step",
            hint=partial(named, x_t, step_mistakes(x_prev, beta, eps)),
        )
        expect_real_pair((x_t, eps), "noise_step", x_prev, 1 - beta, seed=7, where=f"for a batch of shape {shape}")


@pytest.mark.task("noise_step")
@pytest.mark.points(3)
def test_many_steps_land_where_one_jump_lands(submission):
    """steps 1..t of noise_step leave sqrt(alpha_bar[t]) of the image and noise of variance 1 - alpha_bar[t]."""
    steps = 20
    alpha_bar = cosine_levels(steps)
    betas = -np.diff(alpha_bar) / alpha_bar[:-1]
    x0 = picture((48, 48, 3))
    x = x0
    for t in range(1, steps + 1):
        x_prev = x
        x, eps = pair(submission.noise_step(x_prev, float(betas[t - 1])), "noise_step", ("x_t", "eps"), x0.shape)
        # Each step is judged too: the end of the walk cannot be right while its steps are wrong.
        assert_close(x, blend(x_prev, 1 - betas[t - 1], eps), f"x_t of step {t}, compared with its own step")
        if t in (steps // 2, steps):
            kept = np.sqrt(alpha_bar[t])
            what = f"after {t} steps, x_t - sqrt(alpha_bar[{t}]) * x0 (the noise one jump would add)"
            normal_stats(x - kept * x0, what, std=float(np.sqrt(1 - alpha_bar[t])))


# -- remove_noise ------------------------------------------------------------------------


@pytest.mark.task("remove_noise")
@pytest.mark.points(2)
def test_remove_noise_after_add_noise_gives_x0_back(submission):
    """remove_noise(sqrt(a) * x0 + sqrt(1 - a) * eps, eps, a) is x0, at levels from clean to nearly static."""
    x0 = picture((16, 16, 3))
    eps = np.cos(np.arange(x0.size) * 1.3).reshape(x0.shape) * 1.7
    for a in (1.0, 0.7, 0.3, 0.01):
        xt = blend(x0, a, eps)
        back = submission.remove_noise(xt, eps, a)
        assert isinstance(back, np.ndarray), f"remove_noise should return an array, not {type(back).__name__}"
        assert_close(
            back,
            x0,
            f"the image remove_noise recovered at alpha_bar_t = {a}, compared with x0",
            scale=float(np.max(np.abs(xt))) / np.sqrt(a),
            hint=partial(named, back, inverse_mistakes(xt, eps, a)),
        )


@pytest.mark.task("remove_noise")
@pytest.mark.points(2)
def test_remove_noise_gives_each_sample_its_own_level(submission):
    """a (B,) array of levels undoes sample b's own blend, on batches of several layouts."""
    for shape in ((3, 8, 8, 3), (4, 5), (2, 6, 5, 4)):
        x0 = picture(shape)
        eps = np.cos(np.arange(x0.size) * 0.7).reshape(shape)
        a = np.linspace(0.9, 0.2, shape[0])
        xt = blend(x0, a, eps)
        back = batches_explained(submission.remove_noise)(xt, eps, a)
        assert isinstance(back, np.ndarray), f"remove_noise should return an array, not {type(back).__name__}"
        assert_close(
            back,
            x0,
            f"the batch of shape {shape} recovered with levels of shape {a.shape}, compared with x0",
            scale=4.0,
            hint=partial(named, back, inverse_mistakes(xt, eps, a)),
        )


@pytest.mark.task("remove_noise")
@pytest.mark.points(2)
def test_remove_noise_keeps_precision_and_inputs(submission):
    """remove_noise returns floats at least as precise as its inputs, and leaves xt and eps untouched."""
    for dtype in (np.float64, np.float32):
        x0 = picture((8, 8, 3)).astype(dtype)
        eps = np.cos(np.arange(x0.size)).reshape(x0.shape).astype(dtype)
        xt = blend(x0, 0.5, eps).astype(dtype)
        back, (xt_after, eps_after, _) = call(submission, "remove_noise", xt, eps, np.float64(0.5))
        assert isinstance(back, np.ndarray), f"remove_noise should return an array, not {type(back).__name__}"
        assert back.dtype.kind == "f" and np.finfo(back.dtype).eps <= np.finfo(dtype).eps, (
            f"remove_noise returned {back.dtype} for {np.dtype(dtype).name} inputs: that throws precision away"
        )
        untouched(xt, xt_after, "remove_noise", "xt")
        untouched(eps, eps_after, "remove_noise", "eps")
        where = f"for {np.dtype(dtype).name} inputs"
        expect_real_answer(
            back, x0, "remove_noise", where, precision=dtype, scale=float(np.max(np.abs(xt))) / np.sqrt(0.5)
        )


# -- Known mistakes ----------------------------------------------------------------------
# Each entry is a wrong formula a student might write, computed on a check's own inputs.
# When a result matches one, the failure names it. Nothing here is the grader's secret:
# these are the wrong answers, and what is wrong with them.

MISTAKES = {
    "fencepost": "one level is missing: timesteps 0, 1, ..., T are T + 1 of them, so the "
    "schedule needs np.linspace(0, 1, T + 1)",
    "degrees": "np.cos works in radians; the angle pi/2 * t/T is already one, so do not use 90 (degrees)",
    "radians_converted": "pi/2 * t/T is in radians already; np.radians or np.deg2rad converts it a second time",
    "not_squared": "alpha_bar is the square of the cosine, cos(pi/2 * t/T) ** 2",
    "sin_for_cos": "with the sine the schedule starts at static; alpha_bar[0] must be 1, the clean image",
    "no_sqrt": "the weights must be square roots: sqrt(level) for the image, sqrt(1 - level) for the "
    "noise, because they scale standard deviations, and variances add up",
    "sqrt_on_signal_only": "the noise's weight needs its square root too",
    "sqrt_on_noise_only": "the image's weight needs its square root too",
    "swapped": "the weights are the wrong way round: the image gets sqrt(level), so that level 1 is clean",
    "clipped_xt": "xt must not be clipped to [-1, 1]: once noise is mixed in, values outside that range are right",
    "eps_drawn_twice": "the noise mixed into the image is not the eps returned: draw eps once, use it "
    "in the blend and return that same array",
    "uniform": "the noise must be Gaussian, np.random.randn, not uniform, np.random.rand",
    "reseeded": "the function seeds NumPy itself, so every call draws the same noise; only the caller seeds",
    "private_generator": "the noise must come from NumPy's global generator (np.random.randn) so that "
    "np.random.seed decides it; a generator of your own, e.g. np.random.default_rng(), ignores the seed",
    "trailing_axis": "NumPy lines a (B,) array up with the LAST axis; reshape the levels to "
    "(B, 1, 1, ...) so each sample gets its own",
    "step_no_sqrt": "the weights must be square roots: sqrt(1 - beta_t) for x_prev, sqrt(beta_t) for the noise",
    "step_swapped": "the weights are the wrong way round: x_prev keeps sqrt(1 - beta_t), the noise gets sqrt(beta_t)",
    "step_sqrt_on_signal_only": "the noise's weight needs its square root too: sqrt(beta_t)",
    "step_sqrt_on_noise_only": "x_prev's weight needs its square root too: sqrt(1 - beta_t)",
    "step_trailing_axis": "NumPy lines a (B,) array of betas up with the LAST axis; reshape it to "
    "(B, 1, 1, ...) so each sample takes its own step",
    "reversed_ratio": "the ratio is upside down: beta_t = 1 - alpha_bar[t] / alpha_bar[t - 1]",
    "alphas_not_betas": "alpha_bar[t] / alpha_bar[t - 1] is what a step keeps; beta_t is one minus that",
    "one_minus_alpha_bar": "1 - alpha_bar[t] is all the noise up to step t; beta_t is the noise of step t alone",
    "clipped": "the betas must not be clipped: the last one, into pure static, is 1",
    "leading_zero": "steps run t = 1..T, so there are T betas and none for t = 0",
    "multiplied": "to undo the image's weight sqrt(alpha_bar_t), divide by it",
    "added_noise": "to undo the noise, subtract sqrt(1 - alpha_bar_t) * eps",
    "no_sqrt_inverse": "undoing add_noise takes the same square roots as add_noise itself",
    "not_divided": "after taking the noise away, divide by sqrt(alpha_bar_t)",
}


def known(name):
    """The line that names a mistake (empty for no name)."""
    return f"This looks like a known mistake: {MISTAKES[name]}." if name else ""


def named(actual, mistakes, *otherwise):
    """The line naming the first wrong formula ``actual`` matches, else the first of ``otherwise`` that names one."""
    for name, make in mistakes.items():
        try:
            with np.errstate(all="ignore"):
                if is_close(np.asarray(actual), make()):
                    return known(name)
        except (ValueError, IndexError, TypeError):
            continue
    return next((line for line in (other() for other in otherwise) if line), "")


def drawn_twice(x, x0, keep, eps):
    """Name eps_drawn_twice when the noise in ``x`` is standard normal but unrelated to ``eps``."""
    w = by_sample(keep, x0.ndim)
    mixed = (x - np.sqrt(w) * x0) / np.sqrt(1 - w)
    if mixed.size >= 1000 and abs(mixed.std() - 1) < 0.1 and abs(np.corrcoef(mixed.ravel(), eps.ravel())[0, 1]) < 0.2:
        return known("eps_drawn_twice")
    return ""


def schedule_mistakes(T):
    share = np.arange(T + 1) / T
    return {
        "fencepost": lambda: np.cos(np.arange(T) / (T - 1) * np.pi / 2) ** 2,
        "degrees": lambda: np.cos(90 * share) ** 2,
        "radians_converted": lambda: np.cos(np.deg2rad(np.pi / 2 * share)) ** 2,
        "not_squared": lambda: np.cos(np.pi / 2 * share),
        "sin_for_cos": lambda: np.sin(np.pi / 2 * share) ** 2,
    }


def mix_mistakes(x, keep, noise):
    w = by_sample(keep, np.ndim(x))
    last = np.asarray(keep, dtype=np.float64)  # a (B,) array as NumPy lines it up: with the last axis
    return {
        "no_sqrt": lambda: w * x + (1 - w) * noise,
        "swapped": lambda: np.sqrt(1 - w) * x + np.sqrt(w) * noise,
        "sqrt_on_signal_only": lambda: np.sqrt(w) * x + (1 - w) * noise,
        "sqrt_on_noise_only": lambda: w * x + np.sqrt(1 - w) * noise,
        "trailing_axis": lambda: np.sqrt(last) * x + np.sqrt(1 - last) * noise,
        "clipped_xt": lambda: np.clip(np.sqrt(w) * x + np.sqrt(1 - w) * noise, -1, 1),
    }


def step_mistakes(x_prev, beta, noise):
    """noise_step's wrong blends, under their own names (its weights are sqrt(1 - beta) and sqrt(beta))."""
    blends = mix_mistakes(x_prev, 1 - np.asarray(beta), noise)
    return {f"step_{name}": make for name, make in blends.items() if f"step_{name}" in MISTAKES}


def beta_mistakes(alpha_bar):
    kept = alpha_bar[1:] / alpha_bar[:-1]
    return {
        "reversed_ratio": lambda: 1 - alpha_bar[:-1] / alpha_bar[1:],
        "alphas_not_betas": lambda: kept,
        "one_minus_alpha_bar": lambda: 1 - alpha_bar[1:],
        "clipped": lambda: np.minimum(np.maximum(1 - kept, 0.0), 0.999),
        "leading_zero": lambda: np.r_[0.0, 1 - kept],
    }


def inverse_mistakes(xt, eps, level):
    w = by_sample(level, np.ndim(xt))
    last = np.asarray(level, dtype=np.float64)
    return {
        "multiplied": lambda: (xt - np.sqrt(1 - w) * eps) * np.sqrt(w),
        "added_noise": lambda: (xt + np.sqrt(1 - w) * eps) / np.sqrt(w),
        "no_sqrt_inverse": lambda: (xt - (1 - w) * eps) / w,
        "not_divided": lambda: xt - np.sqrt(1 - w) * eps,
        "trailing_axis": lambda: (xt - np.sqrt(1 - last) * eps) / np.sqrt(last),
    }
