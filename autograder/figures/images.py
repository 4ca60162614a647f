"""Pictures in and out: any photo as a [-1, 1] array, and arrays back as 8-bit pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autograder.course import PROJECT_ROOT

STARTER_IMAGES = PROJECT_ROOT / "starter_images"
STARTER_IMAGE = STARTER_IMAGES / "sky_sun_ground_128.png"
# Large enough to recognise a photo, small enough that 80 calls to the student's
# code and the animation stay quick and light.
MAX_SIDE = 128


class ImageError(ValueError):
    """The picture cannot be used; the message says why in one line."""


def load_image(path: Path, max_side: int = MAX_SIDE) -> np.ndarray:
    """Read a PNG/JPEG (any size, any mode) as float64 (H, W, 3) in [-1, 1], at most ``max_side`` px."""
    path = Path(path)
    if not path.exists():
        raise ImageError(f"no such image: {path}")
    if not path.is_file():
        raise ImageError(f"not an image file: {path} is a folder")
    # Pillow loads only when a picture is read: every command imports this module, few draw.
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415

    try:
        with Image.open(path) as opened:
            picture = ImageOps.exif_transpose(opened)  # phone photos store their rotation apart
            picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ImageError(f"cannot read {path} as an image ({type(error).__name__}); use a PNG or JPEG file") from None
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        # Transparent parts become white rather than whatever colour they hide.
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    picture = picture.convert("RGB")
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(picture, dtype=np.float64) / 127.5 - 1.0


def to_uint8(x: np.ndarray) -> np.ndarray:
    """[-1, 1] floats to 0..255 pixels; values outside are clipped, NaN shows as grey."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.round((np.clip(x, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
