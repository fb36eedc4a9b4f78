"""PostgreSQL-only search for the pose library (SQLite skips these and searches with LIKE).

- pg_trgm and a GIN trigram index on the name: fuzzy matches ("hnds on hip") and substrings.
- search_vector (name weight A, tags B, description C; English stemming) kept by a trigger on insert
  and on updates of those columns, so bulk inserts and admin edits stay searchable, with a GIN index.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from lumiku.core.migration_ops import RunSQLOnPostgres

FORWARD = """
CREATE OR REPLACE FUNCTION posegen_poselibrary_search_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A') ||
    setweight(to_tsvector('english', coalesce((SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(NEW.tags) = 'array' THEN NEW.tags ELSE '[]'::jsonb END)), '')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS posegen_poselibrary_search ON posegen_poselibrary;
CREATE TRIGGER posegen_poselibrary_search
    BEFORE INSERT OR UPDATE OF name, description, tags ON posegen_poselibrary
    FOR EACH ROW EXECUTE FUNCTION posegen_poselibrary_search_update();

UPDATE posegen_poselibrary SET name = name;

CREATE INDEX IF NOT EXISTS pose_search_gin ON posegen_poselibrary USING gin (search_vector);
CREATE INDEX IF NOT EXISTS pose_name_trgm ON posegen_poselibrary USING gin (name gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS pose_name_trgm;
DROP INDEX IF EXISTS pose_search_gin;
DROP TRIGGER IF EXISTS posegen_poselibrary_search ON posegen_poselibrary;
DROP FUNCTION IF EXISTS posegen_poselibrary_search_update();
"""


class Migration(migrations.Migration):
    dependencies = [("posegen", "0006_library_catalog_key_favorites_search")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(sql=FORWARD, reverse_sql=BACKWARD),
    ]
