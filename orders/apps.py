from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from shopchat import dashboard

        from .dashboard import order_tiles

        dashboard.register(area="orders", tiles=order_tiles, position=10)
