from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopchatConfig(AppConfig):
    name = "shopchat"
    verbose_name = _("Businesses and platform")

    def ready(self):
        from . import channels, dashboard, outbox, privacy
        from .api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
        from .privacy import kernel as privacy_kernel
        from .privacy import logs as privacy_logs

        privacy_logs.install()

        channels.register("webhook", label=_("Gateway webhook"), deliver=outbox.post_webhook,
                          reaches=lambda business, customer: bool(business.webhook_url))
        channels.register("email", label=_("E-mail to staff"), deliver=outbox.send_email)
        dashboard.register(area="events", tiles=dashboard.failed_notification_tiles, position=40)
        dashboard.register(area="customers", tiles=dashboard.erasure_request_tiles, position=45)
        privacy.register("kernel", position=90, export=privacy_kernel.export, erase=privacy_kernel.erase,
                         purge=privacy_kernel.purge)

        from django.contrib.auth.signals import user_logged_in

        from .backoffice.language import remember_language
        from .twofactor import remember_devices

        user_logged_in.connect(remember_devices, dispatch_uid="shopchat-2fa-devices")
        user_logged_in.connect(remember_language, dispatch_uid="shopchat-staff-language")
