"""SQL for append-only tables (UPDATE, DELETE and on PostgreSQL TRUNCATE refused by the database itself), shared
by the migrations that create the triggers and by the test harness that lifts them while it empties the database.

The audit table (`accounts/0002`) was the first; other append-only logs (the HQ chronology) call `create(editor,
table)` from their own migration and are listed in `TABLES` so the test harness knows them."""

TABLE = "accounts_auditevent"
# Every append-only table of the project, in creation order (the test harness lifts the guards of those present).
TABLES = (TABLE, "hq_chronologyentry", "hq_chronologyannotation", "shelters_checkinevent",
          "damage_damagereportversion", "notices_noticerevision", "kpi_result", "registry_accesslog",
          "registry_accesslogcheckpoint")
# Append-only tables whose old rows may be pruned, each with the table of its checkpoints: the database lets a row
# be deleted only when a checkpoint covers it (its id at most the checkpoint's `last_id`); every other DELETE, every
# UPDATE and TRUNCATE stay refused (registry access log retention, docs/registry.md).
PRUNABLE = {"registry_accesslog": "registry_accesslogcheckpoint"}


def _names(table: str) -> dict:
    # The audit table keeps the trigger names its migration created before the helper was generalised.
    prefix = "auditevent" if table == TABLE else table
    return {"update": f"{prefix}_no_update", "delete": f"{prefix}_no_delete", "row": f"{prefix}_append_only",
            "truncate": f"{prefix}_no_truncate"}


def _sql(vendor: str, which: str, table: str, prunable: bool = True) -> list[str]:
    names = _names(table)
    checkpoints = PRUNABLE.get(table) if prunable else None
    if vendor == "sqlite":
        if which == "create":
            uncovered = (f" WHEN NOT EXISTS (SELECT 1 FROM {checkpoints} WHERE last_id >= OLD.id)"  # noqa: S608
                         if checkpoints else "")
            return [
                f"""CREATE TRIGGER {names['update']} BEFORE UPDATE ON {table}
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;""",
                f"""CREATE TRIGGER {names['delete']} BEFORE DELETE ON {table}{uncovered}
                    BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;""",
            ]
        return [f"DROP TRIGGER IF EXISTS {names['update']};", f"DROP TRIGGER IF EXISTS {names['delete']};"]
    if vendor == "postgresql":
        if which == "create" and checkpoints:
            return [
                f"""CREATE OR REPLACE FUNCTION {table}_prunable() RETURNS trigger AS $$
                    BEGIN
                      IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM {checkpoints} WHERE last_id >= OLD.id) THEN
                        RETURN OLD;
                      END IF;
                      RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
                    END;
                    $$ LANGUAGE plpgsql;""",  # noqa: S608 — table names are the constants above
                f"""CREATE TRIGGER {names['row']} BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_prunable();""",
                """CREATE OR REPLACE FUNCTION toki_audit_append_only() RETURNS trigger AS $$
                    BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END;
                    $$ LANGUAGE plpgsql;""",
                f"""CREATE TRIGGER {names['truncate']} BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION toki_audit_append_only();""",
            ]
        if which == "create":
            return [
                """CREATE OR REPLACE FUNCTION toki_audit_append_only() RETURNS trigger AS $$
                    BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END;
                    $$ LANGUAGE plpgsql;""",
                f"""CREATE TRIGGER {names['row']} BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION toki_audit_append_only();""",
                # TRUNCATE bypasses row triggers; refuse it with a statement trigger.
                f"""CREATE TRIGGER {names['truncate']} BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION toki_audit_append_only();""",
            ]
        return [f"DROP TRIGGER IF EXISTS {names['row']} ON {table};",
                f"DROP TRIGGER IF EXISTS {names['truncate']} ON {table};"]
    raise RuntimeError(f"append-only triggers are not written for {vendor}")


def _run(schema_editor, which: str, table: str) -> None:
    # A prunable table's guard names its checkpoint table: until that exists (earlier migrations), the plain guard.
    prunable = table in PRUNABLE and PRUNABLE[table] in schema_editor.connection.introspection.table_names()
    for statement in _sql(schema_editor.connection.vendor, which, table, prunable):
        schema_editor.execute(statement, params=None)  # params=None: the SQL holds a literal %


def create(schema_editor, table: str = TABLE) -> None:
    _run(schema_editor, "create", table)


def drop(schema_editor, table: str = TABLE) -> None:
    _run(schema_editor, "drop", table)


def create_replace_guard(schema_editor, table: str, unique: tuple[str, ...] = ("id",)) -> None:
    """SQLite only: refuse an INSERT that would replace a row (`INSERT OR REPLACE`, `REPLACE INTO`, an upsert's
    REPLACE conflict clause). SQLite carries out the replacement as a delete that fires no DELETE trigger, so the
    UPDATE/DELETE triggers alone let an append-only row be rewritten (issue 13, finding 12). The guard refuses any
    insert whose id (or other unique column) is already there, whatever the conflict clause; a plain duplicate
    fails as before, as an IntegrityError. PostgreSQL has no REPLACE: nothing to do there."""
    if schema_editor.connection.vendor != "sqlite":
        return
    clash = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {column} = NEW.{column})"  # noqa: S608
                        for column in unique)
    schema_editor.execute(
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} WHEN {clash}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: an existing row cannot be replaced'); END;""",
        params=None)


def drop_replace_guard(schema_editor, table: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace;", params=None)


def guard_operation(*tables: str, unique: dict | None = None, replace_only: bool = False):
    """The migration operation that makes `tables` append-only (UPDATE, DELETE, TRUNCATE and REPLACE refused), or
    with `replace_only` adds only the REPLACE guard to tables guarded before it existed. `unique` maps a table
    to the unique columns a REPLACE could clash on besides `id`."""
    from django.db import migrations

    def forward(apps, schema_editor):
        for table in tables:
            if not replace_only:
                create(schema_editor, table)
            create_replace_guard(schema_editor, table, ("id", *(unique or {}).get(table, ())))

    def reverse(apps, schema_editor):
        for table in tables:
            drop_replace_guard(schema_editor, table)
            if not replace_only:
                drop(schema_editor, table)

    return migrations.RunPython(forward, reverse)
