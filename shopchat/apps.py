from django.apps import AppConfig


class ShopchatConfig(AppConfig):
    name = "shopchat"
    verbose_name = "Businesses and platform"
