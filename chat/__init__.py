"""The built-in WhatsApp Cloud API adapter: webhook, conversation engine and outbound sender.

A business that enters its Cloud API credentials (WhatsAppConfig) has its number served by
shopchat itself: Meta posts to `/webhooks/whatsapp/`, the engine answers through the outbox
channel `whatsapp`, and order/payment/ticket events come back into the chat.
"""
