from django.apps import AppConfig


class ShopchatConfig(AppConfig):
    name = "shopchat"
    verbose_name = "Businesses and platform"

    def ready(self):
        from . import channels, dashboard, outbox
        from .api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)

        channels.register("webhook", label="Gateway webhook", deliver=outbox.post_webhook,
                          reaches=lambda business: bool(business.webhook_url))
        channels.register("email", label="E-mail to staff", deliver=outbox.send_email)
        dashboard.register(area="events", tiles=dashboard.failed_notification_tiles, position=40)
