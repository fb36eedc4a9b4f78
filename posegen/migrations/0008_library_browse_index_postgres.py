"""PostgreSQL-only: the library's default order (popular, then name, then id) as one index, with the
list filters' columns included, so a page is found by an index-only scan however deep it is
(selectors_library fetches the page's ids first, then only those rows)."""

from django.db import migrations

from lumiku.core.migration_ops import RunSQLOnPostgres


class Migration(migrations.Migration):
    dependencies = [("posegen", "0007_library_search_postgres")]

    operations = [
        RunSQLOnPostgres(
            sql=(
                "CREATE INDEX IF NOT EXISTS pose_public_popular_name ON posegen_poselibrary "
                "(is_public, popularity_score DESC, name, id) "
                "INCLUDE (is_featured, difficulty, gender_suitability, category_id);"
            ),
            reverse_sql="DROP INDEX IF EXISTS pose_public_popular_name;",
        ),
    ]
