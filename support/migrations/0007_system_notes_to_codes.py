"""The system notes written before they had codes (stored as English text; a ticket opened from
the inbox in the opening agent's language) get their code and params (support.system_notes),
so they show in each reader's language. What matches no known note stays as written."""
import re

from django.db import migrations

# The notes as the desk wrote them: (author kind, pattern, code, param names).
KNOWN = [
    ("system", re.compile(r"Assigned automatically \(round-robin\)\."), "round_robin", ()),
    ("system", re.compile(r"Assigned to (.+)\."), "assigned", ("user",)),
    ("system", re.compile(r"Unassigned\."), "unassigned", ()),
    ("system", re.compile(r"SLA breached: first response\."), "sla_first_response", ()),
    ("system", re.compile(r"SLA breached: resolution\."), "sla_resolution", ()),
    ("system", re.compile(r"SLA breached: first response and resolution\."), "sla_both", ()),
    ("customer", re.compile(r"\(opened from the chat by (.+)\)"), "opened_from_chat", ("agent",)),
    ("customer", re.compile(r"\(aus dem Chat eröffnet von (.+)\)"), "opened_from_chat", ("agent",)),
    ("customer", re.compile(r"\(aperto dalla chat da (.+)\)"), "opened_from_chat", ("agent",)),
]
ENGLISH = {"opened_from_chat": "(opened from the chat by %(agent)s)"}


def known_note(author_kind: str, body: str) -> tuple[str, dict] | None:
    for kind, pattern, code, names in KNOWN:
        if kind == author_kind and (match := pattern.fullmatch(body)):
            return code, dict(zip(names, match.groups(), strict=True))
    return None


def forwards(apps, schema_editor):
    TicketMessage = apps.get_model("support", "TicketMessage")
    candidates = (TicketMessage.objects.filter(note_code="", author_kind="system")
                  | TicketMessage.objects.filter(note_code="", author_kind="customer", body__startswith="("))
    changed = []
    for message in candidates.only("id", "author_kind", "body").iterator(chunk_size=2000):
        found = known_note(message.author_kind, message.body)
        if found is None:
            continue
        message.note_code, message.note_params = found
        if found[0] in ENGLISH:
            message.body = ENGLISH[found[0]] % found[1]
        changed.append(message)
        if len(changed) >= 2000:
            TicketMessage.objects.bulk_update(changed, ["note_code", "note_params", "body"])
            changed = []
    if changed:
        TicketMessage.objects.bulk_update(changed, ["note_code", "note_params", "body"])


class Migration(migrations.Migration):

    dependencies = [
        ("support", "0006_system_note_codes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
