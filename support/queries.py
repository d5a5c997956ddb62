"""The support desk's hand-written hot statement: the draw from the business's desk row that
opening a ticket starts with (built with the kernel's SQL toolkit, answered as a typed row)."""
import functools
from dataclasses import dataclass
from datetime import time

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from shopchat import sql
from shopchat.models import Business, Customer, Membership

from .models import DeskState, SlaPolicy

SLA_FIELDS = ("first_response_minutes", "resolution_minutes", "around_the_clock", "business_days", "day_starts",
              "day_ends")


@dataclass(frozen=True)
class DeskDraw:
    """What one statement on the desk row drew and read (a part not asked for is None).

    `number`: the ticket number drawn (the last one given, when none was drawn);
    `assignee_id`: the agent whose round-robin turn it is (None when no agent is available);
    the SLA policy's fields for the priority asked (None without a policy); the customer of the
    wa_id asked (None when new)."""

    number: int
    assignee_id: int | None
    first_response_minutes: int | None
    resolution_minutes: int | None
    around_the_clock: bool | None
    business_days: str | None
    day_starts: time | None
    day_ends: time | None
    customer_id: int | None
    customer_name: str | None

    def __post_init__(self) -> None:
        for name in ("day_starts", "day_ends"):  # SQLite answers TIME columns as text
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, time.fromisoformat(value))

    def policy(self, *, business: Business, priority: str) -> SlaPolicy | None:
        """The drawn SLA policy as an (unsaved) instance, or None when the business has none."""
        if self.first_response_minutes is None:  # NOT NULL: the policy exists
            return None
        return SlaPolicy(business=business, priority=priority,
                         **{name: getattr(self, name) for name in SLA_FIELDS})

    def customer(self, *, business: Business, wa_id: str) -> Customer | None:
        """The customer read with the draw, loaded with the fields read (the others deferred),
        or None when the chat contact is new."""
        if self.customer_id is None:
            return None
        customer = sql.partial(Customer, id=self.customer_id, business_id=business.pk, wa_id=wa_id,
                               name=self.customer_name)
        customer.business = business
        return customer


def draw_from_desk(business: Business, *, number: bool = False, assign: bool = False, priority: str | None = None,
                   wa_id: str | None = None) -> DeskDraw:
    """Draw from the business's desk row in one UPDATE ... RETURNING, like a sequence.

    `number` takes the next ticket number; `assign` moves the round-robin on to the next
    available agent (by user id after the last one picked) and answers it as `assignee_id`
    (None when no agent is available; the pointer then stays). The same statement reads what
    opening a ticket needs, so it costs no further round trip: the SLA policy of `priority` and
    the customer of `wa_id`.

    Outside a transaction the row is locked for this one statement (it commits on its own), so
    the creations of a business do not queue on it for their whole transaction. A creation that
    then fails leaves a gap in the numbers (and skips an agent's turn); no number is ever given
    twice. The desk row is created on the business's first draw.
    """
    statement = _draw_statement(business, number=number, assign=assign, priority=priority, wa_id=wa_id)
    for _ in range(2):
        drawn = sql.fetch_one(DeskDraw, statement.sql, statement.params)
        if drawn is not None:
            return drawn
        _create_desk(business)
    raise RuntimeError("The desk row of the business could not be created.")


def _draw_statement(business: Business, *, number: bool, assign: bool, priority: str | None,
                    wa_id: str | None) -> sql.Statement:
    """The UPDATE ... RETURNING of `draw_from_desk`: every column of DeskDraw, NULL for a part
    not asked for."""
    if not (number or assign):
        raise ValueError("Draw a number, an agent or both.")
    agent_params = [Membership.Role.AGENT, True, True] if assign else []
    return sql.Statement(
        _draw_sql(connection.vendor, number=number, assign=assign, policy=priority is not None,
                  customer=wa_id is not None),
        [*agent_params, *agent_params, business.pk, *agent_params,
         *([priority] * len(SLA_FIELDS) if priority is not None else []), *([wa_id] * 2 if wa_id is not None else [])],
    )


@functools.cache
def _draw_sql(vendor: str, *, number: bool, assign: bool, policy: bool, customer: bool) -> str:
    """The statement's text, built once per database and combination of parts (its parameters,
    in order: the agents' twice for the SET, the business, the agents', the priority's for each
    policy column, the wa_id's for each customer column)."""
    desk = sql.table(DeskState)
    desk_business = f"{desk}.{sql.column(DeskState, 'business')}"
    last_number = sql.column(DeskState, "last_number")
    last_assignee = sql.column(DeskState, "last_auto_assignee")
    sets = [f"{last_number} = {last_number} + 1"] if number else []
    answers = [(last_number, "number")]  # (SQL, column)
    if assign:
        agents = _available_agents(desk_business)
        agent_id = sql.column(Membership, "user")
        next_agent = (f"COALESCE(({agents} AND m.{agent_id} > {desk}.{last_assignee} ORDER BY m.{agent_id} LIMIT 1), "
                      f"({agents} ORDER BY m.{agent_id} LIMIT 1), {last_assignee})")
        sets.append(f"{last_assignee} = {next_agent}")
        answers.append((f"CASE WHEN EXISTS({agents}) THEN {last_assignee} END", "assignee_id"))
    else:
        answers.append(("NULL", "assignee_id"))
    of_policy = (f"FROM {sql.table(SlaPolicy)} WHERE {sql.column(SlaPolicy, 'business')} = {desk_business} "
                 f"AND {sql.column(SlaPolicy, 'priority')} = %s")
    for name in SLA_FIELDS:
        answers.append((f"(SELECT {sql.column(SlaPolicy, name)} {of_policy})" if policy else "NULL", name))
    of_customer = (f"FROM {sql.table(Customer)} WHERE {sql.column(Customer, 'business')} = {desk_business} "
                   f"AND {sql.column(Customer, 'wa_id')} = %s")
    for name, column in (("id", "customer_id"), ("name", "customer_name")):
        answers.append((f"(SELECT {sql.column(Customer, name)} {of_customer})" if customer else "NULL", column))
    returning = ", ".join(f"{expression} AS {sql.quote(column)}" for expression, column in answers)
    return f"UPDATE {desk} SET {', '.join(sets)} WHERE {desk_business} = %s RETURNING {returning}"


def _available_agents(desk_business: str) -> str:
    """The SELECT of the user ids of the desk's business's active agents available for tickets
    (to be completed with a condition or an ORDER BY); its parameters: role, available, active."""
    User = get_user_model()
    user_id = sql.column(Membership, "user")
    return (f"SELECT m.{user_id} FROM {sql.table(Membership)} m INNER JOIN {sql.table(User)} u "
            f"ON u.{sql.quote(User._meta.pk.column)} = m.{user_id} "
            f"WHERE m.{sql.column(Membership, 'business')} = {desk_business} "
            f"AND m.{sql.column(Membership, 'role')} = %s AND m.{sql.column(Membership, 'available_for_tickets')} = %s "
            f"AND u.{sql.column(User, 'is_active')} = %s")


def _create_desk(business: Business) -> None:
    try:
        with transaction.atomic():
            DeskState.objects.create(business=business)
    except IntegrityError:
        pass  # created by a concurrent call
