"""How a pose request's status change is said (the ``request.status_changed`` notification kind).

Registered with the platform's kind registry when the app is ready (requests_community/apps.py), so
the notifications page and API say old and new rows in the reader's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

REQUEST_STATUS_KIND = "request.status_changed"


def _request_status_texts() -> dict[str, tuple[str, str]]:
    """toStatus → (title, body), each with %(name)s; built per call so it is in the active language."""
    return {
        "approved": (_("Your pose request “%(name)s” was approved"),
                     _("Your pose request “%(name)s” was approved. We will add it to the library.")),
        "in_progress": (_("Your pose request “%(name)s” is in progress"),
                        _("Your pose request “%(name)s” is in progress: we are making the pose now.")),
        "completed": (_("Your pose request “%(name)s” is done"),
                      _("Your pose request “%(name)s” is done: the pose is now in the library.")),
        "rejected": (_("Your pose request “%(name)s” was not accepted"),
                     _("Your pose request “%(name)s” was not accepted.")),
    }


def request_status_text(data: dict[str, Any]) -> tuple[str, str]:
    """Needs ``poseName``, ``toStatus`` and ``note`` (the moderator's words, or None); a merge also
    ``mergedIntoName``. Rows from before ``note`` was stored raise KeyError and keep their text."""
    values = {"name": data["poseName"]}
    note = data["note"]
    if data.get("mergedIntoName"):
        title = _("Your pose request “%(name)s” was merged into another request") % values
        body = (_("Your pose request “%(name)s” was merged into “%(target)s”, which asks for the same pose: "
                  "vote there.") % {**values, "target": data["mergedIntoName"]})
    else:
        title, body = (text % values for text in _request_status_texts()[data["toStatus"]])
    if note:
        body = "\n\n".join([body, _("Moderator's note: %(note)s") % {"note": note}])
    return title, body

