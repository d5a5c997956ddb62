"""The kernel's one SQL toolkit, for the few statements of the hottest paths written out by hand.

The ORM spends longer building an INSERT, an UPDATE or a locking SELECT (about 0.3 ms each) than
the database spends running it, and an order placement or a payment makes several. Those
statements live in each app's `queries.py`, named for what they lock or read, and are built
only with these pieces:

- `dialect`: what differs between PostgreSQL and SQLite (lock clauses, one-statement writes),
  the one place that asks which database it is;
- `read`: answers as typed rows (dataclasses matched by column name) or as model instances
  converted the way the ORM converts them;
- `write`: INSERT and UPDATE statements from the models' metadata (columns, defaults, `auto_now`
  stay the models' own), and `write()`, which runs several as one statement on PostgreSQL.

Plain SQL that PostgreSQL and SQLite (3.35 or later, for RETURNING) both take.
"""
from .dialect import Lock, column, db_value, is_postgres, locking, placeholders, quote, table
from .read import (
    fetch_all,
    fetch_one,
    fetch_value,
    find_model,
    model_from_row,
    partial,
    select_models,
    select_models_sql,
    update_returning,
)
from .write import (
    Statement,
    Update,
    add_by_id,
    insert,
    insert_statement,
    run_together,
    update,
    update_statement,
    write,
)

__all__ = [
    "Lock", "Statement", "Update", "add_by_id", "column", "db_value", "fetch_all", "fetch_one", "fetch_value",
    "find_model", "insert", "insert_statement", "is_postgres", "locking", "model_from_row", "partial", "placeholders",
    "quote", "run_together", "select_models", "select_models_sql", "table", "update", "update_returning",
    "update_statement", "write",
]
