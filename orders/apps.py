from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from shopchat import dashboard, privacy
        from shopchat.backoffice import customer_page

        from . import privacy as orders_privacy
        from .customer_section import orders_section
        from .dashboard import sales_tiles

        dashboard.register(area="orders", tiles=sales_tiles, position=10)
        privacy.register("orders", position=20, export=orders_privacy.export, check=orders_privacy.check,
                         collect=orders_privacy.collect, erase=orders_privacy.erase)
        customer_page.register(area="orders", section=orders_section, position=10)
