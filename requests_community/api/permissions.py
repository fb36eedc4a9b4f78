from rest_framework.permissions import BasePermission


class IsModerator(BasePermission):
    """Moderators and admins (role), or superusers. Anonymous → 401, anyone else → 403 FORBIDDEN."""

    message = "Only moderators can do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_moderator", False))
