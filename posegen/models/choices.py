from django.db import models


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class GenderSuitability(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    UNISEX = "unisex", "Unisex"


class SourceType(models.TextChoices):
    CURATED = "curated", "Curated"
    USER_CONTRIBUTED = "user_contributed", "User contributed"
    AI_GENERATED = "ai_generated", "AI generated"


class AvatarSource(models.TextChoices):
    UPLOAD = "UPLOAD", "Upload"
    AVATAR_CREATOR = "AVATAR_CREATOR", "Avatar Creator"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"
    DELETED = "deleted", "Deleted"


class GenerationType(models.TextChoices):
    GALLERY_REFERENCE = "GALLERY_REFERENCE", "From the pose gallery"
    TEXT_DESCRIPTION = "TEXT_DESCRIPTION", "From a text description"
    POSE_FROM_PHOTO = "POSE_FROM_PHOTO", "From a reference photo"


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    PARTIAL = "partial", "Partially completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_GENERATION_STATUSES = (GenerationStatus.PENDING, GenerationStatus.PROCESSING)


class BackgroundMode(models.TextChoices):
    AI_GENERATE = "ai_generate", "AI generated"
    SOLID_COLOR = "solid_color", "Solid colour"
    UPLOAD = "upload", "Uploaded image"
    BLUR = "blur", "Blurred original"


class PaymentMethod(models.TextChoices):
    CREDITS = "credits", "Credits"
    UNLIMITED_QUOTA = "unlimited_quota", "Unlimited tier quota"


class PoseStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
