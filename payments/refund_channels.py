"""Who sends a refund of a payment method whose provider lives on a higher floor (WhatsApp
Pay: the chat adapter calls Meta's `payments_refund`). Filled in AppConfig.ready(); a method
without a sender is refunded by hand (the staff are told)."""
from collections.abc import Callable
from typing import Any

SENDERS: dict[str, Callable[[Any], str]] = {}


def register(method: str, send: Callable[[Any], str]) -> None:
    """`send(refund) -> the provider's refund id`; raises ProviderUnavailable / ProviderError."""
    SENDERS[method] = send
