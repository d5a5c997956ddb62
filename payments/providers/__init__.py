"""Payment providers behind one small interface, so a real PSP is a new class, not a change
to the services. `provider_for(business)` is the business's configured provider
(`PaymentProviderConfig`), built with its credentials; without one, `settings.PAYMENT_PROVIDER`
(the embedded `sandbox`). `get_provider(name)` is a provider with the platform's own settings."""
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (  # noqa: F401
    CallbackEvent,
    CardDetails,
    CardSetup,
    ChargeResult,
    InvalidCallback,
    PaymentLink,
    PayoutResult,
    Provider,
    ProviderError,
    ProviderUnavailable,
    RefundResult,
)

_instances: dict[str, Provider] = {}


class UnknownProvider(LookupError):
    pass


def get_provider(name: str | None = None, *, config: Any = None) -> Provider:
    name = name or settings.PAYMENT_PROVIDER
    path = settings.PAYMENT_PROVIDERS.get(name)
    if path is None:
        raise UnknownProvider(name)
    if config is not None:  # built per call: credentials may have changed since
        return import_string(path)(name=name, config=config)
    if name not in _instances:
        _instances[name] = import_string(path)(name=name)
    return _instances[name]


SANDBOX = "sandbox"


def provider_for_customer(customer: Any, name: str | None = None) -> Provider:
    """`provider_for` the customer's business, except that a merchant's own test chat
    (`Customer.is_test`) always pays with the sandbox: trying the shop never charges a card."""
    if customer.is_test:
        return get_provider(SANDBOX)
    return provider_for(customer.business, name)


def provider_for(business: Any, name: str | None = None) -> Provider:
    """The business's provider (or, with `name`, the provider a payment went through), with the
    business's credentials when it has configured that provider."""
    from ..models import PaymentProviderConfig

    config = PaymentProviderConfig.objects.filter(business_id=business.pk).first()
    if config is not None and (name is None or name == config.provider):
        return get_provider(config.provider, config=config)
    return get_provider(name)
