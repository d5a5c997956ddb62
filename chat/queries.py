"""The adapter's hand-written statement: the per-conversation lock that keeps one customer's
messages answered in the order they arrived, whichever worker takes them."""
from shopchat import sql


def lock_conversation(*, business_id: int, wa_id: str) -> None:
    """Wait for, then hold until the transaction ends, the lock of one conversation (a business
    and a customer's number).

    On PostgreSQL a transaction-scoped advisory lock on the pair: two workers handed messages of
    the same conversation (two webhooks, a sweep after a worker died) take turns, and each one
    answers the oldest waiting message first. It locks no row, so it cannot join a deadlock with
    the money paths' row locks (it is always taken first, before any row). SQLite serializes
    writers already and the embedded default runs one worker: nothing to take."""
    if sql.is_postgres():
        sql.fetch_value("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        [f"conversation:{business_id}:{wa_id}"])
