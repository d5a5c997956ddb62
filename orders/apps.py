from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from shopchat import dashboard

        from .dashboard import sales_tiles

        dashboard.register(area="orders", tiles=sales_tiles, position=10)
