"""Database helpers the ORM does not offer."""

from django.db import connection


def update_returning(model, pk, *, set_values: dict | None = None, add: dict | None = None,
                     returning: tuple[str, ...] = (), only_if=None) -> dict | None:
    """UPDATE the row of `model` with primary key `pk` and read `returning` fields of the updated row, in one round
    trip (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35). None if there is no such row.

    `set_values` assigns {field: value}; `add` increments {field: amount} in the database (like F(field) + amount),
    so concurrent updates add up. Like QuerySet.update(), no save() and no signals; the UPDATE takes the row's lock
    until the transaction ends. Why not the ORM: `filter().update()` then `.values().get()` is two round trips and
    two compiled queries, on the hottest write path (a check-in). Returned values go through the field's to_python
    (numbers, text, UUIDs, foreign keys; not dates, which SQLite returns as text).

    `only_if` (a Q of `model`) updates the row only if it also matches that condition (a subquery compiled by the
    ORM, in the same statement): None when it does not, as for a missing row."""
    meta, quote = model._meta, connection.ops.quote_name
    assignments, params = [], []
    for name, value in (set_values or {}).items():
        field = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    for name, amount in (add or {}).items():
        column = quote(meta.get_field(name).column)
        assignments.append(f"{column} = {column} + %s")
        params.append(int(amount))
    if not assignments:
        raise ValueError("nothing to update")
    fields = [meta.get_field(name) for name in returning]
    where, where_params = f"{quote(meta.pk.column)} = %s", [meta.pk.get_db_prep_value(pk, connection)]
    if only_if is not None:
        condition, condition_params = model._base_manager.filter(only_if).values("pk").query.sql_with_params()
        where += f" AND {quote(meta.pk.column)} IN ({condition})"
        where_params += list(condition_params)
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    sql = (f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} WHERE {where}"  # noqa: S608
           + (f" RETURNING {', '.join(quote(f.column) for f in fields)}" if fields else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        if not fields:
            return {} if cursor.rowcount else None
        row = cursor.fetchone()
    if row is None:
        return None
    return {name: field.to_python(value) for name, field, value in zip(returning, fields, row, strict=True)}
