from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class GenderSuitability(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNISEX = "unisex", _("Unisex")


class SourceType(models.TextChoices):
    CURATED = "curated", _("Curated")
    USER_CONTRIBUTED = "user_contributed", _("User contributed")
    AI_GENERATED = "ai_generated", _("AI generated")


class AvatarSource(models.TextChoices):
    UPLOAD = "UPLOAD", _("Upload")
    AVATAR_CREATOR = "AVATAR_CREATOR", _("Avatar Creator")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
    DELETED = "deleted", _("Deleted")


class GenerationType(models.TextChoices):
    GALLERY_REFERENCE = "GALLERY_REFERENCE", _("From the pose gallery")
    TEXT_DESCRIPTION = "TEXT_DESCRIPTION", _("From a text description")
    POSE_FROM_PHOTO = "POSE_FROM_PHOTO", _("From a reference photo")


class GenerationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    PARTIAL = "partial", _("Partially completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_GENERATION_STATUSES = (GenerationStatus.PENDING, GenerationStatus.PROCESSING)


class BackgroundMode(models.TextChoices):
    AI_GENERATE = "ai_generate", _("AI generated")
    SOLID_COLOR = "solid_color", _("Solid colour")
    UPLOAD = "upload", _("Uploaded image")
    BLUR = "blur", _("Blurred original")


class PaymentMethod(models.TextChoices):
    CREDITS = "credits", _("Credits")
    UNLIMITED_QUOTA = "unlimited_quota", _("Unlimited tier quota")


class PoseStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LedgerReference(StrEnum):
    """The credit ledger's ``reference_type`` for this product's rows (``reference_id`` is the row's id):
    charges, refunds, the credit history's wording (posegen.ledger_reasons), audits and stats all name
    them from here."""

    GENERATION = "pose_generation"
    BACKGROUND_CHANGE = "background_change"
