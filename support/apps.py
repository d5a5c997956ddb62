from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Support desk"

    def ready(self):
        from shopchat import dashboard
        from shopchat.backoffice import customer_page

        from .customer_section import tickets_section
        from .dashboard import ticket_tiles

        dashboard.register(area="support", tiles=ticket_tiles, position=20)
        customer_page.register(area="support", section=tickets_section, position=30)
