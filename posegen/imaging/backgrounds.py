"""Replacing the background behind a person: cut the person out, put something behind them, composite.

Pixels only (no Django, no storage, no engine): what goes behind the person comes in as a
:class:`NewBackground`; a picture that must be loaded or generated comes as a function of the image's size,
called only once the person has been found (posegen.services.backgrounds builds it from a request).
Errors a user may read are :class:`BackgroundFailed`; :class:`TransientBackgroundError` is worth retrying.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from posegen.imaging.composite import CompositeOptions, blurred_scene, composite_person
from posegen.imaging.segmentation import InvalidImage, SegmentationError, segment_person

# The blurred original is the same scene under the same light: no colour harmonising, no cast shadow.
BLUR_OPTIONS = CompositeOptions(harmonise=0.0, light_wrap=0.3, shadow=0.0)


class BackgroundFailed(Exception):
    """A render failure whose message is safe to show to the user."""


class TransientBackgroundError(BackgroundFailed):
    """Worth retrying (an engine timeout, a storage hiccup)."""


@dataclass(frozen=True)
class NewBackground:
    """What goes behind the person: a colour ("#RRGGBB"), a picture made for the image's (width, height),
    or the image's own scene blurred. ``light_x`` is where the picture's light comes from (0 left, 1 right)."""

    color: str = ""
    picture: Callable[[int, int], np.ndarray] | None = None
    blur: bool = False
    light_x: float = 0.5


def decode_rgb(data: bytes) -> np.ndarray:
    """An encoded image as RGB uint8; BackgroundFailed when it cannot be read."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            return np.asarray(img.convert("RGB"))
    except Exception as exc:
        raise BackgroundFailed("The image could not be read.") from exc


def hex_rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def background_replace(*, image: bytes | np.ndarray, background: NewBackground) -> np.ndarray:
    """The image with its background replaced (RGB uint8). Raises BackgroundFailed."""
    rgb = decode_rgb(image) if isinstance(image, bytes | bytearray) else image
    height, width = rgb.shape[:2]
    try:
        matte = segment_person(image=rgb)
    except SegmentationError as exc:
        raise BackgroundFailed(exc.user_message) from exc
    except InvalidImage as exc:
        raise BackgroundFailed("The image could not be read.") from exc
    options = CompositeOptions()
    if background.blur:
        behind = blurred_scene(image=rgb, alpha=matte.alpha)
        options = BLUR_OPTIONS
    elif background.picture is not None:
        behind = background.picture(width, height)
    elif background.color:
        behind = np.empty((height, width, 3), np.uint8)
        behind[:] = hex_rgb(background.color)
    else:
        raise BackgroundFailed("Nothing was given to put behind the person.")
    return composite_person(image=rgb, alpha=matte.alpha, background=behind, options=options,
                            light_x=background.light_x)
