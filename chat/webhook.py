"""Reading Meta's webhook envelope: signature, phone-number ids, messages and statuses.

    {"object": "whatsapp_business_account",
     "entry": [{"id": WABA, "changes": [{"field": "messages",
                "value": {"metadata": {"phone_number_id": ...}, "contacts": [...],
                          "messages": [...], "statuses": [...]}}]}]}

Nothing here touches the database: the view decides whose secret to check and what to store.
"""
import hashlib
import hmac
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

from shopchat.payloads import nesting_depth

SIGNATURE_HEADER = "X-Hub-Signature-256"
# The phone-number ids a body names, read from the raw bytes: whose secret to check is decided
# before anything is parsed (an unsigned or wrongly signed body is never parsed at all).
PHONE_ID_RE = re.compile(rb'"phone_number_id"\s*:\s*"?(\d{1,32})')
# Meta's envelope nests about ten levels deep; a body nested deeper than this is not Meta's
# (and would exhaust the parser's recursion, or PostgreSQL's, on the way in or out).
MAX_DEPTH = 64


class BadPayload(ValueError):
    """The body is not JSON, or not in the shape Meta documents."""


def signature_for(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_ok(secret: str, raw: bytes, header: str) -> bool:
    """Constant-time check of `X-Hub-Signature-256` against the app secret."""
    if not secret or not header:
        return False
    return hmac.compare_digest(signature_for(secret, raw).encode(), header.strip().encode())


def _refuse_constant(name: str) -> Any:
    raise BadPayload(f"not JSON: {name} is not a JSON number")


def loads(raw: bytes) -> Any:
    """Parse a webhook body: JSON, nested at most MAX_DEPTH deep (checked before parsing)."""
    if nesting_depth(raw) > MAX_DEPTH:
        raise BadPayload(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        if isinstance(exc, BadPayload):
            raise
        raise BadPayload(f"not JSON: {exc}"[:200]) from None


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why PostgreSQL would refuse `value` as jsonb or text (None when it would not): a NUL
    character, a lone surrogate, a number beyond float range (`1e999` parses as infinity)."""
    if depth > MAX_DEPTH:
        return "nested too deep"
    if isinstance(value, str):
        if "\x00" in value:
            return "contains the character \\u0000"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number out of range"
    if isinstance(value, dict):
        for key, item in value.items():
            why = unstorable(key, depth + 1) or unstorable(item, depth + 1)
            if why:
                return why
    elif isinstance(value, list):
        for item in value:
            why = unstorable(item, depth + 1)
            if why:
                return why
    return None


def safe_text(raw: bytes, limit: int) -> str:
    """Raw bytes as text PostgreSQL accepts, losing nothing: invalid UTF-8 as `\\xNN` escapes,
    NUL as `\\x00`."""
    return raw[:limit].decode("utf-8", "backslashreplace").replace("\x00", "\\x00")


def phone_number_ids(raw: bytes, payload: Any = None) -> set[str]:
    """The phone-number ids a raw body names (found without parsing it)."""
    return {m.decode() for m in PHONE_ID_RE.findall(raw)}


@dataclass
class Record:
    """One message or status of one phone number, with its de-duplication key."""

    phone_number_id: str
    key: str
    wa_id: str
    type: str
    payload: dict
    profile_name: str = ""


@dataclass
class Envelope:
    records: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (phone_number_id or "", reason, fragment)


def _str(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def status_key(status: dict) -> str:
    """Statuses repeat a message id (sent, delivered, read); payment statuses repeat it too."""
    key = f"{status['id']}:{status['status']}"
    if status.get("type") == "payment":
        txn = (status.get("payment") or {}).get("transaction") or {}
        key = f"{key}:payment:{txn.get('status', '')}:{txn.get('id', '')}"
    return key[:200]


def _payment_shape_problem(status: dict) -> str | None:
    if status.get("type") != "payment":
        return None
    payment = status.get("payment")
    if not isinstance(payment, dict):
        return "payment status whose payment is not an object"
    if not isinstance(payment.get("transaction") or {}, dict):
        return "payment status whose transaction is not an object"
    return None


@dataclass(frozen=True)
class Freshness:
    """Items timestamped more than `max_age` seconds before `now` are refused as stale
    (max_age None: no limit)."""

    max_age: float | None = None
    now: float = field(default_factory=time.time)

    def problem(self, item: dict) -> str | None:
        if self.max_age is None or "timestamp" not in item:
            return None
        stamp = item.get("timestamp")
        try:
            seconds = float(stamp) if isinstance(stamp, (str, int, float)) and not isinstance(stamp, bool) else None
        except ValueError:
            seconds = None
        if seconds is None or not math.isfinite(seconds):
            return "timestamp is not a number of seconds"
        if self.now - seconds > self.max_age:
            return f"older than the freshness limit ({int(self.max_age // 3600)} hours)"
        return None


def read_envelope(payload: Any, freshness: Freshness | None = None) -> Envelope:
    """Split a parsed body into records; raise BadPayload when the body itself is not Meta's
    (not an object with an `entry` list).

    Anything malformed below that (an entry, a change, a message, a status, a contact) is
    reported in `problems` and the rest is kept, so one bad item never costs the other 999 of a
    batch. So are items PostgreSQL could not store and items older than `freshness` allows."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise BadPayload("expected an object with an `entry` list")
    if payload.get("object") not in (None, "whatsapp_business_account"):
        raise BadPayload(f"unexpected object {str(payload.get('object'))[:50]!r}")
    freshness = freshness or Freshness()
    envelope = Envelope()
    for entry in payload["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("changes", []), list):
            envelope.problems.append(("", "an entry without a `changes` list", entry))
            continue
        for change in entry.get("changes", []):
            if not isinstance(change, dict):
                envelope.problems.append(("", "a change that is not an object", change))
                continue
            if change.get("field", "messages") != "messages":
                continue  # account, template and quality updates: not ours to act on
            value = change.get("value")
            metadata = value.get("metadata") if isinstance(value, dict) else None
            pid = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if not isinstance(value, dict) or not isinstance(pid, (str, int)) or not str(pid).isdigit():
                envelope.problems.append(("", "a change without value.metadata.phone_number_id", change))
                continue
            _read_value(str(pid), value, envelope, freshness)
    return envelope


def _items(pid: str, value: dict, name: str, envelope: Envelope) -> list:
    items = value.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        envelope.problems.append((pid, f"`{name}` is not a list", items))
        return []
    return items


def _read_value(pid: str, value: dict, envelope: Envelope, freshness: Freshness) -> None:
    names = {}
    for contact in _items(pid, value, "contacts", envelope):
        if isinstance(contact, dict) and _str(contact.get("wa_id")):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            name = name if isinstance(name, str) and not unstorable(name) else ""
            names[contact["wa_id"]] = name[:200]
    for message in _items(pid, value, "messages", envelope):
        if not (isinstance(message, dict) and _str(message.get("id")) and _str(message.get("from"))
                and _str(message.get("type"))):
            envelope.problems.append((pid, "message without id, from or type", message))
            continue
        problem = unstorable(message) or freshness.problem(message)
        if problem:
            envelope.problems.append((pid, f"message {problem}", message))
            continue
        envelope.records.append(Record(
            pid, message["id"][:200], message["from"][:32], message["type"][:20], message,
            names.get(message["from"], ""),
        ))
    for status in _items(pid, value, "statuses", envelope):
        if not (isinstance(status, dict) and _str(status.get("id")) and _str(status.get("status"))):
            envelope.problems.append((pid, "status without id or status", status))
            continue
        problem = _payment_shape_problem(status) or unstorable(status) or freshness.problem(status)
        if problem:
            envelope.problems.append((pid, f"status {problem}" if not problem.startswith("payment") else problem,
                                      status))
            continue
        recipient = status.get("recipient_id")
        envelope.records.append(Record(
            pid, status_key(status), (recipient if isinstance(recipient, str) else "")[:32], "status", status,
        ))
