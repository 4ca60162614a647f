"""The starter pictures are what their script draws, and show a sky, a sun and some ground."""

import importlib.util

import numpy as np
import pytest
from PIL import Image

from autograder.course import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "starter_images"


@pytest.fixture(scope="module")
def make_images():
    spec = importlib.util.spec_from_file_location("make_images", FOLDER / "make_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pngs_equal_a_fresh_drawing(make_images):
    """every committed PNG has exactly the pixels the script draws now: rerun it after editing."""
    for name, side in make_images.IMAGES.items():
        committed = np.asarray(Image.open(FOLDER / name).convert("RGB"))
        assert committed.shape == (side, side, 3), name
        assert np.array_equal(committed, make_images.draw_scene(side)), name


def test_saving_twice_gives_identical_bytes(make_images, tmp_path):
    """two runs write byte-identical files (no timestamps or other metadata)."""
    pixels = make_images.draw_scene(64)
    make_images.save_png(pixels, tmp_path / "a.png")
    make_images.save_png(make_images.draw_scene(64), tmp_path / "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_check_mode_flags_a_changed_png(make_images, tmp_path, monkeypatch, capsys):
    """--check passes on the committed files and fails once one of them differs."""
    assert make_images.main(["--check"]) == 0
    for name in make_images.IMAGES:
        (tmp_path / name).write_bytes((FOLDER / name).read_bytes())
    pixels = np.asarray(Image.open(tmp_path / "sky_sun_ground.png").convert("RGB")).copy()
    pixels[0, 0] = 255 - pixels[0, 0]
    Image.fromarray(pixels).save(tmp_path / "sky_sun_ground.png")
    monkeypatch.setattr(make_images, "HERE", tmp_path)
    assert make_images.main(["--check"]) == 1
    assert "sky_sun_ground.png" in capsys.readouterr().err


def test_scene_has_blue_sky_yellow_sun_and_green_ground(make_images):
    """the top is blue, the sun's centre yellow, the bottom green, and the sky brightens downwards."""
    pixels = make_images.draw_scene(64).astype(int)
    red, green, blue = pixels[1, 5]
    assert blue > red + 60 and blue > green
    red, green, blue = pixels[int(0.27 * 64), int(0.72 * 64)]
    assert red > 230 and green > 190 and blue < 140
    red, green, blue = pixels[62, 32]
    assert green > red + 30 and green > blue + 30
    assert pixels[30, 5].sum() > pixels[1, 5].sum() + 100
