"""INSERT and UPDATE statements from the models' metadata, and `write()`, which runs a change's
writes as one statement where the database allows it (PostgreSQL: data-modifying WITH queries)."""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

from .dialect import concrete_field, is_postgres, placeholders, quote, table

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its parameters."""

    sql: str
    params: list[Any] = field(default_factory=list)

    def run(self) -> int:
        """Execute it; the number of rows it changed."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params)
            return cursor.rowcount


@dataclass(frozen=True)
class Update:
    """An UPDATE of one row: `model`'s row `pk` gets `values` (by field name)."""

    model: type[Model]
    pk: Any
    values: Mapping[str, Any]


def update_statement(model: type[Model], pk: Any, values: Mapping[str, Any]) -> Statement:
    """Like `filter(pk=pk).update(**values)`: `auto_now` fields change only when given."""
    meta = model._meta
    fields = [concrete_field(model, name) for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    return Statement(f"UPDATE {table(model)} SET {assignments} WHERE {quote(meta.pk.column)} = %s", [*params, pk])


def update(model: type[Model], pk: Any, **values: Any) -> int:
    """UPDATE the row `pk` of `model` with `values` (by field name); the rows changed (0 or 1)."""
    return update_statement(model, pk, values).run()


def add_by_id(model: type[Model], **columns: Mapping[Any, int]) -> Statement:
    """The UPDATE that adds to each column its amounts by row ({primary key: amount}), in one
    statement (`column = column + CASE id WHEN ... END` per column). Lock the rows first."""
    pk = quote(model._meta.pk.column)
    ids = list(dict.fromkeys(key for deltas in columns.values() for key in deltas))
    assignments: list[str] = []
    params: list[Any] = []
    for name, deltas in columns.items():
        col = quote(name)
        assignments.append(f"{col} = {col} + CASE {pk} {' '.join(['WHEN %s THEN %s'] * len(deltas))} ELSE 0 END")
        params += [x for item in deltas.items() for x in item]
    return Statement(f"UPDATE {table(model)} SET {', '.join(assignments)} WHERE {pk} IN ({placeholders(len(ids))})",
                     params + ids)


@dataclass(frozen=True)
class InsertStatement(Statement):
    """An INSERT of unsaved instances of one model; `returning`: their ids come back. Its parts
    (`into`: the table and its column list; `row`: one row's placeholders) let a query insert
    in another form (e.g. `INSERT INTO ... SELECT ... WHERE`)."""

    objs: tuple[Model, ...] = ()
    returning: bool = False
    into: str = ""
    row: str = ""

    def set_keys(self, keys: Sequence[Any]) -> None:
        if self.returning:
            pk = type(self.objs[0])._meta.pk
            for obj, value in zip(self.objs, keys, strict=True):
                setattr(obj, pk.attname, value)
        _saved(self.objs)


def insert_statement(objs: Sequence[Model], *, on_conflict_do_nothing: Sequence[str] = (),
                     keys: bool = True) -> InsertStatement:
    """The INSERT of unsaved instances of one model, as `bulk_create()` writes them: `pre_save()`
    fills `auto_now` fields, and an automatic primary key comes back through RETURNING (unless
    `keys` is False: the caller needs no ids). With `on_conflict_do_nothing` (the fields of a
    unique constraint), a row that conflicts is skipped."""
    meta = type(objs[0])._meta
    pk = meta.pk
    automatic = getattr(objs[0], pk.attname) is None
    returning = automatic and keys
    fields = [f for f in meta.concrete_fields if not (automatic and f is pk) and not getattr(f, "generated", False)]
    params: list[Any] = []
    for obj in objs:
        params += [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    row = f"({placeholders(len(fields))})"
    into = f"INSERT INTO {table(type(objs[0]))} ({columns})"
    sql = f"{into} VALUES {', '.join([row] * len(objs))}"
    if on_conflict_do_nothing:
        conflict = ", ".join(quote(concrete_field(type(objs[0]), n).column) for n in on_conflict_do_nothing)
        sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(pk.column)}"
    return InsertStatement(sql, params, tuple(objs), returning, into, row)


def insert(objs: Iterable[M]) -> list[M]:
    """INSERT unsaved instances (of any models) and set their primary keys; one statement per
    model, or one in all on PostgreSQL (see `write`)."""
    return write(inserts=list(objs))


def write(*, updates: Sequence[Update] = (), inserts: Sequence[M] = ()) -> list[M]:
    """Run `updates` (one row each) and INSERT the unsaved instances `inserts` (of any models,
    grouped by model in the order first seen); returns `inserts`, saved, with their keys.

    On PostgreSQL this is one statement, each part a data-modifying WITH query of it: a change
    that updates an order and writes its lines, its transition and its events makes one round
    trip, not four. Elsewhere: the UPDATEs, then one INSERT per model. The parts must not
    depend on each other's effects (PostgreSQL runs them on one snapshot)."""
    objs = list(inserts)
    groups: dict[type[Model], list[Model]] = {}
    for obj in objs:
        groups.setdefault(type(obj), []).append(obj)
    statements = [insert_statement(group) for group in groups.values()]
    if not is_postgres() or len(statements) + len(updates) < 2:
        for change in updates:
            update_statement(change.model, change.pk, change.values).run()
        for statement in statements:
            _run_insert(statement)
        return objs
    queries: list[str] = []
    params: list[Any] = []
    for n, change in enumerate(updates):
        updating = update_statement(change.model, change.pk, change.values)
        queries.append(f"updated{n} AS ({updating.sql})")
        params += updating.params
    returned: list[tuple[int, InsertStatement]] = []
    for n, statement in enumerate(statements):
        queries.append(f"inserted{n} AS ({statement.sql})")
        params += statement.params
        if statement.returning:
            returned.append((n, statement))
    select = " UNION ALL ".join(
        f"SELECT {n}, {quote(type(s.objs[0])._meta.pk.column)} FROM inserted{n}" for n, s in returned
    ) or "SELECT NULL, NULL"
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(queries)} {select}", params)
        keys: dict[int, list[Any]] = {}
        if returned:
            for n, value in cursor.fetchall():
                keys.setdefault(n, []).append(value)
    for n, statement in enumerate(statements):
        statement.set_keys(keys.get(n, []))
    return objs


def run_together(statements: Sequence[Statement]) -> None:
    """Run writes that need no answer (UPDATEs, DELETEs, INSERTs without RETURNING) as one
    statement on PostgreSQL (each a data-modifying WITH query of it), one by one elsewhere. As
    with `write`, they must not depend on each other's effects (one snapshot)."""
    if not is_postgres() or len(statements) < 2:
        for statement in statements:
            statement.run()
        return
    parts = ", ".join(f"run{n} AS ({statement.sql})" for n, statement in enumerate(statements))
    Statement(f"WITH {parts} SELECT 1", [p for statement in statements for p in statement.params]).run()


def _run_insert(statement: InsertStatement) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        statement.set_keys([row[0] for row in cursor.fetchall()] if statement.returning else [])


def _saved(objs: Iterable[Model]) -> None:
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
