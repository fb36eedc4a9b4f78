from django.db import migrations

from lumiku.core.migration_ops import RunSQLOnPostgres


class Migration(migrations.Migration):
    dependencies = [("posegen", "0001_initial")]

    operations = [
        RunSQLOnPostgres(
            sql="CREATE INDEX IF NOT EXISTS pose_tags_gin ON posegen_poselibrary USING gin (tags jsonb_path_ops);",
            reverse_sql="DROP INDEX IF EXISTS pose_tags_gin;",
        ),
    ]
