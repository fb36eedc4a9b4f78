import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q

from posegen.models.choices import Difficulty, GenderSuitability, SourceType


class PoseCategory(models.Model):
    """A node of the 2–3 level category tree."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    display_name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    icon = models.CharField(max_length=50, default="folder")
    display_order = models.IntegerField(default=0)
    color = models.CharField(max_length=7, default="#3b82f6")
    pose_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_order", "display_name"]
        verbose_name_plural = "pose categories"
        indexes = [
            models.Index(fields=["parent"], name="posecat_parent"),
            models.Index(fields=["is_active", "display_order"], name="posecat_active_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="posecat_not_own_parent"),
            models.CheckConstraint(condition=Q(pose_count__gte=0), name="posecat_pose_count_non_negative"),
            models.CheckConstraint(condition=Q(color__regex=r"^#[0-9A-Fa-f]{6}$"), name="posecat_color_hex"),
        ]

    def __str__(self) -> str:
        return self.display_name


class PoseLibrary(models.Model):
    """A curated pose: keypoints, OpenPose JSON and four images (reference, preview, thumbnail, map)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    category = models.ForeignKey(PoseCategory, on_delete=models.PROTECT, related_name="poses")

    preview_image = models.FileField(max_length=255, blank=True)
    reference_image = models.FileField(max_length=255, blank=True)
    controlnet_image = models.FileField(max_length=255, blank=True)
    thumbnail = models.FileField(max_length=255, blank=True)

    keypoints = models.JSONField(default=list, blank=True)  # COCO-18 [[x, y, confidence], ...], normalised
    openpose_json = models.JSONField(default=dict, blank=True)
    pose_structure = models.JSONField(default=dict, blank=True)

    difficulty = models.CharField(max_length=16, choices=Difficulty.choices, default=Difficulty.INTERMEDIATE)
    gender_suitability = models.CharField(
        max_length=16, choices=GenderSuitability.choices, default=GenderSuitability.UNISEX
    )
    tags = models.JSONField(default=list, blank=True)

    source_type = models.CharField(max_length=20, choices=SourceType.choices, default=SourceType.CURATED)
    source_credit = models.CharField(max_length=200, blank=True)
    license_type = models.CharField(max_length=50, default="platform")

    usage_count = models.PositiveIntegerField(default=0)
    favorite_count = models.PositiveIntegerField(default=0)
    rating_avg = models.FloatField(default=0.0)
    popularity_score = models.PositiveIntegerField(default=0)  # usage_count + favorite_count

    is_public = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    is_premium = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # How early a new shop sees the pose while nothing is popular (catalog.categories.category_seller_rank):
    # the default order is popularity, then this, then name.
    seller_rank = models.PositiveSmallIntegerField(default=1)
    # Stable identity of a studio-catalogue pose (seed_pose_library upserts by it); null for others.
    catalog_key = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False)
    # PostgreSQL full-text document (name A, tags B, description C), kept by a trigger; NULL on SQLite.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-popularity_score", "name"]
        verbose_name = "library pose"
        verbose_name_plural = "pose library"
        indexes = [
            models.Index(fields=["category"], name="pose_category"),
            models.Index(fields=["difficulty"], name="pose_difficulty"),
            models.Index(fields=["is_public", "-popularity_score"], name="pose_public_popular"),
            models.Index(fields=["is_featured", "-usage_count"], name="pose_featured_usage"),
            models.Index(fields=["-created_at"], name="pose_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(difficulty__in=Difficulty.values), name="pose_difficulty_valid"),
            models.CheckConstraint(
                condition=Q(gender_suitability__in=GenderSuitability.values), name="pose_gender_valid"
            ),
            models.CheckConstraint(condition=Q(source_type__in=SourceType.values), name="pose_source_type_valid"),
            models.CheckConstraint(condition=Q(rating_avg__gte=0) & Q(rating_avg__lte=5), name="pose_rating_range"),
            models.CheckConstraint(
                condition=Q(popularity_score=F("usage_count") + F("favorite_count")),
                name="pose_popularity_is_usage_plus_favorites",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PoseFavorite(models.Model):
    """A user's favourite library pose. The pose's favorite_count counts these rows."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pose_favorites")
    pose = models.ForeignKey(PoseLibrary, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "pose"], name="posefav_one_per_user_pose")]
        indexes = [models.Index(fields=["user", "-created_at"], name="posefav_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.pose_id}"
