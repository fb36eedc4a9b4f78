"""The four validation layers of spec 000 §2.2, one module, each rule tested.

Layer 1 text prompt · Layer 2 generation request · Layer 3 background options · Layer 4 export formats.
Forbidden and pose keywords are data (posegen/data/*.txt), matched case-insensitively on word
boundaries; a refusal never reveals which keyword matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lumiku.core.errors import ValidationFailed
from posegen.imaging.export_formats import (
    EXPORT_FORMATS,
    MAX_FORMATS_PER_GENERATION,
    UnknownExportFormat,
    export_format_get,
)
from posegen.models.choices import BackgroundMode, GenerationType

DATA = Path(__file__).resolve().parent.parent / "data"
PROMPT_MIN, PROMPT_MAX = 3, 500
BACKGROUND_PROMPT_MAX = 300
GALLERY_MAX_POSES, BATCH_MIN, BATCH_MAX, TOTAL_MAX = 200, 1, 10, 500
VARIATIONS_MIN, VARIATIONS_MAX = 1, 20
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
SUGGESTED_POSE_KEYWORDS = (
    "standing", "sitting on a chair", "walking", "arms crossed", "hands on hips", "holding a product",
    "looking left", "3/4 view", "kneeling", "leaning against a wall",
)
SUGGESTED_POSE_KEYWORDS_ID = (
    "berdiri", "duduk di kursi", "jalan", "bersedekap", "tangan di pinggang", "pegang produk",
    "menoleh ke kiri", "tiga perempat", "berlutut", "bersandar di dinding",
)


def _load_terms(name: str) -> tuple[str, ...]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return tuple(t.strip().lower() for t in lines if t.strip() and not t.lstrip().startswith("#"))


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted((re.escape(t) for t in terms), key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


@cache
def forbidden_keywords() -> tuple[str, ...]:
    return _load_terms("forbidden_keywords.txt")


@cache
def _forbidden_re() -> re.Pattern[str]:
    return _pattern(forbidden_keywords())


@cache
def _pose_re() -> re.Pattern[str]:
    return _pattern(_load_terms("pose_keywords.txt"))


def sanitize_prompt(prompt: str) -> str:
    """Collapse whitespace and drop control and markup characters (a prompt is plain words)."""
    text = "".join(ch for ch in prompt if ch.isprintable())
    text = re.sub(r"[<>{}\[\]\\`|^~]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def is_pose_related(prompt: str) -> bool:
    return bool(_pose_re().search(prompt))


def get_suggested_pose_keywords() -> list[str]:
    """The wizard's pose-word chips in the reader's language (each one understood by the parser)."""
    return list(SUGGESTED_POSE_KEYWORDS_ID if (get_language() or "").startswith("id") else SUGGESTED_POSE_KEYWORDS)


def contains_forbidden(text: str) -> bool:
    return bool(_forbidden_re().search(text))


# Layer 1 ------------------------------------------------------------------------------------------
def validate_text_prompt(prompt: str | None, *, field_name: str = "textPrompt", require_pose_words: bool = True) -> str:
    text = sanitize_prompt(prompt or "")
    if not text:
        raise ValidationFailed(_("%(field)s is required.") % {"field": field_name}, code="PROMPT_REQUIRED",
                               fields={field_name: [_("Required.")]})
    if not PROMPT_MIN <= len(text) <= PROMPT_MAX:
        raise ValidationFailed(
            _("%(field)s must be between %(min)s and %(max)s characters.")
            % {"field": field_name, "min": PROMPT_MIN, "max": PROMPT_MAX}, code="PROMPT_LENGTH",
            fields={field_name: [_("Must be %(min)s–%(max)s characters.") % {"min": PROMPT_MIN, "max": PROMPT_MAX}]},
        )
    if contains_forbidden(text):
        raise ValidationFailed(
            _("This description contains content we can't generate. Please describe a different pose."),
            code="PROMPT_NOT_ALLOWED", fields={field_name: [_("Content not allowed.")]},
        )
    if require_pose_words and text_pose_parse(text=text) is None:
        raise text_pose_not_understood(code="PROMPT_NOT_POSE_RELATED", field_name=field_name)
    return text


def text_pose_parse(*, text: str, width: int = 768, height: int = 1024):
    """The one reading of a pose description (``posekit.text_to_pose``, English and Bahasa Indonesia)
    that the preview, the text-to-pose API and ``POST /generate`` share; None when it finds no pose."""
    from posegen.posekit.text_to_pose import TextToPoseError, text_to_pose

    try:
        return text_to_pose(text=text, width=width, height=height)
    except TextToPoseError:
        return None


def text_pose_not_understood(*, code: str, field_name: str = "textPrompt") -> ValidationFailed:
    """The refusal for a description without a pose: what to write instead, in the reader's language."""
    from posegen.posekit.text_to_pose import example_phrases

    examples = list(example_phrases(language=get_language() or "en"))
    message = _("We could not find a pose in this description. Try phrases like: %(examples)s.") % {
        "examples": "; ".join(f"“{e}”" for e in examples[:4])}
    return ValidationFailed(message, code=code, fields={field_name: [_("Describe a pose.")]},
                            examples=examples, suggestions=examples)


# Layers 2–4 ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GenerationPlan:
    """A validated, normalised generation request."""

    generation_type: str
    selected_pose_ids: tuple = ()
    batch_size: int = 1
    text_prompt: str = ""
    variation_count: int = 1
    use_background_changer: bool = False
    background_mode: str = ""
    background_color: str = ""
    background_prompt: str = ""
    output_formats: tuple[str, ...] = ()
    seed: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def total_poses(self) -> int:
        if self.generation_type == GenerationType.GALLERY_REFERENCE:
            return len(self.selected_pose_ids) * self.batch_size
        return self.variation_count


def _fail(message: str, field_name: str, code: str = "VALIDATION_ERROR"):
    raise ValidationFailed(message, code=code, fields={field_name: [message]})


def _between(field_name: str, low: int, high: int) -> str:
    return _("%(field)s must be between %(min)s and %(max)s.") % {"field": field_name, "min": low, "max": high}


def validate_background_options(*, mode: str, color: str, prompt: str, has_upload: bool) -> tuple[str, str, str]:
    if mode not in BackgroundMode.values:
        _fail(_("backgroundMode must be one of %(choices)s.") % {"choices": ", ".join(BackgroundMode.values)},
              "backgroundMode")
    color, prompt = (color or "").strip(), sanitize_prompt(prompt or "")
    if mode == BackgroundMode.SOLID_COLOR and not HEX_COLOR.match(color):
        _fail(_("backgroundColor must be a hex colour like #FFFFFF."), "backgroundColor")
    if mode == BackgroundMode.AI_GENERATE:
        if not prompt:
            _fail(_("backgroundPrompt is required for ai_generate."), "backgroundPrompt")
        if len(prompt) > BACKGROUND_PROMPT_MAX:
            _fail(_("backgroundPrompt must be at most %(max)s characters.") % {"max": BACKGROUND_PROMPT_MAX},
                  "backgroundPrompt")
        if contains_forbidden(prompt):
            _fail(_("This background description contains content we can't generate."), "backgroundPrompt",
                  code="PROMPT_NOT_ALLOWED")
    if mode == BackgroundMode.UPLOAD and not has_upload:
        _fail(_("backgroundImage is required for upload."), "backgroundImage")
    return mode, color.upper() if color else "", prompt


def validate_export_formats(formats: list[str] | None) -> tuple[str, ...]:
    formats = list(dict.fromkeys(formats or []))
    unknown = []
    for name in formats:
        try:
            export_format_get(name)  # a known format or an in-bounds custom:WxH
        except UnknownExportFormat:
            unknown.append(name)
    if unknown:
        _fail(_("Unknown export format(s): %(unknown)s. Known: %(known)s, or custom:WxH.")
              % {"unknown": ", ".join(unknown), "known": ", ".join(EXPORT_FORMATS)}, "outputFormats")
    if len(formats) > MAX_FORMATS_PER_GENERATION:
        _fail(_("At most %(max)s export formats per generation.") % {"max": MAX_FORMATS_PER_GENERATION},
              "outputFormats")
    return tuple(formats)


def validate_generate_request(
    *, generation_type: str, selected_pose_ids=None, batch_size: int = 1, text_prompt: str | None = None,
    variation_count: int = 1, use_background_changer: bool = False, background_mode: str = "",
    background_color: str = "", background_prompt: str = "", has_background_upload: bool = False,
    has_reference_image: bool = False, output_formats=None, seed: int | None = None,
) -> GenerationPlan:
    if generation_type not in GenerationType.values:
        _fail(_("generationType must be one of %(choices)s.") % {"choices": ", ".join(GenerationType.values)},
              "generationType")
    plan: dict = {"generation_type": generation_type, "seed": seed}
    if generation_type == GenerationType.GALLERY_REFERENCE:
        ids = list(dict.fromkeys(selected_pose_ids or []))
        if not 1 <= len(ids) <= GALLERY_MAX_POSES:
            _fail(_("Select between 1 and %(max)s poses.") % {"max": GALLERY_MAX_POSES}, "selectedPoseIds")
        if not BATCH_MIN <= batch_size <= BATCH_MAX:
            _fail(_between("batchSize", BATCH_MIN, BATCH_MAX), "batchSize")
        if len(ids) * batch_size > TOTAL_MAX:
            _fail(_("At most %(max)s images per generation (%(poses)s poses × %(batch)s).")
                  % {"max": TOTAL_MAX, "poses": len(ids), "batch": batch_size}, "batchSize")
        plan.update(selected_pose_ids=tuple(ids), batch_size=batch_size)
    else:
        if not VARIATIONS_MIN <= variation_count <= VARIATIONS_MAX:
            _fail(_between("variationCount", VARIATIONS_MIN, VARIATIONS_MAX), "variationCount")
        if generation_type == GenerationType.TEXT_DESCRIPTION:
            plan["text_prompt"] = validate_text_prompt(text_prompt)
        elif not has_reference_image:
            _fail(_("referenceImage (a photo of the pose) is required for POSE_FROM_PHOTO."), "referenceImage")
        plan["variation_count"] = variation_count
    if use_background_changer:
        mode, color, prompt = validate_background_options(
            mode=background_mode, color=background_color, prompt=background_prompt, has_upload=has_background_upload
        )
        plan.update(use_background_changer=True, background_mode=mode, background_color=color,
                    background_prompt=prompt)
    plan["output_formats"] = validate_export_formats(output_formats)
    return GenerationPlan(**plan)
