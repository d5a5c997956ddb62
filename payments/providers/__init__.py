"""Payment providers behind one small interface, so a real PSP is a new class, not a change
to the services. `get_provider(name)` returns the configured instance; `settings.PAYMENT_PROVIDER`
names the default (the built-in `sandbox`)."""
from django.conf import settings
from django.utils.module_loading import import_string

from .base import (  # noqa: F401
    CallbackEvent,
    CardDetails,
    ChargeResult,
    InvalidCallback,
    PayoutResult,
    Provider,
    ProviderError,
    RefundResult,
)

_instances: dict[str, Provider] = {}


class UnknownProvider(LookupError):
    pass


def get_provider(name: str | None = None) -> Provider:
    name = name or settings.PAYMENT_PROVIDER
    path = settings.PAYMENT_PROVIDERS.get(name)
    if path is None:
        raise UnknownProvider(name)
    if name not in _instances:
        _instances[name] = import_string(path)(name=name)
    return _instances[name]
