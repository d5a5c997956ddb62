"""Back office for the core: business settings, staff, chat customers, API keys, events."""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import outbound, outbox, services
from .backoffice.customer_page import sections_for
from .backoffice.forms import MoneyFieldsMixin
from .dashboard import period_for
from .models import ApiKey, Business, Customer, Membership, OutboxEvent
from .money import label
from .payloads import pretty_json
from .privacy.admin import CustomerPrivacyActions
from .tenancy import TenantAdmin
from .validators import mask_secret

admin.site.site_header = _("shopchat back office")
admin.site.site_title = "shopchat"
admin.site.index_title = _("Dashboard")

PLATFORM_ONLY_FIELDS = ("status", "commission_percent", "commission_fixed_minor", "slug")
MONEY_LABELS = {
    "commission_fixed_minor": _("Commission, fixed per payment"),
    "shipping_fee_minor": _("Shipping fee"),
    "free_shipping_over_minor": _("Free shipping over"),
    "transfer_limit_minor": _("Wallet transfer limit"),
    "daily_transfer_limit_minor": _("Daily wallet transfer limit"),
}


class BusinessForm(MoneyFieldsMixin, forms.ModelForm):
    """Fees and limits in the shop's currency ("40.00"), kept in minor units."""

    money_fields = tuple(MONEY_LABELS)

    class Meta:
        model = Business
        fields = ("name", "slug", "status", "currency", "country", "time_zone", "wa_phone_number_id",
                  "wa_display_number", "language", "greeting", "greetings", "commission_percent",
                  "commission_fixed_minor", "payout_account",
                  "webhook_url", "order_prefix", "tax_rate_percent", "prices_include_tax",
                  "shipping_fee_minor", "free_shipping_over_minor", "unpaid_order_minutes", "transfer_limit_minor",
                  "daily_transfer_limit_minor", "ticket_auto_close_days", "auto_assign_tickets", "feed_token",
                  "description", "logo_url", "web_chat_enabled", "retention_chat_days", "retention_payload_days",
                  "retention_dead_letter_days", "retention_outbox_days")
        labels = MONEY_LABELS


@admin.register(Business)
class BusinessAdmin(TenantAdmin):
    tenant_area = "settings"
    form = BusinessForm
    list_display = ("name", "slug", "currency", "status", "commission_percent", "payout_account_masked", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("name", "slug", "wa_display_number")
    readonly_fields = ("payout_account_masked", "webhook_secret_masked", "created_at", "shop_links")
    actions = ["approve", "suspend", "reactivate", "rotate_webhook_secret"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "currency", "country", "time_zone")}),
        (_("WhatsApp"), {"fields": ("wa_phone_number_id", "wa_display_number", "language", "greeting", "greetings")}),
        (_("Public shop page"), {"fields": ("description", "logo_url", "web_chat_enabled", "shop_links")}),
        (_("Platform commission"), {"fields": ("commission_percent", "commission_fixed_minor")}),
        (_("Payouts"), {"fields": ("payout_account", "payout_account_masked")}),
        # The secret is shown once, when it is made (a new business, a rotation), then masked.
        (_("Gateway webhooks"), {"fields": ("webhook_url", "webhook_secret_masked")}),
        (_("Orders"), {"fields": ("order_prefix", "tax_rate_percent", "prices_include_tax", "shipping_fee_minor",
                               "free_shipping_over_minor", "unpaid_order_minutes")}),
        (_("Wallet limits"), {"fields": ("transfer_limit_minor", "daily_transfer_limit_minor")}),
        (_("Support"), {"fields": ("ticket_auto_close_days", "auto_assign_tickets")}),
        ("Privacy (how long personal data is kept)", {"fields": (
            "retention_chat_days", "retention_payload_days", "retention_dead_letter_days", "retention_outbox_days")}),
        (_("Catalog feed"), {"fields": ("feed_token",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in PLATFORM_ONLY_FIELDS if f != "commission_fixed_minor"]
            fields += ["commission_fixed", "feed_token"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [(title, {**options, "fields": tuple("commission_fixed" if f == "commission_fixed_minor" else f
                                                    for f in options["fields"])})
                for title, options in fieldsets]

    @admin.display(description=MONEY_LABELS["commission_fixed_minor"])
    def commission_fixed(self, obj):
        return label(obj.commission_fixed_minor, obj.currency)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("webhook secret"))
    def webhook_secret_masked(self, obj):
        return mask_secret(obj.webhook_secret) if obj else ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._show_secret_once(request, obj)

    def _show_secret_once(self, request, business):
        messages.warning(request, format_html(
            "The webhook secret of {} is <code>{}</code>. Copy it to your gateway now: it will not be shown again.",
            business.name, business.webhook_secret))

    @admin.action(description=_("Rotate the webhook secret (the new one is shown once)"), permissions=["change"])
    def rotate_webhook_secret(self, request, queryset):
        for business in queryset:
            business.webhook_secret = services.rotate_webhook_secret(business=business)
            self._show_secret_once(request, business)

    @admin.display(description=_("Shop page and QR code"))
    def shop_links(self, obj):
        """The public page, its QR code for the shop window and the merchant's own test chat (the
        URLs are the public web's, reversed by name: the kernel imports nothing above it)."""
        if obj is None or not obj.pk:
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> · <a href="{}" download>{}</a> · '
            '<a href="{}" download>{}</a> · <a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("web:shop", args=[obj.slug]), _("Shop page"), reverse("web:shop-qr-png", args=[obj.slug]),
            _("QR code (PNG)"), reverse("web:shop-qr-svg", args=[obj.slug]), _("QR code (SVG)"),
            reverse("web:try-shop", args=[obj.slug]), _("Try your shop"))

    @admin.action(description=_("Approve the selected businesses (pending sign-ups)"))
    def approve(self, request, queryset):
        if request.user.is_superuser:
            count = services.approve_businesses(businesses=queryset)
            self.message_user(request, _("%(count)d business(es) approved.") % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Suspend the selected businesses"))
    def suspend(self, request, queryset):
        if request.user.is_superuser:
            services.suspend_businesses(businesses=queryset)

    @admin.action(description=_("Reactivate the selected businesses"))
    def reactivate(self, request, queryset):
        if request.user.is_superuser:
            services.reactivate_businesses(businesses=queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("suspend", None)
            actions.pop("reactivate", None)
            actions.pop("approve", None)
        return actions


class NewMemberForm(forms.ModelForm):
    email = forms.EmailField(label=_("E-mail"), help_text=_("The staff member logs in with this e-mail."))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False,
                               help_text=_("Only for a new account; leave empty to keep an existing password."))

    class Meta:
        model = Membership
        fields = ("business", "role", "available_for_tickets")

    def clean(self):
        cleaned = super().clean()
        password, email = cleaned.get("password"), cleaned.get("email")
        if password and email:
            from django.contrib.auth import get_user_model

            User = get_user_model()
            user = User.objects.filter(username=email).first() or User(username=email, email=email)
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    """Owners add staff by e-mail; the account is created when it is new."""

    tenant_area = "staff"
    list_display = ("user", "business", "role", "available_for_tickets", "created_at")
    list_filter = ("role", "business")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "business")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewMemberForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("business", "email", "password", "role", "available_for_tickets")
        return ("user", "business", "role", "available_for_tickets")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "business") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        membership = services.add_member(
            business=form.cleaned_data["business"], email=form.cleaned_data["email"],
            role=form.cleaned_data["role"], password=form.cleaned_data.get("password") or None,
            available_for_tickets=form.cleaned_data.get("available_for_tickets", True),
        )
        obj.pk = membership.pk
        obj.refresh_from_db()


class TalkedInFilter(admin.SimpleListFilter):
    """Customers who wrote in the last 30 days (the dashboard's "chat conversations" tile)."""

    title = _("wrote in")
    parameter_name = "talked_in"

    def lookups(self, request, model_admin):
        return [("7d", _("Last 7 days")), ("30d", _("Last 30 days"))]

    def queryset(self, request, queryset):
        days = {"7d": 7, "30d": 30}.get(self.value() or "")
        if days:
            return queryset.filter(last_inbound_at__gte=period_for(request.user).days_ago(days), is_test=False)
        return queryset


@admin.register(Customer)
class CustomerAdmin(CustomerPrivacyActions, TenantAdmin):
    tenant_area = "customers"
    list_display = ("wa_id", "name", "locale", "business", "last_inbound_at", "created_at")
    list_filter = (TalkedInFilter, "business")
    search_fields = ("=wa_id", "name")
    list_select_related = ("business",)
    readonly_fields = ("created_at", "updated_at", "last_inbound_at", "marketing_opt_in_at", "marketing_opt_in_source",
                       "marketing_opt_out_at", "marketing_opt_out_source", "erased_at")
    show_full_result_count = False
    change_form_template = "admin/shopchat/customer/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The customer page: orders and total spent, wallet, tickets and conversation (sections
        the apps register, shopchat/backoffice/customer_page.py) above the profile form."""
        customer = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if customer is not None and self.has_view_permission(request, customer):
            extra["customer_sections"] = sections_for(customer, request.user)
            extra["privacy_buttons"] = self.privacy_buttons(request, customer)
            extra["title"] = customer.name or f"+{customer.wa_id}"
        return super().change_view(request, object_id, form_url, extra_context=extra)


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdmin):
    tenant_area = "staff"
    list_display = ("name", "prefix", "business", "scope_list", "created_at", "last_used_at", "revoked_at")
    list_filter = ("business",)
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    fields = ("business", "name", "scopes", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]
    list_select_related = ("business",)

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "scopes" in form.base_fields:
            form.base_fields["scopes"] = forms.MultipleChoiceField(
                choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[ApiKey.Scope.GATEWAY],
                help_text=_("gateway: chat-facing calls. integration: catalog writes, fulfilment, tickets."),
            )
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["business", "scopes"]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, full_key = services.create_api_key(
            business=form.cleaned_data["business"], name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"], created_by=request.user,
        )
        obj.pk = key.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            format_html("Your new API key is <code>{}</code>. Copy it now: it will not be shown again.", full_key),
        )

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_key(api_key=key)
        self.message_user(request, "Revoked.")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(TenantAdmin):
    tenant_area = "events"
    list_display = ("event_type", "channel", "business", "status", "attempts", "created_at", "delivered_at",
                    "short_error")
    list_filter = ("status", "channel", "event_type", "business")
    search_fields = ("=id", "event_type")
    # The last error as the outbox records it (status and short reason, never a receiver's body).
    readonly_fields = [f.name if f.name != "payload" else "payload_shown" for f in OutboxEvent._meta.fields
                       if f.name != "last_error"] + ["short_error"]
    exclude = ("last_error", "payload")
    actions = ["resend"]
    list_select_related = ("business",)
    show_full_result_count = False

    @admin.display(description=_("payload"))
    def payload_shown(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.payload))

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return outbound.public_reason(obj.last_error)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected events"))
    def resend(self, request, queryset):
        count = outbox.resend(events=queryset)
        self.message_user(request, f"{count} event(s) queued again.")
