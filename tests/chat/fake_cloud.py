"""A fake WhatsApp Cloud API: a real HTTP server on 127.0.0.1 (tests/receiver.py) that records
each request shopchat sends to `/<version>/<phone_number_id>/messages` and answers like Meta
(a fresh `wamid` per message), or with the scripted failures given in `responses`."""
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
        super().__init__()

    def answer(self, request, index):
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
