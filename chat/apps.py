from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    label = "chat"
    verbose_name = "Chat (WhatsApp)"

    def ready(self):
        """Register the `whatsapp` outbox channel: the kernel delivers through it and copies
        customer-facing events to it without importing this app."""
        from shopchat import channels, dashboard
        from shopchat.backoffice import customer_page

        from . import notifications, selectors, sender
        from .customer_section import conversation_section
        from .dashboard import failed_message_tiles

        channels.register(
            notifications.CHANNEL, label="WhatsApp message", deliver=sender.send_message,
            copies=notifications.goes_to_the_chat, business_relations=["whatsapp_config"],
            undelivered=selectors.undelivered_messages, reaches=selectors.reaches_customers,
        )
        dashboard.register(area="customers", tiles=failed_message_tiles, position=45)
        customer_page.register(area="customers", section=conversation_section, position=40)
