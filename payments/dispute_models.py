"""Disputes (chargebacks) a provider reports on a captured payment: recorded, the amount held
from the merchant's payable while open, resolved won (released) or lost (gone back to the card
holder through provider clearing)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business
from shopchat.money import display


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open (amount held)")
        WON = "won", _("Won (released)")
        LOST = "lost", _("Lost (returned to the card holder)")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="disputes")
    payment = models.ForeignKey("payments.Payment", verbose_name=_("payment"), on_delete=models.PROTECT,
                                related_name="disputes")
    provider = models.CharField(_("provider"), max_length=20)
    provider_dispute_id = models.CharField(_("provider dispute id"), max_length=100)
    amount_minor = models.BigIntegerField(_("amount minor"))
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_dispute_id"], name="dispute_provider_id_unique"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="dispute_amount_gt_0"),
        ]

    def __str__(self):
        return f"Dispute {self.provider_dispute_id} {display(self.amount_minor, self.currency)} {self.status}"
