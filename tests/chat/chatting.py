"""Talking to the chat through signed webhooks: post one inbound message, get what the fake
Cloud API received in answer."""
from tests.chat.conftest import post_webhook


def exchange(client, fake_cloud, body: dict, replies: int = 1) -> list[dict]:
    """Post `body` (a signed webhook) and return the `replies` messages it sent back."""
    before = len(fake_cloud.requests)
    assert post_webhook(client, body).status_code == 200
    assert fake_cloud.wait_for(before + replies)
    return fake_cloud.sent[before:]


def text_of(message: dict) -> str:
    """A sent message's words: a text's body, or an interactive message's body."""
    if message["type"] == "text":
        return message["text"]["body"]
    return message["interactive"]["body"]["text"]


def button_ids(message: dict) -> list[str]:
    return [b["reply"]["id"] for b in message["interactive"]["action"]["buttons"]]
