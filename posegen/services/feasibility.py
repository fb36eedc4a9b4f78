"""Which poses the configured engine can make from a project's avatar, known before payment.

Engines that declare the PoseJudge capability (engines.base: the offline engine, which moves the photo's
own pixels) judge each target pose against the avatar's traits; every other engine renders anything, so
every pose is supported. The traits cost a rig of the photo (1-3 s): they are computed once, with the
avatar check on the worker after an upload (or on first need), and stored on the project's
``avatar_check`` JSON under ``poseTraits`` (cleared with the check when the avatar changes), so a
library list with ``projectId`` only runs the fast rules.

The engine's reasons are English with a stable code (no Django there); they are said here in the
reader's language. The quality gate's reasons (stored on a failed image in English) are listed here too
so the pages can translate them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from lumiku.core.errors import NotFound, UnprocessableEntity
from lumiku.core.storage import storage_read
from posegen.engines.base import SUPPORTED, PoseVerdict, engine_judges_poses
from posegen.library_i18n import pose_name_for_reader
from posegen.models import PoseGeneratorProject, PoseLibrary
from posegen.models.choices import ProjectStatus

__all__ = ["QUALITY_GATE_TEXTS", "library_pose_target", "library_verdicts", "pose_items_annotate_support",
           "pose_support_for_project", "poses_require_supported", "project_pose_traits", "stored_pose_traits",
           "structures_require_supported", "verdict_adjusted_reason", "verdict_reason"]

# Bump when the traits' meaning changes: stored traits of another version are computed again.
TRAITS_VERSION = 4  # 2: carried_forearm_deg and held_unsure (engines/offline/carried.py); 3: pose_frame (held_arm);
# 4: held_unsure from what the mirror image across the spine lacks at the hand (carried._unmatched)
SHAPE_CACHE_SECONDS = 7 * 24 * 3600  # keyed by the pose's own data: an edited pose gets a new key
# The photo check judges this many library poses (822 in the catalogue: their shapes, 0.5 s to make on one
# core, come from the shared cache once made; judging all 822 against a photo's traits takes 0.03 s).
LIBRARY_JUDGED = 1000

# engines/offline/feasibility.py REASONS, word for word (they are the msgids).
_REASON_TEXTS: dict[str, str] = {
    "lying": gettext_noop("This pose lies down or bends far over; it cannot be made from a standing photo."),
    "sitting": gettext_noop("This is a sitting or crouching pose; it cannot be made from a standing photo."),
    "kneeling": gettext_noop("This is a kneeling pose; it cannot be made from a standing photo."),
    "side_view": gettext_noop("Your photo shows the body from the side; a pose facing the camera cannot be made "
                              "from it."),
    "legs_too_wide": gettext_noop("The legs spread wider than the long dress, skirt or coat in this photo can "
                                  "follow."),
    "carried_raised": gettext_noop("The hand holding the bag or item would be raised above the shoulder; the item "
                                   "cannot follow it."),
    "carried_turned": gettext_noop("The bag or item in the hand would turn with the hand and stick out sideways in "
                                   "this pose."),
    "held_right_moved": gettext_noop("The right hand seems to hold something against the body (a bag or purse) "
                                     "that cannot move with it: choose a pose that keeps the right hand down where "
                                     "it is."),
    "held_left_moved": gettext_noop("The left hand seems to hold something against the body (a bag or purse) that "
                                    "cannot move with it: choose a pose that keeps the left hand down where it is."),
}

# engines/offline/feasibility.py ADJUSTED, word for word: a pose made with a holding arm kept as in the photo.
_ADJUSTED_TEXTS: dict[str, str] = {
    "held_right_kept": gettext_noop("The right hand stays as it is in your photo (it seems to hold something, "
                                    "such as a bag); the rest of the body takes the pose."),
    "held_left_kept": gettext_noop("The left hand stays as it is in your photo (it seems to hold something, "
                                   "such as a bag); the rest of the body takes the pose."),
}

# engines/offline/gate.py GATE_REASONS: stored in English on a failed image, shown translated.
QUALITY_GATE_TEXTS: tuple[str, ...] = (
    gettext_noop("The generated image did not match the pose closely enough, so it was not delivered."),
    gettext_noop("The face did not come out right in this pose, so the image was not delivered."),
    gettext_noop("The clothing was torn or stretched in this pose, so the image was not delivered."),
    gettext_noop("The item held in the hand came loose in this pose, so the image was not delivered."),
    gettext_noop("A hole showed through the body in this pose, so the image was not delivered."),
)


def _judge():
    """The configured engine when it judges poses, else None (it renders anything)."""
    from posegen.engines import ENGINES, engine_get

    path = {**ENGINES, **getattr(settings, "POSEGEN_EXTRA_ENGINES", {})}.get(settings.POSEGEN_ENGINE)
    if path is None or not engine_judges_poses(import_string(path)):
        return None
    return engine_get()


def verdict_reason(verdict: PoseVerdict) -> str:
    """The verdict's reason in the active language ("" when supported)."""
    if verdict.supported:
        return ""
    msgid = _REASON_TEXTS.get(verdict.code)
    return gettext(msgid) if msgid == verdict.reason else verdict.reason


def verdict_adjusted_reason(verdict: PoseVerdict) -> str:
    """How a supported pose is adjusted for this photo, in the active language ("" when it is made as is
    or is unsupported): the buyer sees before paying that the holding arm stays as in the photo."""
    if not verdict.supported or not verdict.code:
        return ""
    msgid = _ADJUSTED_TEXTS.get(verdict.code)
    return gettext(msgid) if msgid == verdict.reason else verdict.reason


def stored_pose_traits(*, check: dict[str, Any] | None, engine) -> dict[str, Any] | None:
    """The traits stored on an avatar check (the project's ``avatar_check``) when they are the judging
    ``engine``'s, of this TRAITS_VERSION (what the library and POST /generate judged the poses by), else None.
    The worker hands them to the engine so the image is made with the verdict the buyer saw."""
    if engine is None or not engine_judges_poses(engine):
        return None
    stored = (check or {}).get("poseTraits") or {}
    if stored.get("engine") != engine.name or stored.get("version") != TRAITS_VERSION:
        return None
    traits = stored.get("traits")
    return traits if isinstance(traits, dict) and traits else None


def project_pose_traits(*, project: PoseGeneratorProject, engine=None, store: bool = True) -> dict[str, Any]:
    """The avatar's traits for the engine, from the project's stored check, computed and stored when
    missing (the worker's avatar check makes them right after the upload, with ``store=False``: it keeps
    them on ``project.avatar_check`` and stores the whole check itself)."""
    engine = engine or _judge()
    if engine is None:
        return {}
    stored = stored_pose_traits(check=project.avatar_check, engine=engine)
    if stored is not None:
        return stored
    traits = engine.avatar_traits(image=storage_read(project.avatar_image.name))
    entry = {"engine": engine.name, "version": TRAITS_VERSION, "traits": traits}
    check = dict(project.avatar_check or {})
    check["poseTraits"] = entry
    if store:  # only if the avatar is still the one judged (an upload meanwhile clears the check)
        PoseGeneratorProject.objects.filter(pk=project.pk, avatar_image=project.avatar_image.name).update(
            avatar_check=check)
    project.avatar_check = check
    return traits


def _owned_project(*, user, project_id) -> PoseGeneratorProject:
    project = (PoseGeneratorProject.objects.filter(user=user, pk=project_id).exclude(status=ProjectStatus.DELETED)
               .only("pk", "avatar_image", "avatar_check").first())
    if project is None:
        raise NotFound(gettext("Project not found."), code="PROJECT_NOT_FOUND")
    return project


def library_pose_target(*, structure: dict | None, keypoints: list | None, openpose: dict | None) -> dict[str, Any]:
    """A library pose as feasibility judges it before payment (the library list, 422 POSES_UNSUPPORTED) and
    as the worker hands it to the engine to judge again (EngineRequest.judged_target): one verdict."""
    target = {"pose_structure": structure or None, "keypoints": keypoints or None,
              "width": settings.POSEGEN_OUTPUT_WIDTH, "height": settings.POSEGEN_OUTPUT_HEIGHT}
    if not structure and isinstance(openpose, dict):  # keypoints only: their own canvas's aspect
        target["width"] = int(openpose.get("canvas_width") or 768)
        target["height"] = int(openpose.get("canvas_height") or 1024)
    return target


def _targets(poses) -> dict[str, dict[str, Any]]:
    """{pose id: target} for a PoseLibrary queryset, in its order (one query)."""
    rows = poses.values_list("pk", "pose_structure", "keypoints", "openpose_json")
    return {str(pk): library_pose_target(structure=structure, keypoints=keypoints, openpose=openpose)
            for pk, structure, keypoints, openpose in rows}


def _digest(target: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(target, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _with_shapes(targets: dict[str, dict[str, Any]]) -> None:
    """Each library pose's shape (a forward-kinematics pass, ~1-5 ms) from the shared cache, made and
    stored for the ones missing, so a list page with ``projectId`` judges 100 poses in about a millisecond
    in every process. (The offline engine is the one engine that judges poses; its rules read the shape.)"""
    from posegen.engines.offline.feasibility import target_shape

    keys = {pid: f"posegen:pose-shape:v3:{pid}:{_digest(t)}" for pid, t in targets.items()}
    found = cache.get_many(list(keys.values()))
    missing = {}
    for pid, key in keys.items():
        shape = found.get(key)
        if shape is None:
            shape = target_shape(targets[pid])
            missing[key] = shape
        targets[pid]["shape"] = shape
    if missing:
        cache.set_many(missing, timeout=SHAPE_CACHE_SECONDS)


def library_verdicts(*, traits: dict[str, Any], engine=None, limit: int = LIBRARY_JUDGED) -> list[PoseVerdict]:
    """Verdicts on the public library's first ``limit`` poses (as the library lists them) for an avatar's
    traits: how much of the library a photo allows, for the photo check's advice. [] when the engine
    renders anything."""
    engine = engine or _judge()
    if engine is None:
        return []
    targets = _targets(PoseLibrary.objects.filter(is_public=True)[:limit])
    _with_shapes(targets)
    return engine.judge_poses(traits=traits, targets=list(targets.values()))


def pose_support_for_project(*, user, project_id, pose_ids: list) -> dict[str, PoseVerdict]:
    """{pose id: verdict} for the user's project and the engine in use; another user's or a deleted
    project is 404. Poses that do not exist are left out."""
    project = _owned_project(user=user, project_id=project_id)
    engine = _judge()
    ids = [str(p) for p in pose_ids]
    if engine is None or not ids:
        return dict.fromkeys(ids, SUPPORTED)
    traits = project_pose_traits(project=project, engine=engine)
    targets = _targets(PoseLibrary.objects.filter(pk__in=ids))
    _with_shapes(targets)
    known = [i for i in ids if i in targets]
    verdicts = engine.judge_poses(traits=traits, targets=[targets[i] for i in known])
    return dict(zip(known, verdicts, strict=True))


def poses_require_supported(*, user, project_id, pose_ids: list) -> None:
    """Refuse (422 POSES_UNSUPPORTED, before any charge) a generation with poses the engine cannot
    make from this project's avatar, listing them with their reasons. A missing project is left to the
    caller's 404."""
    if not pose_ids or _judge() is None:
        return
    try:
        verdicts = pose_support_for_project(user=user, project_id=project_id, pose_ids=pose_ids)
    except NotFound:
        return
    refused = [{"poseId": pid, "code": v.code, "reason": verdict_reason(v)}
               for pid, v in verdicts.items() if not v.supported]
    if not refused:
        return
    names = {str(pk): name for pk, name in
             PoseLibrary.objects.filter(pk__in=[r["poseId"] for r in refused]).values_list("pk", "name")}
    for item in refused:
        stored = names.get(str(item["poseId"]), "")
        item["name"] = pose_name_for_reader(stored) if stored else ""  # as the library lists it to this reader
    listing = "; ".join(f"{r['name'] or r['poseId']}: {r['reason']}" for r in refused)
    raise UnprocessableEntity(
        gettext("These poses cannot be made from this avatar photo: %(poses)s Choose other poses.")
        % {"poses": listing}, code="POSES_UNSUPPORTED", poses=refused)


def pose_items_annotate_support(*, user, project_id, items: list[dict[str, Any]]) -> None:
    """Add ``supported``, ``unsupportedReason`` (reader's language, null when supported) and ``adjustedReason``
    (how a supported pose is adjusted for the photo, e.g. the hand holding the bag kept as it is; null when
    it is made as is) to library list items for the user's project; computed per request, never stored in
    the shared page cache."""
    verdicts = pose_support_for_project(user=user, project_id=project_id, pose_ids=[i["id"] for i in items])
    for item in items:
        verdict = verdicts.get(item["id"], SUPPORTED)
        item["supported"] = verdict.supported
        item["unsupportedReason"] = verdict_reason(verdict) or None
        item["adjustedReason"] = verdict_adjusted_reason(verdict) or None


def structures_require_supported(*, user, project_id, structures: list[dict]) -> None:
    """The same refusal for a pose described in text or read from a reference photo (its body-model pose
    and variations): 422 POSES_UNSUPPORTED, before any charge. A missing project is left to the caller."""
    engine = _judge()
    if engine is None or not structures:
        return
    try:
        project = _owned_project(user=user, project_id=project_id)
    except NotFound:
        return
    width, height = settings.POSEGEN_OUTPUT_WIDTH, settings.POSEGEN_OUTPUT_HEIGHT
    verdicts = engine.judge_poses(traits=project_pose_traits(project=project, engine=engine),
                                  targets=[{"pose_structure": s, "width": width, "height": height}
                                           for s in structures])
    refused = [{"poseId": None, "variation": i, "code": v.code, "reason": verdict_reason(v)}
               for i, v in enumerate(verdicts) if not v.supported]
    if refused:
        raise UnprocessableEntity(
            gettext("This pose cannot be made from this avatar photo: %(reason)s Describe or choose another pose.")
            % {"reason": refused[0]["reason"]}, code="POSES_UNSUPPORTED", poses=refused)
