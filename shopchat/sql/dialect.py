"""What differs between the databases, asked in this one place: lock clauses, names, vendor."""
from enum import Enum
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model


class Lock(Enum):
    """Row-lock strengths. NO KEY UPDATE is exclusive between writers of the row but does not
    block the foreign-key checks of rows that merely reference it (PostgreSQL; elsewhere it is
    taken as UPDATE)."""

    UPDATE = "UPDATE"
    NO_KEY_UPDATE = "NO KEY UPDATE"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def locking(lock: Lock, *aliases: str) -> str:
    """The locking clause ` FOR <lock> [OF aliases]` as the database takes it, or "" where the
    database locks no rows (SQLite runs one writer at a time). Clauses of different strengths
    for different tables of one SELECT are concatenated: `locking(UPDATE, "o") +
    locking(NO_KEY_UPDATE, "a")`."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    mode = lock.value if lock is Lock.UPDATE or features.has_select_for_no_key_update else Lock.UPDATE.value
    if aliases:
        if not features.has_select_for_update_of:
            return ""
        return f" FOR {mode} OF {', '.join(aliases)}"
    return f" FOR {mode}"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    """The model's table name, quoted."""
    return quote(model._meta.db_table)


def concrete_field(model: type[Model], name: str) -> "Field[Any, Any]":
    """The model's field `name` (or attribute name, e.g. `customer_id`): one that has a column
    (the callers name concrete fields, never reverse relations)."""
    return cast("Field[Any, Any]", model._meta.get_field(name))


def column(model: type[Model], name: str) -> str:
    """The column of the model's field `name` (or attribute name, e.g. `customer_id`), quoted."""
    return quote(concrete_field(model, name).column)


def placeholders(count: int) -> str:
    """`%s, %s, ...`: the parameters of an IN list or a VALUES row."""
    return ", ".join(["%s"] * count)


def db_value(model: type[Model], name: str, value: Any) -> Any:
    """`value` as the column of the model's field `name` takes it as a parameter (a datetime is
    text in UTC on SQLite, as the ORM writes it)."""
    return concrete_field(model, name).get_db_prep_value(value, connection)
