from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support desk"

    def ready(self):
        from shopchat import dashboard

        from .dashboard import ticket_tiles

        dashboard.register(area="support", tiles=ticket_tiles, position=20)
