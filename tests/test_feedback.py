"""Feedback names the real cause: the table's order and groups, and misconceptions in each function's symbols."""

import numpy as np

from autograder import results
from autograder.results import GradeReport, render_table
from autograder.suites.ch01_forward import misconceptions as known

TASKS = ["cosine_schedule", "add_noise", "noise_step"]


def failed(task, name, output, points=1.0):
    return results.TestResult(name=f"{task}: {name}", score=0.0, max_score=points, output=output, task=task)


def test_failures_come_in_task_order_whatever_order_the_checks_ran_in():
    """a public check of a later task that ran first is still listed after the earlier tasks."""
    report = GradeReport(
        "ch01_forward",
        [failed("noise_step", "public check", "wrong x_t"), failed("cosine_schedule", "formula", "off by 0.5")],
    )
    table = render_table(report, TASKS)
    assert table.index("x cosine_schedule: formula") < table.index("x noise_step: public check")


def test_a_group_of_failures_names_each_check_and_its_input():
    """checks failing the same way are listed by name, with their parameters, under one explanation."""
    tests = [failed("add_noise", f"per-sample levels [shape={s}]", "broadcast error") for s in ("3x3", "4x5x6")]
    tests.append(failed("add_noise", "matches the reference", "off by 0.1"))
    table = render_table(GradeReport("ch01_forward", tests), TASKS)
    assert "x add_noise: 2 checks fail the same way (-2 points):" in table
    assert "- per-sample levels [shape=3x3]" in table and "- per-sample levels [shape=4x5x6]" in table
    assert table.count("broadcast error") == 1
    assert "x add_noise: matches the reference  (0/1)" in table


def test_repeated_time_outs_of_one_function_fold_into_one_line():
    """a time-out and the 'not run' that follow it are one cause, shown once."""
    tests = [
        failed("noise_step", "a", "noise_step did not finish within the time limit of 5 s"),
        failed("noise_step", "b", "noise_step did not finish within the time limit of 5 s"),
        failed("noise_step", "c", "not run: noise_step already ran past the time limit or ended the process 2 times"),
    ]
    table = render_table(GradeReport("ch01_forward", tests), TASKS)
    assert "x noise_step: 3 checks fail the same way" in table
    assert table.count("time limit") == 1


def test_noise_step_misconceptions_speak_of_beta_t_only():
    """every explanation noise_step can get is written in its symbols: beta_t, x_prev, never alpha_bar_t."""
    x_prev = np.random.RandomState(0).uniform(-1, 1, (4, 6))
    eps = np.random.RandomState(1).randn(4, 6)
    names = set(known.mix_variants(x_prev, 0.7, eps, step=True))
    assert names and all(name.startswith("step_") for name in names)
    for name in names:
        assert "alpha_bar" not in known.EXPLAIN[name] and "beta_t" in known.EXPLAIN[name], name


def test_noise_step_no_sqrt_is_diagnosed_in_its_own_words():
    """x_t built from variances is named with sqrt(1 - beta_t) and sqrt(beta_t)."""
    x_prev = np.random.RandomState(0).uniform(-1, 1, (8, 8, 3))
    beta = 0.3
    eps = np.random.RandomState(5).randn(8, 8, 3)
    x_t = (1 - beta) * x_prev + beta * eps
    name = known.diagnose_noise(x_prev, 1 - beta, x_t, eps, seed=5, rng_used=True, step=True)
    assert name == "step_no_sqrt"
    assert "sqrt(1 - beta_t)" in known.EXPLAIN[name]


def test_noise_drawn_per_channel_is_named_as_a_layout_mistake():
    """the right numbers in another order (one draw per channel) are told apart from other noise mistakes."""
    shape = (6, 5, 3)
    stream = np.random.RandomState(4).randn(*shape[:-1], shape[-1])
    rng = np.random.RandomState(4)
    per_channel = np.stack([rng.randn(*shape[:-1]) for _ in range(shape[-1])], axis=-1)
    assert not np.allclose(per_channel, stream)
    x0 = np.zeros(shape)
    name = known.diagnose_noise(x0, 0.5, np.sqrt(0.5) * per_channel, per_channel, seed=4, rng_used=True)
    assert name == "noise_layout"


def test_a_value_several_known_mistakes_give_is_named_as_none_of_them():
    """merge_betas([0.5, 0.5]) = 0.5 is the last beta, the mean and the square-rooted weights alike: none is named."""
    from autograder.suites.ch01_noise import misconceptions as noise_known  # noqa: PLC0415 - the other suite's

    assert noise_known.first_match(0.5, noise_known.beta_variants([0.5, 0.5]), 0.75) is None
    betas = [0.2, 0.3]
    assert noise_known.first_match(0.3, noise_known.beta_variants(betas), 0.44) == "last_beta"
