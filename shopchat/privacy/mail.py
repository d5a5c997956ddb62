"""The embedded default's e-mail backend (EMAIL_URL=consolemail://): one summary line per
message on stdout (how many recipients, the subject masked, the body's size), never the body:
staff e-mails carry customers' names, numbers and addresses, and stdout ends up in the
worker's log."""
from django.core.mail.backends.console import EmailBackend

from .logs import mask


class SummaryConsoleBackend(EmailBackend):
    def write_message(self, message) -> None:
        recipients = len(message.recipients())
        body = message.body if isinstance(message.body, str) else ""
        self.stream.write(f"e-mail (console): to {recipients} recipient(s), subject {mask(message.subject)!r}, "
                          f"{len(body)} characters of body not shown\n")
