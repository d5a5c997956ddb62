"""X-Hub-Signature-256: HMAC-SHA256 of the exact raw body with the app secret."""
from chat.webhook import signature_for, signature_ok
from tests.chat.conftest import raw_payload

# Documented test vector: the stored bytes of inbound_text_hi.json (with its trailing newline)
# signed with the app secret "test_app_secret".
VECTOR = "sha256=6cf95df89d5537d4a8ca8283fee5783dc625a6045898d7de0608c3ca625a48e7"


def test_signature_of_the_test_vector_matches():
    body = raw_payload("inbound_text_hi.json")
    assert body.endswith(b"\n")
    assert signature_for("test_app_secret", body) == VECTOR
    assert signature_ok("test_app_secret", body, VECTOR)


def test_signature_over_a_reformatted_body_does_not_match():
    body = raw_payload("inbound_text_hi.json")
    assert not signature_ok("test_app_secret", body.rstrip(b"\n"), VECTOR)
    assert not signature_ok("another_secret", body, VECTOR)
    assert not signature_ok("test_app_secret", body, "")
