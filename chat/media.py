"""Photos, voice notes, videos, documents and stickers customers send.

The webhook stores only the message. When the engine answers it (inside the conversation's
transaction) `receive` writes a pending `ReceivedMedia` row, attaches it to the customer's open
ticket (a "Photo received" comment), and records one outbox event on the `wa_media` channel in
the same transaction, so the download exists if and only if the row does (nothing lost: a lost
enqueue is re-sent by the outbox sweep). The event is written after the conversation's replies
(`downloads_after_replies`), so the customer's answer goes out first.

The download (`download`, the channel's handler) runs after commit, under no row lock and in no
transaction, through the WhatsApp sender's pooled, guarded HTTP client (`chat.sender.client`):

1. `GET {base_url}/{version}/{media-id}?phone_number_id=...` with the number's token answers
   `{"url", "mime_type", "sha256", "file_size", "id"}`;
2. a type outside WHATSAPP_MEDIA_MIME_TYPES is refused, a `file_size` above
   WHATSAPP_MEDIA_MAX_BYTES is refused without downloading (`too_large`);
3. `GET url` with the same token is streamed into a temporary file, stopped as soon as it passes
   the limit, its SHA-256 compared with Meta's, then saved to the default storage under a random
   name (never the customer's file name).

A transient failure (network, 5xx, 429, a broken transfer) is retried with the outbox's back-off,
WHATSAPP_MEDIA_MAX_ATTEMPTS times, then the row is marked failed; a permanent one (4xx, a type
not accepted) is marked failed at once. Either way the customer is told in the chat and the
error is kept on the row. Captions and file names are the customer's words: never logged.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings
from django.core.files import File
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shopchat import outbound, outbox
from shopchat.errors import DomainError
from shopchat.languages import Speech
from shopchat.outbox import DeliveryFailed, Event, NothingToDeliver
from support import services as support_services
from support.attachments import Attachment

from . import messages as wa
from . import sender
from .models import ReceivedMedia, WhatsAppConfig

if TYPE_CHECKING:
    from shopchat.models import Business, Customer, OutboxEvent
    from support.models import Ticket, TicketMessage

    from .models import InboundMessage

log = logging.getLogger(__name__)

CHANNEL = "wa_media"  # the OutboxEvent.channel of media downloads
DOWNLOAD_EVENT = "whatsapp.media"
KINDS = frozenset(ReceivedMedia.Kind.values)
MEDIA_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024  # bigger downloads spill to a temporary file on disk
# Shown inline in the back office (an <img>); every other type is only ever a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "audio/aac": "aac", "audio/amr": "amr",
    "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/ogg": "ogg", "video/mp4": "mp4", "video/3gpp": "3gp",
    "application/pdf": "pdf", "text/plain": "txt", "application/msword": "doc", "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
# The ticket comment written for each kind (stored text, like the desk's other notes).
COMMENTS = {"image": "Photo received", "audio": "Voice message received", "video": "Video received",
            "document": "Document received", "sticker": "Sticker received"}


class TooLarge(Exception):
    """The file is bigger than WHATSAPP_MEDIA_MAX_BYTES (`size`: as far as it is known)."""

    def __init__(self, message: str, size: int | None = None):
        super().__init__(message)
        self.size = size


class Refused(Exception):
    """A permanent failure: trying again cannot fix it."""


class Transient(Exception):
    """A failure another attempt may not meet (network, Meta's 5xx or 429, a broken transfer)."""


# --- receiving (inside the conversation's transaction) -------------------------------------

_deferred: ContextVar[list[tuple[Any, Event]] | None] = ContextVar("media_downloads_deferred", default=None)


@contextmanager
def downloads_after_replies() -> Iterator[None]:
    """Within the block, the download events `receive` records are held back and written when the
    block ends (still inside the caller's transaction), after the replies the block queued: the
    customer's answer is sent before the file is fetched. A block that raises writes none (its
    transaction rolls back with the rows they would download)."""
    held: list[tuple[Any, Event]] = []
    token = _deferred.set(held)
    try:
        yield
    finally:
        _deferred.reset(token)
    for business, event in held:
        outbox.emit_events(business=business, events=[event])


def _queue_download(business: Business, media: ReceivedMedia) -> None:
    event = Event(DOWNLOAD_EVENT, {"media": media.pk, "kind": media.kind}, CHANNEL)
    held = _deferred.get()
    if held is None:
        outbox.emit_events(business=business, events=[event])
    else:
        held.append((business, event))


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def normalize_mime(value: Any) -> str:
    """`audio/ogg; codecs=opus` -> `audio/ogg`."""
    return _text(value, 200).split(";", 1)[0].strip().lower()[:100]


def safe_file_name(value: Any) -> str:
    """The document's name as the customer's phone gave it, without any path or control character."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", _text(value, 1000)).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255]


def receive(*, business: Business, customer: Customer, inbound: InboundMessage, kind: str, item: dict,
            ticket: Ticket | None) -> ReceivedMedia:
    """Keep what the customer sent (`item`: the message's `image`, `audio`... object): a pending
    row whose download is queued, attached to `ticket` (a comment saying what came, with the
    caption) when there is one. Once per message: a message answered again gets its row back."""
    existing = ReceivedMedia.objects.filter(inbound=inbound).first()
    if existing is not None:
        return existing
    media_id = _text(item.get("id"), 200)
    media = ReceivedMedia(
        business=business, customer=customer, inbound=inbound, kind=kind, wa_media_id=media_id[:128],
        mime_type=normalize_mime(item.get("mime_type")), sha256=_text(item.get("sha256"), 200)[:64],
        caption=_text(item.get("caption"), 4096).strip(),
        file_name=safe_file_name(item.get("filename")) if kind == ReceivedMedia.Kind.DOCUMENT else "",
    )
    if not MEDIA_ID_RE.match(media_id):
        media.status, media.error = ReceivedMedia.Status.FAILED, "the message names no media id"
    if ticket is not None:
        media.ticket = ticket
        media.ticket_message = _comment(ticket, media)
    media.save()
    if media.status == ReceivedMedia.Status.PENDING:
        _queue_download(business, media)
    return media


def _comment(ticket: Ticket, media: ReceivedMedia) -> TicketMessage | None:
    """The customer's message on the ticket: what came (and the document's name), then the caption."""
    head = COMMENTS.get(media.kind, "File received")
    if media.file_name:
        head = f"{head}: {media.file_name}"
    body = "\n".join(x for x in (head, media.caption) if x)
    try:
        return support_services.add_customer_message(ticket=ticket, body=body[:4096])
    except DomainError:  # closed meanwhile: the file stays on the conversation
        return None


def coordinates(pin: dict) -> tuple[float, float] | None:
    """(latitude, longitude) of a location pin, when both are numbers on the globe."""
    try:
        latitude, longitude = float(pin.get("latitude")), float(pin.get("longitude"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def map_link(latitude: float, longitude: float) -> str:
    return f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}#map=17/{latitude:.6f}/{longitude:.6f}"


def location_text(pin: dict) -> str:
    """A location pin as a ticket comment: its place, its coordinates and a map link."""
    place = ", ".join(_text(pin.get(k), 300).strip() for k in ("name", "address") if _text(pin.get(k), 300).strip())
    lines = ["Location received" + (f": {place}" if place else "")]
    where = coordinates(pin)
    if where is not None:
        lines.append(f"{where[0]:.6f}, {where[1]:.6f} {map_link(*where)}")
    return "\n".join(lines)[:4096]


# --- downloading (the outbox channel `wa_media`, after commit) --------------------------------

def download(event: OutboxEvent) -> None:
    """Outbox channel handler (registered in `chat.apps`): fetch and store one media file.

    Idempotent: a row no longer pending (stored, refused, erased) is skipped."""
    media_id = _int((event.payload or {}).get("media"))
    media = (ReceivedMedia.objects.filter(pk=media_id or 0, business_id=event.business_id)
             .select_related("business", "customer").first())
    if media is None or media.status != ReceivedMedia.Status.PENDING:
        raise NothingToDeliver()
    config = WhatsAppConfig.objects.filter(business_id=event.business_id, enabled=True).first()
    if config is None:
        _finish(media, ReceivedMedia.Status.FAILED, "the WhatsApp number is not set up or is switched off")
        raise DeliveryFailed(f"media {media.pk}: no WhatsApp number", retry=False)
    ReceivedMedia.objects.filter(pk=media.pk).update(attempts=F("attempts") + 1)
    attempts = media.attempts + 1
    try:
        name, facts = fetch(config, media)
    except TooLarge as exc:
        _finish(media, ReceivedMedia.Status.TOO_LARGE, str(exc), size=exc.size)
        return
    except Refused as exc:
        _finish(media, ReceivedMedia.Status.FAILED, str(exc))
        raise DeliveryFailed(f"media {media.pk}: {exc}"[:500], retry=False) from None
    except Exception as exc:  # Transient, or a bug: counted, retried, never lost
        reason = str(exc) if isinstance(exc, Transient) else f"unexpected {type(exc).__name__}"
        if not isinstance(exc, Transient):
            log.exception("whatsapp: downloading media %s failed", media.pk)
        age = (timezone.now() - event.created_at).total_seconds()
        if attempts >= settings.WHATSAPP_MEDIA_MAX_ATTEMPTS or age >= settings.OUTBOX_GIVE_UP_AFTER_SECONDS - 1:
            _finish(media, ReceivedMedia.Status.FAILED, f"gave up after {attempts} attempts: {reason}")
            raise DeliveryFailed(f"media {media.pk}: gave up: {reason}"[:500], retry=False) from None
        ReceivedMedia.objects.filter(pk=media.pk).update(error=reason[:300])
        log.info("whatsapp: media %s of business %s not downloaded yet (%s)", media.pk, media.business_id, reason)
        raise DeliveryFailed(f"media {media.pk}: {reason}"[:500], retry=True) from None
    stored = ReceivedMedia.objects.filter(pk=media.pk, status=ReceivedMedia.Status.PENDING).update(
        file=name, status=ReceivedMedia.Status.STORED, stored_at=timezone.now(), error="", **facts)
    if not stored:  # erased (or stored by another delivery) while it was downloading: keep nothing
        storage().delete(name)


def storage():
    return ReceivedMedia._meta.get_field("file").storage


def _headers(config: WhatsAppConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.access_token}"}


def _check(response: httpx.Response, what: str) -> None:
    if 200 <= response.status_code < 300:
        return
    reason = f"{what}: {outbound.short_reason(response)}"
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise Transient(reason)
    raise Refused(reason)


def fetch(config: WhatsAppConfig, media: ReceivedMedia) -> tuple[str, dict[str, Any]]:
    """Download `media` through the Cloud API; the stored file's name and what was learnt of it
    (mime type, size, SHA-256). Raises TooLarge, Refused or Transient."""
    limit = settings.WHATSAPP_MEDIA_MAX_BYTES
    client = sender.client()
    info_url = f"{config.base_url.rstrip('/')}/{config.api_version}/{media.wa_media_id}"
    try:
        response = client.get(info_url, params={"phone_number_id": config.phone_number_id},
                              headers=_headers(config), timeout=settings.OUTBOX_TIMEOUT_SECONDS)
    except outbound.OutboundRefused as exc:
        raise Refused(f"address refused: {exc.message}") from None
    except httpx.HTTPError as exc:
        raise Transient(f"media information: {type(exc).__name__}") from None
    _check(response, "media information")
    info = sender._json(response)
    mime = normalize_mime(info.get("mime_type")) or media.mime_type
    if mime not in allowed_types():
        raise Refused(f"type not accepted: {mime or 'none given'}"[:200])
    size = _int(info.get("file_size"))
    if size is not None and size > limit:
        raise TooLarge(f"{size} bytes, over the limit of {limit}", size)
    url = info.get("url")
    if not isinstance(url, str) or not url:
        raise Transient("the media information names no download address")
    try:
        outbound.check_url(url)
    except outbound.OutboundRefused as exc:
        raise Refused(f"download address refused: {exc.message}") from None
    expected = hex_digest(info.get("sha256")) or hex_digest(media.sha256)
    digest = hashlib.sha256()
    received = 0
    timeout = httpx.Timeout(settings.WHATSAPP_MEDIA_TIMEOUT_SECONDS, connect=settings.OUTBOX_TIMEOUT_SECONDS)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        try:
            with client.stream("GET", url, headers=_headers(config), timeout=timeout) as answer:
                _check(answer, "download")
                length = _int(answer.headers.get("content-length"))
                if length is not None and length > limit:
                    raise TooLarge(f"{length} bytes, over the limit of {limit}", length)
                for chunk in answer.iter_bytes(CHUNK):
                    received += len(chunk)
                    if received > limit:
                        raise TooLarge(f"more than the limit of {limit} bytes", received)
                    digest.update(chunk)
                    spool.write(chunk)
        except outbound.OutboundRefused as exc:
            raise Refused(f"download address refused: {exc.message}") from None
        except httpx.HTTPError as exc:
            raise Transient(f"download: {type(exc).__name__}") from None
        if expected and digest.hexdigest() != expected:
            raise Transient("the file's SHA-256 does not match Meta's (a broken transfer)")
        if size is not None and received != size:
            raise Transient(f"received {received} of {size} bytes")
        spool.seek(0)
        name = storage().save(
            ReceivedMedia._meta.get_field("file").generate_filename(media, f"x.{EXTENSIONS.get(mime, 'bin')}"),
            File(spool))
    return name, {"mime_type": mime, "size": received, "sha256": digest.hexdigest()}


def allowed_types() -> set[str]:
    return {normalize_mime(t) for t in settings.WHATSAPP_MEDIA_MIME_TYPES}


def hex_digest(value: Any) -> str:
    """A SHA-256 as lower-case hex, from hex or base64 (Meta has used both); '' when neither."""
    if not isinstance(value, str) or not value:
        return ""
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return value.lower()
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_" if "-" in value or "_" in value
                               else None, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.hex() if len(raw) == 32 else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _finish(media: ReceivedMedia, status: str, error: str, size: int | None = None) -> None:
    """Record that the download will not happen, and tell the customer in the chat."""
    changes: dict[str, Any] = {"status": status, "error": error[:300]}
    if size is not None:
        changes["size"] = size
    done = ReceivedMedia.objects.filter(pk=media.pk, status=ReceivedMedia.Status.PENDING).update(**changes)
    log.warning("whatsapp: media %s of business %s %s (%s)", media.pk, media.business_id, status, error[:200])
    if done:
        _tell_customer(media, status)


def _tell_customer(media: ReceivedMedia, status: str) -> None:
    from .engine import Reply
    from .services import queue_replies

    customer = media.customer
    if customer is None or customer.erased_at is not None:
        return
    with translation.override(Speech.of(customer, media.business).language):
        if status == ReceivedMedia.Status.TOO_LARGE:
            text = _("Sorry, your file is too large for us (the limit is %(limit)s MB). Please send a smaller "
                     "one, or a photo of it.") % {"limit": settings.WHATSAPP_MEDIA_MAX_BYTES // (1024 * 1024)}
        else:
            text = _("Sorry, we could not receive your file. Please send it again.")
    try:
        queue_replies(business=media.business, customer=customer, replies=[Reply(wa.text(text))],
                      in_reply_to=media.inbound)
    except Exception:  # telling is a courtesy: the row keeps the failure for the back office
        log.exception("whatsapp: could not queue the note about media %s", media.pk)


# --- showing (the back office) -----------------------------------------------------------

def file_url(media: ReceivedMedia) -> str:
    """The staff-only address of a stored file (checked against the viewer's businesses)."""
    return reverse("admin:chat_receivedmedia_file", args=[media.pk])


def attachment(media: ReceivedMedia) -> Attachment:
    """How the back office shows one received file: a thumbnail of a photo or sticker, a download
    link of anything else, or why there is no file."""
    stored = media.status == ReceivedMedia.Status.STORED and bool(media.file)
    return Attachment(
        label=str(media.get_kind_display()), url=file_url(media) if stored else "",
        image=stored and media.mime_type in INLINE_TYPES, name=media.file_name,
        size=human_size(media.size) if media.size else "",
        state="" if stored else str(media.get_status_display()),
    )


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def ticket_attachments(messages: Sequence[TicketMessage]) -> dict[int, list[Attachment]]:
    """support.attachments provider: the files of the ticket messages shown (one query)."""
    ids = [m.pk for m in messages]
    found: dict[int, list[Attachment]] = {}
    if not ids:
        return found
    for media in ReceivedMedia.objects.filter(ticket_message_id__in=ids).order_by("pk"):
        assert media.ticket_message_id is not None
        found.setdefault(media.ticket_message_id, []).append(attachment(media))
    return found


def download_name(media: ReceivedMedia) -> str:
    """The name a download is saved under: the document's own, else kind, id and extension."""
    if media.file_name:
        return media.file_name
    return f"{media.kind}-{media.pk}.{EXTENSIONS.get(media.mime_type, 'bin')}"


# --- privacy ---------------------------------------------------------------------------------

def delete_files(names: Sequence[str]) -> int:
    """Delete stored files by name (missing ones are fine). Returns how many names were given."""
    store = storage()
    for name in names:
        if name:
            try:
                store.delete(name)
            except OSError:
                log.warning("whatsapp: a media file could not be deleted from the storage")
    return len(names)

