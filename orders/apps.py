from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from shopchat import dashboard
        from shopchat.backoffice import customer_page

        from .customer_section import orders_section
        from .dashboard import sales_tiles

        dashboard.register(area="orders", tiles=sales_tiles, position=10)
        customer_page.register(area="orders", section=orders_section, position=10)
