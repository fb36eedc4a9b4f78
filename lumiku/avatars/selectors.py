from django.db.models import QuerySet

from lumiku.avatars.models import Avatar
from lumiku.core.errors import NotFound


def avatar_list(*, user) -> QuerySet[Avatar]:
    return Avatar.objects.filter(user=user).order_by("-created_at")


def avatar_get(*, user, avatar_id) -> Avatar:
    """The user's avatar, or NotFound — another user's avatar is indistinguishable from none."""
    avatar = Avatar.objects.filter(user=user, pk=avatar_id).first()
    if avatar is None:
        raise NotFound("Avatar not found.", code="AVATAR_NOT_FOUND")
    return avatar


def avatar_images_in_use(names: list[str]) -> set[str]:
    """Of these stored names, those an avatar still shows (see settings.STORAGE_REFERENCE_CHECKS)."""
    return set(Avatar.objects.filter(image__in=names).values_list("image", flat=True))
