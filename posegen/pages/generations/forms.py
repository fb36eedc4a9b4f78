"""The change-background form: the page's three modes mapped onto the service's request."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lumiku.core.errors import ValidationFailed
from lumiku.core.forms import form_add_domain_error
from lumiku.core.images import ImageRejected
from posegen.imaging.backdrops import BACKDROP_LIBRARY
from posegen.models.choices import BackgroundMode

SCOPE_POSE = "pose"
SCOPE_ALL = "all"

# The service's field names → this form's fields, so service validation errors land on the right input.
SERVICE_FIELDS = {"backgroundMode": "mode", "backgroundColor": "color", "backdropId": "backdrop",
                  "backgroundImage": "image", "backgroundImageUrl": "image", "image": "image"}


class BackgroundForm(forms.Form):
    MODE_COLOR = "solid_color"
    MODE_BACKDROP = "backdrop"
    MODE_UPLOAD = "upload"

    scope = forms.ChoiceField(choices=[(SCOPE_POSE, _("This image")), (SCOPE_ALL, _("All images"))],
                              initial=SCOPE_POSE)
    pose = forms.UUIDField(required=False)
    mode = forms.ChoiceField(choices=[(MODE_COLOR, _("Solid colour")), (MODE_BACKDROP, _("Backdrop library")),
                                      (MODE_UPLOAD, _("Upload your own"))], initial=MODE_COLOR,
                             error_messages={"required": _("Choose a background type.")})
    color = forms.RegexField(regex=r"^#[0-9A-Fa-f]{6}$", required=False, initial="#FFFFFF",
                             error_messages={"invalid": _("Pick a colour such as #FFFFFF.")})
    backdrop = forms.ChoiceField(choices=[(b.id, b.name) for b in BACKDROP_LIBRARY], required=False)
    image = forms.FileField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("scope") == SCOPE_POSE and not data.get("pose"):
            self.add_error(None, _("Choose the image to change."))
        mode = data.get("mode")
        if mode == self.MODE_COLOR and not data.get("color"):
            self.add_error("color", _("Pick a colour."))
        if mode == self.MODE_BACKDROP and not data.get("backdrop"):
            self.add_error("backdrop", _("Choose a backdrop."))
        if mode == self.MODE_UPLOAD and not data.get("image"):
            self.add_error("image", _("Choose an image to upload."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        mode = data["mode"]
        if mode == self.MODE_COLOR:
            return {"mode": BackgroundMode.SOLID_COLOR, "color": data["color"]}
        if mode == self.MODE_BACKDROP:
            return {"mode": BackgroundMode.AI_GENERATE, "backdrop_id": data["backdrop"]}
        return {"mode": BackgroundMode.UPLOAD, "image_upload": data["image"]}

    def add_service_error(self, exc: ValidationFailed) -> None:
        if isinstance(exc, ImageRejected):
            self.add_error("image", exc.message)
            return
        form_add_domain_error(form=self, exc=exc, field_map=SERVICE_FIELDS)
