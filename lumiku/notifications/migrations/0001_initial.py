# The Notification model moves here from requests_community with its table: only Django's state moves
# (requests_community 0003 deletes it from that app's state); the table, its rows and indexes stay as they are.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_notifications(apps, schema_editor):
    """Carry the model's content type (and so its permissions and admin log entries) to the new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="notifications", model="notification").exists():
        content_type.objects.filter(app_label="requests_community", model="notification").update(
            app_label="notifications")


def content_type_to_requests_community(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="requests_community", model="notification").exists():
        content_type.objects.filter(app_label="notifications", model="notification").update(
            app_label="requests_community")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("requests_community", "0002_moderation_log_notifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True,
                                                serialize=False)),
                        ("kind", models.CharField(max_length=50)),
                        ("title", models.CharField(max_length=200)),
                        ("body", models.TextField(blank=True)),
                        ("link", models.CharField(blank=True, max_length=500)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "requests_community_notification",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
                            models.Index(fields=["user", "read_at"], name="notification_user_read"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_notifications, content_type_to_requests_community),
    ]
