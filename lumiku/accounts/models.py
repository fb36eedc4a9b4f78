import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    USER = "user", "User"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    INDONESIAN = "id", "Bahasa Indonesia"


def normalise_email_case(email: str | None) -> str:
    """Emails are stored and compared in lower case: phones capitalise the first letter as people type."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    """Used by Django's auth machinery (createsuperuser). Product code creates users via services."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Login (API, page, admin) looks the email up as stored: lower case, as every path saves it.
        return self.get(email=normalise_email_case(username))

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    # Enterprise accounts pay no credits for add-ons such as the background changer.
    enterprise_unlimited = models.BooleanField(default=False)

    # Pose Generator unlimited tier (fair use: a daily quota of poses, reset lazily every 24 h).
    unlimited_pose_active = models.BooleanField(default=False)
    unlimited_pose_daily_quota = models.PositiveIntegerField(default=100)
    unlimited_pose_quota_used = models.PositiveIntegerField(default=0)
    unlimited_pose_quota_reset_at = models.DateTimeField(null=True, blank=True)
    unlimited_pose_expires_at = models.DateTimeField(null=True, blank=True)

    # Bumped by "log out everywhere": every session and API token issued before then stops working
    # (lumiku/accounts/tokens.py mixes it with the password hash; a password change does the same).
    token_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="user_language_valid"),
            models.CheckConstraint(
                condition=Q(unlimited_pose_quota_used__gte=0) & Q(unlimited_pose_daily_quota__gte=0),
                name="user_unlimited_quota_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = normalise_email_case(self.email)

    def save(self, *args, **kwargs):
        # Every path that writes a user (admin forms, createsuperuser, services, shell) stores one case.
        if self.email:
            self.email = normalise_email_case(self.email)
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Sessions carry this hash; Django ends a session whose hash no longer matches. Version 0 keeps
        # Django's own value, so existing sessions survive the upgrade; a bump ends all of them.
        if not self.token_version:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "lumiku.accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}\x00{self.token_version}", secret=secret,
                           algorithm="sha256").hexdigest()

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN) or self.is_superuser


class RefreshTokenFamily(models.Model):
    """One login's chain of rotated refresh tokens. Only the newest token of the chain may be spent;
    presenting an older one means it was copied, and the whole family is revoked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_token_families")
    current_jti = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="refresh_family_user_revoked")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.pk}"
