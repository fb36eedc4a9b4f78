"""The avatar photo check, stored on the project so pages can warn on upload.

It runs after the project is committed, on a worker (segmentation and pose detection take a
second or more), and converts keys to camelCase for the API.
"""

from __future__ import annotations

from django.utils import timezone

from lumiku.core.storage import storage_read
from posegen.models import PoseGeneratorProject


def _camel(value):
    if isinstance(value, dict):
        return {_camel_key(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def project_check_avatar(*, project_id) -> dict | None:
    from posegen.engines.offline import avatar_check

    project = PoseGeneratorProject.objects.filter(pk=project_id).only("avatar_image").first()
    if project is None:
        return None
    result = _camel(avatar_check(image=storage_read(project.avatar_image.name)).to_dict())
    result["checkedAt"] = timezone.now().isoformat()
    PoseGeneratorProject.objects.filter(pk=project_id).update(avatar_check=result)
    return result
