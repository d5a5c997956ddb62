"""Payments, wallets and the double-entry ledger.

Money lives in ledger accounts; a movement is one `LedgerTransaction` whose `LedgerEntry`
rows sum to zero per currency (an entry's amount is positive when money flows *into* the
account). Entries are append-only: never updated or deleted, corrections are reversing
transactions. An account's `balance_minor` is kept in step with its entries in the same
database transaction, under a row lock taken in primary-key order; a CHECK keeps customer
wallets at or above zero whatever the Python code does.

Card numbers never reach this database: a `FundingSource` holds the provider's token, the
brand, the last four digits and the expiry only.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business, Customer
from shopchat.money import display, label


class AppendOnlyError(RuntimeError):
    """Ledger rows are never changed or deleted; post a reversing transaction instead."""


class LedgerAccount(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER_WALLET = "customer_wallet", _("Customer wallet")
        PROVIDER_CLEARING = "provider_clearing", _("Provider clearing")
        MERCHANT_PAYABLE = "merchant_payable", _("Merchant payable")
        PLATFORM_REVENUE = "platform_revenue", _("Platform commission revenue")
        PAYOUTS = "payouts", _("Payouts to the merchant")
        DISPUTES_HELD = "disputes_held", _("Held for open disputes")
        TEST_SALES = "test_sales", _("Test chat sales (never paid out)")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="ledger_accounts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    balance_minor = models.BigIntegerField(_("balance minor"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["business", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="customer_wallet") | Q(balance_minor__gte=0), name="ledger_wallet_balance_gte_0"
            ),
            models.CheckConstraint(
                condition=(Q(kind="customer_wallet") & Q(customer__isnull=False))
                | (~Q(kind="customer_wallet") & Q(customer__isnull=True)),
                name="ledger_wallet_has_customer",
            ),
            models.UniqueConstraint(
                fields=["business", "kind", "currency"], condition=Q(customer__isnull=True),
                name="ledger_business_account_unique",
            ),
            models.UniqueConstraint(
                fields=["customer", "currency"], condition=Q(customer__isnull=False), name="ledger_wallet_unique"
            ),
        ]

    def __str__(self):
        who = f" +{self.customer.wa_id}" if self.customer_id else ""
        return f"{self.get_kind_display()}{who} ({self.currency})"

    @property
    def balance_display(self) -> str:
        return display(self.balance_minor, self.currency)


class LedgerTransaction(models.Model):
    class Kind(models.TextChoices):
        TOP_UP = "top_up", _("Top-up")
        PAYMENT = "payment", _("Payment")
        COMMISSION = "commission", _("Commission")
        REFUND = "refund", _("Refund")
        TRANSFER = "transfer", _("Transfer")
        SETTLEMENT = "settlement", _("Settlement payout")
        DISPUTE = "dispute", _("Dispute")
        ADJUSTMENT = "adjustment", _("Adjustment")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="ledger_transactions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True,
                                 help_text=_("e.g. payment:42"))
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ledger transactions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger transactions are append-only")


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, verbose_name=_("transaction"), on_delete=models.PROTECT,
                                    related_name="entries")
    account = models.ForeignKey(LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT,
                                related_name="entries")
    amount_minor = models.BigIntegerField(_("amount minor"),
                                          help_text=_("Positive: money into the account; negative: out of it."))
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        ordering = ["id"]
        verbose_name_plural = _("ledger entries")
        constraints = [models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_entry_nonzero")]

    def __str__(self):
        return f"{self.account}: {self.amount_minor:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries are append-only")


class Wallet(models.Model):
    """A customer's wallet: its balance is the balance of its ledger account."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="wallets")
    customer = models.OneToOneField(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                    related_name="wallet")
    account = models.OneToOneField(LedgerAccount, verbose_name=_("account"), on_delete=models.PROTECT,
                                   related_name="wallet")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("wallet")
        verbose_name_plural = _("wallets")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Wallet of {self.customer}"


class FundingSource(models.Model):
    """A card linked to a customer's wallet: the provider's token and what a person needs to
    recognise the card. Never the card number."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="funding_sources")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="funding_sources")
    provider = models.CharField(_("provider"), max_length=20)
    token = models.CharField(_("token"), max_length=100)
    brand = models.CharField(_("brand"), max_length=20)
    last4 = models.CharField(_("last4"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("exp month"))
    exp_year = models.PositiveSmallIntegerField(_("exp year"))
    is_active = models.BooleanField(_("is active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "token"], name="funding_source_token_unique"),
            models.CheckConstraint(condition=Q(exp_month__gte=1) & Q(exp_month__lte=12), name="funding_source_month"),
        ]

    def __str__(self):
        return f"{self.brand} ending {self.last4}"


class Settlement(models.Model):
    """A statement: captured payments minus refunds minus commission, paid out once."""

    class Status(models.TextChoices):
        PAID = "paid", _("Paid out")
        CARRIED = "carried", _("Nothing to pay out (carried forward)")
        SENDING = "sending", _("Payout sent, not confirmed yet")
        FAILED = "failed", _("Payout failed (reversed, paid with the next run)")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="settlements")
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PAID)
    period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    period_end = models.DateTimeField(_("period end"))
    payment_count = models.PositiveIntegerField(_("payment count"), default=0)
    refund_count = models.PositiveIntegerField(_("refund count"), default=0)
    gross_minor = models.BigIntegerField(_("gross minor"), default=0)
    refunds_minor = models.BigIntegerField(_("refunds minor"), default=0)
    commission_minor = models.BigIntegerField(_("commission minor"), default=0)
    net_minor = models.BigIntegerField(_("net minor"), default=0,
                                       help_text=_("gross - refunds - commission of the lines"))
    opening_minor = models.BigIntegerField(_("opening minor"),
        default=0, help_text=_("Merchant payable balance brought in from earlier statements (negative: owed).")
    )
    payout_minor = models.BigIntegerField(_("payout minor"), default=0)
    closing_minor = models.BigIntegerField(_("closing minor"), default=0,
                                           help_text=_("Carried forward: opening + net - payout."))
    payout_account = models.CharField(_("payout account"), max_length=64, blank=True)
    payout_reference = models.CharField(_("payout reference"), max_length=100, blank=True)
    payout_failure = models.CharField(_("payout failure"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(payout_minor__gte=0), name="settlement_payout_gte_0"),
            models.CheckConstraint(
                condition=Q(net_minor=F("gross_minor") - F("refunds_minor") - F("commission_minor")),
                name="settlement_net_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(closing_minor=F("opening_minor") + F("net_minor") - F("payout_minor")),
                name="settlement_closing_adds_up",
            ),
        ]

    def __str__(self):
        return gettext("Settlement #%(number)s %(business)s %(amount)s") % {
            "number": self.pk, "business": self.business, "amount": label(self.payout_minor, self.currency)}


class Payment(models.Model):
    class Method(models.TextChoices):
        WALLET = "wallet", _("Wallet")
        CARD = "card", _("Card")
        WHATSAPP = "whatsapp", _("WhatsApp Pay")  # the merchant's gateway through WhatsApp's order_details

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        AUTHORIZED = "authorized", _("Authorized")
        CAPTURED = "captured", _("Captured")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.PENDING, Status.AUTHORIZED, Status.CAPTURED)

    # no index of its own: payment_settle_idx leads with it
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="payments", db_index=False)
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), on_delete=models.PROTECT,
                              related_name="payments")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    funding_source = models.ForeignKey(FundingSource, verbose_name=_("funding source"), null=True, blank=True,
                                       on_delete=models.PROTECT,
                                       related_name="payments")
    amount_minor = models.BigIntegerField(_("amount minor"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    # Sent to the provider with the charge (Stripe's Idempotency-Key, Razorpay's receipt): a
    # repeated call is answered with the first charge, and the repair job finds it by this key.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    action_url = models.URLField(_("action url"), max_length=500, blank=True,
                                 help_text=_("Where the customer pays or authenticates (payment link, 3-D Secure)."))
    commission_minor = models.BigIntegerField(_("commission minor"), default=0, help_text=_("Taken at capture."))
    refunded_minor = models.BigIntegerField(_("refunded minor"), default=0)
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    settlement = models.ForeignKey(Settlement, verbose_name=_("settlement"), null=True, blank=True,
                                   on_delete=models.PROTECT,
                                   related_name="payments")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0) & Q(refunded_minor__lte=F("amount_minor")),
                name="payment_refunded_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(commission_minor__gte=0) & Q(commission_minor__lte=F("amount_minor")),
                name="payment_commission_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(settlement__isnull=True) | Q(status="captured"), name="payment_settled_only_captured"
            ),
            # One live payment per order: a second concurrent attempt fails at the database.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status__in=["pending", "authorized", "captured"]),
                name="payment_one_active_per_order",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"], condition=~Q(idempotency_key=""), name="payment_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "status", "settlement"], name="payment_settle_idx"),
        ]

    def __str__(self):
        return gettext("Payment #%(number)s %(amount)s %(status)s") % {
            "number": self.pk, "amount": label(self.amount_minor, self.currency), "status": self.get_status_display()}

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor if self.status == self.Status.CAPTURED else 0


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Sending to the provider")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed at the provider")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.BigIntegerField(_("amount minor"))
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Booked in the ledger at once; sent to the provider after that commits (`send_refund`).
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUCCEEDED)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    settlement = models.ForeignKey(Settlement, verbose_name=_("settlement"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="refunds")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_gt_0")]
        indexes = [models.Index(fields=["business", "settlement"], name="refund_settle_idx")]

    def __str__(self):
        return gettext("Refund #%(number)s %(amount)s") % {"number": self.pk,
                                                            "amount": label(self.amount_minor, self.currency)}


class SettlementLine(models.Model):
    """One payment or one refund on a statement. The unique payment / refund is what makes
    each of them settled exactly once, whatever the job does."""

    tenant_path = "settlement__business"

    settlement = models.ForeignKey(Settlement, verbose_name=_("settlement"), on_delete=models.PROTECT,
                                   related_name="lines")
    payment = models.OneToOneField(Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="settlement_line")
    refund = models.OneToOneField(Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="settlement_line")
    gross_minor = models.BigIntegerField(_("gross minor"), default=0)
    refund_minor = models.BigIntegerField(_("refund minor"), default=0)
    commission_minor = models.BigIntegerField(_("commission minor"), default=0)
    net_minor = models.BigIntegerField(_("net minor"), default=0)

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(refund__isnull=True))
                | (Q(payment__isnull=True) & Q(refund__isnull=False)),
                name="settlement_line_payment_xor_refund",
            ),
            models.CheckConstraint(
                condition=Q(net_minor=F("gross_minor") - F("refund_minor") - F("commission_minor")),
                name="settlement_line_net_adds_up",
            ),
        ]

    def __str__(self):
        what = f"payment #{self.payment_id}" if self.payment_id else f"refund #{self.refund_id}"
        return f"Settlement #{self.settlement_id}: {what}"


class TopUp(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="top_ups")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="top_ups")
    funding_source = models.ForeignKey(FundingSource, verbose_name=_("funding source"), on_delete=models.PROTECT,
                                       related_name="top_ups")
    amount_minor = models.BigIntegerField(_("amount minor"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64,
                                       blank=True)  # sent with the charge, as a payment's
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("top up")
        verbose_name_plural = _("top ups")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="top_up_amount_gt_0"),
            models.UniqueConstraint(fields=["idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="top_up_idempotency_key_unique"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], condition=~Q(provider_reference=""),
                name="top_up_provider_reference_unique",
            ),
        ]

    def __str__(self):
        return gettext("Top-up #%(number)s %(amount)s %(status)s") % {
            "number": self.pk, "amount": label(self.amount_minor, self.currency), "status": self.get_status_display()}


class Transfer(models.Model):
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.PROTECT,
                                 related_name="transfers")
    sender = models.ForeignKey(Customer, verbose_name=_("sender"), on_delete=models.PROTECT,
                               related_name="transfers_sent")
    recipient = models.ForeignKey(Customer, verbose_name=_("recipient"), on_delete=models.PROTECT,
                                  related_name="transfers_received")
    amount_minor = models.BigIntegerField(_("amount minor"))
    currency = models.CharField(_("currency"), max_length=3)
    note = models.CharField(_("note"), max_length=140, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="transfer_amount_gt_0"),
            models.CheckConstraint(condition=~Q(sender=F("recipient")), name="transfer_not_to_self"),
        ]
        indexes = [models.Index(fields=["sender", "created_at"], name="transfer_sender_day_idx")]

    def __str__(self):
        return gettext("Transfer #%(number)s %(amount)s") % {"number": self.pk,
                                                              "amount": label(self.amount_minor, self.currency)}


class ProviderEvent(models.Model):
    """A provider callback we acted on; the unique event id makes a repeated callback a no-op."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=100)
    event_type = models.CharField(_("event type"), max_length=60)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=60, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique")]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"


from .dispute_models import Dispute  # noqa: E402,F401  (tables of this app, in modules of their own)
from .provider_config import PaymentProviderConfig  # noqa: E402,F401
