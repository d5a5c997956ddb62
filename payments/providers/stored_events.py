"""What is kept of a provider's webhook body (`ProviderEvent.payload`): only the fields that
name and measure the money (ids, types, statuses, amounts, currencies, codes, times and our own
metadata), never who paid. Stripe's Checkout Session carries `customer_details` (name, e-mail,
phone, address), its charges `billing_details`; Razorpay's payment carries `email`, `contact`,
`vpa`, card and bank details. None of those is stored, so the callback table holds no personal
data and needs no part in export, erasure or retention (docs/PRIVACY.md). The services act on
the parsed event in memory, never on the stored body."""
from typing import Any

# Keys kept wherever they appear; any other key (and everything under it) is dropped.
KEPT = frozenset({
    # envelopes
    "id", "object", "type", "event", "entity", "contains", "created", "created_at", "livemode", "api_version",
    "account", "data", "payload", "previous_attributes",
    # the money's objects, by reference or nested
    "payment", "payment_link", "payment_intent", "charge", "refund", "dispute", "payout", "transfer",
    "setup_intent", "session", "checkout_session", "payment_id", "order_id", "reference_id", "destination",
    "fund_account_id", "balance_transaction", "latest_charge", "mode", "receipt", "speed_processed", "reference",
    "payment_key",
    # amounts and outcomes
    "status", "amount", "amount_total", "amount_paid", "amount_refunded", "amount_received", "amount_captured",
    "amount_reversed", "currency", "captured", "paid", "refunded", "reversed", "payment_status", "method",
    "reason", "reason_code", "phase", "failure_code", "failure_message", "failure_reason", "error_code",
    "error_reason", "error_source", "error_step", "decline_code", "code", "outcome", "network_status",
    "seller_message", "risk_level", "expires_at", "resolved_at", "respond_by", "evidence_due_by",
    # our own metadata (order numbers, idempotency keys: no personal data by construction)
    "metadata", "notes", "client_reference_id",
})
# Under these the keys are ours (metadata we sent): kept when short strings, numbers or booleans.
OWN = frozenset({"metadata", "notes"})


def stored(payload: Any, *, _depth: int = 0) -> Any:
    """The payload with only KEPT keys, recursively (lists keep their items, filtered alike)."""
    if _depth > 12:
        return None
    if isinstance(payload, dict):
        kept: dict[str, Any] = {}
        for key, value in payload.items():
            if key not in KEPT:
                continue
            if key in OWN and isinstance(value, dict):
                kept[key] = {k: v for k, v in value.items()
                             if isinstance(v, int | float | bool) or (isinstance(v, str) and len(v) <= 100)}
            else:
                kept[key] = stored(value, _depth=_depth + 1)
        return kept
    if isinstance(payload, list):
        return [stored(item, _depth=_depth + 1) for item in payload[:50]]
    return payload
