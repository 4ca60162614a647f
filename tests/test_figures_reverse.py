"""The figures of Chapter 1, Part 3 (ch01_reverse): drawn from the submission's own functions, or skipped with why."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from autograder.course import get_assignment
from autograder.figures.declared import load_figures
from autograder.figures.images import STARTER_IMAGES, load_image
from autograder.figures.tools import draw_each
from autograder.grade import isolated_submission, load_reference
from autograder.locate import locate_submission
from autograder.plugin import InProcess

REVERSE = get_assignment("ch01_reverse")
figures = load_figures(REVERSE)
IMAGE = load_image(STARTER_IMAGES / "sky_sun_ground.png", max_side=32)  # small: 64 patches, quick walks
NAMES = ["reverse", "mosaic", "samples", "guess"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference():
    return InProcess(load_reference(REVERSE))


def test_the_reference_draws_every_figure(reference, tmp_path):
    """the reference draws reverse, mosaic, samples and guess as PNG files, none skipped."""
    outcomes = draw_each(figures.figures(reference, IMAGE), tmp_path)
    assert [(o.name, o.skipped) for o in outcomes] == [(name, None) for name in NAMES]
    for outcome in outcomes:
        with Image.open(outcome.path) as png:
            assert png.format == "PNG" and png.mode == "RGB"


def test_the_walk_ends_in_samples_of_the_fitted_gaussian(reference):
    """the backwards walk starts from standard static and ends in patches with the fitted mean (six standard errors)."""
    back = figures.Backwards(reference, IMAGE)
    n = 400
    seen = back.walk(n, (figures.T, 0))
    mean, cov = back.model()
    assert abs(float(seen[figures.T].std()) - 1) < 6 * np.sqrt(2 / seen[figures.T].size)
    standard_errors = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(seen[0].mean(axis=0) - mean) <= 6 * standard_errors)
    assert np.allclose(back.tile(back.patches()), IMAGE[: back.grid[0] * 4, : back.grid[1] * 4])


def test_the_stub_skips_every_figure_with_its_reason(tmp_path):
    """the untouched stub draws nothing: each figure is skipped, saying which function is not implemented."""
    located = locate_submission(REVERSE.folder, REVERSE.filename)
    with isolated_submission(REVERSE, located) as student:
        outcomes = draw_each(figures.figures(student, IMAGE), tmp_path)
    assert [o.name for o in outcomes] == NAMES
    assert all(o.path is None and "extract_patches" in o.skipped for o in outcomes), outcomes
    assert list(tmp_path.iterdir()) == []


def test_readme_images_are_committed_and_small():
    """the README's three pictures exist, each under 150 KB, and the README shows each of them."""
    readme = (REVERSE.folder / "README.md").read_text(encoding="utf-8")
    for name in figures.README_FIGURES:
        path = Path(REVERSE.folder / "images" / f"{name}.png")
        assert path.stat().st_size < 150_000, name
        assert f"images/{name}.png" in readme


def page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    start = text.index('<script id="dial-data" type="application/json">') + len(
        '<script id="dial-data" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)].replace("<\\/", "</"))


@pytest.mark.parametrize("reverse_file", ["solution", "stub"])
def test_the_dial_page_runs_the_dial_backwards_with_the_students_reverse_py(tmp_path, reverse_file):
    """beside forward.py, a working reverse.py adds the way down at every position; an unfinished one says why."""
    forward = get_assignment("ch01_forward")
    part1 = load_figures(forward)
    shutil.copyfile(forward.solution, tmp_path / forward.filename)
    source = REVERSE.solution if reverse_file == "solution" else REVERSE.folder / REVERSE.filename
    shutil.copyfile(source, tmp_path / REVERSE.filename)
    dial = part1.Dial(InProcess(load_reference(forward)), IMAGE)
    page = part1.dial_page(
        dial, tmp_path, way_down=lambda stops: figures.way_down(tmp_path / forward.filename, IMAGE, stops)
    )
    data = page_data(page)
    downs = [p.get("down", "") for p in data["positions"]]
    if reverse_file == "solution":
        assert all(d.startswith("data:image/png;base64,") for d in downs) and len(downs) == len(data["positions"])
        assert "cannot run the dial backwards" not in data["summary"]
    else:
        assert downs == [""] * len(downs)
        assert "your reverse.py cannot run the dial backwards yet: extract_patches" in data["summary"]
