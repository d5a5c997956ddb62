"""Demo data of payments: two chat customers with a linked sandbox card and a funded wallet,
so the wallet, transfers and wallet payments can be tried at once. Idempotent: a customer who
already has a wallet is left as is."""
from shopchat.models import Customer

from . import services
from .models import Wallet

DEMO_CUSTOMERS = [("919800000101", "Asha"), ("919800000102", "Ravi")]


def seed(*, business, products=None, stdout=None) -> None:
    for wa_id, name in DEMO_CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(business=business, wa_id=wa_id, defaults={"name": name})
        if Wallet.objects.filter(customer=customer).exists():
            continue
        card = services.add_funding_source(customer=customer, token="tok_sandbox_4242_demo" + wa_id[-3:])
        services.top_up(customer=customer, amount_minor=500_000, funding_source=card)
    if stdout is not None:
        stdout.write(f"  wallets: {', '.join('+' + w for w, _ in DEMO_CUSTOMERS)} hold "
                     f"{business.money(500_000)} each (sandbox card 4242)")
