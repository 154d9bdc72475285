"""Many rows in one statement each, for the registry's hot paths (a district list logs 500 looks; 安否 matching
writes thousands of statuses). The ORM's bulk_create and bulk_update prepare every field of every row through
their generic path, which cost more than the work itself (docs/benchmarks.md, issue 16 part 2). Table and column
names come from the models, never from input; values are always parameters. Run inside the caller's
transaction."""

from django.db import connection


def insert_many(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a statement per row (a district list's 500 looks cost a third).
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",  # noqa: S608
                           rows)


def update_many(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """UPDATE … SET each column WHERE id = the last value of each row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def db_datetime(value):
    """An aware datetime as the backend stores it (for rows written by these functions)."""
    return connection.ops.adapt_datetimefield_value(value)
