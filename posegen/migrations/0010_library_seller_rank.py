"""The library's default order for a new shop: popularity, then how much sellers use the pose's
category (``seller_rank``: standing, hands on hips, walking, holding a product first; dance, yoga,
jumps and lying last), then name. Existing rows get their rank from their category; on PostgreSQL
the browse index follows the new order (an index-only scan however deep the page)."""

from django.db import migrations, models

from lumiku.core.migration_ops import RunSQLOnPostgres

INDEX = (
    "CREATE INDEX IF NOT EXISTS pose_public_popular_rank_name ON posegen_poselibrary "
    "(is_public, popularity_score DESC, seller_rank, name, id) "
    "INCLUDE (is_featured, difficulty, gender_suitability, category_id);"
)
OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS pose_public_popular_name ON posegen_poselibrary "
    "(is_public, popularity_score DESC, name, id) "
    "INCLUDE (is_featured, difficulty, gender_suitability, category_id);"
)


def rank_existing(apps, schema_editor):
    from posegen.posekit.catalog.categories import category_seller_rank

    PoseLibrary = apps.get_model("posegen", "PoseLibrary")
    PoseCategory = apps.get_model("posegen", "PoseCategory")
    for category in PoseCategory.objects.all().only("id", "slug"):
        rank = category_seller_rank(category.slug)
        if rank != 1:
            PoseLibrary.objects.filter(category_id=category.pk).update(seller_rank=rank)


class Migration(migrations.Migration):

    dependencies = [
        ('posegen', '0009_generated_pose_export_failures_subject'),
    ]

    operations = [
        migrations.AddField(
            model_name='poselibrary',
            name='seller_rank',
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.RunPython(rank_existing, migrations.RunPython.noop),
        RunSQLOnPostgres(sql=[INDEX, "DROP INDEX IF EXISTS pose_public_popular_name;"],
                         reverse_sql=[OLD_INDEX, "DROP INDEX IF EXISTS pose_public_popular_rank_name;"]),
    ]
