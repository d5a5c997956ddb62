from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    label = "chat"
    verbose_name = _("Chat (WhatsApp)")

    def ready(self):
        """Register the `whatsapp` and `webchat` outbox channels: the kernel delivers through them
        and copies customer-facing events to them without importing this app; `wa_media`, which
        downloads the files customers send, and those files on the ticket page (support's
        attachments); WhatsApp Pay's
        refund sender with payments; the chat's part of privacy (export, erasure, retention); the
        back office's chat tile, customer section and the order timeline's chat messages."""
        from orders import timeline
        from payments import refund_channels
        from shopchat import channels, dashboard, privacy
        from shopchat.backoffice import customer_page
        from support import attachments

        from . import media, notifications, selectors, sender, webchat, whatsapp_pay
        from . import privacy as chat_privacy
        from .customer_section import conversation_section
        from .dashboard import failed_message_tiles
        from .timeline import timeline_entries

        channels.register(
            notifications.CHANNEL, label=_("WhatsApp message"), deliver=sender.send_message,
            copies=notifications.goes_to_the_chat, business_relations=["whatsapp_config"],
            undelivered=selectors.undelivered_messages, reaches=selectors.reaches_customers,
        )
        channels.register(webchat.CHANNEL, label=_("Browser chat message"), deliver=webchat.deliver,
                          copies=webchat.goes_to_web_chat, reaches=webchat.reaches)
        # files customers send: downloaded after the conversation's transaction, retried, never lost
        channels.register(media.CHANNEL, label=_("WhatsApp media download"), deliver=media.download)
        attachments.register(media.ticket_attachments)
        # WhatsApp Pay refunds go through Meta's payments_refund
        refund_channels.register("whatsapp", whatsapp_pay.send_refund)
        privacy.register("chat", position=50, export=chat_privacy.export, collect=chat_privacy.collect,
                         erase=chat_privacy.erase, purge=chat_privacy.purge)
        dashboard.register(area="customers", tiles=failed_message_tiles, position=45)
        customer_page.register(area="customers", section=conversation_section, position=40)
        timeline.register(area="customers", entries=timeline_entries)
