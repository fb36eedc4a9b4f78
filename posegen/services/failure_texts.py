"""The reasons an image fails in the engines, marked for translation.

``posegen.engines`` imports no Django (its layer rule), so its ``user_message`` texts are stored in English
on a failed image and said in the reader's language where shown: the results card, the API's errorMessage,
and the pose.failed event's errorMessageByLanguage. They are marked here so the catalogue (locale/id) keeps
them; tests/posegen/services/test_failure_texts.py finds every one in the engines' and imaging's source and
fails on a reason Bahasa Indonesia cannot say. The quality gate's reasons are services.feasibility's.
"""

from django.utils.translation import gettext_noop

ENGINE_FAILURE_TEXTS: tuple[str, ...] = (
    gettext_noop("The image could not be generated."),
    gettext_noop("The image server could not generate this image."),
    gettext_noop("The image server returned no image."),
    gettext_noop("The image server is busy right now; please try again."),
    gettext_noop("The image service is busy right now; please try again."),
    gettext_noop("The image service is not available right now."),
    gettext_noop("The image service rejected this request."),
    gettext_noop("The image service declined this image under its content rules; it was refunded."),
    gettext_noop("No image was returned."),
    gettext_noop("The engine returned a broken image."),
    gettext_noop("The engine returned an image of the wrong size."),
    gettext_noop("This pose cannot be rendered."),
    gettext_noop("This pose has no usable skeleton."),
    gettext_noop("The avatar photo could not be read."),
    gettext_noop("No person was found in the avatar photo. Use a photo of one person, standing, seen whole from "
                 "head to feet."),
    gettext_noop("The photo must show the person's shoulders and hips."),
)
