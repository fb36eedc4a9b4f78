from django.db import migrations, models


class Migration(migrations.Migration):
    """Heartbeats become per worker process (generated id + node name + pid). The rows are ephemeral
    (rewritten every few seconds by live workers), so the table is recreated rather than migrated."""

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="WorkerHeartbeat"),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("hostname", models.CharField(db_index=True, max_length=255)),
                ("pid", models.PositiveIntegerField()),
                ("queues", models.JSONField(default=list)),
                ("started_at", models.DateTimeField()),
                ("last_seen", models.DateTimeField(db_index=True)),
            ],
            options={"ordering": ["hostname", "pid"]},
        ),
    ]
