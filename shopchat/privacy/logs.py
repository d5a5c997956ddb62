"""No personal data in logs (docs/PRIVACY.md, "Logs"): phone numbers, e-mail addresses and the
names of the customers being served are masked in every log record at INFO and above.

`install()` (from `ShopchatConfig.ready()`, so every web process, worker and command has it)
wraps the log-record factory, so the masking happens once, when the record is made, before any
handler (console, Celery's, pytest's) sees it. `PersonalDataFilter` does the same for a handler
configured outside Django (it is on the console handler of LOGGING too). `masking(*names)` adds
the names of the customer a task is serving to what is masked while it runs. DEBUG records are
left alone (a developer's own machine). Only the standard library here: gunicorn.conf.py uses it.
"""
from __future__ import annotations

import contextvars
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

PHONE = re.compile(r"(?<![\w.])\+?\d{8,15}(?!\w)")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_names: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("shopchat_log_names", default=())


def mask(text: str) -> str:
    """`text` with phone numbers, e-mail addresses and the names being served masked."""
    text = EMAIL.sub("[email]", PHONE.sub("[phone]", text))
    for name in _names.get():
        text = re.sub(re.escape(name), "[name]", text, flags=re.IGNORECASE)
    return text


@contextmanager
def masking(*names: str | None) -> Iterator[None]:
    """Mask these names (and each word of three letters or more) in the records logged inside."""
    words = {w for n in names if n for w in [n.strip(), *re.split(r"\W+", n)] if len(w) >= 3}
    token = _names.set(tuple(sorted(set(_names.get()) | words, key=len, reverse=True)))
    try:
        yield
    finally:
        _names.reset(token)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    if record.levelno < logging.INFO or getattr(record, "_masked", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to the handler's own error path
        return record
    record.msg, record.args = mask(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
    record._masked = True
    return record


class PersonalDataFilter(logging.Filter):
    """A handler filter masking personal data in each record (it never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


_installed = False


def install() -> None:
    """Mask every record at creation (idempotent)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return mask_record(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
