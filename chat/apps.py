from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    label = "chat"
    verbose_name = "Chat (WhatsApp)"

    def ready(self):
        """Register the `whatsapp` outbox channel: the kernel delivers through it and copies
        customer-facing events to it without importing this app."""
        from shopchat import channels

        from . import notifications, selectors, sender

        channels.register(
            notifications.CHANNEL, label="WhatsApp message", deliver=sender.send_message,
            copies=notifications.goes_to_the_chat, business_relations=["whatsapp_config"],
            undelivered=selectors.undelivered_messages,
        )
