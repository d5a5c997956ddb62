"""Which payment provider a business uses, with its credentials (write-only in the back office),
its webhook secret and its API base URL (regional endpoints, test doubles). A business without
a row pays through the embedded `sandbox`."""
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business
from shopchat.outbound import validate_public_url


def new_webhook_key() -> str:
    """The last part of the business's webhook URL at its provider: names the config without
    telling anyone which business it is."""
    return secrets.token_urlsafe(18)


def mask_secret(value: str) -> str:
    """Enough of a secret to recognise it in the back office, never the secret."""
    if not value:
        return ""
    return "*" * 8 + (value[-4:] if len(value) >= 12 else "")


class PaymentProviderConfig(models.Model):
    class Provider(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (test mode)")
        STRIPE = "stripe", "Stripe"
        RAZORPAY = "razorpay", "Razorpay"

    class PayoutSchedule(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        MANUAL = "manual", _("Manual")

    SECRET_FIELDS = ("secret_key", "webhook_secret")

    business = models.OneToOneField(Business, on_delete=models.CASCADE, related_name="payment_provider")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.SANDBOX)
    key_id = models.CharField(
        _("key id"), max_length=100, blank=True,
        help_text=_("Razorpay's key id (rzp_live_...); Stripe needs none (its secret key names the account)."),
    )
    secret_key = models.CharField(max_length=300, blank=True,
                                  help_text=_("Stripe's secret key (sk_...) or Razorpay's key secret. Write-only."))
    webhook_secret = models.CharField(max_length=300, blank=True,
                                      help_text=_("The signing secret of the webhook you created at the provider. "
                                                  "Write-only."))
    api_base_url = models.URLField(
        _("API base URL"), max_length=300, blank=True, validators=[validate_public_url],
        help_text=_("Empty: the provider's own (https://api.stripe.com, https://api.razorpay.com). Only public "
                    "addresses are accepted."),
    )
    payout_destination = models.CharField(
        max_length=100, blank=True,
        help_text=_("Stripe Connect account (acct_...) or RazorpayX fund account (fa_...) that receives payouts."),
    )
    payout_schedule = models.CharField(max_length=10, choices=PayoutSchedule.choices, default=PayoutSchedule.DAILY)
    minimum_payout_minor = models.BigIntegerField(
        _("minimum payout"), default=0, help_text=_("Payouts smaller than this wait for the next run."))
    webhook_key = models.CharField(max_length=40, unique=True, default=new_webhook_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment provider settings")
        verbose_name_plural = _("payment provider settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(minimum_payout_minor__gte=0), name="provider_min_payout_gte_0"),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} of {self.business}"
