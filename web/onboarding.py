"""The onboarding checklist on the back-office home page: each step of a new shop, ticked by
what the business has done (no one ticks it by hand), shown to its owners until all are done."""
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from catalog.models import Product
from chat.models import WhatsAppConfig
from shopchat.dashboard import Period, Tile
from shopchat.models import Business, Customer, Membership

from .models import SignUp


def steps(business: Business) -> list[tuple[str, bool, str]]:
    """(what to do, done, where) for one business."""
    change = reverse("admin:shopchat_business_change", args=[business.pk])
    signup = SignUp.objects.filter(business=business).only("email_verified_at").first()
    return [
        (_("Confirm your e-mail address"), signup is None or signup.email_verified, change),
        (_("Add or import products"), Product.objects.filter(business=business).exists(),
         reverse("admin:catalog_product_changelist")),
        (_("Connect your WhatsApp number"),
         WhatsAppConfig.objects.filter(business=business, enabled=True).exists() or bool(business.wa_phone_number_id),
         reverse("admin:chat_whatsappconfig_changelist")),
        (_("Set your payout account"), bool(business.payout_account), change),
        (_("Set the webhook of your chat gateway"), bool(business.webhook_url), change),
        (_("Try your shop"), Customer.objects.filter(business=business, is_test=True).exists(),
         change),  # the business page links "Try your shop" (a link that opens a test chat)
    ]


def onboarding_tiles(user: Any, period: Period) -> list[Tile]:
    """The checklist of each active business `user` owns, while a step is left."""
    businesses = list(Business.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER,
                                              status=Business.Status.ACTIVE).order_by("name")[:5])
    tiles = []
    for business in businesses:
        checklist = steps(business)
        if all(step[1] for step in checklist):
            continue
        prefix = f"{business.name}: " if len(businesses) > 1 else ""
        tiles += [Tile(prefix + title, int(done), url, value=_("Done") if done else _("To do"),
                       note=_("Getting started"))
                  for title, done, url in checklist]
    return tiles
