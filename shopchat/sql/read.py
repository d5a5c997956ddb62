"""Answers of written-out SELECTs: as typed rows (dataclasses, matched by column name, never
by position) or as model instances loaded the way the ORM loads them."""
import dataclasses
import datetime
import typing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .dialect import Lock, concrete_field, locking, quote, table

T = TypeVar("T")
M = TypeVar("M", bound=Model)

# How one value read from the database becomes the value of a field of a typed row.
Converter = Callable[[Any], Any]
# The ORM's converters of a column: `convert(value, expression, connection)`.
DbConverter = Callable[[Any, Any, Any], Any]


def fetch_all(row: type[T], sql: str, params: Sequence[Any] = ()) -> list[T]:
    """The answer of `sql` as instances of the dataclass `row`, one per result row.

    Columns are matched to fields by name (`SELECT o.id AS order_id, ...`): every field of
    `row` must be a column of the answer and every column a field. Values are converted to the
    fields' declared types where SQLite answers differently from PostgreSQL (0/1 for booleans,
    text for datetimes)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        names = tuple(d[0] for d in cursor.description)
        rows = cursor.fetchall()
    build = _builder(row, names)
    return [build(values) for values in rows]


def fetch_one(row: type[T], sql: str, params: Sequence[Any] = ()) -> T | None:
    """The first row of the answer as a `row` instance (see `fetch_all`), None when there is none."""
    found = fetch_all(row, sql, params)
    return found[0] if found else None


def fetch_value(sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row (e.g. `nextval`), None when there is no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        found = cursor.fetchone()
    return found[0] if found else None


_builders: dict[tuple[str, type, tuple[str, ...]], Callable[[Sequence[Any]], Any]] = {}


def _builder(row: type[T], names: tuple[str, ...]) -> Callable[[Sequence[Any]], T]:
    key = (connection.vendor, row, names)
    if key not in _builders:
        if not dataclasses.is_dataclass(row):
            raise TypeError(f"{row.__name__} is not a dataclass")
        fields = {f.name for f in dataclasses.fields(row)}
        if set(names) != fields or len(names) != len(fields):
            raise ValueError(f"{row.__name__} has fields {sorted(fields)}, the query answers {list(names)}")
        hints = typing.get_type_hints(row)
        converters = [_converter(hints[name]) for name in names]

        def build(values: Sequence[Any], converters: list[Converter | None] = converters) -> T:
            return row(**{name: convert(value) if convert and value is not None else value
                          for name, convert, value in zip(names, converters, values, strict=True)})

        _builders[key] = build
    return _builders[key]


def _converter(hint: Any) -> Converter | None:
    """How to read a value of the declared type from this database, or None to keep it."""
    kinds = set(typing.get_args(hint)) - {type(None)} or {hint}
    if connection.vendor == "postgresql":
        return None
    if bool in kinds:
        return bool
    if datetime.datetime in kinds:
        return _sqlite_datetime
    return None


def _sqlite_datetime(value: str | datetime.datetime) -> datetime.datetime | None:
    parsed = value if isinstance(value, datetime.datetime) else parse_datetime(value)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


# --- model instances ----------------------------------------------------------------------------

def partial(model: type[M], **values: Any) -> M:
    """An instance of `model` holding `values` (by attribute name, e.g. `customer_id`), as if the
    ORM had loaded it with `only()`: the fields not given are deferred and load on first access."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    if len(names) != len(values):
        raise ValueError(f"not fields of {model.__name__}: {set(values) - set(names)}")
    return model.from_db(connection.alias, names, [values[name] for name in names])


def select_models_sql(model: type[Model], names: Sequence[str], where: str, *, lock: Lock | None = None,
                      alias: str = "") -> tuple[str, list[str]]:
    """The SELECT of the fields `names` of `model`'s rows matching `where` (locked in primary-key
    order with `lock`), and the attribute names of its columns in the order `from_db` takes them."""
    meta = model._meta
    wanted = {meta.get_field(name) for name in names}
    fields = [f for f in meta.concrete_fields if f in wanted]  # from_db() takes them in this order
    prefix = f"{alias}." if alias else ""
    sql = (f"SELECT {', '.join(prefix + quote(f.column) for f in fields)} "
           f"FROM {table(model)}{' ' + alias if alias else ''} WHERE {where}")
    if lock is not None:
        sql += f" ORDER BY {prefix}{quote(meta.pk.column)}" + locking(lock)
    return sql, [f.attname for f in fields]


def select_models(model: type[M], names: Sequence[str], where: str, params: Sequence[Any], *,
                  lock: Lock | None = None) -> list[M]:
    """Instances of `model` holding the fields `names` of the rows matching `where`, converted as
    the ORM converts them, the other fields deferred. With `lock`, the rows are locked in
    primary-key order (so two callers never deadlock on each other's rows)."""
    sql, attnames = select_models_sql(model, names, where, lock=lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    return [model_from_row(model, attnames, row) for row in rows]


def model_from_row(model: type[M], attnames: Sequence[str], row: Sequence[Any]) -> M:
    """A `model` instance from the raw values of its columns `attnames` (as `select_models_sql`
    orders them), converted the way the ORM converts them."""
    converters = _model_converters(model, tuple(attnames))
    return model.from_db(connection.alias, list(attnames), [
        _convert(value, col, steps) for value, (col, steps) in zip(row, converters, strict=True)
    ])


def find_model(model: type[M], **equal: Any) -> M | None:
    """The row of `model` whose fields equal `equal` (by attribute name; a unique key), with all
    its fields; None when there is none."""
    meta = model._meta
    where = " AND ".join(f"{quote(concrete_field(model, name).column)} = %s" for name in equal)
    params = [concrete_field(model, name).get_db_prep_value(value, connection) for name, value in equal.items()]
    found = select_models(model, [f.attname for f in meta.concrete_fields], where, params)
    return found[0] if found else None


_model_converter_cache: dict[tuple[str, type[Model], tuple[str, ...]], list[tuple[Col, list[DbConverter]]]] = {}


def _model_converters(model: type[Model], attnames: tuple[str, ...]) -> list[tuple[Col, list[DbConverter]]]:
    """Per field: its column expression and the ORM's converters for values read from it."""
    key = (connection.vendor, model, attnames)
    if key not in _model_converter_cache:
        meta, steps = model._meta, []
        for name in attnames:
            col = concrete_field(model, name).get_col(meta.db_table)
            steps.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
        _model_converter_cache[key] = steps
    return _model_converter_cache[key]


def _convert(value: Any, col: Col, steps: Sequence[DbConverter]) -> Any:
    for convert in steps:
        value = convert(value, col, connection)
    return value


def update_returning(model: type[M], assignments: str, where: str, params: Sequence[Any]) -> M | None:
    """`UPDATE <model's table> SET <assignments> WHERE <where>` of at most one row, answered as it
    is after the write (RETURNING every field), converted as the ORM converts it; None when no row
    matched. One statement where the ORM takes an UPDATE and a SELECT."""
    fields = list(model._meta.concrete_fields)
    statement = (f"UPDATE {table(model)} SET {assignments} WHERE {where}"
                 f" RETURNING {', '.join(quote(f.column) for f in fields)}")
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))
        row = cursor.fetchone()
    return None if row is None else model_from_row(model, [f.attname for f in fields], row)
