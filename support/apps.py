from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support desk")

    def ready(self):
        from shopchat import dashboard, privacy
        from shopchat.backoffice import customer_page

        from . import privacy as support_privacy
        from .customer_section import tickets_section
        from .dashboard import ticket_tiles

        dashboard.register(area="support", tiles=ticket_tiles, position=20)
        privacy.register("support", position=40, export=support_privacy.export, collect=support_privacy.collect,
                         erase=support_privacy.erase)
        customer_page.register(area="support", section=tickets_section, position=30)
