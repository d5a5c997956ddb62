from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments and settlement")

    def ready(self):
        from orders import timeline
        from shopchat import dashboard, privacy
        from shopchat.backoffice import customer_page

        from . import privacy as payments_privacy
        from .customer_section import wallet_section
        from .dashboard import refund_tiles
        from .workspace import timeline_entries

        dashboard.register(area="payments", tiles=refund_tiles, position=15)
        timeline.register(area="payments", entries=timeline_entries)
        privacy.register("payments", position=30, export=payments_privacy.export, check=payments_privacy.check,
                         collect=payments_privacy.collect, erase=payments_privacy.erase)
        customer_page.register(area="payments", section=wallet_section, position=20)
