"""The notes the desk writes about itself (assignments, round-robin, SLA breaches, a ticket
opened from the inbox): stored as a code with params beside their English text, and shown in
the reader's language (`shown`), whoever wrote them and in whichever language they work.

The English text stays in `TicketMessage.body`: the API, the export and search read it."""
from django.utils.translation import gettext, gettext_noop

ROUND_ROBIN = "round_robin"
ASSIGNED = "assigned"
UNASSIGNED = "unassigned"
SLA_FIRST_RESPONSE = "sla_first_response"
SLA_RESOLUTION = "sla_resolution"
SLA_BOTH = "sla_both"
OPENED_FROM_CHAT = "opened_from_chat"

NOTES = {
    ROUND_ROBIN: gettext_noop("Assigned automatically (round-robin)."),
    ASSIGNED: gettext_noop("Assigned to %(user)s."),
    UNASSIGNED: gettext_noop("Unassigned."),
    SLA_FIRST_RESPONSE: gettext_noop("SLA breached: first response."),
    SLA_RESOLUTION: gettext_noop("SLA breached: resolution."),
    SLA_BOTH: gettext_noop("SLA breached: first response and resolution."),
    OPENED_FROM_CHAT: gettext_noop("(opened from the chat by %(agent)s)"),
}
# The breached targets (as support.services.jobs names them) -> the note's code.
SLA_BREACHES = {("first response",): SLA_FIRST_RESPONSE, ("resolution",): SLA_RESOLUTION,
                ("first response", "resolution"): SLA_BOTH}


def english(code: str, params: dict | None = None) -> str:
    """The note's English text (what `body` keeps)."""
    return NOTES[code] % (params or {}) if params else NOTES[code]


def shown(code: str, params: dict | None = None) -> str:
    """The note in the active language (the reader's)."""
    text = gettext(NOTES[code])
    return text % params if params else text
