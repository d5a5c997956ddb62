"""The erasure record: that a customer's personal data was (or is to be) erased, who asked,
who did it, when and why, with no personal data of its own (the reason is scrubbed of the
customer's name and number when the erasure runs). Imported by `shopchat.models`."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested by the customer")
        DONE = "done", _("Erased")
        DECLINED = "declined", _("Declined")

    class Source(models.TextChoices):
        CHAT = "chat", _("Chat")
        API = "api", _("API")
        ADMIN = "admin", _("Back office")
        COMMAND = "command", _("Command line")

    business = models.ForeignKey("shopchat.Business", verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="erasures")
    customer = models.ForeignKey("shopchat.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL,
                                 related_name="erasures",
                                 help_text=_("The customer row, kept with tombstones for the money records."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, blank=True,
                                on_delete=models.SET_NULL,
                                related_name="+")
    done_by_label = models.CharField(_("by"), max_length=150, blank=True,
                                     help_text=_("The staff member, API key or command that erased."))
    counts = models.JSONField(_("counts"), default=dict, blank=True, help_text=_("Rows changed, per kind."))

    class Meta:
        verbose_name_plural = _("erasures")
        ordering = ["-requested_at"]
        verbose_name = _("erasure")
        indexes = [models.Index(fields=["business", "status"], name="erasure_business_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status="requested"),
                                    name="erasure_one_open_request_per_customer"),
        ]

    def __str__(self):
        return f"Erasure #{self.pk} ({self.get_status_display()})"
