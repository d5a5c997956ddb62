"""Written-out SQL for the rows of the hottest paths (placing and paying orders, moving money).

The ORM spends longer building an INSERT or an UPDATE (about 0.3 ms each) than the database
spends running it, and an order placement or a payment makes several. These helpers write the
same statements from the models' metadata, so columns, defaults and `auto_now` fields stay the
models' own; plain SQL that PostgreSQL and SQLite (3.35 or later, for RETURNING) both take.
"""
from django.db import connection


def loaded(model, **values):
    """An instance of `model` holding `values` (by attribute name, e.g. `customer_id`), as if the
    ORM had loaded it with `only()`: fields not given are deferred and load on first access."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    if len(names) != len(values):
        raise ValueError(f"not fields of {model.__name__}: {set(values) - set(names)}")
    return model.from_db(connection.alias, names, [values[name] for name in names])


def find_row(model, **equal):
    """The row of `model` whose fields equal `equal` (by attribute name; a unique key), with all
    its fields, converted as the ORM converts them; None when there is none."""
    meta = model._meta
    fields = meta.concrete_fields
    where = " AND ".join(f"{connection.ops.quote_name(meta.get_field(name).column)} = %s" for name in equal)
    params = [meta.get_field(name).get_db_prep_value(value, connection) for name, value in equal.items()]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(f.column) for f in fields)} "
                       f"FROM {connection.ops.quote_name(meta.db_table)} WHERE {where}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for field, value in zip(fields, row):
        col = field.get_col(meta.db_table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            value = convert(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


def insert_rows(objs) -> list:
    """INSERT unsaved instances and set their primary keys, like `bulk_create()`: `pre_save()`
    fills `auto_now` fields, an automatic primary key comes back through RETURNING. One
    statement per model, or one in all on PostgreSQL (see `write_rows`)."""
    return write_rows(insert=objs)


def write_rows(*, update=None, insert=()) -> list:
    """UPDATE one row (`update`: (model, pk, {field name: value}), as `update_row`) and INSERT
    the unsaved instances `insert`, of any models (as `insert_rows`); returns `insert`.

    On PostgreSQL this is one statement, each part a data-modifying WITH query of it: a change
    that writes an order's lines, its transition and its events makes one round trip, not
    three. Elsewhere: the UPDATE, then one INSERT per model."""
    objs = list(insert)
    groups = {}
    for obj in objs:
        groups.setdefault(type(obj), []).append(obj)
    groups = list(groups.values())
    if connection.vendor != "postgresql" or len(groups) + (update is not None) < 2:
        if update is not None:
            update_row(update[0], update[1], **update[2])
        for group in groups:
            _run_insert(group, *_insert_sql(group))
        return objs
    queries, params, returned = [], [], []
    if update is not None:
        sql, update_params = _update_sql(*update)
        queries.append(f"updated AS ({sql})")
        params += update_params
    for n, group in enumerate(groups):
        sql, group_params, returning = _insert_sql(group)
        queries.append(f"inserted{n} AS ({sql})")
        params += group_params
        if returning:
            returned.append((n, group))
    select = " UNION ALL ".join(
        f"SELECT {n}, {connection.ops.quote_name(group[0]._meta.pk.column)} FROM inserted{n}" for n, group in returned
    ) or "SELECT NULL, NULL"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(queries)} {select}", params)
        if returned:
            keys = {}
            for n, value in cursor.fetchall():
                keys.setdefault(n, []).append(value)
            for n, group in returned:
                for obj, value in zip(group, keys[n], strict=True):
                    setattr(obj, obj._meta.pk.attname, value)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _insert_sql(objs):
    meta = type(objs[0])._meta
    pk = meta.pk
    returning = getattr(objs[0], pk.attname) is None
    fields = [f for f in meta.concrete_fields if not (returning and f is pk) and not getattr(f, "generated", False)]
    params = []
    for obj in objs:
        params += [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join([f"({', '.join(['%s'] * len(fields))})"] * len(objs))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES {values}"
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(pk.column)}"
    return sql, params, returning


def _run_insert(objs, sql, params, returning) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            pk = type(objs[0])._meta.pk
            for obj, (value,) in zip(objs, cursor.fetchall()):
                setattr(obj, pk.attname, value)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def update_row(model, pk, **values) -> int:
    """UPDATE the row `pk` of `model` with `values` (by field name); the rows changed (0 or 1).
    Like `filter(pk=pk).update(...)`: `auto_now` fields change only when given."""
    sql, params = _update_sql(model, pk, values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _update_sql(model, pk, values):
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    return (f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} "
            f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s", [*params, pk])
