from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lumiku.accounts.models import Role
from lumiku.core.errors import Conflict, ValidationFailed
from lumiku.credits.models import Wallet
from lumiku.credits.services import credits_grant


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        message = _("Enter a valid email address.")
        raise ValidationFailed(message, fields={"email": [message]}) from None
    return email


def user_create(*, email: str, password: str, name: str = "", language: str = "en"):
    """Register a user: validated email and password, a wallet, and the configured welcome grant."""
    user_model = get_user_model()
    email = _normalise_email(email)
    candidate = user_model(email=email, name=name.strip())
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Choose a stronger password. %(reasons)s") % {"reasons": " ".join(exc.messages)},
            fields={"password": exc.messages},
        ) from None
    with transaction.atomic():
        if user_model.objects.filter(email__iexact=email).exists():
            raise Conflict(_("An account with this email already exists."), code="EMAIL_TAKEN")
        user = user_model(email=email, name=name.strip()[:150], language=language)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise Conflict(_("An account with this email already exists."), code="EMAIL_TAKEN") from None
        Wallet.objects.create(user=user)
        if settings.CREDITS_WELCOME_GRANT > 0:
            credits_grant(
                user_id=user.pk,
                amount=settings.CREDITS_WELCOME_GRANT,
                idempotency_key=f"grant:welcome:{user.pk}",
                reference_type="welcome",
                reference_id=str(user.pk),
                description="Welcome credits",
            )
    return user


def user_set_role(*, user, role: str):
    """Moderators and admins get Django admin access; plain users lose it."""
    if role not in Role.values:
        raise ValidationFailed(_("role must be one of %(roles)s") % {"roles": ", ".join(Role.values)})
    user.role = role
    user.is_staff = role in (Role.MODERATOR, Role.ADMIN)
    user.save(update_fields=["role", "is_staff"])
    return user


def user_update_profile(*, user, name: str | None = None, language: str | None = None):
    fields = []
    if name is not None:
        user.name = name.strip()[:150]
        fields.append("name")
    if language is not None:
        if language not in dict(settings.LANGUAGES):
            raise ValidationFailed(_("language must be 'en' or 'id'"))
        user.language = language
        fields.append("language")
    if fields:
        user.save(update_fields=fields)
    return user
