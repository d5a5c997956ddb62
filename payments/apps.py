from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments and settlement"

    def ready(self):
        from shopchat import privacy

        from . import privacy as payments_privacy

        privacy.register("payments", position=30, export=payments_privacy.export, check=payments_privacy.check,
                         collect=payments_privacy.collect, erase=payments_privacy.erase)
