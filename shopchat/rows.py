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


def select_rows(model, names, where: str, params: list, *, lock: str | None = None) -> list:
    """Instances of `model` holding the fields `names` (attribute names) of the rows matching
    `where`, converted as the ORM converts them, the other fields deferred. With `lock`
    ("UPDATE" or "NO KEY UPDATE"), the rows are locked in primary-key order (where the database
    locks rows)."""
    meta = model._meta
    wanted = {meta.get_field(name) for name in names}
    fields = [f for f in meta.concrete_fields if f in wanted]  # from_db() takes them in this order
    sql = (f"SELECT {', '.join(connection.ops.quote_name(f.column) for f in fields)} "
           f"FROM {connection.ops.quote_name(meta.db_table)} WHERE {where}")
    if lock is not None:
        sql += f" ORDER BY {connection.ops.quote_name(meta.pk.column)}"
        if lock == "NO KEY UPDATE" and connection.features.has_select_for_no_key_update:
            sql += " FOR NO KEY UPDATE"
        elif connection.features.has_select_for_update:
            sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    attnames = [f.attname for f in fields]
    converters = _converters(model, tuple(attnames))
    return [model.from_db(connection.alias, attnames, [
        _convert(value, col, steps) for value, (col, steps) in zip(row, converters)
    ]) for row in rows]


def find_row(model, **equal):
    """The row of `model` whose fields equal `equal` (by attribute name; a unique key), with all
    its fields; None when there is none."""
    meta = model._meta
    where = " AND ".join(f"{connection.ops.quote_name(meta.get_field(name).column)} = %s" for name in equal)
    params = [meta.get_field(name).get_db_prep_value(value, connection) for name, value in equal.items()]
    found = select_rows(model, [f.attname for f in meta.concrete_fields], where, params)
    return found[0] if found else None


def add_by_id(model, column: str, deltas: dict) -> tuple[str, list]:
    """The UPDATE (and its parameters) that adds `deltas` ({primary key: amount}) to `column`."""
    table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
    column = connection.ops.quote_name(column)
    cases = " ".join(["WHEN %s THEN %s"] * len(deltas))
    return (f"UPDATE {table} SET {column} = {column} + CASE {pk} {cases} ELSE 0 END "
            f"WHERE {pk} IN ({', '.join(['%s'] * len(deltas))})",
            [x for item in deltas.items() for x in item] + list(deltas))


_converter_cache = {}


def _converters(model, attnames: tuple) -> list:
    """Per field: its column expression and the ORM's converters for values read from it."""
    key = (connection.vendor, model, attnames)
    if key not in _converter_cache:
        meta, steps = model._meta, []
        for name in attnames:
            col = meta.get_field(name).get_col(meta.db_table)
            steps.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        _converter_cache[key] = steps
    return _converter_cache[key]


def _convert(value, col, steps):
    for convert in steps:
        value = convert(value, col, connection)
    return value


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
