"""Back office of the WhatsApp adapter: settings per business (secrets write-only and masked),
the number's message templates synced from Meta with the event each tells, a conversation view
per customer, sent messages with their delivery state (failures carry their order number or
ticket), and the dead-letter list of payloads that could not be read."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Exists, F, OuterRef
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shopchat.errors import InvalidInput
from shopchat.payloads import pretty_json
from shopchat.tenancy import TenantAdmin, WrittenByServices

from . import media, message_templates, services, template_sync
from .errors import TemplateSyncFailed
from .inbox import LIST_POLL_SECONDS, AwaitingFilter, InboxMixin, customer_label
from .models import (
    Conversation,
    DeadLetter,
    InboundMessage,
    MessageTemplate,
    OutboundMessage,
    ReceivedMedia,
    WebChatMessage,
    WebChatVisitor,
    WhatsAppConfig,
    mask_secret,
)

SECRET_FIELDS = ("access_token", "app_secret", "verify_token")
CONVERSATION_LENGTH = 200


class WhatsAppConfigForm(forms.ModelForm):
    """Secrets are never sent back to the browser: empty on change means 'keep the current one'."""

    class Meta:
        model = WhatsAppConfig
        fields = ("business", "phone_number_id", "access_token", "app_secret", "verify_token", "base_url",
                  "api_version", "waba_id", "catalog_id", "payment_configuration", "payment_gateway",
                  "country_of_origin", "importer_name", "importer_address", "template_name",
                  "template_language", "template_names", "template_category", "enabled", "messages_per_second")
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "verify_token" in self.fields and not self.instance.pk:
            self.fields["verify_token"].required = False
            self.fields["verify_token"].help_text = _(
                "Leave empty to have one made for you: it is shown once after saving, then masked.")
        if "messages_per_second" in self.fields:
            self.fields["messages_per_second"].required = False  # empty: the number keeps its tier
        if self.instance.pk:
            for name in SECRET_FIELDS:
                if name in self.fields:
                    self.fields[name].required = False
                    self.fields[name].help_text = (
                        f"Stored: {mask_secret(getattr(self.instance, name))}. Leave empty to keep it.")

    def clean_messages_per_second(self):
        return self.cleaned_data.get("messages_per_second") or self.instance.messages_per_second

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            for name in SECRET_FIELDS:
                if not cleaned.get(name):
                    cleaned[name] = getattr(WhatsAppConfig.objects.get(pk=self.instance.pk), name)
                    setattr(self.instance, name, cleaned[name])
        elif "verify_token" in self.fields and not cleaned.get("verify_token"):
            cleaned["verify_token"] = self.instance.verify_token = services.new_verify_token()
        return cleaned


@admin.register(WhatsAppConfig)
class WhatsAppConfigAdmin(TenantAdmin):
    tenant_area = "settings"
    form = WhatsAppConfigForm
    list_display = ("business", "phone_number_id", "enabled", "api_version", "catalog_id", "masked_token",
                    "webhook_url")
    list_filter = ("enabled",)
    actions = ["rotate_verify_token", "sync_templates"]
    search_fields = ("phone_number_id", "business__name")
    list_select_related = ("business",)
    fieldsets = (
        (None, {"fields": ("business", "enabled", "phone_number_id", "access_token", "app_secret", "verify_token")}),
        (_("Cloud API"), {"fields": ("base_url", "api_version", "waba_id", "messages_per_second")}),
        (_("Commerce"), {"fields": ("catalog_id", "payment_configuration", "payment_gateway")}),
        (_("WhatsApp Pay without a catalog"), {"fields": ("country_of_origin", "importer_name", "importer_address")}),
        (_("Outside the 24-hour window"), {"fields": ("template_name", "template_language", "template_names",
                                                    "template_category")}),
        (_("Message templates"), {"fields": ("templates_list",)}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Read-only viewers (managers) would see stored values in clear: show the masks instead.
        masked = {"access_token": "masked_token", "app_secret": "masked_app_secret",
                  "verify_token": "masked_verify_token"}
        return [(name, {**opts, "fields": [masked.get(f, f) for f in opts["fields"]]}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_token", "masked_app_secret", "masked_verify_token",
                "templates_list"]

    @admin.action(description=_("Sync templates from Meta"), permissions=["change"])
    def sync_templates(self, request, queryset):
        """The numbers' templates read from their WhatsApp Business Accounts (template_sync);
        what Meta refused is said per number, nothing half-written."""
        for config in queryset:
            try:
                result = template_sync.sync_message_templates(config=config)
            except TemplateSyncFailed as exc:
                self.message_user(request, f"{config.phone_number_id}: {exc.message}", messages.ERROR)
                continue
            self.message_user(request, _(
                "%(number)s: %(listed)d templates at Meta, %(created)d new, %(updated)d changed, %(removed)d gone.")
                % {"number": config.phone_number_id, "listed": result.listed, "created": result.created,
                   "updated": result.updated, "removed": result.removed}, messages.SUCCESS)

    @admin.display(description=_("templates"))
    def templates_list(self, obj):
        """The number's synced templates, each linked to its page (where its event is chosen)."""
        if obj is None or not obj.pk:
            return "-"
        rows = list(obj.message_templates.order_by("name", "language"))
        changelist = reverse("admin:chat_messagetemplate_changelist") + f"?config__id__exact={obj.pk}"
        if not rows:
            return format_html('{} <a href="{}">{}</a>', _("None synced yet: use the action “Sync templates from "
                                                           "Meta” in the list of numbers."),
                               changelist, _("Templates"))
        return format_html(
            '<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            '<tbody>{}</tbody></table><a href="{}">{}</a>',
            _("name"), _("language"), _("category"), _("status"), _("event"),
            format_html_join("", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>', (
                (reverse("admin:chat_messagetemplate_change", args=[t.pk]), t.name, t.language,
                 t.get_category_display(), _("gone from Meta") if t.removed_at else t.get_status_display(),
                 t.get_event_display() or "-") for t in rows)),
            changelist, _("All templates of this number"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.show_number_on_business(config=obj)
        if not change or "verify_token" in form.changed_data:
            self._show_verify_token_once(request, obj)

    def _show_verify_token_once(self, request, config):
        messages.warning(request, format_html(
            _("The verify token of {} is <code>{}</code>. Enter it with the callback URL at Meta now: "
              "it will not be shown again."), config.phone_number_id, config.verify_token))

    @admin.action(description=_("Rotate the verify token (the new one is shown once)"), permissions=["change"])
    def rotate_verify_token(self, request, queryset):
        for config in queryset:
            config.verify_token = services.rotate_verify_token(config=config)
            self._show_verify_token_once(request, config)

    @admin.display(description=_("verify token"))
    def masked_verify_token(self, obj):
        return mask_secret(obj.verify_token)

    @admin.display(description=_("app secret"))
    def masked_app_secret(self, obj):
        return mask_secret(obj.app_secret)

    @admin.display(description=_("access token"))
    def masked_token(self, obj):
        return mask_secret(obj.access_token)

    @admin.display(description=_("callback URL for Meta"))
    def webhook_url(self, obj):
        return reverse("whatsapp-webhook")


class MessageTemplateForm(forms.ModelForm):
    """The merchant's part of a synced template: the event it tells and the event's value of
    each body parameter ("order_number, carrier, tracking_number"); Meta's fields are read-only."""

    values = forms.CharField(
        label=_("parameter values"), required=False, max_length=500,
        help_text=_("The event's value of each body parameter, in order, separated by commas; empty: the event's "
                    "usual order (a named parameter takes the value of its name)."))

    class Meta:
        model = MessageTemplate
        fields = ("event",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "values" in self.fields:
            self.fields["values"].initial = ", ".join(str(v) for v in self.instance.parameters or [])
            self.fields["values"].help_text = format_html("{}<br>{}", self.fields["values"].help_text, format_html_join(
                mark_safe("<br>"), "{}: {}", ((MessageTemplate.Event(event).label, ", ".join(
                    f"{key} ({message_templates.FIELD_LABELS[key]})" for key in keys))
                    for event, keys in message_templates.EVENT_FIELDS.items())))

    def clean(self):
        cleaned = super().clean()
        values = [v.strip() for v in (cleaned.get("values") or "").split(",") if v.strip()]
        try:
            message_templates.check_event(template=self.instance, event=cleaned.get("event") or "", parameters=values)
        except InvalidInput as exc:
            self.add_error(exc.field, exc.message)
        return cleaned


@admin.register(MessageTemplate)
class MessageTemplateAdmin(TenantAdmin):
    """A number's templates as Meta holds them (synced, read-only), and the event each tells
    outside the 24-hour window: the merchant's choice. Another business's template is a 404."""

    tenant_area = "settings"
    form = MessageTemplateForm
    list_display = ("name", "language", "category", "status", "event", "parameter_count", "usable", "config",
                    "synced_at")
    list_filter = ("status", "category", "event", "config")
    search_fields = ("name",)
    list_select_related = ("config",)
    readonly_fields = ("config", "name", "language", "category", "status", "usable", "body_text", "parameter_format",
                       "parameter_count", "parameter_names", "components_shown", "meta_id", "synced_at", "removed_at")
    fieldsets = (
        (None, {"fields": ("config", "name", "language", "category", "status", "usable")}),
        (_("Event"), {"fields": ("event", "values")}),
        (_("As Meta gives it"), {"fields": ("body_text", "parameter_format", "parameter_count", "parameter_names",
                                            "components_shown", "meta_id", "synced_at", "removed_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):  # a reader: the stored mapping
            return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "values"]})
                    for name, opts in self.fieldsets]
        return self.fieldsets

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = ["event"] if self.has_change_permission(request, obj) else []
        return super().get_form(request, obj, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # another business's template, or none: nothing to tell about it

    def has_add_permission(self, request):
        return False  # rows come from Meta (sync)

    def save_model(self, request, obj, form, change):
        obj.parameters = form.instance.parameters
        super().save_model(request, obj, form, change)

    @admin.display(description=_("can be sent"))
    def usable(self, obj):
        why = message_templates.why_not_usable(obj) if obj.event else ""
        if not obj.event:
            return "-"
        return why or _("yes")

    @admin.display(description=_("components"))
    def components_shown(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.components))


class DeliveryFilter(admin.SimpleListFilter):
    title = _("belongs to")
    parameter_name = "belongs"

    def lookups(self, request, model_admin):
        return (("order", _("an order")), ("ticket", _("a ticket")))

    def queryset(self, request, queryset):
        if self.value() == "order":
            return queryset.exclude(order_number="")
        if self.value() == "ticket":
            return queryset.exclude(ticket_id="")
        return queryset


@admin.register(OutboundMessage)
class OutboundMessageAdmin(TenantAdmin):
    tenant_area = "customers"
    list_display = ("created_at", "customer", "kind", "status", "order_number", "ticket_id", "error_code",
                    "error_title", "attempts")
    list_filter = ("status", "kind", DeliveryFilter, "business")
    search_fields = ("=order_number", "=ticket_id", "=customer__wa_id", "=wa_message_id")
    list_select_related = ("customer", "business")
    readonly_fields = [f.name if f.name != "body" else "body_shown" for f in OutboundMessage._meta.fields]
    exclude = ("body",)
    show_full_result_count = False
    actions = ["send_again"]

    @admin.display(description=_("body"))
    def body_shown(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.body))

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        count = services.send_again(messages=queryset)
        self.message_user(request, ngettext("%(count)s message queued again.", "%(count)s messages queued again.",
                                            count) % {"count": count})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InboundMessage)
class InboundMessageAdmin(TenantAdmin):
    tenant_area = "customers"
    list_display = ("received_at", "wa_id", "type", "summary_shown", "processed_at", "attempts")
    list_filter = ("type", "business")
    search_fields = ("=wa_id", "=wa_message_id")
    list_select_related = ("business",)
    readonly_fields = [f.name if f.name != "payload" else "payload_shown" for f in InboundMessage._meta.fields]
    exclude = ("payload",)
    show_full_result_count = False

    @admin.display(description=_("summary"))
    def summary_shown(self, obj):
        return obj.summary

    @admin.display(description=_("payload"))
    def payload_shown(self, obj):
        return format_html("<pre>{}</pre>", pretty_json(obj.payload))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(TenantAdmin):
    tenant_area = "settings"
    list_display = ("received_at", "business", "reason")
    list_filter = ("business",)
    readonly_fields = ("received_at", "business", "reason", "body")

    def has_add_permission(self, request):
        return False


@admin.register(Conversation)
class ConversationAdmin(InboxMixin, TenantAdmin):
    """The inbox: every conversation of the business, on WhatsApp and in the browser chat, newest
    first, those waiting for an answer marked, test chats marked as tests; each opens the live
    conversation page (chat/inbox.py)."""

    tenant_area = "customers"
    list_display = ("display_name", "number", "channel", "waiting", "test_chat", "last_inbound_at", "business")
    list_display_links = ("display_name",)
    search_fields = ("=wa_id", "name")
    list_filter = (AwaitingFilter, "is_test", "business")
    list_select_related = ("business",)
    ordering = (F("last_inbound_at").desc(nulls_last=True), "-id")
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(Exists(InboundMessage.objects.filter(customer=OuterRef("pk")))
                         | Exists(OutboundMessage.objects.filter(customer=OuterRef("pk")))
                         | Exists(WebChatMessage.objects.filter(customer=OuterRef("pk"))))

    change_list_template = "admin/chat/conversation/change_list.html"

    def get_urls(self):
        rows = path("rows/", self.admin_site.admin_view(self.rows_view), name="chat_conversation_rows")
        return [rows, *self.inbox_urls(), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context={
            **(extra_context or {}), "rows_url": reverse("admin:chat_conversation_rows"),
            "poll_seconds": LIST_POLL_SECONDS})

    def rows_view(self, request):
        """The list alone, with the page's filters and order: what the inbox's polling swaps in, so a
        customer who writes for the first time shows without a reload."""
        response = self.changelist_view(request)
        if isinstance(response, TemplateResponse):
            response.template_name = "admin/chat/conversation/rows.html"
        return response

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if request.user.is_superuser else tuple(f for f in shown if f != "business")

    @admin.display(description=_("customer"), ordering="name")
    def display_name(self, obj):
        return customer_label(obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _state(message) -> str:
    if message.status == OutboundMessage.Status.FAILED:
        return f"failed {message.error_code or ''} {message.error_title}".strip()
    return message.get_status_display()


@admin.register(WebChatVisitor)
class WebChatVisitorAdmin(TenantAdmin):
    """The chats in the browser (the shop page's chat, and the merchant's own test chats)."""

    tenant_area = "customers"
    list_display = ("customer", "is_test", "created_at", "business")
    list_filter = ("is_test", "business")
    search_fields = ("=customer__wa_id",)
    list_select_related = ("customer", "business")
    fields = ("customer", "business", "is_test", "created_at", "transcript")
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("conversation (latest last)"))
    def transcript(self, obj):
        rows = list(WebChatMessage.objects.filter(customer_id=obj.customer_id).order_by("-id")[:CONVERSATION_LENGTH])
        if not rows:
            return "No messages yet."
        return format_html(
            "<table><thead><tr><th>when</th><th>from</th><th>message</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                             ((f"{m.created_at:%Y-%m-%d %H:%M:%S}", "customer" if m.direction == "in" else "shop",
                               m.summary[:500]) for m in reversed(rows))),
        )


@admin.register(ReceivedMedia)
class ReceivedMediaAdmin(WrittenByServices, TenantAdmin):
    """The files customers sent (photos, voice notes, videos, documents, stickers), newest first,
    with their download state; and the one place their bytes are served: `<id>/file/`, to staff
    of the file's own business only (the tenancy scope of this admin), never a public URL."""

    tenant_area = "customers"
    list_display = ("created_at", "customer", "kind", "preview", "status", "shown_size", "ticket")
    list_filter = ("kind", "status", "business")
    search_fields = ("=customer__wa_id",)
    list_select_related = ("customer", "ticket", "business")
    fields = ("business", "customer", "kind", "preview", "status", "error", "mime_type", "shown_size", "sha256",
              "caption", "file_name", "ticket", "attempts", "created_at", "stored_at")
    readonly_fields = fields
    show_full_result_count = False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<path:object_id>/file/", view(self.file_view), name="chat_receivedmedia_file"),
                *super().get_urls()]

    @admin.display(description=_("file"))
    def preview(self, obj):
        shown = media.attachment(obj)
        if shown.image:
            return format_html('<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" class="sc-thumb" '
                               'loading="lazy"></a>', shown.url, shown.url, shown.label)
        if shown.url:
            return format_html('<a href="{}" class="sc-download">{}</a>', shown.url, _("Download"))
        return shown.state

    @admin.display(description=_("size"))
    def shown_size(self, obj):
        return media.human_size(obj.size) if obj.size else "-"

    def file_view(self, request, object_id):
        """The stored file, for staff of its business (404 for anyone else, and for no file). A
        photo is shown inline; every other type only ever downloads. Sandboxed, never sniffed."""
        found = self.get_queryset(request).filter(pk=unquote(object_id)).first() \
            if str(unquote(object_id)).isdigit() else None
        if (found is None or not self.has_view_permission(request, found)
                or found.status != ReceivedMedia.Status.STORED or not found.file):
            raise Http404("No such file.")
        try:
            handle = found.file.storage.open(found.file.name, "rb")
        except OSError:
            raise Http404("No such file.") from None
        inline = found.mime_type in media.INLINE_TYPES
        response = FileResponse(handle, as_attachment=not inline, filename=media.download_name(found),
                                content_type=found.mime_type if found.mime_type in media.allowed_types()
                                else "application/octet-stream")
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
        response["Cache-Control"] = "private, max-age=300"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
