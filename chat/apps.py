from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    label = "chat"
    verbose_name = "Chat (WhatsApp)"

    def ready(self):
        """Register the `whatsapp` and `webchat` outbox channels: the kernel delivers through them
        and copies customer-facing events to them without importing this app."""
        from shopchat import channels

        from . import notifications, selectors, sender, webchat

        channels.register(
            notifications.CHANNEL, label="WhatsApp message", deliver=sender.send_message,
            copies=notifications.goes_to_the_chat, business_relations=["whatsapp_config"],
            undelivered=selectors.undelivered_messages,
        )
        channels.register(webchat.CHANNEL, label="Browser chat message", deliver=webchat.deliver,
                          copies=webchat.goes_to_web_chat)
