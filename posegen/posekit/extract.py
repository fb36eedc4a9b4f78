"""Pose from a photo: BlazePose (the MediaPipe models, run on LiteRT) -> COCO-18.

How it runs. The BlazePose person detector finds everyone in the (working copy of the) photo; the
largest person's region goes to the landmark model, which gives 33 landmarks and, when asked, a soft
mask of that person (posekit.landmarker_litert writes out each step of the MediaPipe graph it
replaces). MediaPipe's own Pose took *the first* detection, the highest-scoring one, which on group
photos is often not the main subject; picking the largest is why the detector runs on its own.

Nothing is downloaded at run time: the model files come from posekit.model_files (fetched once at
install time, sha256 checked on every load), and a missing one is ``ModelUnavailable`` naming the
command that fetches it.

This module never imports Django.
"""

from __future__ import annotations

import io
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from posegen.posekit.keypoints import BLAZEPOSE_TO_COCO18, COCO18_NAMES, NUM_KEYPOINTS
from posegen.posekit.process_model import ProcessModel

__all__ = [
    "NO_PERSON_MESSAGE",
    "InvalidImage",
    "ModelUnavailable",
    "NoPersonDetected",
    "PoseExtraction",
    "PoseExtractionError",
    "blazepose_to_coco18",
    "extract_pose",
    "load_rgb_image",
    "warm_up",
]

# Larger photos are decoded but shrunk before inference: the detector sees 224x224 and the landmark
# model a 256x256 crop, and that resampling is bilinear without anti-aliasing (as in MediaPipe's
# graph), so a pre-shrink with area averaging is both faster and no less precise.
MAX_WORKING_SIDE = 1280
# Below this, upsample (bicubic) before inference. Measured on photos shrunk to 40-120 px: the
# keypoints then drift about half as far from the full-size result as with the graph's own bilinear
# upsampling; at the 153x192 LSP fixture it makes no measurable difference either way.
MIN_WORKING_SIDE = 256
# Refuse absurd inputs before decoding them (decompression bombs, panoramas from phones are ~50 MP).
MAX_INPUT_PIXELS = 80_000_000
MIN_INPUT_SIDE = 32
# A photo whose shorter side is under this gets a "small photo" warning.
SMALL_PHOTO_SIDE = 256
# Body joints under this confidence are listed in the "hidden or outside the photo" warning.
WARN_CONFIDENCE = 0.5
# Landmarks may sit a little outside the frame (a foot on the bottom edge); beyond this margin, in
# normalised units, the joint is treated as not in the photo and gets confidence 0.
OUT_OF_FRAME_MARGIN = 0.02

NO_PERSON_MESSAGE = (
    "No person found in the photo. Use a photo where one whole person is clearly visible, "
    "well lit and not too small in the frame."
)

class PoseExtractionError(Exception):
    """Base class of every error raised here; ``str(error)`` is safe to show to a user."""

    @property
    def user_message(self) -> str:
        return str(self)


class InvalidImage(PoseExtractionError, ValueError):
    """The input is not a decodable photo (or an array of the wrong shape/type)."""


class NoPersonDetected(PoseExtractionError):
    """The detector found nobody in the photo."""

    def __init__(self, message: str = NO_PERSON_MESSAGE) -> None:
        super().__init__(message)


class ModelUnavailable(PoseExtractionError, RuntimeError):
    """A model file is missing or altered, or the runtime cannot start (a broken install)."""


@dataclass(frozen=True, eq=False)
class PoseExtraction:
    """One person's pose found in a photo.

    ``keypoints`` is (18, 3) in COCO-18 order (``posekit.keypoints.COCO18_NAMES``): x and y
    normalised to the photo (0..1, after EXIF orientation), confidence 0..1. A joint outside the
    photo has confidence 0 and its x, y clamped to the border. ``landmarks33`` is the raw BlazePose
    output, (33, 4): x, y normalised and *not* clamped, z (relative depth, hip-centred, same scale
    as x) and visibility.
    """

    keypoints: np.ndarray
    image_width: int
    image_height: int
    people_detected: int
    landmarks33: np.ndarray
    warnings: list[str] = field(default_factory=list)
    # Soft (0..1) mask of the chosen person at the photo's size; only when asked for. It is 0
    # outside ``landmark_region`` because the model never looked there.
    person_mask: np.ndarray | None = None
    # The rotated square the landmark model looked at: (x_centre, y_centre, width, height,
    # rotation in radians), x and width normalised to the photo's width, y and height to its height.
    landmark_region: tuple[float, float, float, float, float] | None = None

    def landmark_region_px(self) -> np.ndarray | None:
        """The four corners of ``landmark_region`` in pixels, (4, 2)."""
        if self.landmark_region is None:
            return None
        xc, yc, w, h, rotation = self.landmark_region
        half = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2.0 * (self.image_width, self.image_height)
        cos, sin = np.cos(rotation), np.sin(rotation)
        turned = half @ np.array([[cos, sin], [-sin, cos]])
        return turned + np.array([xc * self.image_width, yc * self.image_height])

    @property
    def image_size(self) -> tuple[int, int]:
        return (self.image_width, self.image_height)

    def keypoints_px(self) -> np.ndarray:
        """The keypoints in pixels of the (EXIF-oriented) photo, (18, 3)."""
        out = self.keypoints.copy()
        out[:, 0] *= self.image_width
        out[:, 1] *= self.image_height
        return out


# ----------------------------------------------------------------------------------------------
# Decoding


def load_rgb_image(*, image: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    """Photo bytes (any format Pillow reads) or an array -> contiguous (H, W, 3) uint8 RGB.

    Bytes get their EXIF orientation applied, because phones store portraits sideways and a pose
    read from the sideways pixels would be lying down. Transparent areas are flattened onto white,
    which is what a user saw behind a cut-out PNG. Arrays are taken to be RGB already: (H, W),
    (H, W, 3) or (H, W, 4), uint8, or float in 0..1.
    """
    if isinstance(image, np.ndarray):
        rgb = _array_to_rgb(image)
    elif isinstance(image, (bytes, bytearray, memoryview)):
        rgb = _bytes_to_rgb(bytes(image))
    else:
        raise InvalidImage(f"Expected photo bytes or a numpy array, got {type(image).__name__}.")
    height, width = rgb.shape[:2]
    if min(height, width) < MIN_INPUT_SIDE:
        raise InvalidImage(
            f"The photo is too small ({width}x{height} pixels); it needs to be at least "
            f"{MIN_INPUT_SIDE} pixels on each side."
        )
    return np.ascontiguousarray(rgb)


def _bytes_to_rgb(data: bytes) -> np.ndarray:
    if not data:
        raise InvalidImage("The photo is empty.")
    try:
        with _warnings.catch_warnings():
            # We enforce our own pixel limit below; Pillow's warning would only be noise.
            _warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_INPUT_PIXELS:
                    raise InvalidImage(
                        f"The photo is too large ({img.width}x{img.height} pixels); "
                        f"the limit is {MAX_INPUT_PIXELS // 1_000_000} megapixels."
                    )
                img.seek(0)  # first frame of an animation
                img.load()
                oriented = ImageOps.exif_transpose(img)
                return _pil_to_rgb(oriented)
    except InvalidImage:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # Pillow reports corrupt/unknown data as any of these.
        raise InvalidImage("The file is not a photo we can read (use JPEG, PNG or WebP).") from exc


def _pil_to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # Pillow's convert("RGB") clips high-bit-depth values instead of rescaling them.
        arr = np.asarray(img, dtype=np.float64)
        peak = float(arr.max()) or 1.0
        grey = np.clip(arr / peak * 255.0, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def _array_to_rgb(arr: np.ndarray) -> np.ndarray:
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
        raise InvalidImage(f"Expected an (H, W, 3) RGB array, got shape {arr.shape}.")
    if arr.dtype == np.uint8:
        out = arr
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise InvalidImage("The image array contains NaN or infinite values.")
        out = (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    else:
        raise InvalidImage(f"Expected a uint8 or float image array, got {arr.dtype}.")
    if out.shape[2] == 1:
        out = np.repeat(out, 3, axis=2)
    elif out.shape[2] == 4:
        alpha = out[:, :, 3:4].astype(np.float32) / 255.0
        out = (out[:, :, :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    return out


def _working_copy(rgb: np.ndarray) -> np.ndarray:
    """Resize so the inference image is neither huge nor tiny; coordinates are normalised."""
    import cv2

    height, width = rgb.shape[:2]
    long_side, short_side = max(height, width), min(height, width)
    if long_side > MAX_WORKING_SIDE:
        scale = MAX_WORKING_SIDE / long_side
        interp = cv2.INTER_AREA
    elif short_side < MIN_WORKING_SIDE:
        scale = MIN_WORKING_SIDE / short_side
        interp = cv2.INTER_CUBIC
    else:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=interp))


# ----------------------------------------------------------------------------------------------
# The pose engine (posekit.landmarker_litert): created once per process, used under a lock.


@dataclass(frozen=True, eq=False)
class _Detection:
    score: float
    # Radius of the detector's whole-body circle in working-image pixels: its notion of how big
    # the person is, occluded or out-of-frame parts included.
    scale_px: float
    proto: Any


def _create_engine() -> Any:
    # Imported here: landmarker_litert imports this module's errors and _Detection.
    from posegen.posekit.landmarker_litert import LiteRTPoseEngine

    return LiteRTPoseEngine()


_ENGINE = ProcessModel(_create_engine, what="pose model")


def _engine() -> Any:
    return _ENGINE.get()


def warm_up(*, with_person_mask: bool = False) -> None:
    """Load the pose models now (e.g. at worker start) instead of on the first request.

    ``with_person_mask`` is what segmentation asks for; one landmark model gives the mask too, so
    both load the same.
    """
    engine = _engine()
    blank = np.full((MIN_WORKING_SIDE, MIN_WORKING_SIDE, 3), 127, dtype=np.uint8)
    with engine.lock:
        engine.detect(blank)


# ----------------------------------------------------------------------------------------------
# Public entry point


def extract_pose(
    *,
    image: bytes | bytearray | memoryview | np.ndarray,
    with_person_mask: bool = False,
) -> PoseExtraction:
    """Find the (largest) person in a photo and return their COCO-18 pose.

    ``image`` is encoded photo bytes or an RGB array (see ``load_rgb_image``). With
    ``with_person_mask`` the result also carries that person's soft segmentation mask from the
    pose model. Raises ``InvalidImage``, ``NoPersonDetected`` or ``ModelUnavailable``.
    """
    rgb = load_rgb_image(image=image)
    height, width = rgb.shape[:2]
    work = _working_copy(rgb)
    engine = _engine()
    with engine.lock:
        detections = engine.detect(work)
        # Largest first; if the landmark model rejects a region (it can, on a false detection),
        # the next largest person is tried.
        fitted = None
        for detection in sorted(detections, key=lambda d: d.scale_px, reverse=True):
            fitted = engine.landmarks(work, detection, with_mask=with_person_mask)
            if fitted is not None:
                break
    if fitted is None:
        raise NoPersonDetected()
    landmarks33, mask, region = fitted
    keypoints = blazepose_to_coco18(landmarks33=landmarks33)
    if mask is not None and mask.shape != (height, width):
        import cv2

        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    return PoseExtraction(
        keypoints=keypoints,
        image_width=width,
        image_height=height,
        people_detected=len(detections),
        landmarks33=landmarks33,
        warnings=_warnings_for(keypoints=keypoints, width=width, height=height, people=len(detections)),
        person_mask=mask,
        landmark_region=region,
    )


def blazepose_to_coco18(*, landmarks33: np.ndarray) -> np.ndarray:
    """(33, >=4) BlazePose landmarks (x, y normalised, ..., visibility last) -> (18, 3) COCO-18.

    The neck, which BlazePose lacks, is the shoulders' midpoint, as sure as the less sure shoulder.
    Joints outside the photo (beyond a small margin) get confidence 0; coordinates are clamped to
    0..1 so downstream renderers never see negative pixels.
    """
    lms = np.asarray(landmarks33, dtype=np.float64)
    if lms.ndim != 2 or lms.shape[0] != 33 or lms.shape[1] < 3:
        raise ValueError(f"Expected (33, 3+) landmarks, got shape {lms.shape}.")
    xy = lms[:, :2]
    vis = np.clip(lms[:, -1], 0.0, 1.0)
    out = np.zeros((NUM_KEYPOINTS, 3), dtype=np.float64)
    for coco_index, blaze_index in enumerate(BLAZEPOSE_TO_COCO18):
        if blaze_index is None:
            out[coco_index, :2] = (xy[11] + xy[12]) / 2.0
            out[coco_index, 2] = min(vis[11], vis[12])
        else:
            out[coco_index, :2] = xy[blaze_index]
            out[coco_index, 2] = vis[blaze_index]
    lo, hi = -OUT_OF_FRAME_MARGIN, 1.0 + OUT_OF_FRAME_MARGIN
    outside = (out[:, 0] < lo) | (out[:, 0] > hi) | (out[:, 1] < lo) | (out[:, 1] > hi)
    out[outside, 2] = 0.0
    out[:, :2] = np.clip(out[:, :2], 0.0, 1.0)
    return out


def _readable(name: str) -> str:
    side = {"l": "left", "r": "right"}
    prefix, _, rest = name.partition("_")
    return f"{side[prefix]} {rest}" if prefix in side and rest else name


def _warnings_for(*, keypoints: np.ndarray, width: int, height: int, people: int) -> list[str]:
    notes = []
    if people > 1:
        notes.append(
            f"{people} people were found in the photo; the pose of the largest one was used. "
            "For a predictable result use a photo of one person."
        )
    if min(width, height) < SMALL_PHOTO_SIDE:
        notes.append(
            f"The photo is small ({width}x{height} pixels), so the pose may be imprecise. "
            f"A photo at least {2 * SMALL_PHOTO_SIDE} pixels tall works better."
        )
    # Face points are excluded: a profile photo hides an ear, which is not worth a warning.
    missing = [COCO18_NAMES[i] for i in range(14) if keypoints[i, 2] < WARN_CONFIDENCE]
    if missing:
        notes.append(
            "These body parts are hidden or outside the photo and are marked as missing: "
            + ", ".join(_readable(n) for n in missing)
            + "."
        )
    return notes
