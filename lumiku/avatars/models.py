import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNISEX = "unisex", _("Unisex / not specified")


class AgeRange(models.TextChoices):
    CHILD = "child", _("Child")
    TEEN = "teen", _("Teen")
    YOUNG_ADULT = "young_adult", _("Young adult")
    ADULT = "adult", _("Adult")
    MIDDLE_AGED = "middle_aged", _("Middle-aged")
    SENIOR = "senior", _("Senior")


class BodyType(models.TextChoices):
    SLIM = "slim", _("Slim")
    AVERAGE = "average", _("Average")
    ATHLETIC = "athletic", _("Athletic")
    CURVY = "curvy", _("Curvy")
    PLUS_SIZE = "plus_size", _("Plus size")


class Style(models.TextChoices):
    CASUAL = "casual", _("Casual")
    FORMAL = "formal", _("Formal")
    PROFESSIONAL = "professional", _("Professional")
    SPORTY = "sporty", _("Sporty")
    TRADITIONAL = "traditional", _("Traditional")
    MODEST = "modest", _("Modest")
    STREETWEAR = "streetwear", _("Streetwear")


class Avatar(models.Model):
    """A user's model or avatar photo (the "Avatar Creator" side of the platform)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avatars")
    name = models.CharField(max_length=100)
    image = models.FileField(max_length=255)
    image_width = models.PositiveIntegerField()
    image_height = models.PositiveIntegerField()
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.UNISEX)
    age_range = models.CharField(max_length=16, choices=AgeRange.choices, blank=True)
    ethnicity = models.CharField(max_length=50, blank=True)
    body_type = models.CharField(max_length=16, choices=BodyType.choices, blank=True)
    style = models.CharField(max_length=16, choices=Style.choices, blank=True)
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="avatar_user_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="avatar_gender_valid"),
            models.CheckConstraint(condition=Q(age_range__in=[*AgeRange.values, ""]), name="avatar_age_range_valid"),
            models.CheckConstraint(condition=Q(body_type__in=[*BodyType.values, ""]), name="avatar_body_type_valid"),
            models.CheckConstraint(condition=Q(style__in=[*Style.values, ""]), name="avatar_style_valid"),
            models.CheckConstraint(condition=~Q(image=""), name="avatar_image_required"),
        ]

    def __str__(self) -> str:
        return self.name

    def attributes(self) -> dict[str, str]:
        return {
            "gender": self.gender,
            "ageRange": self.age_range,
            "ethnicity": self.ethnicity,
            "bodyType": self.body_type,
            "style": self.style,
        }


class AvatarUsageHistory(models.Model):
    avatar = models.ForeignKey(Avatar, on_delete=models.CASCADE, related_name="usage")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    app_id = models.CharField(max_length=64)
    app_name = models.CharField(max_length=100)
    action = models.CharField(max_length=64)
    reference_id = models.CharField(max_length=64, blank=True)
    reference_type = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "avatar usage history"
        indexes = [
            models.Index(fields=["avatar", "-created_at"], name="avatar_usage_recent"),
            models.Index(fields=["user", "app_id"], name="avatar_usage_user_app"),
        ]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.action} {self.reference_id}"
