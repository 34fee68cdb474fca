"""The audit trail is append-only in the database itself, not only in the application.

On PostgreSQL a trigger refuses any UPDATE or DELETE of an audit entry, whoever connects:
the admin, a shell, a script. (TRUNCATE, which only the database owner's maintenance uses,
is not a row change.) SQLite, the development default, is left as it is.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zonehr_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % of an entry refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER zonehr_audit_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION zonehr_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS zonehr_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS zonehr_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters, so the % of the RAISE format is not read as a placeholder.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("zonehr", "0002_role_groups"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
