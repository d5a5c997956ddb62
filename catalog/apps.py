from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from shopchat import dashboard

        from .dashboard import stock_tiles

        dashboard.register(area="catalog", tiles=stock_tiles, position=30)
