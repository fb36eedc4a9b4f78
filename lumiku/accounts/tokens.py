"""API tokens (simplejwt) that die with the password and with "log out everywhere", and refresh
tokens that rotate with reuse detection.

Every token carries two claims of ours:
- `ver`: an HMAC of the user's password hash and `token_version`. Any password change (reset page,
  admin form, `set_password` anywhere) changes the hash; "log out everywhere" bumps the version. A token
  whose stamp no longer matches is refused, access and refresh alike, whatever path changed it.
- `fam`: the refresh-token family (one per login). Refreshing spends the family's current refresh token
  and hands back a new pair; spending an older one again means a copy is in other hands, so the family
  is revoked and neither holder can refresh or call the API with its tokens any more.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from lumiku.accounts.models import RefreshTokenFamily, User

logger = logging.getLogger(__name__)

STAMP_CLAIM = "ver"
FAMILY_CLAIM = "fam"


class TokenRefused(exceptions.AuthenticationFailed):
    default_detail = gettext_lazy("Your session has ended. Please log in again.")
    default_code = "token_not_valid"


def token_stamp(*, user) -> str:
    return salted_hmac("lumiku.accounts.tokens.stamp", f"{user.password}\x00{user.token_version}",
                       algorithm="sha256").hexdigest()[:32]


def _stamp_matches(*, token, user) -> bool:
    return hmac.compare_digest(str(token.get(STAMP_CLAIM, "")), token_stamp(user=user))


def _new_refresh(*, user, family_id) -> RefreshToken:
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = str(family_id)
    refresh[STAMP_CLAIM] = token_stamp(user=user)
    return refresh


def token_pair_issue(*, user) -> RefreshToken:
    """A new login: a new family and its first refresh token (`.access_token` gives the access token)."""
    family = RefreshTokenFamily(user=user, current_jti="",
                                expires_at=timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"])
    refresh = _new_refresh(user=user, family_id=family.pk)
    family.current_jti = refresh[api_settings.JTI_CLAIM]
    family.save()
    return refresh


def token_refresh(*, raw: str) -> dict[str, str]:
    """Spend a refresh token: a new {access, refresh} pair, or TokenRefused (401)."""
    try:
        token = RefreshToken(raw)
    except TokenError:
        raise TokenRefused() from None
    family_id, jti = token.get(FAMILY_CLAIM), token.get(api_settings.JTI_CLAIM)
    if not family_id or not jti:
        raise TokenRefused()
    reused = False
    with transaction.atomic():
        family = (RefreshTokenFamily.objects.select_for_update().select_related("user")
                  .filter(pk=family_id, user_id=token.get(api_settings.USER_ID_CLAIM)).first())
        if family is None or family.revoked_at is not None:
            raise TokenRefused()
        user = family.user
        if family.current_jti != jti:
            # Committed below, outside the refusal: the revocation must outlive this request.
            family.revoked_at = timezone.now()
            family.save(update_fields=["revoked_at"])
            reused = True
        elif not user.is_active or not _stamp_matches(token=token, user=user):
            raise TokenRefused()
        else:
            refresh = _new_refresh(user=user, family_id=family.pk)
            family.current_jti = refresh[api_settings.JTI_CLAIM]
            family.expires_at = timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
            family.save(update_fields=["current_jti", "expires_at"])
    if reused:
        logger.warning("refresh token reused; family %s of user %s revoked", family_id, user.pk)
        raise TokenRefused()
    if api_settings.UPDATE_LAST_LOGIN:
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_logout_everywhere(*, user) -> None:
    """End every session and every API token of `user` (the current one included)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
        RefreshTokenFamily.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    user.refresh_from_db(fields=["token_version"])


def refresh_families_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Families whose last refresh token expired a while ago can never be used again."""
    deleted, _ = RefreshTokenFamily.objects.filter(expires_at__lt=timezone.now() - older_than).delete()
    return deleted


class StampedJWTAuthentication(JWTAuthentication):
    """simplejwt's access-token check, plus: the stamp matches the user now, the family is not revoked."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not _stamp_matches(token=validated_token, user=user):
            raise TokenRefused()
        family_id = validated_token.get(FAMILY_CLAIM)
        if not family_id or RefreshTokenFamily.objects.filter(pk=family_id, revoked_at__isnull=False).exists():
            raise TokenRefused()
        return user
