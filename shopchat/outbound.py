"""The outbound-call guard: every HTTP call to an address a merchant chose goes through here.

A merchant types a webhook URL, a Graph API base URL or a payment provider's base URL; the
worker then calls it from inside our network. Without a guard that is server-side request
forgery: `http://127.0.0.1:5432/`, `http://169.254.169.254/` (cloud metadata), `http://[::1]/`,
`http://0.0.0.0/` or a public name that resolves to one of them. The guard:

- `check_url(url)` (save time: model validators, forms, serializers, services): the URL is
  http(s) with a host, and every address the host resolves to is public; raises
  `OutboundRefused` (a domain error, kind Invalid, field `url`) naming why.
- `validate_public_url(value)`: the same as a Django validator (raises ValidationError), for
  model and form fields.
- `client(...)` / `post(url, ...)` (send time): an httpx client whose connections are checked
  when they are opened, against the address actually dialled (so a row saved before the rule, a
  DNS change or a rebinding answer is refused too); redirects are never followed and proxies
  from the environment are ignored. A refused connection raises `OutboundRefused`, which
  callers record as a failed delivery with `exc.message` as the short reason.

Refused: loopback, private (RFC 1918, ULA), link-local, multicast, reserved, unspecified,
shared (CGNAT), documentation and benchmark ranges, in IPv4 and IPv6, IPv4-mapped and NAT64
forms included (what `ipaddress` reports as not global). `OUTBOUND_ALLOW_PRIVATE=True` lifts
the address rule (scheme and host are still checked): for the tests and the local demo, whose
receivers listen on 127.0.0.1. Never in production.
"""
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from httpcore import NetworkStream, SyncBackend

from .errors import InvalidInput

SCHEMES = ("http", "https")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(InvalidInput):
    """The guard refused an outbound address; `message` is short and safe to show a merchant."""

    default_code = "outbound_refused"

    def __init__(self, message: str, *, field: str = "url") -> None:
        super().__init__(field, message)


def allow_private() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False))


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not be called (None when it is a public address)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return refusal(mapped)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: the IPv4 address inside
            return refusal(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    for label, flag in (
        ("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
        ("link-local", address.is_link_local), ("multicast", address.is_multicast),
        ("private", address.is_private), ("reserved", address.is_reserved),
    ):
        if flag:
            return label
    if not address.is_global:
        return "not a public address"
    return None


def resolve(host: str, port: int | None) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is its own answer)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise OutboundRefused(_("The host %(host)s does not resolve.") % {"host": host[:100]}) from None
    addresses = []
    for info in infos:
        # The scope of a link-local v6 address ("fe80::1%eth0") is not part of the address.
        addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
    return addresses


def check_addresses(host: str, addresses: Iterable[IPAddress]) -> None:
    if allow_private():
        return
    for address in addresses:
        why = refusal(address)
        if why is not None:
            raise OutboundRefused(
                _("%(host)s is a %(why)s address (%(address)s): only public addresses can be called.")
                % {"host": host[:100], "why": why, "address": address}
            )


def check_url(url: str) -> None:
    """Refuse (OutboundRefused) a URL that is not http(s) with a host resolving to public addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundRefused(_("Enter a valid http or https URL.")) from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise OutboundRefused(_("Enter a valid http or https URL."))
    if parts.username or parts.password:
        raise OutboundRefused(_("A URL with a user name or password is not accepted."))
    if allow_private():
        return
    check_addresses(parts.hostname, resolve(parts.hostname, port))


def validate_public_url(value: str) -> None:
    """Django validator form of `check_url` (model and form fields). Empty values pass."""
    if not value:
        return
    try:
        check_url(value)
    except OutboundRefused as exc:
        raise ValidationError(exc.message, code="outbound_refused") from None


class GuardedBackend(SyncBackend):
    """httpcore's network backend with the guard at connect time: the host is resolved here,
    each address checked, and the checked address is the one dialled (TLS still verifies the
    host name, which httpcore takes from the request, not from the socket)."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> NetworkStream:
        addresses = resolve(host, port)
        check_addresses(host, addresses)
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except Exception as exc:  # httpcore's ConnectError/ConnectTimeout: try the next address
                last = exc
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # httpx builds its pool without a way to pass the backend: set it on the pool it made.
        self._pool._network_backend = GuardedBackend()


def client(*, timeout: float | None = None, limits: httpx.Limits | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx client for merchant-chosen addresses: connections checked by the guard, no
    redirects followed, no proxies from the environment. The caller closes it (or keeps one
    per process)."""
    transport = GuardedTransport(limits=limits or httpx.Limits(max_connections=20, max_keepalive_connections=10))
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False,
                        timeout=timeout if timeout is not None else settings.OUTBOX_TIMEOUT_SECONDS, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    """One guarded POST (checks `url` first, then the connection): raises OutboundRefused or
    httpx.HTTPError; a redirect comes back as the 3xx response it is."""
    check_url(url)
    timeout = kwargs.pop("timeout", None)
    with client(timeout=timeout) as guarded:
        return guarded.post(url, **kwargs)


def public_reason(recorded: str, limit: int = 200) -> str:
    """A recorded delivery error as a merchant may see it: `HTTP 500 ...` rows written before
    the guard carried the first 300 characters of the answer; only the status line is kept."""
    recorded = recorded or ""
    if recorded.startswith("HTTP ") and ": " in recorded:
        recorded = recorded.split(": ", 1)[0]
    return recorded[:limit]


def short_reason(response: httpx.Response) -> str:
    """What a merchant is shown about an answer: its status and reason phrase, never its body."""
    reason = response.reason_phrase or ""
    if 300 <= response.status_code < 400:
        reason = (reason + " (redirects are not followed)").strip()
    return f"HTTP {response.status_code} {reason}".strip()[:200]
