"""Reads for the generation page: one card per expected image, with what the page must show about it.

The card's `state` is a short digest of everything a card displays except the favourite flag (which
the user toggles in place), so the live page can ask "which cards changed?" cheaply and fetch only those.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db.models import Prefetch

from lumiku.core.storage import storage_url
from posegen.format_labels import format_label
from posegen.imaging.export_formats import EXPORT_FORMATS
from posegen.library_i18n import pose_name_for_reader
from posegen.models import GeneratedPose, PoseGeneration
from posegen.models.choices import PaymentMethod, PoseStatus
from posegen.models.generation import ACTIVE_BACKGROUND_JOB_STATUSES, BackgroundJob, BackgroundJobStatus
from posegen.selectors.generations import generation_image_price, generation_results


def export_choices() -> list[tuple[str, str]]:
    return [(name, format_label(name)) for name in EXPORT_FORMATS]


@dataclass(frozen=True)
class ExportLink:
    name: str
    label: str
    ready: bool
    failed: str = ""  # why the latest export of this format failed (the others were delivered)


@dataclass
class PoseCard:
    pose: GeneratedPose
    number: int
    title: str
    refunded_credits: int
    refunded_quota: bool
    background_job: BackgroundJob | None
    exports: list[ExportLink] = field(default_factory=list)

    @property
    def export_choices(self) -> list[tuple[str, str]]:
        return export_choices()

    @property
    def thumbnail_url(self) -> str | None:
        return storage_url(self.pose.thumbnail.name) or storage_url(self.pose.output_image.name)

    @property
    def original_url(self) -> str | None:
        return storage_url(self.pose.original_image.name) if self.pose.background_changed else None

    @property
    def output_url(self) -> str | None:
        return storage_url(self.pose.output_image.name)

    @property
    def background_busy(self) -> bool:
        return self.background_job is not None and self.background_job.status in ACTIVE_BACKGROUND_JOB_STATUSES

    @property
    def background_failed(self) -> bool:
        return self.background_job is not None and self.background_job.status == BackgroundJobStatus.FAILED

    @property
    def state(self) -> str:
        pose, job = self.pose, self.background_job
        parts = [pose.status, pose.output_image.name, pose.thumbnail.name, str(pose.background_changed),
                 ",".join(sorted(pose.export_formats or {})), ",".join(sorted(pose.export_failures or {})),
                 pose.error_message,
                 f"{job.pk}:{job.status}" if job else ""]
        return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()[:12]


def _exports(pose: GeneratedPose, wanted: list[str]) -> list[ExportLink]:
    stored, failures = pose.export_formats or {}, pose.export_failures or {}
    names = ["original", *[n for n in wanted if n != "original"],
             *[n for n in stored if n != "original" and n not in wanted]]
    return [ExportLink(name=n, label=format_label(n), ready=bool(stored.get(n)),
                       failed="" if stored.get(n) else failures.get(n, "")) for n in dict.fromkeys(names)]


def _card(*, generation: PoseGeneration, pose: GeneratedPose, image_price: int) -> PoseCard:
    jobs = getattr(pose, "latest_background_jobs", None)
    job = jobs[0] if jobs else None
    unlimited = generation.payment_method == PaymentMethod.UNLIMITED_QUOTA
    refunded = pose.refunded and pose.status in (PoseStatus.FAILED, PoseStatus.CANCELLED)
    title = pose_name_for_reader(pose.pose_library.name) if pose.pose_library_id and pose.pose_library else ""
    return PoseCard(
        pose=pose, number=pose.sequence + 1, title=title,
        refunded_credits=image_price if refunded and not unlimited else 0,
        refunded_quota=refunded and unlimited, background_job=job,
        exports=_exports(pose, list(generation.export_formats or [])) if pose.status == PoseStatus.COMPLETED else [],
    )


def generation_pose_cards(*, generation: PoseGeneration, pose_ids=None) -> list[PoseCard]:
    """Cards in sequence order (all of them, or only `pose_ids`), each with its latest background job."""
    poses = generation_results(generation=generation).prefetch_related(
        Prefetch("background_jobs", queryset=BackgroundJob.objects.order_by("-created_at"),
                 to_attr="latest_background_jobs"))
    if pose_ids is not None:
        poses = poses.filter(pk__in=pose_ids)
    image_price = generation_image_price(generation=generation)
    return [_card(generation=generation, pose=pose, image_price=image_price) for pose in poses]

