from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The public web (floor 5): sign-up, the shop page with its QR code, the chat in the browser."""

    name = "web"
    label = "web"
    verbose_name = _("Public web")

    def ready(self):
        from shopchat import dashboard

        from .onboarding import onboarding_tiles

        dashboard.register(area="settings", tiles=onboarding_tiles, position=5)
