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
import re
from dataclasses import dataclass, field

SIGNATURE_HEADER = "X-Hub-Signature-256"
PHONE_ID_RE = re.compile(rb'"phone_number_id"\s*:\s*"(\d{1,32})"')


class BadPayload(ValueError):
    """The body is not JSON, or not in the shape Meta documents."""


def signature_for(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_ok(secret: str, raw: bytes, header: str) -> bool:
    """Constant-time check of `X-Hub-Signature-256` against the app secret."""
    if not secret or not header:
        return False
    return hmac.compare_digest(signature_for(secret, raw).encode(), header.strip().encode())


def loads(raw: bytes):
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPayload(f"not JSON: {exc}"[:200]) from None


def phone_number_ids(raw: bytes, payload=None) -> set[str]:
    """The phone-number ids a body names, even when it does not parse (to find whose secret signs it)."""
    if isinstance(payload, dict):
        found = set()
        for entry in payload.get("entry") or []:
            for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
                value = change.get("value") if isinstance(change, dict) else None
                metadata = value.get("metadata") if isinstance(value, dict) else None
                pid = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
                if isinstance(pid, (str, int)) and str(pid).isdigit():
                    found.add(str(pid))
        if found:
            return found
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


def _str(value) -> bool:
    return isinstance(value, str) and value != ""


def status_key(status: dict) -> str:
    """Statuses repeat a message id (sent, delivered, read); payment statuses repeat it too."""
    key = f"{status['id']}:{status['status']}"
    if status.get("type") == "payment":
        txn = (status.get("payment") or {}).get("transaction") or {}
        key = f"{key}:payment:{txn.get('status', '')}:{txn.get('id', '')}"
    return key[:200]


def read_envelope(payload) -> Envelope:
    """Split a parsed body into records; raise BadPayload when the envelope itself is wrong.

    A single malformed message or status is reported in `problems` and the rest is kept, so
    one bad item never costs the other 999 of a batch."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise BadPayload("expected an object with an `entry` list")
    if payload.get("object") not in (None, "whatsapp_business_account"):
        raise BadPayload(f"unexpected object {payload.get('object')!r}")
    envelope = Envelope()
    for entry in payload["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("changes", []), list):
            raise BadPayload("an entry without a `changes` list")
        for change in entry.get("changes", []):
            if not isinstance(change, dict):
                raise BadPayload("a change that is not an object")
            if change.get("field", "messages") != "messages":
                continue  # account, template and quality updates: not ours to act on
            value = change.get("value")
            metadata = value.get("metadata") if isinstance(value, dict) else None
            pid = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if not isinstance(value, dict) or not isinstance(pid, (str, int)) or not str(pid).isdigit():
                raise BadPayload("a change without value.metadata.phone_number_id")
            _read_value(str(pid), value, envelope)
    return envelope


def _read_value(pid: str, value: dict, envelope: Envelope) -> None:
    names = {}
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict) and _str(contact.get("wa_id")):
            names[contact["wa_id"]] = str(((contact.get("profile") or {}).get("name")) or "")[:200]
    for message in value.get("messages") or []:
        if not (isinstance(message, dict) and _str(message.get("id")) and _str(message.get("from"))
                and _str(message.get("type"))):
            envelope.problems.append((pid, "message without id, from or type", message))
            continue
        envelope.records.append(Record(
            pid, message["id"][:200], message["from"][:32], message["type"][:20], message,
            names.get(message["from"], ""),
        ))
    for status in value.get("statuses") or []:
        if not (isinstance(status, dict) and _str(status.get("id")) and _str(status.get("status"))):
            envelope.problems.append((pid, "status without id or status", status))
            continue
        envelope.records.append(Record(
            pid, status_key(status), str(status.get("recipient_id") or "")[:32], "status", status,
        ))
