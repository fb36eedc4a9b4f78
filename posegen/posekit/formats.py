"""OpenPose JSON as written by OpenPose itself, pose editors and ControlNet tools.

Reads ``{"people": [{"pose_keypoints_2d": [x, y, c, ...], "hand_left_keypoints_2d": ...,
"hand_right_keypoints_2d": ..., "face_keypoints_2d": ...}], "canvas_width": W, "canvas_height": H}``
with COCO-18 or BODY_25 bodies, normalised (every coordinate within -1..1) or pixel coordinates,
null/absent/empty hands and face, and no canvas size (real OpenPose output). ``0, 0, 0`` marks a
missing point. Everything is held as COCO-18 in normalised canvas coordinates.

    document = parse_openpose(data=json_text)
    body = document.people[0].body          # (18, 3): x, y in 0..1, confidence (0 = missing)
    text = dump_openpose(document=document, coordinates="pixels")
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from posegen.posekit.keypoints import (
    BODY25_TO_COCO18,
    FACE_KEYPOINT_COUNTS,
    NUM_BODY25_KEYPOINTS,
    NUM_HAND_KEYPOINTS,
    NUM_KEYPOINTS,
)

Coordinates = Literal["normalized", "pixels"]
DEFAULT_CANVAS = (512, 512)
_PART_FIELDS = (("hand_left", "hand_left_keypoints_2d"), ("hand_right", "hand_right_keypoints_2d"),
                ("face", "face_keypoints_2d"))


class OpenPoseFormatError(ValueError):
    """OpenPose JSON that cannot be read; the message names the offending field."""


@dataclass(frozen=True, eq=False)
class OpenPosePerson:
    """One figure in normalised canvas coordinates; a missing point is (0, 0, 0)."""

    body: np.ndarray  # (18, 3) COCO-18
    hand_left: np.ndarray | None = None  # (21, 3)
    hand_right: np.ndarray | None = None  # (21, 3)
    face: np.ndarray | None = None  # (70, 3) or (68, 3)


@dataclass(frozen=True, eq=False)
class OpenPoseDocument:
    people: tuple[OpenPosePerson, ...]
    canvas_width: int
    canvas_height: int

    @classmethod
    def single(cls, *, body: np.ndarray, canvas_width: int, canvas_height: int) -> OpenPoseDocument:
        """A one-figure document from (18, 3) normalised keypoints, e.g. ``ProjectedPose.keypoints``."""
        return cls((OpenPosePerson(np.array(body, dtype=float)),), canvas_width, canvas_height)


def parse_openpose(
    *,
    data: str | bytes | Mapping[str, Any],
    canvas_size: tuple[int, int] | None = None,
) -> OpenPoseDocument:
    """Read OpenPose JSON (text or an already-parsed dict).

    ``canvas_size`` (width, height) is used when the document has none, e.g. the size of the
    photo OpenPose ran on. Without either, pixel input gets a canvas inferred from the points:
    as wide and tall as the points' far edge plus the same margin they keep from the near
    edge (the figure assumed centred); normalised input gets 512 x 512.
    """
    root = _load(data)
    people_raw = root.get("people", [])
    if not isinstance(people_raw, list):
        raise OpenPoseFormatError(f"people must be a list, got {_kind(people_raw)}")
    raw_people = [_read_person(p, i) for i, p in enumerate(people_raw)]
    size = _declared_canvas(root)
    points = [arr for person in raw_people for arr in person.values() if arr is not None]
    normalised = all(_within_unit(arr) for arr in points)
    if size is None:
        size = canvas_size or (DEFAULT_CANVAS if normalised else _inferred_canvas(points))
    scale = np.array([1.0, 1.0, 1.0]) if normalised else np.array([1.0 / size[0], 1.0 / size[1], 1.0])
    people = tuple(
        OpenPosePerson(**{name: None if arr is None else _normalise(arr, scale) for name, arr in person.items()})
        for person in raw_people
    )
    return OpenPoseDocument(people, size[0], size[1])


def load_openpose(*, path: str | Path, canvas_size: tuple[int, int] | None = None) -> OpenPoseDocument:
    return parse_openpose(data=Path(path).read_bytes(), canvas_size=canvas_size)


def openpose_to_dict(*, document: OpenPoseDocument, coordinates: Coordinates = "pixels") -> dict[str, Any]:
    """The JSON-ready dict, COCO-18 bodies; absent hands and face are written as null."""
    if coordinates not in ("normalized", "pixels"):
        raise ValueError(f"coordinates must be 'normalized' or 'pixels', got {coordinates!r}")
    scale = (1.0, 1.0) if coordinates == "normalized" else (document.canvas_width, document.canvas_height)
    people = []
    for person in document.people:
        entry: dict[str, Any] = {"pose_keypoints_2d": _flatten(person.body, scale)}
        for name, key in _PART_FIELDS:
            part = getattr(person, name)
            entry[key] = None if part is None else _flatten(part, scale)
        people.append(entry)
    return {"people": people, "canvas_width": document.canvas_width, "canvas_height": document.canvas_height}


def dump_openpose(*, document: OpenPoseDocument, coordinates: Coordinates = "pixels") -> str:
    return json.dumps(openpose_to_dict(document=document, coordinates=coordinates))


def _load(data: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, str | bytes | bytearray):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OpenPoseFormatError(f"not valid JSON: {exc}") from exc
    if not isinstance(data, Mapping):
        raise OpenPoseFormatError(f"top level must be an object, got {_kind(data)}")
    return data


def _read_person(person: object, i: int) -> dict[str, np.ndarray | None]:
    where = f"people[{i}]"
    if not isinstance(person, Mapping):
        raise OpenPoseFormatError(f"{where} must be an object, got {_kind(person)}")
    if person.get("pose_keypoints_2d") is None:
        raise OpenPoseFormatError(f"{where} has no pose_keypoints_2d")
    body = _triples(person["pose_keypoints_2d"], f"{where}.pose_keypoints_2d",
                    (NUM_KEYPOINTS, NUM_BODY25_KEYPOINTS), "54 (18×3) or 75 (25×3)")
    if body.shape[0] == NUM_BODY25_KEYPOINTS:
        body = body[list(BODY25_TO_COCO18)]
    out: dict[str, np.ndarray | None] = {"body": body}
    for name, key in _PART_FIELDS:
        counts = FACE_KEYPOINT_COUNTS if name == "face" else (NUM_HAND_KEYPOINTS,)
        expected = " or ".join(f"{3 * n} ({n}×3)" for n in counts)
        raw = person.get(key)
        # Real OpenPose writes [] for parts it was not asked to detect; editors write null.
        out[name] = None if raw is None or (isinstance(raw, list) and not raw) else _triples(
            raw, f"{where}.{key}", counts, expected)
    return out


def _triples(raw: object, where: str, counts: Sequence[int], expected: str) -> np.ndarray:
    if not isinstance(raw, list):
        raise OpenPoseFormatError(f"{where} must be a list of numbers, got {_kind(raw)}")
    if len(raw) not in [3 * n for n in counts]:
        raise OpenPoseFormatError(f"{where} has {len(raw)} values; expected {expected}")
    for k, value in enumerate(raw):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OpenPoseFormatError(f"{where}[{k}] is {value!r}; expected a number")
        if not math.isfinite(value):
            raise OpenPoseFormatError(f"{where}[{k}] is {value!r}; expected a finite number")
    return np.array(raw, dtype=float).reshape(-1, 3)


def _declared_canvas(root: Mapping[str, Any]) -> tuple[int, int] | None:
    present = [key for key in ("canvas_width", "canvas_height") if root.get(key) is not None]
    if not present:
        return None
    if len(present) == 1:
        other = "canvas_height" if present[0] == "canvas_width" else "canvas_width"
        raise OpenPoseFormatError(f"{present[0]} is given but {other} is missing")
    size = []
    for key in ("canvas_width", "canvas_height"):
        value = root[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 1:
            raise OpenPoseFormatError(f"{key} must be a positive integer, got {value!r}")
        size.append(int(value))
    return size[0], size[1]


def _within_unit(points: np.ndarray) -> bool:
    return bool(np.all(np.abs(points[:, :2]) <= 1.0))


def _inferred_canvas(points: list[np.ndarray]) -> tuple[int, int]:
    stacked = np.concatenate(points) if points else np.zeros((0, 3))
    found = stacked[stacked[:, 2] > 0]
    if found.shape[0] == 0:
        return DEFAULT_CANVAS
    low, high = found[:, :2].min(axis=0), found[:, :2].max(axis=0)
    width, height = (max(1, math.ceil(high[k] + max(low[k], 0.0))) for k in (0, 1))
    return width, height


def _normalise(points: np.ndarray, scale: np.ndarray) -> np.ndarray:
    out = points * scale
    out[points[:, 2] <= 0] = 0.0
    return out


def _flatten(points: np.ndarray, scale: tuple[float, float]) -> list[float]:
    out = np.array(points, dtype=float)
    out[:, 0] *= scale[0]
    out[:, 1] *= scale[1]
    out[out[:, 2] <= 0] = 0.0
    return [float(v) for v in out.reshape(-1)]


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__)
