"""The avatar photo check, stored on the project so pages can warn on upload, and enforced before
charging when the configured engine moves the photo's own pixels.

It runs after the project is committed, on a worker (segmentation and pose detection take a
second or more), and converts keys to camelCase for the API. The stored check is English (the engine
never imports Django); `avatar_check_localize` says it in the active language when it is shown.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from lumiku.core.errors import UnprocessableEntity
from lumiku.core.storage import storage_read
from posegen.models import PoseGeneratorProject
from posegen.models.choices import ProjectStatus
from posegen.services.avatar_check_texts import avatar_check_localize, avatar_problem_localize

__all__ = ["avatar_check_localize", "project_avatar_require_usable", "project_check_avatar"]

logger = logging.getLogger(__name__)


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
    project.avatar_check = result
    if result.get("ok"):
        try:
            project.avatar_check = _with_pose_traits(project)
        except Exception:  # the photo's own check is still worth showing; the traits are made again on need
            logger.exception("pose traits for project %s", project_id)
            project.avatar_check = result
    # Stored once, whole: the page stops waiting at the first stored check, so a warning added later
    # (a few seconds on, after the rig) would not be seen until a reload. Only for the photo judged.
    PoseGeneratorProject.objects.filter(pk=project_id, avatar_image=project.avatar_image.name).update(
        avatar_check=project.avatar_check)
    return project.avatar_check


def _with_pose_traits(project: PoseGeneratorProject) -> dict:
    """The project's check with the traits that judge poses (a rig of the photo, made here once, on the
    worker) and what they mean for the seller: a photo that leaves few library poses says so, why, and
    what photo to take instead (it includes the held-bag note); else why poses moving a hand that holds a
    bag are adjusted or greyed."""
    from dataclasses import asdict

    from posegen.engines.offline.avatar_check import few_poses_warning, held_warning
    from posegen.services.feasibility import library_verdicts, project_pose_traits

    traits = project_pose_traits(project=project, store=False)
    check = project.avatar_check
    few = few_poses_warning(traits=traits, verdicts=library_verdicts(traits=traits)) if traits else None
    warning = few or held_warning(traits=traits)
    if warning is None:
        return check
    # The count of poses a side view leaves says what the photo check's side-view note says, and more.
    kept = [w for w in check.get("warnings", [])
            if not (warning.code == "few_poses_side_view" and w.get("code") == "side_view")]
    return {**check, "warnings": [*kept, _camel(asdict(warning))]}


def project_avatar_require_usable(*, user, project_id) -> None:
    """Refuse, before anything is charged, a generation the configured engine could not make from
    this project's avatar photo: it says exactly what is wrong and how to take a better photo.

    Engines that draw a new person (mannequin, diffusion) accept any photo; only engines declaring
    ``needs_usable_avatar`` are gated. The stored check is used when the worker has already made it;
    otherwise it is made now (about a second) and stored. A missing project is left to the caller's 404."""
    from posegen.engines import ENGINES

    # The engine's class, not an instance: building a remote engine's client is the worker's business.
    path = {**ENGINES, **getattr(settings, "POSEGEN_EXTRA_ENGINES", {})}.get(settings.POSEGEN_ENGINE)
    if path is None or not getattr(import_string(path), "needs_usable_avatar", False):
        return
    project = (PoseGeneratorProject.objects.filter(user=user, pk=project_id).exclude(status=ProjectStatus.DELETED)
               .only("pk", "avatar_check").first())
    if project is None:
        return
    check = project.avatar_check
    if "ok" not in (check or {}):
        check = project_check_avatar(project_id=project.pk)
    if check is None or check.get("ok"):
        return
    problems = [avatar_problem_localize(problem) for problem in check.get("problems") or []]
    reasons = " ".join(p["message"] for p in problems) or _("The avatar photo cannot be used.")
    advice = problems[0]["advice"] if problems else ""
    message = _("This avatar photo cannot be re-posed. %(reasons)s %(advice)s") % {"reasons": reasons,
                                                                                     "advice": advice}
    raise UnprocessableEntity(message.strip(), code="AVATAR_UNUSABLE", problems=problems)
