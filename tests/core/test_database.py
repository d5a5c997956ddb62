"""How shopchat talks to PostgreSQL."""
import psycopg
import pytest
from django.db import connection

from tests.conftest import requires_postgres


@requires_postgres
@pytest.mark.django_db
def test_postgres_parameters_are_bound_by_the_server_so_hot_statements_can_be_prepared():
    connection.ensure_connection()
    assert not issubclass(connection.connection.cursor_factory, psycopg.ClientCursor)
    with connection.cursor() as cursor:
        for _ in range(connection.connection.prepare_threshold + 1):
            cursor.execute("SELECT %s::int + 1", [41])
        assert cursor.fetchone() == (42,)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["SELECT $1::int + 1%"])
        assert cursor.fetchone()[0] == 1
