"""factory_boy factories for every app's models."""
import factory
from django.contrib.auth import get_user_model

from shopchat.models import Business, Customer, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}@example.com")
    email = factory.SelfAttribute("username")
    is_staff = True
    password = factory.django.Password("pass-1234")


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    currency = "INR"
    order_prefix = factory.Sequence(lambda n: f"S{n % 1000}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    business = factory.SubFactory(BusinessFactory)
    role = Membership.Role.OWNER


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    business = factory.SubFactory(BusinessFactory)
    wa_id = factory.Sequence(lambda n: f"1555{n:07d}")
    name = factory.Faker("first_name")


class OrderFactory(factory.django.DjangoModelFactory):
    """A pending order whose totals add up (total = subtotal + tax + shipping - discount)."""

    class Meta:
        model = "orders.Order"

    business = factory.SubFactory(BusinessFactory)
    customer = factory.SubFactory(CustomerFactory, business=factory.SelfAttribute("..business"))
    sequence = factory.Sequence(lambda n: n + 1000)
    number = factory.LazyAttribute(lambda o: f"{o.business.order_prefix}-{o.sequence}")
    status = "pending_payment"
    currency = factory.LazyAttribute(lambda o: o.business.currency)
    subtotal_minor = 100_000
    tax_minor = 0
    shipping_minor = 0
    discount_minor = 0
    total_minor = factory.LazyAttribute(
        lambda o: o.subtotal_minor + o.tax_minor + o.shipping_minor - o.discount_minor
    )


# --- catalog -------------------------------------------------------------------------------
from catalog.models import Collection, CollectionProduct, Product  # noqa: E402


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    business = factory.SubFactory(BusinessFactory)
    retailer_id = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    price_minor = 10000
    stock_quantity = 10


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    business = factory.SubFactory(BusinessFactory)
    name = factory.Sequence(lambda n: f"Collection {n}")
    slug = factory.Sequence(lambda n: f"collection-{n}")


class CollectionProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionProduct

    collection = factory.SubFactory(CollectionFactory)
    product = factory.SubFactory(ProductFactory, business=factory.SelfAttribute("..collection.business"))


# --- money -------------------------------------------------------------------------------------
def fund_wallet(customer, amount_minor: int):
    """Top the customer's wallet up by a sandbox card (the only way money enters a wallet)."""
    from payments import services

    card = services.add_funding_source(customer=customer, card_number="4242424242424242", exp_month=12, exp_year=2030)
    return services.top_up(customer=customer, amount_minor=amount_minor, funding_source=card)


# --- support -----------------------------------------------------------------------------------
class TicketFactory(factory.django.DjangoModelFactory):
    """A customer ticket as a row (tests of the desk's rules open tickets through the services)."""

    class Meta:
        model = "support.Ticket"

    business = factory.SubFactory(BusinessFactory)
    customer = factory.SubFactory(CustomerFactory, business=factory.SelfAttribute("..business"))
    number = factory.Sequence(lambda n: n + 1)
    subject = factory.Sequence(lambda n: f"Question {n}")


class CannedReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "support.CannedReply"

    business = factory.SubFactory(BusinessFactory)
    title = factory.Sequence(lambda n: f"Reply {n}")
    body = "Thank you for writing to us."


# --- chat --------------------------------------------------------------------------------------
class InboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chat.InboundMessage"

    business = factory.SubFactory(BusinessFactory)
    wa_message_id = factory.Sequence(lambda n: f"wamid.in.{n}")
    wa_id = factory.Sequence(lambda n: f"1555{n:07d}")
    type = "text"
    payload = factory.LazyAttribute(lambda m: {"from": m.wa_id, "id": m.wa_message_id, "type": "text",
                                               "text": {"body": "Hi"}})


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chat.OutboundMessage"

    business = factory.SubFactory(BusinessFactory)
    customer = factory.SubFactory(CustomerFactory, business=factory.SelfAttribute("..business"))
    kind = "text"
    body = factory.LazyFunction(lambda: {"type": "text", "text": {"body": "Hello"}})


class DeadLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chat.DeadLetter"

    business = factory.SubFactory(BusinessFactory)
    reason = "not JSON"
    body = "{not json"


class PaymentProviderConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "payments.PaymentProviderConfig"

    business = factory.SubFactory(BusinessFactory)
    provider = "sandbox"
    secret_key = "sk_test_config_secret_key"
    webhook_secret = "whsec_config_webhook_secret"
