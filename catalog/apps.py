from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from shopchat import dashboard

        from .dashboard import stock_tiles

        dashboard.register(area="catalog", tiles=stock_tiles, position=30)
