"""The public web's own rows: one per merchant sign-up (who signed up which business, and
when the e-mail was verified). The personal data (name, e-mail) stays on the staff user."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignUp(models.Model):
    business = models.OneToOneField("shopchat.Business", on_delete=models.CASCADE, related_name="signup")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")

    def __str__(self):
        return f"{self.business} ({self.created_at:%Y-%m-%d})"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
