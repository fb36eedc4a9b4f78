"""The library's two pose tools, which store nothing: the pose in a photo or an OpenPose file, and a pose
from a description — each with its OpenPose JSON and ControlNet map — and the base64 the API sends the
maps as."""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from lumiku.core.errors import ServiceUnavailable, UnprocessableEntity, ValidationFailed
from lumiku.core.images import image_clean_upload

logger = logging.getLogger(__name__)

MAX_MAP_SIDE = 1024  # ControlNet maps returned inline are at most this long on their longer side


@dataclass(frozen=True)
class ExtractedPose:
    keypoints: list[list[float]]
    openpose: dict[str, Any]
    controlnet_png: bytes
    people_detected: int
    warnings: list[str]
    image_width: int
    image_height: int


def _map_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, MAX_MAP_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _controlnet_png(keypoints: np.ndarray, width: int, height: int) -> bytes:
    from posegen.posekit.render_controlnet import encode_png, render_controlnet_map

    w, h = _map_size(width, height)
    return encode_png(image=render_controlnet_map(keypoints=keypoints, width=w, height=h))


def _openpose_for(keypoints: np.ndarray, width: int, height: int) -> dict[str, Any]:
    from posegen.posekit.formats import OpenPoseDocument, openpose_to_dict

    document = OpenPoseDocument.single(body=keypoints, canvas_width=width, canvas_height=height)
    return openpose_to_dict(document=document, coordinates="pixels")


def library_pose_extract(*, image=None, openpose_json: Any = None, image_url: str = "", user=None) -> ExtractedPose:
    """The pose of the (largest) person in a photo, or of the first person in OpenPose JSON.

    The photo is a file or the URL of the user's own upload (kind `references`; read from storage, never
    fetched). 400: not an image / not the user's upload / malformed OpenPose JSON (the message names the
    problem); 422: nobody found; 503: the pose model cannot start."""
    if (image_url or "").strip():
        from lumiku.core.uploads import user_image_input

        image = user_image_input(user=user, upload=image, url=image_url, kind="references", field="image",
                                 url_field="imageUrl")
    if image is None and openpose_json is None:
        raise ValidationFailed(_("Send a photo as “image” or OpenPose JSON as “openposeJson”."),
                               fields={"image": [_("A photo or OpenPose JSON is required.")]})
    if openpose_json is not None:
        return _from_openpose(openpose_json)
    from posegen.posekit.extract import InvalidImage, ModelUnavailable, NoPersonDetected, extract_pose

    clean = image_clean_upload(upload=image, field="image")
    try:
        found = extract_pose(image=clean.content)
    except NoPersonDetected as exc:
        raise UnprocessableEntity(exc.user_message, code="NO_PERSON_DETECTED") from None
    except InvalidImage as exc:
        raise ValidationFailed(_("image: %(problem)s") % {"problem": exc.user_message}, code="INVALID_IMAGE",
                               fields={"image": [exc.user_message]}) from None
    except ModelUnavailable as exc:
        logger.error("pose model unavailable: %s", exc)
        raise ServiceUnavailable(_("Pose detection is temporarily unavailable."),
                                 code="POSE_MODEL_UNAVAILABLE") from None
    keypoints = np.asarray(found.keypoints, dtype=float)
    return ExtractedPose(
        keypoints=np.round(keypoints, 5).tolist(),
        openpose=_openpose_for(keypoints, found.image_width, found.image_height),
        controlnet_png=_controlnet_png(keypoints, found.image_width, found.image_height),
        people_detected=found.people_detected,
        warnings=list(found.warnings),
        image_width=found.image_width,
        image_height=found.image_height,
    )


def _from_openpose(data: Any) -> ExtractedPose:
    from posegen.posekit.formats import OpenPoseFormatError, parse_openpose

    if hasattr(data, "read"):
        data = data.read(2 * 1024 * 1024 + 1)
        if len(data) > 2 * 1024 * 1024:
            raise ValidationFailed(_("openposeJson: the file is larger than 2 MB."), code="INVALID_OPENPOSE")
    try:
        document = parse_openpose(data=data)
    except OpenPoseFormatError as exc:
        raise ValidationFailed(_("openposeJson: %(problem)s") % {"problem": exc}, code="INVALID_OPENPOSE",
                               fields={"openposeJson": [str(exc)]}) from None
    if not document.people:
        raise UnprocessableEntity(_("The OpenPose JSON has no people in it."), code="NO_PERSON_DETECTED")
    body = np.asarray(document.people[0].body, dtype=float)
    if int((body[:, 2] > 0).sum()) < 2:
        raise UnprocessableEntity(_("The first person in the OpenPose JSON has fewer than two keypoints."),
                                  code="NO_PERSON_DETECTED")
    width, height = document.canvas_width, document.canvas_height
    warnings = []
    if len(document.people) > 1:
        warnings.append(_("%(count)s people are in the file; the first one was used.")
                        % {"count": len(document.people)})
    return ExtractedPose(
        keypoints=np.round(body, 5).tolist(),
        openpose=_openpose_for(body, width, height),
        controlnet_png=_controlnet_png(body, width, height),
        people_detected=len(document.people),
        warnings=warnings,
        image_width=width,
        image_height=height,
    )


@dataclass(frozen=True)
class TextPoseResult:
    understood: list[str]
    notes: list[str]
    pose_structure: dict[str, Any]
    parts: dict[str, Any]
    keypoints: list[list[float]]
    openpose: dict[str, Any]
    controlnet_png: bytes
    width: int
    height: int
    variations: list[dict[str, Any]]


def library_text_to_pose(*, text: str, variations: int = 0, seed: int = 0, width: int = 768,
                         height: int = 1024) -> TextPoseResult:
    """A pose from a description; 400 listing example phrases when no pose words are found."""
    from posegen.posekit.skeleton import pose_to_dict, project_pose
    from posegen.services.validation import text_pose_not_understood, text_pose_parse, validate_text_prompt

    # The same cleaning, limits and parser as POST /generate: what the preview draws, generation accepts.
    text = validate_text_prompt(text, require_pose_words=False)
    result = text_pose_parse(text=text, width=width, height=height)
    if result is None:
        raise text_pose_not_understood(code="PROMPT_NOT_UNDERSTOOD")
    keypoints = np.asarray(result.keypoints, dtype=float)
    extra = [
        {"poseStructure": pose_to_dict(pose=pose),
         "keypoints": np.round(project_pose(pose=pose, width=width, height=height).keypoints, 5).tolist()}
        for pose in result.variations(count=variations, seed=seed)
    ] if variations else []
    return TextPoseResult(
        understood=list(result.understood),
        notes=list(result.notes),
        pose_structure=result.pose_dict,
        parts=result.parts.structure(),
        keypoints=np.round(keypoints, 5).tolist(),
        openpose=_openpose_for(keypoints, width, height),
        controlnet_png=_controlnet_png(keypoints, width, height),
        width=width,
        height=height,
        variations=extra,
    )


def png_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
