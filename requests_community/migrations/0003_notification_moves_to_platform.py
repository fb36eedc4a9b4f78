# Notification now lives in the platform app lumiku.notifications (its migration 0001 takes the model into
# its state). Only this app's state forgets it: the table requests_community_notification and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("requests_community", "0002_moderation_log_notifications"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
