"""Admin building blocks shared by the apps."""


class ReadOnlyAdminMixin:
    """For rows that only services may write (ledger, votes, moderation log): the admin shows them,
    never adds, edits or deletes them — a delete here would bypass the counters those services keep."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
