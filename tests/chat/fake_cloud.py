"""A fake WhatsApp Cloud API: a real HTTP server on 127.0.0.1 (tests/receiver.py) that records
each request shopchat sends to `/<version>/<phone_number_id>/messages` and answers like Meta
(a fresh `wamid` per message), or with the scripted failures given in `responses`. Media put in
`media` (`add_media`) is served like Meta's media endpoint: `GET /<version>/<media-id>` answers
its url, mime type, sha256 and size, and `GET` of that url the bytes (`media_failures`: statuses
answered first, in turn, to the media requests)."""
import hashlib
import itertools

from tests.receiver import Receiver


def cloud_error(code: int, message: str, details: str = "") -> dict:
    return {"error": {"message": message, "type": "OAuthException", "code": code,
                      "error_data": {"messaging_product": "whatsapp", "details": details or message},
                      "fbtrace_id": "AFakeTraceId"}}


class FakeCloudAPI(Receiver):
    protocol = "HTTP/1.1"

    def __init__(self, responses=()):
        self.responses = list(responses)  # [(status, body)] answered first, in turn
        self.counter = itertools.count(1)
        self.payments: dict[str, dict] = {}  # reference_id -> the lookup API's payment object
        self.templates: list[dict] = []  # the account's message templates (see `answer_templates`)
        self.media: dict[str, dict] = {}  # media id -> {"content", "mime_type", "sha256", "file_size"}
        self.media_failures: list[int] = []  # statuses answered first to media requests, in turn
        super().__init__()

    def add_media(self, media_id: str, content: bytes, mime_type: str = "image/jpeg", **overrides) -> str:
        """Serve `content` as the media `media_id`; `overrides` change what the information says
        (e.g. a `file_size` larger than the bytes, another `sha256`). Returns the bytes' sha256."""
        digest = hashlib.sha256(content).hexdigest()
        self.media[media_id] = {"content": content, "mime_type": mime_type, "sha256": digest,
                                "file_size": len(content), **overrides}
        return digest

    @property
    def media_requests(self) -> list:
        with self.lock:
            return [r for r in self.requests if r["method"] == "GET" and "/payments/" not in r["path"]
                    and not r["path"].split("?")[0].endswith("/message_templates")]

    def _media(self, request, path):
        if self.media_failures:
            return self.media_failures.pop(0), cloud_error(131000, "Something went wrong")
        if path.startswith("/media-download/"):
            item = self.media.get(path.rsplit("/", 1)[-1])
            return (200, item["content"]) if item else (404, cloud_error(100, "Unknown media"))
        media_id = path.rsplit("/", 1)[-1]
        item = self.media.get(media_id)
        if item is None:
            return 400, cloud_error(100, "Unsupported get request: the media does not exist")
        return 200, {"messaging_product": "whatsapp", "url": f"{self.url}/media-download/{media_id}",
                     "mime_type": item["mime_type"], "sha256": item["sha256"], "file_size": item["file_size"],
                     "id": media_id}

    def answer(self, request, index):
        path = request["path"].split("?")[0]
        if request["method"] == "GET" and path.endswith("/message_templates"):
            return answer_templates(self, request)
        if request["method"] == "GET" and "/payments/" not in path:  # the media endpoint and its downloads
            return self._media(request, path)
        if request["method"] == "GET" and "/payments/" in path:  # the payment lookup API
            payment = self.payments.get(path.rsplit("/", 1)[-1])
            if payment is None:
                return 404, cloud_error(100, "No payment found for this reference id")
            return 200, {"payments": [payment]}
        if path.endswith("/payments_refund"):
            return 200, {"id": f"refund_FAKE{next(self.counter):06d}", "status": "pending"}
        status, answer = self.responses.pop(0) if self.responses else (200, None)
        if answer is None:
            to = (request["json"] or {}).get("to", "")
            answer = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                      "messages": [{"id": f"wamid.FAKE{next(self.counter):06d}"}]}
        return status, answer

    @property
    def sent(self) -> list:
        """The message bodies received, in order."""
        with self.lock:
            return [r["json"] for r in self.requests]


def looked_up(reference_id: str, value: int, status: str = "success", pg_transaction_id: str = "pay_PGTEST0001"):
    """A payment as Meta's lookup API answers it (`GET /{phone-number-id}/payments/{config}/{ref}`)."""
    return {"reference_id": reference_id, "status": "captured" if status == "success" else status,
            "currency": "INR", "amount": {"value": value, "offset": 100},
            "transactions": [{"id": "order_PGTEST0001", "pg_transaction_id": pg_transaction_id, "type": "razorpay",
                              "status": status, "created_timestamp": 1763730600, "updated_timestamp": 1763730660,
                              "amount": {"value": value, "offset": 100}, "method": {"type": "upi"}}]}


# --- message templates (Business Management API): GET /{waba-id}/message_templates -------------

def answer_templates(fake: FakeCloudAPI, request: dict) -> tuple[int, dict]:
    """A page of `fake.templates` as Meta lists them: `limit` per page from the `after` cursor
    (the item's index here), `paging.next` the absolute address of the following page."""
    from urllib.parse import parse_qs, urlencode, urlsplit

    if fake.responses:  # a scripted answer first, as for messages
        return fake.responses.pop(0)
    parts = urlsplit(request["path"])
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if not str(request["headers"].get("Authorization", "")).startswith("Bearer "):
        return 400, cloud_error(190, "An active access token must be used to query information.")
    limit, start = int(query.get("limit") or 25), int(query.get("after") or 0)
    page = fake.templates[start:start + limit]
    cursors = {"before": str(start), "after": str(start + len(page))}
    body: dict = {"data": page, "paging": {"cursors": cursors}}
    if start + limit < len(fake.templates):
        body["paging"]["next"] = f"{fake.url}{parts.path}?{urlencode({**query, 'after': start + len(page)})}"
    return 200, body


def meta_template(name: str, language: str = "en_US", body: str = "Hello", category: str = "UTILITY",
                  status: str = "APPROVED", **extra) -> dict:
    """One template as Meta's `message_templates` lists it."""
    return {"name": name, "language": language, "category": category, "status": status,
            "components": [{"type": "BODY", "text": body}], "id": f"9{abs(hash((name, language))) % 10**14:014d}",
            **extra}
