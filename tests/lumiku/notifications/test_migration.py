"""The Notification model moved from requests_community to lumiku.notifications by state alone: rows written
before the move are the platform model's rows after it, and its content type (so its permissions) follows."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lumiku.notifications.models import Notification
from tests.factories import UserFactory

OLD = ("requests_community", "0002_moderation_log_notifications")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_written_before_the_move_belong_to_the_platform_model_after_it():
    user = UserFactory()
    try:
        old_apps = _migrate([OLD, ("notifications", None)]).loader.project_state(OLD).apps
        old_model = old_apps.get_model("requests_community", "Notification")
        row = old_model.objects.create(user_id=user.pk, kind="request.status_changed", title="Old row",
                                       data={"poseName": "Wave"})
        content_type = ContentType.objects.get_or_create(app_label="requests_community", model="notification")[0]
        permission = Permission.objects.get_or_create(codename="view_notification", content_type=content_type,
                                                      defaults={"name": "Can view notification"})[0]
        moderators = Group.objects.create(name="moderators")
        moderators.permissions.add(permission)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = Notification.objects.get(pk=row.pk)
    assert (moved.user_id, moved.kind, moved.title, moved.data) == (user.pk, "request.status_changed", "Old row",
                                                                     {"poseName": "Wave"})
    assert Notification._meta.db_table == "requests_community_notification"
    assert list(moderators.permissions.values_list("content_type__app_label", "codename")) == [
        ("notifications", "view_notification")]
    assert not ContentType.objects.filter(app_label="requests_community", model="notification").exists()
