"""The payments demo seeder: funded wallets, and nothing doubled when run again."""
from payments import demo, services
from payments.models import TopUp


def test_demo_seed_funds_two_wallets_once(business):
    demo.seed(business=business, products=0)
    demo.seed(business=business, products=0)
    assert TopUp.objects.filter(status="succeeded").count() == 2
    assert services.reconcile() == []
