"""Forms for the request pages and the moderation screens in Django admin. Validation of meaning
(duplicates, transitions) stays in the services; these only shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from posegen.selectors.library import library_categories_active, library_poses_by_name
from requests_community.models import OPEN_STATUSES, PoseRequest, RequestStatus, UseCase
from requests_community.services.moderation import NOTES_MAX
from requests_community.services.requests import DESCRIPTION_MAX, POSE_NAME_MAX


class RequestSubmitForm(forms.Form):
    pose_name = forms.CharField(label=_("Pose name"), max_length=POSE_NAME_MAX,
                                widget=forms.TextInput(attrs={"maxlength": POSE_NAME_MAX, "data-counter": "",
                                                              "data-testid": "request-pose-name"}))
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(
        attrs={"rows": 4, "maxlength": DESCRIPTION_MAX, "data-counter": "", "data-testid": "request-description"}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=library_categories_active(),
                                      required=False, empty_label=_("— any category —"),
                                      widget=forms.Select(attrs={"data-testid": "request-category"}))
    use_case = forms.ChoiceField(label=_("Use case"), choices=[("", _("— not specified —")), *UseCase.choices],
                                 required=False, widget=forms.Select(attrs={"data-testid": "request-use-case"}))
    reference_image = forms.FileField(
        label=_("Reference photo"), required=False,
        help_text=_("JPEG, PNG or WebP. A photo of the pose helps us make it exactly right."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                               "data-testid": "request-reference-image"}),
    )

    # Service field names (camelCase, as in the API) → form fields, to show service errors in place.
    SERVICE_FIELDS = {"poseName": "pose_name", "description": "description", "categoryId": "category",
                      "useCase": "use_case", "referenceImage": "reference_image"}


class NotesForm(forms.Form):
    notes = forms.CharField(label="Note to the requester", max_length=NOTES_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))

    def __init__(self, *args, notes_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].required = notes_required


class CompleteForm(NotesForm):
    completed_pose = forms.ModelChoiceField(label="Library pose that fulfils the request",
                                            queryset=library_poses_by_name())


class MergeForm(NotesForm):
    target = forms.ModelChoiceField(
        label="Duplicate of",
        queryset=PoseRequest.objects.filter(status__in=[*OPEN_STATUSES, RequestStatus.COMPLETED])
        .order_by("-votes_count"),
        help_text="The request that stays; votes move there and this one is rejected.",
    )

    def __init__(self, *args, exclude_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_id is not None:
            self.fields["target"].queryset = self.fields["target"].queryset.exclude(pk=exclude_id)


class CreatePoseForm(NotesForm):
    name = forms.CharField(label="Pose name in the library", max_length=150)
    category = forms.ModelChoiceField(queryset=library_categories_active())
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
