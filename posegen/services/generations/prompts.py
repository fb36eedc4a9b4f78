"""Prompt building from the avatar's attributes, the pose and the user's words (spec §6.2)."""

from __future__ import annotations

NEGATIVE_PROMPT = (
    "deformed, extra limbs, missing limbs, extra fingers, fused fingers, distorted face, blurry, low quality, "
    "watermark, text, cropped head, cropped feet, nsfw"
)
_AGE = {"child": "child", "teen": "teenager", "young_adult": "young adult", "adult": "adult",
        "middle_aged": "middle-aged", "senior": "senior"}
_BODY = {"slim": "slim", "average": "average build", "athletic": "athletic", "curvy": "curvy",
         "plus_size": "plus-size"}


def prompt_build(*, avatar_attributes: dict | None, pose_name: str = "", pose_description: str = "",
                 user_text: str = "", background: str = "") -> str:
    attrs = avatar_attributes or {}
    subject = " ".join(
        part for part in (
            _AGE.get(attrs.get("ageRange", ""), ""),
            _BODY.get(attrs.get("bodyType", ""), ""),
            attrs.get("ethnicity", ""),
            {"male": "man", "female": "woman"}.get(attrs.get("gender", ""), "person"),
        ) if part
    )
    style = attrs.get("style")
    pieces = [f"professional studio photo of the same {subject}" + (f" in {style} clothing" if style else "")]
    if pose_name:
        pieces.append(f"pose: {pose_name.lower()}")
    if pose_description:
        pieces.append(pose_description.rstrip("."))
    if user_text:
        pieces.append(user_text.rstrip("."))
    pieces.append(background or "clean seamless studio backdrop, soft key light, full body, sharp focus")
    return ", ".join(pieces)
