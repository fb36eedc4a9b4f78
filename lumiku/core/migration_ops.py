"""Migration operations that apply only on PostgreSQL (GIN/trigram indexes, triggers).

SQLite (the embedded default) skips them; the model state is unaffected, so `makemigrations`
stays clean on both.
"""

from django.db import migrations


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
