from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    label = "chat"
    verbose_name = "Chat (WhatsApp)"

    def ready(self):
        """Register the `whatsapp` outbox channel: the kernel delivers through it and copies
        customer-facing events to it without importing this app."""
        from shopchat import channels, privacy

        from . import notifications, selectors, sender
        from . import privacy as chat_privacy

        channels.register(
            notifications.CHANNEL, label="WhatsApp message", deliver=sender.send_message,
            copies=notifications.goes_to_the_chat, business_relations=["whatsapp_config"],
            undelivered=selectors.undelivered_messages,
        )
        privacy.register("chat", position=50, export=chat_privacy.export, collect=chat_privacy.collect,
                         erase=chat_privacy.erase, purge=chat_privacy.purge)
