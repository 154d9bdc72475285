"""SQL for the append-only audit table, shared by migration 0002 and the test harness."""

TABLE = "accounts_auditevent"

_SQL = {
    "sqlite": {
        "create": [
            f"""CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON {TABLE}
                BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
            f"""CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON {TABLE}
                BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
        ],
        "drop": ["DROP TRIGGER IF EXISTS auditevent_no_update;", "DROP TRIGGER IF EXISTS auditevent_no_delete;"],
    },
    "postgresql": {
        "create": [
            """CREATE OR REPLACE FUNCTION toki_audit_append_only() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP; END;
                $$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON {TABLE}
                FOR EACH ROW EXECUTE FUNCTION toki_audit_append_only();""",
            # TRUNCATE bypasses row triggers; refuse it with a statement trigger.
            f"""CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON {TABLE}
                FOR EACH STATEMENT EXECUTE FUNCTION toki_audit_append_only();""",
        ],
        "drop": [
            f"DROP TRIGGER IF EXISTS auditevent_append_only ON {TABLE};",
            f"DROP TRIGGER IF EXISTS auditevent_no_truncate ON {TABLE};",
        ],
    },
}


def _run(schema_editor, which: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in _SQL:
        raise RuntimeError(f"append-only audit triggers are not written for {vendor}")
    for statement in _SQL[vendor][which]:
        schema_editor.execute(statement, params=None)  # params=None: the SQL holds a literal %


def create(schema_editor) -> None:
    _run(schema_editor, "create")


def drop(schema_editor) -> None:
    _run(schema_editor, "drop")
