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
