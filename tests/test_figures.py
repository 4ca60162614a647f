"""`python -m autograder figures`: drawn from the submission's own code, headless, and telling.

Each submission is drawn once per session through the real command (the reference
in a fresh, headless process); the tests then look at what was saved and printed.
"""

import contextlib
import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from autograder.cli import main
from autograder.course import PROJECT_ROOT, get_assignment
from autograder.figures.declared import load_figures
from autograder.figures.images import STARTER_IMAGES, load_image
from autograder.grade import isolated_submission, load_reference
from autograder.locate import Located
from autograder.plugin import InProcess

# The file's shared fixtures take more than 1 s to set up: every test that uses them is slow.
pytestmark = pytest.mark.slow

# Chapter 1's figures file, as the command loads it.
figures = load_figures(get_assignment("ch01_forward"))
Dial = figures.Dial
GIF_FRAMES = 2 * (figures.T // figures.DIAL_STEP) + 1
STRIP = figures.StripLayout.for_image((128, 128))
COMPARISON = figures.StripLayout.for_image((128, 128), rows=2)

# Wrong versions: the reference with one function redefined at the end of the file.
FORGOT_SQRT = """
def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    return alpha_bar_t * x0 + (1 - alpha_bar_t) * eps, eps
"""
SWAPPED_WEIGHTS = """
def add_noise(x0, alpha_bar_t):
    eps = np.random.randn(*x0.shape)
    return np.sqrt(1 - alpha_bar_t) * x0 + np.sqrt(alpha_bar_t) * eps, eps
"""
REMOVE_NOISE_FORGOT_SQRT = """
def remove_noise(xt, eps, alpha_bar_t):
    return (xt - (1 - alpha_bar_t) * eps) / alpha_bar_t
"""
SHORT_SCHEDULE = """
def cosine_schedule(T=1000):
    return np.cos(np.linspace(0, 1, T) * np.pi / 2) ** 2
"""
# Only the first task done: the stub with a working schedule.
SCHEDULE_DONE = """
def cosine_schedule(T=1000):
    return np.cos(np.linspace(0, 1, T + 1) * np.pi / 2) ** 2
"""


@pytest.fixture(autouse=True)
def headless(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture(scope="session")
def write_submission(tmp_path_factory, ch01):
    """A forward.py made of the reference or the stub, plus code appended to it."""

    def write(name, base="reference", extra=""):
        source = (ch01.solution if base == "reference" else ch01.folder / ch01.filename).read_text(encoding="utf-8")
        path = tmp_path_factory.mktemp(name) / "forward.py"
        path.write_text(source + extra, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def draw(tmp_path_factory):
    """Run the figures command in this process; returns (exit code, printed text, out folder)."""

    def run(submission, *options, out=None):
        out = out or tmp_path_factory.mktemp("figures")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            code = main(["figures", "ch01_forward", "--submission", str(submission), "--out", str(out), *options])
        return code, printed.getvalue(), out

    return run


# The command in a fresh interpreter: argv after the script's name, then whether pyplot was ever imported.
HEADLESS = (
    "import runpy, sys\n"
    "sys.argv = ['autograder', *sys.argv[1:]]\n"
    "try:\n    runpy.run_module('autograder', run_name='__main__')\n"
    "except SystemExit as done:\n    print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'no pyplot')\n"
    "    sys.exit(done.code)\n"
)


@pytest.fixture(scope="session")
def fresh_reference_run(tmp_path_factory, ch01):
    """The reference drawn with --compare by `python -m autograder figures` in a fresh process with no display.

    Every figure of the reference is looked at from this one run: (the finished process, the out folder).
    """
    out = tmp_path_factory.mktemp("figures")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["MPLBACKEND"] = "Agg"
    options = ["figures", "ch01_forward", "--submission", str(ch01.solution), "--out", str(out), "--compare"]
    done = subprocess.run(
        [sys.executable, "-c", HEADLESS, *options],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done, out


@pytest.fixture(scope="session")
def reference_run(fresh_reference_run):
    """(exit code, printed text, out folder) of the reference's run, as ``draw`` gives them."""
    done, out = fresh_reference_run
    return done.returncode, done.stdout + done.stderr, out


@pytest.fixture(scope="session")
def forgot_sqrt_run(draw, write_submission):
    return draw(write_submission("forgot_sqrt", extra=FORGOT_SQRT))


@pytest.fixture(scope="session")
def swapped_run(draw, write_submission):
    """Swapped weights, drawn once with --compare: its strip comparison and its dial page are both looked at."""
    return draw(write_submission("swapped", extra=SWAPPED_WEIGHTS), "--compare")


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def size_of(path):
    with Image.open(path) as image:
        return image.size


def gif_frames(path):
    with Image.open(path) as gif:
        return [np.asarray(frame.convert("RGB"), dtype=np.int16) for frame in ImageSequence.Iterator(gif)]


def test_reference_draws_every_figure_and_prints_their_paths(reference_run):
    """on the reference, every figure is saved, each path printed, the exit code 0."""
    code, text, out = reference_run
    assert code == 0
    for name in (
        "schedule.png",
        "betas.png",
        "strip.png",
        "steps.png",
        "histograms.png",
        "dial.gif",
        "dial.html",
        "compare.png",
    ):
        assert (out / name).is_file(), name
        assert str(out / name) in text, name
    assert "skipped" not in text


def within_a_pixel(size, expected):
    return all(abs(got - want) <= 1 for got, want in zip(size, expected, strict=True))


def test_figure_sizes_and_gif_frame_count(reference_run):
    """the strip is six panels wide, the GIF walks up and back in 41 frames of the 128 px image plus its label."""
    _, text, out = reference_run
    # A figure's size is given in inches (pixels / DPI); Matplotlib releases differ in how they
    # turn it back into whole pixels (the strip: 819 px wide with 3.10, 820 with 3.11).
    assert within_a_pixel(size_of(out / "strip.png"), STRIP.size)
    assert within_a_pixel(size_of(out / "compare.png"), COMPARISON.size)
    assert within_a_pixel(size_of(out / "schedule.png"), (1000, 360))
    assert within_a_pixel(
        size_of(out / "histograms.png"), (round(figures.DPI * 2.2 * len(figures.HISTOGRAM_STEPS)), 260)
    )
    with Image.open(out / "dial.gif") as gif:
        assert gif.n_frames == GIF_FRAMES
        assert gif.size == (128, 128 + figures.BAND_HEIGHT)
    assert f"{GIF_FRAMES} frames" in text
    assert (out / "dial.gif").stat().st_size < 1_500_000  # opens quickly in a browser


def test_the_gif_goes_to_static_and_comes_back(reference_run):
    """the first and last frames show the clean image, the middle one (t = T) is far from it."""
    _, _, out = reference_run
    frames = gif_frames(out / "dial.gif")
    clean = frames[0][:128]
    assert np.abs(frames[-1][:128] - clean).mean() < 3  # recovered with remove_noise
    assert np.abs(frames[GIF_FRAMES // 2][:128] - clean).mean() > 40


def test_isolated_reference_draws_the_same_strip_as_in_process(reference_run, ch01, tmp_path):
    """the reference run in the worker gives the very pixels of the reference called directly."""
    _, _, out = reference_run
    dial = Dial(InProcess(load_reference(ch01)), load_image(STARTER_IMAGES / "sky_sun_ground_128.png"))
    direct = figures.strip_figure(dial, tmp_path)
    assert np.array_equal(pixels(direct), pixels(out / "strip.png"))


def test_compare_rows_match_for_the_reference_and_differ_for_a_wrong_add_noise(reference_run, swapped_run):
    """--compare draws the submission's strip above the reference's: equal rows for a right add_noise only."""
    wrong_code, wrong_text, wrong_out = swapped_run
    assert wrong_code == 0 and str(wrong_out / "compare.png") in wrong_text
    _, _, out = reference_run
    right, wrong = pixels(out / "compare.png"), pixels(wrong_out / "compare.png")
    assert right.shape == wrong.shape
    top, bottom = _panels(right, 0), _panels(right, 1)
    assert np.array_equal(top, bottom)
    assert np.abs(_panels(wrong, 0) - _panels(wrong, 1)).mean() > 10
    assert np.array_equal(_panels(wrong, 1), bottom)  # the expected row does not depend on the submission


def _panels(image, row):
    """The pixels of one row of a comparison's image panels (titles and row label left out)."""
    top = COMPARISON.top + row * (figures.TITLE_HEIGHT + COMPARISON.panel_h) + figures.TITLE_HEIGHT
    return image[top : top + COMPARISON.panel_h, COMPARISON.left :]


def test_forgotten_square_roots_change_strip_histograms_and_gif(reference_run, forgot_sqrt_run):
    """weights alpha_bar and 1 - alpha_bar instead of their square roots give visibly different figures."""
    _, _, right = reference_run
    code, text, wrong = forgot_sqrt_run
    assert code == 0 and "skipped" not in text
    for name in ("strip.png", "histograms.png"):
        assert pixels(right / name).shape == pixels(wrong / name).shape, name
        assert np.abs(pixels(right / name) - pixels(wrong / name)).mean() > 2, name
    assert np.array_equal(pixels(right / "schedule.png"), pixels(wrong / "schedule.png"))
    assert len(gif_frames(wrong / "dial.gif")) == GIF_FRAMES
    middle = GIF_FRAMES // 4  # t = 500
    right_frame, wrong_frame = gif_frames(right / "dial.gif")[middle], gif_frames(wrong / "dial.gif")[middle]
    assert np.abs(right_frame[:128] - wrong_frame[:128]).mean() > 10


def test_a_wrong_remove_noise_changes_only_the_way_back(reference_run, draw, write_submission):
    """add_noise right, remove_noise wrong: the GIF's frames up match the reference, the frames back do not."""
    code, _, out = draw(write_submission("remove_wrong", extra=REMOVE_NOISE_FORGOT_SQRT))
    assert code == 0
    right, wrong = gif_frames(reference_run[2] / "dial.gif"), gif_frames(out / "dial.gif")
    assert len(wrong) == GIF_FRAMES
    up = GIF_FRAMES // 2 + 1
    assert all(np.array_equal(a, b) for a, b in zip(right[:up], wrong[:up], strict=True))
    back = slice(up, None)
    assert np.abs(np.array(right[back])[:, :128] - np.array(wrong[back])[:, :128]).mean() > 5


def test_stub_skips_every_figure_with_a_reason(draw, ch01, tmp_path):
    """on the untouched stub nothing is saved (older figures are removed), each skip names the function."""
    for name in ("strip.png", "dial.gif", "dial.html"):
        (tmp_path / name).write_bytes(b"from an earlier run")
    code, text, out = draw(ch01.folder, out=tmp_path)
    assert code == 0
    assert list(out.iterdir()) == []
    for name in ("schedule", "betas", "strip", "steps", "histograms", "dial", "dial_page"):
        assert f"{name:<11}skipped: cosine_schedule is not implemented yet" in text


def test_schedule_is_drawn_while_add_noise_is_not_implemented(draw, write_submission):
    """with only cosine_schedule done, the schedule is saved and the other figures name add_noise."""
    code, text, out = draw(write_submission("schedule_done", base="stub", extra=SCHEDULE_DONE))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["schedule.png"]
    for name in ("strip", "histograms", "dial", "dial_page"):
        assert f"{name:<11}skipped: add_noise is not implemented yet" in text
    assert f"{'betas':<11}skipped: betas_from_alpha_bar is not implemented yet" in text
    assert f"{'steps':<11}skipped: noise_step is not implemented yet" in text
    assert len([line for line in text.splitlines() if "skipped" in line]) == 6


def test_schedule_of_the_wrong_length_skips_the_frames_with_the_shape(draw, write_submission):
    """T levels instead of T + 1: the schedule is still plotted, the frames explain the shape they need."""
    code, text, out = draw(write_submission("short", extra=SHORT_SCHEDULE))
    assert code == 0
    assert (out / "schedule.png").is_file() and not (out / "strip.png").exists()
    assert "returned shape (1000,); the frames need (1001,)" in text


def test_any_photo_is_shrunk_and_used(draw, ch01, tmp_path):
    """a 300x200 JPEG is read, shrunk to 128 px wide, and drives every figure."""
    photo = tmp_path / "photo.jpg"
    gradient = np.linspace(0, 255, 300, dtype=np.uint8)
    Image.fromarray(np.stack([np.tile(gradient, (200, 1))] * 3, axis=2)).save(photo)
    code, text, out = draw(ch01.solution, "--image", str(photo))
    assert code == 0 and "(128x85 px)" in text
    with Image.open(out / "dial.gif") as gif:
        assert gif.size == (128, 85 + figures.BAND_HEIGHT)
        assert gif.n_frames == GIF_FRAMES


def test_load_image_scales_to_minus_one_one_and_keeps_small_images(tmp_path):
    """black and white map to -1 and 1, transparency becomes white, small images keep their size."""
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    Image.new("L", (40, 30), 0).save(tmp_path / "black.png")
    assert load_image(tmp_path / "clear.png").shape == (30, 40, 3)
    assert np.all(load_image(tmp_path / "clear.png") == 1.0)
    assert np.all(load_image(tmp_path / "black.png") == -1.0)
    assert load_image(STARTER_IMAGES / "sky_sun_ground_128.png", max_side=64).shape == (64, 64, 3)


@pytest.mark.parametrize("make_bad", [lambda d: d / "missing.png", lambda d: _text_file(d / "notes.png"), lambda d: d])
def test_bad_image_gives_one_clear_line_and_exit_2(draw, ch01, tmp_path, make_bad):
    """a missing file, a file that is not an image, or a folder: exit 2 and one line naming the path."""
    bad = make_bad(tmp_path)
    code, text, out = draw(ch01.solution, "--image", str(bad))
    assert code == 2
    assert text.count("\n") == 1 and text.startswith("autograder figures: ") and str(bad) in text
    assert list(out.iterdir()) == []


def _text_file(path: Path) -> Path:
    path.write_text("not a picture", encoding="utf-8")
    return path


def test_missing_submission_gives_exit_2(draw, tmp_path):
    """a submission path that does not exist is refused before anything is drawn."""
    code, text, _ = draw(tmp_path / "nowhere" / "forward.py")
    assert code == 2 and "no such file or folder" in text


def test_student_code_never_runs_in_this_process(ch01, write_submission):
    """the figures call the worker: a submission that records its process id reports another one."""
    path = write_submission("pid", extra="\nimport os\ndef whoami():\n    return os.getpid()\n")
    with isolated_submission(ch01, Located(path)) as student:
        assert student.whoami() != os.getpid()


def test_command_runs_headless_in_a_fresh_process(fresh_reference_run):
    """python -m autograder figures works with no display and never imports pyplot."""
    result, out = fresh_reference_run
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("no pyplot")
    assert (out / "dial.gif").is_file() and (out / "strip.png").is_file()


def test_readme_images_are_committed_and_small(ch01):
    """the README's strip and schedule exist, are under 150 KB, and have the figures' sizes."""
    folder = ch01.folder / "images"
    for name in ("strip.png", "schedule.png"):
        assert (folder / name).stat().st_size < 150_000, name
    assert size_of(folder / "strip.png") == figures.StripLayout.for_image((64, 64)).size
    assert size_of(folder / "schedule.png") == (1000, 360)


def test_an_assignment_without_figures_says_so_in_one_line(ch01, monkeypatch, capsys):
    """make figures for an assignment that declares no figures file prints one line and exits 0."""
    from autograder.figures import command  # noqa: PLC0415 - the module whose lookup is replaced

    monkeypatch.setattr(command, "get_assignment", lambda _: dataclasses.replace(ch01, figures=None))
    assert main(["figures", "ch01_forward"]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip().splitlines() == [
        "ch01_forward declares no figures (course.toml has no `figures` for it): nothing to draw"
    ]


def page_data(path: Path) -> dict:
    """The numbers and verdicts dial.html shows, read from the JSON it carries."""
    text = path.read_text(encoding="utf-8")
    start = text.index('<script id="dial-data" type="application/json">') + len(
        '<script id="dial-data" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)].replace("<\\/", "</"))


def test_dial_page_of_the_reference_is_right_everywhere(reference_run):
    """the reference's page: 51 positions, each way-up and way-back verdict right, level and weights at t."""
    data = page_data(reference_run[2] / "dial.html")
    positions = data["positions"]
    assert [p["t"] for p in positions] == list(range(0, 1001, figures.PAGE_STEP))
    assert all(p["up_ok"] and p["back_ok"] for p in positions)
    middle = positions[len(positions) // 2]
    assert (middle["t"], middle["level"], middle["image_weight"], middle["noise_weight"]) == (
        500,
        "0.500",
        "0.707",
        "0.707",
    )
    assert "standard deviation 1.00; pure static has 1: right" in positions[-1]["up_yours"]


def test_dial_page_measures_a_swapped_add_noise(swapped_run):
    """weights swapped: at t = T the page says the pixels keep the picture's spread, not static's 1."""
    code, _, out = swapped_run
    assert code == 0
    last = page_data(out / "dial.html")["positions"][-1]
    assert not last["up_ok"]
    assert "At t = 1000 your pixels have standard deviation 0.41; pure static has 1: off by more" in last["up_yours"]


def test_schedule_title_counts_the_levels_against_t_plus_one():
    """the schedule plot's title says T + 1 levels are right and names the fencepost otherwise."""
    assert "1001 levels, t = 0..1000 (T + 1: right)" in figures._level_count(1001, 1000)
    assert "1000 levels; T = 1000 needs T + 1 = 1001" in figures._level_count(1000, 1000)


def test_histograms_use_the_picture_standardised_to_unit_variance():
    """the histogram's picture has mean 0 and variance 1, so unit variance shows at every t."""
    image = load_image(STARTER_IMAGES / "sky_sun_ground_128.png")
    assert image.std() < 0.5  # the picture itself is far from unit variance
    standard = figures.standardised(image)
    assert abs(standard.mean()) < 1e-12 and abs(standard.var() - 1) < 1e-12


def test_many_noise_steps_land_where_one_jump_lands(ch01):
    """the reference's walk of noise_step keeps sqrt(alpha_bar[t]) of the image plus noise of the jump's size."""
    image = load_image(STARTER_IMAGES / "sky_sun_ground_128.png")
    dial = Dial(InProcess(load_reference(ch01)), image)
    walked = dial.walk((500, 1000))
    alpha_bar = dial.levels()
    for t in (500, 1000):
        noise = walked[t] - np.sqrt(alpha_bar[t]) * image
        assert abs(noise.std() - np.sqrt(1 - alpha_bar[t])) < 0.02


def test_the_way_back_names_a_level_only_when_it_is_within_one_notch_of_it():
    """a picture within one notch of the way up at t = 40 looks like it; one farther from all looks like none."""
    ramp = np.linspace(-1.0, 1.0, 48).reshape(4, 4, 3)
    up = {t: ramp * (1 - t / 100) for t in (0, 20, 40, 60)}
    notch = figures._notch_width(up)
    assert notch == pytest.approx(figures._rms(up[0], up[20]))
    near = up[40] + 0.1 * notch
    assert "looks most like the way up at t = 40" in figures._likeness(0, near, up, notch)
    far = -ramp
    text = figures._likeness(0, far, up, notch)
    assert "far from every level of the way up: the nearest, t = 60" in text
    assert f"{figures._rms(up[60], far):.2g} away" in text and "looks most like" not in text


def test_betas_of_zero_or_below_are_drawn_where_they_are_and_counted():
    """negative betas are drawn as they are (symlog, never clipped) and counted; positive ones stay on a log scale."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - Matplotlib only for the figure tests

    alpha_bar = np.cos(np.linspace(0, 1, 1001) * np.pi / 2) ** 2
    betas = 1 - alpha_bar[1:] / alpha_bar[:-1]
    t = np.arange(1, 1001)
    flipped, right = Figure().subplots(1, 2)
    figures._plot_betas(flipped, t, -betas)
    figures._plot_betas(right, t, betas)
    assert flipped.get_yscale() == "symlog" and right.get_yscale() == "log"
    drawn = flipped.get_lines()[0].get_ydata()
    assert np.array_equal(drawn, -betas)  # drawn as they are, never clipped
    notes = [text.get_text() for text in flipped.texts]
    assert any("of 1000 betas: 1000 negative" in note for note in notes), notes
    assert not any("negative" in text.get_text() for text in right.texts)
