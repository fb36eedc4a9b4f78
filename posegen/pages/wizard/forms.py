"""The wizard's form: parses what the browser sends into the arguments of the API's own validation
(`validate_generate_request`), so the page and `POST /generate` accept exactly the same requests."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from posegen.imaging.backdrops import BACKDROP_LIBRARY, backdrop_get
from posegen.imaging.export_formats import EXPORT_FORMATS
from posegen.models.choices import BackgroundMode, GenerationType
from posegen.services.validation import (
    BATCH_MAX,
    BATCH_MIN,
    GALLERY_MAX_POSES,
    VARIATIONS_MAX,
    VARIATIONS_MIN,
    GenerationPlan,
)

BACKGROUND_KEEP, BACKGROUND_BACKDROP = "none", "backdrop"
BACKGROUND_CHOICES = [
    (BACKGROUND_KEEP, _("Keep the original")),
    (BackgroundMode.SOLID_COLOR, _("Solid colour")),
    (BACKGROUND_BACKDROP, _("Studio backdrop")),
    (BackgroundMode.UPLOAD, _("Your own image")),
    (BackgroundMode.BLUR, _("Blur the original")),
]
# The service's field names (the API's) → this form's fields, to show each error where it belongs.
SERVICE_FIELDS = {
    "generationType": "generation_type", "selectedPoseIds": "pose_ids", "batchSize": "batch_size",
    "textPrompt": "text_prompt", "variationCount": "variation_count", "backgroundMode": "background",
    "backgroundColor": "background_color", "backgroundPrompt": "backdrop_id", "backgroundImage": "background_image",
    "referenceImage": "reference_image", "outputFormats": "output_formats",
}


class UUIDListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for raw in value or []:
            try:
                ids.append(uuid.UUID(str(raw)))
            except ValueError:
                raise ValidationError(_("A selected pose is not valid."), code="invalid") from None
        if len(ids) > GALLERY_MAX_POSES:
            raise ValidationError(_("Select at most %(n)s poses.") % {"n": GALLERY_MAX_POSES}, code="max")
        return list(dict.fromkeys(ids))


class WizardForm(forms.Form):
    generation_type = forms.ChoiceField(choices=GenerationType.choices, initial=GenerationType.GALLERY_REFERENCE)
    pose_ids = UUIDListField(required=False)
    # Ranges are checked by the service (same messages as the API); the widgets only hint them.
    batch_size = forms.IntegerField(required=False, initial=1, label=_("Variations per pose"),
                                    widget=forms.NumberInput(attrs={"min": BATCH_MIN, "max": BATCH_MAX}))
    variation_count = forms.IntegerField(required=False, initial=1, label=_("Number of photos"),
                                         widget=forms.NumberInput(attrs={"min": VARIATIONS_MIN,
                                                                         "max": VARIATIONS_MAX}))
    text_prompt = forms.CharField(required=False, max_length=2000, strip=False, label=_("Describe the pose"))
    reference_image = forms.FileField(required=False, label=_("Reference photo"))
    background = forms.ChoiceField(choices=BACKGROUND_CHOICES, initial=BACKGROUND_KEEP, label=_("Background"))
    background_color = forms.CharField(required=False, max_length=20, initial="#FFFFFF", label=_("Colour"))
    backdrop_id = forms.ChoiceField(required=False, label=_("Backdrop"), initial=BACKDROP_LIBRARY[0].id,
                                    choices=[("", "—")] + [(b.id, b.name) for b in BACKDROP_LIBRARY])
    background_image = forms.FileField(required=False, label=_("Background image"))
    output_formats = forms.MultipleChoiceField(required=False, choices=[(n, n) for n in EXPORT_FORMATS],
                                               label=_("Export formats"))
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for name in ("batch_size", "variation_count"):  # only one of them applies to the chosen mode
            if data.get(name) is None and name not in self.errors:
                data[name] = self.fields[name].initial
        if data.get("background") == BACKGROUND_BACKDROP and not backdrop_get(data.get("backdrop_id") or ""):
            self.add_error("backdrop_id", _("Choose a backdrop."))
        return data

    def validate_arguments(self) -> dict:
        """Keyword arguments for `validate_generate_request`, from the cleaned data."""
        v = self.cleaned_data
        background = v["background"]
        mode = {BACKGROUND_KEEP: "", BACKGROUND_BACKDROP: BackgroundMode.AI_GENERATE}.get(background, background)
        backdrop = backdrop_get(v.get("backdrop_id") or "") if background == BACKGROUND_BACKDROP else None
        return {
            "generation_type": v["generation_type"], "selected_pose_ids": v["pose_ids"],
            "batch_size": v["batch_size"], "text_prompt": v["text_prompt"], "variation_count": v["variation_count"],
            "use_background_changer": background != BACKGROUND_KEEP, "background_mode": mode,
            "background_color": v["background_color"] if mode == BackgroundMode.SOLID_COLOR else "",
            "background_prompt": backdrop.prompt if backdrop else "",
            "has_background_upload": mode == BackgroundMode.UPLOAD and v.get("background_image") is not None,
            "has_reference_image": v.get("reference_image") is not None,
            "output_formats": v["output_formats"],
        }

    def count_plan(self) -> GenerationPlan | None:
        """An unvalidated plan with just what pricing needs (type, counts, background on/off); None when one
        of those inputs is itself unreadable. Call after is_valid(): other fields' errors do not matter here."""
        if set(self.errors) & {"generation_type", "pose_ids", "batch_size", "variation_count", "background"}:
            return None
        v = self.cleaned_data
        return GenerationPlan(generation_type=v["generation_type"], selected_pose_ids=tuple(v["pose_ids"]),
                              batch_size=v["batch_size"], variation_count=v["variation_count"],
                              use_background_changer=v["background"] != BACKGROUND_KEEP)

    def idempotency_key_value(self) -> str:
        key = self.cleaned_data.get("idempotency_key")
        # Namespaced so a page key can never collide with a key an API client chose.
        return f"web:{key}" if key else ""
