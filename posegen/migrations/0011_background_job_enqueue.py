"""Background-change jobs count the messages published for them and remember when the last one was, so the
stale sweep (posegen.services.background_sweep) can queue a lost one again a bounded number of times. Rows
already there count one message, published now: a stranded one is swept after the usual wait."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("posegen", "0010_library_seller_rank"),
    ]

    operations = [
        migrations.AddField(
            model_name="backgroundjob",
            name="enqueue_attempts",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="backgroundjob",
            name="enqueued_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]
