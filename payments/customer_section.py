"""The customer page's wallet section: the balance (the ledger account's) and linked cards."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shopchat.backoffice.customer_page import Section
from shopchat.money import label

from .models import FundingSource, Wallet


def wallet_section(customer, user) -> Section:
    wallet = Wallet.objects.filter(customer=customer).select_related("account").first()
    cards = list(FundingSource.objects.filter(customer=customer, is_active=True).values_list("brand", "last4")[:5])
    return Section("wallet", _("Wallet"), "admin/payments/customer/section.html", {
        "balance": label(wallet.account.balance_minor, wallet.account.currency) if wallet else None,
        "url": reverse("admin:payments_wallet_change", args=[wallet.pk]) if wallet else "", "cards": cards})
