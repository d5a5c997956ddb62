"""The providers' HTTP through the outbound guard (`shopchat.outbound`): a business may set its
provider's API base URL (regional endpoints, test doubles), so every call the official libraries
make goes through the guard's client: the base URL is checked before the call (a refusal is the
provider's permanent `ProviderError`, code `outbound_refused`, never retried), and the address
actually dialled is checked again when the connection opens (a DNS change or a row saved
before the rule). Redirects are not followed and proxies from the environment are ignored.

- Stripe: `stripe_http_client()`, the library's own httpx adapter with its client replaced by
  the guard's (one per process).
- Razorpay: `GuardedSession`, the few `requests.Session` methods the library calls (`get`,
  `post`, `patch`, `put`, `delete`), answered by the guard's httpx client.
"""
import threading
from typing import Any

import httpx
import stripe

from shopchat import outbound

from .base import ProviderError

TIMEOUT_SECONDS = 15

_lock = threading.Lock()
_guarded: httpx.Client | None = None
_stripe: "_StripeHTTPX | None" = None


def guarded_client() -> httpx.Client:
    """One pooled guarded client per process (created after the worker forks)."""
    global _guarded
    with _lock:
        if _guarded is None:
            _guarded = outbound.client(timeout=TIMEOUT_SECONDS)
        return _guarded


def check_base_url(url: str) -> None:
    """Send time: a merchant-set base URL the guard refuses stops the call (ProviderError)."""
    if not url:
        return
    try:
        outbound.check_url(url)
    except outbound.OutboundRefused as exc:
        raise ProviderError(exc.message, field="api_base_url", code="outbound_refused") from None


class _StripeHTTPX(stripe.HTTPXClient):
    """The library's adapter, sending its form-encoded body as `content` (httpx deprecates raw
    text passed as `data`)."""

    def _get_request_args_kwargs(self, method, url, headers, post_data):
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        data = kwargs.pop("data", None)
        if data:
            kwargs["content"] = data
        return args, kwargs


def stripe_http_client() -> stripe.HTTPClient:
    """One per process: the library's adapter built without its own sync client, given the guard's."""
    global _stripe
    guarded = guarded_client()
    with _lock:
        if _stripe is None:
            adapter = _StripeHTTPX(timeout=TIMEOUT_SECONDS, allow_sync_methods=False)
            adapter._client = guarded
            _stripe = adapter
        return _stripe


class GuardedSession:
    """What `razorpay.Client` needs of a `requests.Session`, through the guard. The answer is
    httpx's response (`status_code`, `json()`, `text`: all the library reads)."""

    def _send(self, method: str, url: str, *, auth: Any = None, params: Any = None, data: Any = None,
              headers: Any = None, timeout: Any = None, verify: Any = None, **_: Any) -> httpx.Response:
        # the library's User-Agent ends in a space, which requests sends and httpx (rightly) refuses
        headers = {name: str(value).strip() for name, value in (headers or {}).items()}
        content = data if isinstance(data, str | bytes) else None
        form = data if isinstance(data, dict) else None
        return guarded_client().request(method.upper(), url, auth=tuple(auth) if auth else None, params=params,
                                        content=content, data=form, headers=headers,
                                        timeout=timeout or TIMEOUT_SECONDS)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._send("get", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._send("post", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._send("patch", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._send("put", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self._send("delete", url, **kwargs)
