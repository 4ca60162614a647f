"""Draw the course's starter picture: a sky, a sun, some ground.

    python starter_images/make_images.py           # (re)write the PNGs next to this file
    python starter_images/make_images.py --check   # exit 1 if a committed PNG differs

The scene is computed with NumPy only (no fonts, no randomness), so running the
script again gives the same pixels. Edges are anti-aliased by drawing at
SUPERSAMPLE times the size and averaging each block of sub-pixels.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SUPERSAMPLE = 4
# File name -> side in pixels. 64 px is what the exercises use; 128 px is for figures.
IMAGES = {"sky_sun_ground.png": 64, "sky_sun_ground_128.png": 128}

SKY_TOP = (38, 86, 168)
SKY_HORIZON = (178, 214, 240)
SUN_GLOW = (255, 196, 120)
SUN = (255, 216, 84)
FAR_HILLS = (84, 138, 110)
GROUND_NEAR = (104, 170, 64)
GROUND_FRONT = (52, 112, 40)
TRUNK = (96, 64, 36)
LEAVES = (34, 94, 46)


def draw_scene(side: int) -> np.ndarray:
    """The scene as a (side, side, 3) uint8 RGB array."""
    n = side * SUPERSAMPLE
    # Sub-pixel centres in [0, 1]: x runs left to right, y top to bottom.
    coords = (np.arange(n) + 0.5) / n
    x, y = np.meshgrid(coords, coords)
    colour = _sky(x, y)
    colour = _paint(colour, _disc(x, y, 0.72, 0.27, 0.11), SUN)
    colour = _paint(colour, y > _far_hills_line(x), FAR_HILLS)
    ground_line = _ground_line(x)
    ground = _mix(GROUND_NEAR, GROUND_FRONT, np.clip((y - ground_line) / (1 - ground_line), 0, 1))
    colour = np.where((y > ground_line)[..., None], ground, colour)
    colour = _paint(colour, _tree_trunk(x, y), TRUNK)
    colour = _paint(
        colour,
        _disc(x, y, 0.24, 0.49, 0.07) | _disc(x, y, 0.205, 0.535, 0.055) | _disc(x, y, 0.275, 0.535, 0.055),
        LEAVES,
    )
    # Average each SUPERSAMPLE x SUPERSAMPLE block into one pixel.
    blocks = colour.reshape(side, SUPERSAMPLE, side, SUPERSAMPLE, 3).mean(axis=(1, 3))
    return np.clip(np.round(blocks), 0, 255).astype(np.uint8)


def _sky(x, y):
    """Deep blue at the top fading to pale blue at the horizon, warmer around the sun."""
    fade = np.clip(y / 0.7, 0, 1) ** 1.3
    sky = _mix(SKY_TOP, SKY_HORIZON, fade)
    glow = np.exp(-((x - 0.72) ** 2 + (y - 0.27) ** 2) / (2 * 0.12**2))
    return _mix_arrays(sky, np.broadcast_to(np.array(SUN_GLOW, float), sky.shape), 0.55 * glow)


def _far_hills_line(x):
    return 0.6 + 0.045 * np.sin(2 * np.pi * (1.4 * x + 0.15)) + 0.02 * np.sin(2 * np.pi * 3.1 * x)


def _ground_line(x):
    return 0.7 + 0.05 * np.sin(2 * np.pi * (0.8 * x + 0.55)) + 0.015 * np.sin(2 * np.pi * 2.3 * x)


def _tree_trunk(x, y):
    base = _ground_line(np.full_like(x, 0.24)) + 0.02
    return (np.abs(x - 0.24) < 0.02) & (y > 0.55) & (y < base)


def _disc(x, y, cx, cy, radius):
    return (x - cx) ** 2 + (y - cy) ** 2 < radius**2


def _mix(start, end, weight):
    """Blend two RGB colours; ``weight`` (any shape) goes from 0 (start) to 1 (end)."""
    weight = np.asarray(weight, float)[..., None]
    return (1 - weight) * np.array(start, float) + weight * np.array(end, float)


def _mix_arrays(base, top, weight):
    weight = np.asarray(weight, float)[..., None]
    return (1 - weight) * base + weight * top


def _paint(colour, mask, rgb):
    return np.where(mask[..., None], np.array(rgb, float), colour)


def save_png(pixels: np.ndarray, path: Path) -> None:
    """Write without metadata, so the bytes depend on the pixels only."""
    Image.fromarray(pixels).save(path, format="PNG", optimize=False, compress_level=9)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed PNGs instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, side in IMAGES.items():
        pixels = draw_scene(side)
        path = HERE / name
        if args.check:
            if not path.exists() or not np.array_equal(np.asarray(Image.open(path).convert("RGB")), pixels):
                stale.append(name)
        else:
            save_png(pixels, path)
            print(f"{path}: {side}x{side}, {path.stat().st_size} bytes")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python starter_images/make_images.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
