"""Products and collections of a business's catalog, with their stock.

Stock: `stock_quantity` is what the merchant has on hand (empty: not tracked, always
available); `reserved_quantity` is what open orders hold. Available = on hand - reserved.
The database refuses reserving more than is on hand (CHECK), so overselling is impossible
even if a code path forgets to lock.
"""
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business

# What tells the variants of a group apart, in the order the chat asks for them.
VARIANT_ATTRIBUTES = ("size", "color", "material", "pattern", "gender")

RETAILER_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.\-]{1,100}$", "1 to 100 characters: letters, digits, '_', '.', '-'.", code="invalid_retailer_id"
)
# A variant group's id (the feed's item_group_id, usually the parent SKU): the same characters as a
# product id, since it names the group in URLs (/api/v1/catalog/product-groups/<id>/).
ITEM_GROUP_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.\-]{1,100}$", "1 to 100 characters: letters, digits, '_', '.', '-'.", code="invalid_item_group_id"
)


class Product(models.Model):
    """One thing a customer can order: a product, or one variant of a group (a T-shirt in size M).

    Variants: the products of a business sharing an `item_group_id` (the commerce feed's column,
    Meta groups them the same way) are one product in several versions, told apart by `size`,
    `color`, `material`, `pattern` and `gender`. Each variant is a row of its own with its own id,
    price and stock, so carts, orders and stock reservations know nothing of groups."""

    class Availability(models.TextChoices):
        IN_STOCK = "in stock", _("In stock")
        OUT_OF_STOCK = "out of stock", _("Out of stock")
        PREORDER = "preorder", _("Preorder")
        AVAILABLE_FOR_ORDER = "available for order", _("Available for order")
        DISCONTINUED = "discontinued", _("Discontinued")

    class Condition(models.TextChoices):
        NEW = "new", _("New")
        REFURBISHED = "refurbished", _("Refurbished")
        USED = "used", _("Used")

    class Gender(models.TextChoices):
        # Meta's catalog values for the feed's `gender` column.
        FEMALE = "female", pgettext_lazy("gender", "Female")
        MALE = "male", pgettext_lazy("gender", "Male")
        UNISEX = "unisex", pgettext_lazy("gender", "Unisex")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="products")
    retailer_id = models.CharField(
        _("id"), max_length=100, validators=[RETAILER_ID_VALIDATOR, MinLengthValidator(1)],
        help_text=_("The id the WhatsApp catalog and order messages use."),
    )
    title = models.CharField(_("title"), max_length=200, validators=[MaxLengthValidator(200)])
    description = models.TextField(_("description"), blank=True)
    # Kept in minor units; the back office shows and takes them in the major unit (ProductForm).
    price_minor = models.BigIntegerField(_("price"))
    sale_price_minor = models.BigIntegerField(_("sale price"), null=True, blank=True)
    availability = models.CharField(_("availability"), max_length=20, choices=Availability.choices,
                                    default=Availability.IN_STOCK)
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices, default=Condition.NEW)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    image_link = models.URLField(_("image link"), max_length=500, blank=True)
    product_type = models.CharField(_("product type"), max_length=255, blank=True)
    stock_quantity = models.PositiveIntegerField(_("stock quantity"), null=True, blank=True,
                                                 help_text=_("Empty: stock is not tracked."))
    reserved_quantity = models.PositiveIntegerField(_("reserved quantity"), default=0,
                                                    help_text=_("Held by open orders."))
    # Variants (the feed's columns of the same names); empty: not a variant / not given.
    item_group_id = models.CharField(
        _("item group id"), max_length=100, blank=True, validators=[ITEM_GROUP_ID_VALIDATOR],
        help_text=_("Variants of one product share it (often the parent SKU); each variant keeps its own id, "
                    "price and stock."))
    size = models.CharField(pgettext_lazy("variant", "size"), max_length=200, blank=True)
    color = models.CharField(_("colour"), max_length=200, blank=True)
    material = models.CharField(_("material"), max_length=200, blank=True)
    pattern = models.CharField(_("pattern"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    is_active = models.BooleanField(_("is active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Weighted full-text document (title A, brand B, description C), kept by the catalog services
    # set-based after each write; PostgreSQL only (a GIN index is added by migration 0002).
    search_vector = SearchVectorField(null=True, editable=False)
    # Digest of the fields a feed row sets: an unchanged row of a re-import is skipped.
    feed_hash = models.CharField(_("feed hash"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["title"]
        indexes = [models.Index(fields=["business", "title", "id"], name="product_business_title"),
                   # a group's variants (the chat's size choice, the group endpoint, the back office)
                   models.Index(fields=["business", "item_group_id"], name="product_business_group")]
        constraints = [
            models.UniqueConstraint(fields=["business", "retailer_id"], name="product_business_retailer_id_unique"),
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=Q(sale_price_minor__isnull=True)
                | (Q(sale_price_minor__gte=0) & Q(sale_price_minor__lt=F("price_minor"))),
                name="product_sale_price_below_price",
            ),
            models.CheckConstraint(
                condition=Q(stock_quantity__isnull=True) | Q(reserved_quantity__lte=F("stock_quantity")),
                name="product_reserved_within_stock",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.retailer_id})"

    @property
    def current_price_minor(self) -> int:
        return self.sale_price_minor if self.sale_price_minor is not None else self.price_minor

    @property
    def is_tracked(self) -> bool:
        return self.stock_quantity is not None

    @property
    def available_quantity(self) -> int | None:
        """Units that can still be ordered; None when stock is not tracked."""
        if self.stock_quantity is None:
            return None
        return max(self.stock_quantity - self.reserved_quantity, 0)

    @property
    def is_sold_out(self) -> bool:
        """Nothing to sell: tracked with no unit left, or marked out of stock or discontinued."""
        return self.available_quantity == 0 or self.availability in (self.Availability.OUT_OF_STOCK,
                                                                     self.Availability.DISCONTINUED)

    def variant_values(self) -> dict[str, str]:
        """The variant attributes this product has ({"size": "M", "color": "Red"}), gender as its label."""
        values = {name: getattr(self, name) for name in VARIANT_ATTRIBUTES if getattr(self, name)}
        if "gender" in values:
            values["gender"] = str(self.get_gender_display())
        return values

    @property
    def variant_title(self) -> str:
        """The title naming the variant, "Classic T-shirt (M, Navy)", for a product of a group with
        variant attributes; else the title. What order lines and the chat's cart show."""
        if not self.item_group_id:
            return self.title
        label = ", ".join(self.variant_values().values())
        return f"{self.title} ({label})"[:200] if label else self.title


class Collection(models.Model):
    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="collections")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("is active"), default=True)
    products: "models.ManyToManyField[Product, CollectionProduct]" = models.ManyToManyField(
        Product, through="CollectionProduct", related_name="collections", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["business", "slug"], name="collection_business_slug_unique")]

    def __str__(self):
        return self.name


class CollectionProduct(models.Model):
    """A product's place in a collection (collections are ordered)."""

    tenant_path = "collection__business"

    collection = models.ForeignKey(Collection, verbose_name=_("collection"), on_delete=models.CASCADE,
                                   related_name="entries")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="collection_entries")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("collection product")
        verbose_name_plural = _("collection products")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "product"], name="collection_product_unique"),
        ]

    def __str__(self):
        # The ids only: a label with titles would load the product and collection for every row.
        return gettext("Product #%(product)s in collection #%(collection)s (position %(position)s)") % {
            "product": self.product_id, "collection": self.collection_id, "position": self.position}

    def clean(self):
        from django.core.exceptions import ObjectDoesNotExist, ValidationError

        try:
            collection, product = self.collection, self.product
        except ObjectDoesNotExist:
            return
        if collection is not None and product is not None and collection.business_id != product.business_id:
            raise ValidationError({"product": "This product belongs to another business."})


class ImportJob(models.Model):
    """One feed upload of the back office, run by a Celery task; holds progress and row errors."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("import status", "Waiting")
        RUNNING = "running", pgettext_lazy("import status", "Importing")
        DONE = "done", pgettext_lazy("import status", "Done")
        FAILED = "failed", pgettext_lazy("import status", "Failed")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    file = models.FileField(_("file"), upload_to="catalog-imports/%Y/%m/")
    filename = models.CharField(_("filename"), max_length=255, blank=True)
    create_collections = models.BooleanField(_("create collections"),
        default=False, help_text=_("Put each product in a collection named after its product_type."))
    deactivate_missing = models.BooleanField(
        _("deactivate products missing from the file"), default=False,
        help_text=_("The file is the whole catalog: products not in it are taken off sale."))
    deactivated_count = models.PositiveIntegerField(_("deactivated count"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("total rows"), default=0,
                                             help_text=_("Estimated from the file's lines until done."))
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    created_count = models.PositiveIntegerField(_("created count"), default=0)
    updated_count = models.PositiveIntegerField(_("updated count"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged count"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected count"), default=0)
    message = models.TextField(_("message"), blank=True, help_text=_("Why the whole file was refused, if it was."))
    errors = models.JSONField(_("errors"), default=list, blank=True,
                              help_text=_("[row, column, reason] of each rejected row."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import {self.pk} ({self.filename or 'feed'})"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.processed_rows * 100 / self.total_rows))
