from django.db import migrations

from lumiku.core.migration_ops import RunSQLOnPostgres

# The ledger is append-only: no row is ever rewritten. (Deleting a user still cascades.)
FORWARD = """
CREATE OR REPLACE FUNCTION credits_ledger_no_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credits ledger entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credits_ledger_append_only BEFORE UPDATE ON credits_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION credits_ledger_no_update();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS credits_ledger_append_only ON credits_ledgerentry;
DROP FUNCTION IF EXISTS credits_ledger_no_update();
"""


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [RunSQLOnPostgres(sql=FORWARD, reverse_sql=BACKWARD)]
