"""The adapter's hand-written statements, on the path of every message: the per-conversation
lock that keeps one customer's messages answered in the order they arrived, whichever worker
takes them, and what the customer has open (checkout step, ticket, rating) read at once."""
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class ConversationState:
    """What a customer has open with the business as a message arrives, each an id or None: the
    checkout step being answered, the newest unsolved support ticket, and the chat rating whose
    comment is still awaited. The engine reads the full row only for what is there."""

    checkout_step_id: int | None
    open_ticket_id: int | None
    rating_awaiting_comment_id: int | None


def conversation_state(*, business_id: int, customer_id: int, now: datetime) -> ConversationState:
    """One statement for the three questions the engine asks of nearly every text (was three:
    `Checkout.step`, `support.selectors.open_ticket_for`, `rating_awaiting_comment`, with the
    same filters and order). No lock: a read inside the conversation's transaction, which holds
    the conversation lock, so no other message of this customer changes them meanwhile."""
    from support.models import SatisfactionRating, Ticket

    from .models import CheckoutStep

    col = sql.column

    ticket, rating, step = sql.table(Ticket), sql.table(SatisfactionRating), sql.table(CheckoutStep)
    unsolved = sql.placeholders(len(Ticket.UNSOLVED))
    statement = (
        f"SELECT (SELECT s.{col(CheckoutStep, 'id')} FROM {step} s"
        f" WHERE s.{col(CheckoutStep, 'customer_id')} = %s) AS checkout_step_id,"
        f" (SELECT t.{col(Ticket, 'id')} FROM {ticket} t WHERE t.{col(Ticket, 'business_id')} = %s"
        f" AND t.{col(Ticket, 'customer_id')} = %s AND t.{col(Ticket, 'kind')} = %s"
        f" AND t.{col(Ticket, 'status')} IN ({unsolved})"
        f" ORDER BY t.{col(Ticket, 'created_at')} DESC, t.{col(Ticket, 'id')} DESC LIMIT 1) AS open_ticket_id,"
        f" (SELECT r.{col(SatisfactionRating, 'id')} FROM {rating} r"
        f" JOIN {ticket} rt ON rt.{col(Ticket, 'id')} = r.{col(SatisfactionRating, 'ticket_id')}"
        f" WHERE rt.{col(Ticket, 'business_id')} = %s AND rt.{col(Ticket, 'customer_id')} = %s"
        f" AND r.{col(SatisfactionRating, 'comment_until')} >= %s"
        f" ORDER BY r.{col(SatisfactionRating, 'created_at')} DESC, r.{col(SatisfactionRating, 'id')} DESC LIMIT 1)"
        f" AS rating_awaiting_comment_id"
    )
    when = sql.db_value(SatisfactionRating, "comment_until", now)
    params = [customer_id, business_id, customer_id, Ticket.Kind.CUSTOMER.value,
              *[str(s) for s in Ticket.UNSOLVED], business_id, customer_id, when]
    state = sql.fetch_one(ConversationState, statement, params)
    assert state is not None  # a SELECT of scalar subqueries answers one row
    return state



def record_sent(*, message_id: int, wa_message_id: str, now: datetime) -> None:
    """The Graph API took the message: its id, one attempt more, no error, and `sent` at `now`
    unless a status webhook overtook the answer (a delivered or read message stays so). One
    hand-written UPDATE on the path of every send."""
    from .models import OutboundMessage

    def col(name: str) -> str:
        return sql.column(OutboundMessage, name)

    queued, sent = OutboundMessage.Status.QUEUED.value, OutboundMessage.Status.SENT.value
    statement = (f"UPDATE {sql.table(OutboundMessage)} SET {col('wa_message_id')} = %s,"
                 f" {col('attempts')} = {col('attempts')} + 1, {col('error_code')} = NULL, {col('error_title')} = '',"
                 f" {col('status')} = CASE WHEN {col('status')} = %s THEN %s ELSE {col('status')} END,"
                 f" {col('status_at')} = CASE WHEN {col('status')} = %s THEN %s ELSE {col('status_at')} END"
                 f" WHERE {col('id')} = %s")
    sql.Statement(statement, [wa_message_id[:200], queued, sent, queued,
                              sql.db_value(OutboundMessage, "status_at", now), message_id]).run()
