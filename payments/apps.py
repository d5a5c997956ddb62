from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments and settlement"

    def ready(self):
        from shopchat import dashboard

        from .dashboard import refund_tiles

        dashboard.register(area="payments", tiles=refund_tiles, position=15)
