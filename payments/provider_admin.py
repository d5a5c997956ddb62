"""Back office: the business's payment provider, credentials write-only (like the WhatsApp
secrets): never sent back to the browser, empty on change means 'keep the current one', and
read-only viewers see masks."""
from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.forms import MoneyFieldsMixin
from shopchat.models import Business
from shopchat.tenancy import TenantAdmin

from .provider_config import PaymentProviderConfig, mask_secret

SECRET_FIELDS = PaymentProviderConfig.SECRET_FIELDS
# Fields whose model verbose name is the field's own name (translated here, not in the migration).
LABELS = {"business": _("business"), "provider": _("provider"), "secret_key": _("secret key"),
          "webhook_secret": _("webhook secret"), "payout_destination": _("payout destination"),
          "payout_schedule": _("payout schedule")}


class PaymentProviderConfigForm(MoneyFieldsMixin, forms.ModelForm):
    """The minimum payout is shown and typed in major units of the business's currency (like
    every amount in the back office); the API base URL passes the outbound guard (model validator)."""

    money_fields = ("minimum_payout_minor",)

    class Meta:
        model = PaymentProviderConfig
        fields = ("business", "provider", "key_id", "secret_key", "webhook_secret", "api_base_url",
                  "payout_destination", "payout_schedule", "minimum_payout_minor")
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in SECRET_FIELDS:
                if name in self.fields:
                    self.fields[name].required = False
                    self.fields[name].help_text = _("Stored: %(mask)s. Leave empty to keep it.") % {
                        "mask": mask_secret(getattr(self.instance, name)) or _("nothing")}
        for name, label in LABELS.items():
            if name in self.fields:
                self.fields[name].label = label

    def currency_of(self) -> str:
        posted = self.data.get(self.add_prefix("business")) if self.is_bound else None
        if not posted:
            posted = self.initial.get("business")
        pk = getattr(posted, "pk", posted)
        if isinstance(pk, int | str) and str(pk).isdigit():
            found = Business.objects.filter(pk=int(pk)).values_list("currency", flat=True).first()
            if found:
                return found
        return super().currency_of()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = PaymentProviderConfig.objects.get(pk=self.instance.pk)
            for name in SECRET_FIELDS:
                if not cleaned.get(name):
                    cleaned[name] = getattr(stored, name)
                    setattr(self.instance, name, cleaned[name])
        provider = cleaned.get("provider")
        if provider and provider != PaymentProviderConfig.Provider.SANDBOX:
            if not cleaned.get("secret_key"):
                self.add_error("secret_key", _("Enter the provider's secret key."))
            if not cleaned.get("webhook_secret"):
                self.add_error("webhook_secret", _("Enter the webhook signing secret."))
            if provider == PaymentProviderConfig.Provider.RAZORPAY and not cleaned.get("key_id"):
                self.add_error("key_id", _("Enter Razorpay's key id."))
        return cleaned


@admin.register(PaymentProviderConfig)
class PaymentProviderConfigAdmin(TenantAdmin):
    tenant_area = "settings"
    form = PaymentProviderConfigForm
    list_display = ("business", "provider", "masked_secret_key", "payout_schedule", "webhook_url")
    list_filter = ("provider", "payout_schedule")
    search_fields = ("business__name",)
    list_select_related = ("business",)
    fieldsets = (
        (None, {"fields": ("business", "provider", "key_id", "secret_key", "webhook_secret", "api_base_url")}),
        (_("Payouts"), {"fields": ("payout_destination", "payout_schedule", "minimum_payout_minor")}),
        (_("At the provider"), {"fields": ("webhook_url",)}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        masked = {"secret_key": "masked_secret_key", "webhook_secret": "masked_webhook_secret"}
        return [(name, {**opts, "fields": [masked.get(f, f) for f in opts["fields"]]}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_secret_key", "masked_webhook_secret",
                "webhook_url"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "payout_destination" in form.changed_data:  # fixed: pay what failed, after the save
            from .services import retry_failed_payouts

            business = obj.business
            transaction.on_commit(lambda: retry_failed_payouts(business=business))

    @admin.display(description=_("secret key"))
    def masked_secret_key(self, obj):
        return mask_secret(obj.secret_key)

    @admin.display(description=_("webhook secret"))
    def masked_webhook_secret(self, obj):
        return mask_secret(obj.webhook_secret)

    @admin.display(description=_("webhook URL to enter at the provider"))
    def webhook_url(self, obj):
        if obj is None or not obj.pk:
            return _("Shown once saved.")
        return reverse("api-provider-webhook-business", args=[obj.provider, obj.webhook_key])
