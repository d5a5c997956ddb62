from django.apps import AppConfig


class ShopchatConfig(AppConfig):
    name = "shopchat"
    verbose_name = "Businesses and platform"

    def ready(self):
        from .api import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
