"""Shipping: where a business delivers (zones by country and postcode prefix) and the options
serving them with their prices (flat, by order value bands, free over an amount), and pickup in
store. Pricing an address: `orders.services.shipping`."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shopchat.models import Business


class ShippingZone(models.Model):
    """Where a business delivers: one country, or only the postcodes that start with one of
    `postcode_prefixes` there (e.g. Bengaluru: "560, 561, 562")."""

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="shipping_zones")
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. IN."))
    postcode_prefixes = models.TextField(_("postcode prefixes"),
        blank=True, help_text=_("Comma-separated postcode beginnings; empty: the whole country."))

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["country", "name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="shipping_zone_name_unique")]

    def __str__(self):
        return f"{self.name} ({self.country})"

    @property
    def prefixes(self) -> list[str]:
        return [p for p in (part.replace(" ", "").upper() for part in self.postcode_prefixes.split(",")) if p]

    def match(self, country: str, postcode: str) -> int | None:
        """How closely the zone serves the address: None when not, 0 for a whole-country zone,
        else the length of the longest prefix the postcode starts with (the most specific zone
        serving an address is the one that prices it)."""
        if country != self.country:
            return None
        prefixes = self.prefixes
        if not prefixes:
            return 0
        compact = postcode.replace(" ", "").replace("-", "").upper()
        matched = [len(p) for p in (p.replace("-", "") for p in prefixes) if compact.startswith(p)]
        return max(matched) if matched else None


class ShippingOption(models.Model):
    """One way to receive an order, with its price: delivery into a zone (flat price, or by
    order value bands, optionally free over an amount), or pickup in store (no zone, free unless
    priced). Prices are of the goods at their shelf prices (`items_minor`), in minor units."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        PICKUP = "pickup", _("Pick up in store")

    business = models.ForeignKey(Business, verbose_name=_("business"), on_delete=models.CASCADE,
                                 related_name="shipping_options")
    code = models.SlugField(_("code"), max_length=40, help_text=_("The option's id in the API, e.g. express."))
    name = models.CharField(_("name"), max_length=24, help_text=_("As the chat shows it (at most 24 characters)."))
    description = models.CharField(_("description"), max_length=72, blank=True, help_text=_("E.g. 2-4 working days."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DELIVERY)
    zone = models.ForeignKey(ShippingZone, verbose_name=_("zone"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="options",
                             help_text=_("Where it delivers (delivery only)."))
    price_minor = models.BigIntegerField(_("price (minor units)"), default=0)
    free_over_minor = models.BigIntegerField(_("free from (minor units)"), null=True, blank=True,
                                             help_text=_("Free when the goods come to at least this much."))
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("is active"), default=True)

    class Meta:
        verbose_name = _("shipping option")
        verbose_name_plural = _("shipping options")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["business", "code"], name="shipping_option_code_unique"),
            models.CheckConstraint(condition=Q(price_minor__gte=0), name="shipping_option_price_gte_0"),
            models.CheckConstraint(condition=Q(free_over_minor__isnull=True) | Q(free_over_minor__gte=0),
                                   name="shipping_option_free_over_gte_0"),
            models.CheckConstraint(condition=(Q(kind="pickup") & Q(zone__isnull=True))
                                   | (Q(kind="delivery") & Q(zone__isnull=False)),
                                   name="shipping_option_zone_for_delivery_only"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.zone_id is not None and self.zone is not None and self.zone.business_id != self.business_id:
            raise ValidationError({"zone": "Choose a zone of the same business."})
        if self.kind == self.Kind.DELIVERY and self.zone_id is None:
            raise ValidationError({"zone": "A delivery option needs the zone it delivers to."})
        if self.kind == self.Kind.PICKUP and self.zone_id is not None:
            raise ValidationError({"zone": "A pickup in store has no zone."})

    def price_for(self, items_minor: int, bands: "list[ShippingBand] | None" = None) -> int:
        """The price for goods worth `items_minor`: free over `free_over_minor`, else the band
        with the highest `from_minor` the goods reach, else `price_minor`."""
        if self.free_over_minor is not None and items_minor >= self.free_over_minor:
            return 0
        reached = [b for b in (bands if bands is not None else self.bands.all()) if items_minor >= b.from_minor]
        return max(reached, key=lambda b: b.from_minor).price_minor if reached else self.price_minor


class ShippingBand(models.Model):
    """An order value band of a shipping option: from `from_minor` of goods on, it costs `price_minor`."""

    tenant_path = "option__business"

    option = models.ForeignKey(ShippingOption, verbose_name=_("option"), on_delete=models.CASCADE, related_name="bands")
    from_minor = models.BigIntegerField(_("goods from (minor units)"))
    price_minor = models.BigIntegerField(_("price (minor units)"))

    class Meta:
        verbose_name = _("shipping band")
        verbose_name_plural = _("shipping bands")
        ordering = ["from_minor"]
        constraints = [
            models.UniqueConstraint(fields=["option", "from_minor"], name="shipping_band_from_unique"),
            models.CheckConstraint(condition=Q(from_minor__gte=0) & Q(price_minor__gte=0),
                                   name="shipping_band_amounts_gte_0"),
        ]

    def __str__(self):
        return f"from {self.from_minor}: {self.price_minor}"
