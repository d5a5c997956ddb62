"""Syncing a number's message templates from Meta: `sync_message_templates(config=...)` reads
the WhatsApp Business Account's `message_templates` (Business Management API) page after page
and keeps one `MessageTemplate` row per name and language (the back office's "Sync templates"
action and the `sync_message_templates` command call it)."""
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopchat import outbound
from shopchat.payloads import dig, text_of

from . import message_templates, sender
from .errors import TemplateSyncFailed
from .models import MessageTemplate, WhatsAppConfig

log = logging.getLogger(__name__)

TEMPLATE_FIELDS = "name,language,category,status,components"
TEMPLATE_PAGE_SIZE = 100
MAX_TEMPLATE_PAGES = 100  # 10,000 templates: Meta allows a WhatsApp Business Account far fewer


@dataclass(frozen=True)
class TemplateSync:
    """What a sync did: templates Meta listed, rows created and updated, rows marked gone."""

    listed: int
    created: int
    updated: int
    removed: int


def sync_message_templates(*, config: WhatsAppConfig) -> TemplateSync:
    """Read the number's templates from its WhatsApp Business Account (`GET /{waba_id}/
    message_templates`, every page through `paging.next`) with the number's token, through the
    outbound guard, then upsert them (one row per name and language; Meta's fields overwritten,
    the event mapping kept) and mark the rows Meta no longer lists as gone (`removed_at`).

    No lock is held during the HTTP calls; the writes take the config row's lock, so two syncs
    of one number write one after the other. Raises TemplateSyncFailed with a message for
    staff when the account id is missing or Meta cannot be read; nothing is written then."""
    if not config.waba_id:
        raise TemplateSyncFailed(_("Enter the WhatsApp Business Account id of number %(number)s first: the "
                                   "templates are listed under it.") % {"number": config.phone_number_id})
    items = _template_pages(config)
    read = [row for row in (message_templates.read_template(item) for item in items) if row is not None]
    now = timezone.now()
    created = updated = 0
    with transaction.atomic():
        WhatsAppConfig.objects.select_for_update().filter(pk=config.pk).first()
        existing = {(t.name, t.language): t for t in MessageTemplate.objects.filter(config=config)}
        seen: set[tuple[str, str]] = set()
        for row in read:
            key = (row["name"], row["language"])
            if key in seen:
                continue
            seen.add(key)
            template = existing.get(key)
            if template is None:
                MessageTemplate.objects.create(business_id=config.business_id, config=config, synced_at=now, **row)
                created += 1
                continue
            changed = {k: v for k, v in row.items() if getattr(template, k) != v}
            if changed or template.removed_at is not None:
                updated += 1
            MessageTemplate.objects.filter(pk=template.pk).update(synced_at=now, removed_at=None, **changed)
        gone = [t.pk for key, t in existing.items() if key not in seen and t.removed_at is None]
        removed = MessageTemplate.objects.filter(pk__in=gone).update(removed_at=now)
    log.info("whatsapp: %s templates of %s synced (%s new, %s changed, %s gone)", len(seen), config.phone_number_id,
             created, updated, removed)
    return TemplateSync(listed=len(seen), created=created, updated=updated, removed=removed)


def _template_pages(config: WhatsAppConfig) -> list:
    """Every template Meta lists for the number's account, page after page (`paging.next`,
    followed only on the configured API's own host: the token goes nowhere else)."""
    origin = urlsplit(config.base_url)
    url: str | None = config.templates_url
    params: dict | None = {"fields": TEMPLATE_FIELDS, "limit": TEMPLATE_PAGE_SIZE}
    items: list = []
    for _page in range(MAX_TEMPLATE_PAGES):
        assert url is not None
        try:
            response = sender.client().get(url, params=params, timeout=settings.OUTBOX_TIMEOUT_SECONDS,
                                           headers={"Authorization": f"Bearer {config.access_token}"})
        except outbound.OutboundRefused as exc:
            raise TemplateSyncFailed(_("The templates were not read: the address was refused (%(reason)s).")
                                     % {"reason": exc.message}) from None
        except httpx.HTTPError as exc:
            raise TemplateSyncFailed(_("Meta could not be reached to read the templates (%(reason)s). Try again "
                                       "later.") % {"reason": type(exc).__name__}) from None
        data = _answer(response)
        if not 200 <= response.status_code < 300 or not isinstance(data.get("data"), list):
            raise TemplateSyncFailed(_template_refusal(response, data))
        items += data["data"]
        following = dig(data, "paging", "next")
        if not isinstance(following, str) or not following or not data["data"]:
            return items
        parts = urlsplit(following)
        if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
            raise TemplateSyncFailed(_("Meta's next page of templates is on another host (%(host)s): not "
                                       "followed, nothing was changed.") % {"host": parts.netloc[:100]})
        url, params = following, None  # the next page's address carries the fields, limit and cursor
    raise TemplateSyncFailed(_("Meta listed more than %(count)d pages of templates: nothing was changed.")
                             % {"count": MAX_TEMPLATE_PAGES})


def _answer(response) -> dict:
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _template_refusal(response, data: dict) -> str:
    """Why Meta did not list the templates, for staff: Meta's error code and message (e.g. an
    expired token), else the HTTP status."""
    error = data.get("error")
    error = error if isinstance(error, dict) else {}
    code, message = error.get("code"), text_of(error.get("message"), 200)
    if message:
        if code == 190:
            return _("Meta refused the access token (%(message)s): enter a valid system-user token.") % {
                "message": message}
        return _("Meta refused to list the templates: %(message)s (code %(code)s).") % {
            "message": message, "code": text_of(code, 20) or "-"}
    if 200 <= response.status_code < 300:
        return _("Meta's answer is not a list of templates: check the base URL and the account id.")
    return _("Meta refused to list the templates (%(status)s).") % {"status": outbound.short_reason(response)}
