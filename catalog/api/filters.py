"""Query parameters of the product list: q, collection, in_stock, min_price, max_price, item_group_id."""
import django_filters

from .. import selectors
from ..feeds import minor_bounds


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Words or word beginnings.")
    collection = django_filters.CharFilter(method="in_collection", max_length=200, help_text="A collection slug.")
    in_stock = django_filters.BooleanFilter(method="stock", help_text="true: can be ordered now.")
    min_price = django_filters.NumberFilter(method="price_at_least", help_text="Current price, major unit.")
    max_price = django_filters.NumberFilter(method="price_at_most", help_text="Current price, major unit.")
    item_group_id = django_filters.CharFilter(field_name="item_group_id", max_length=100,
                                              help_text="The variants of this group.")

    def _currency(self):
        return self.request.auth.business.currency

    def search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return selectors.rank_matches(queryset, value, language=self.request.auth.business.language)

    def in_collection(self, queryset, name, value):
        return queryset.filter(collection_entries__collection__slug=value,
                               collection_entries__collection__is_active=True)

    def stock(self, queryset, name, value):
        q = selectors.in_stock_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def price_at_least(self, queryset, name, value):
        return queryset.alias(current=selectors.current_price()).filter(
            current__gte=minor_bounds(value, self._currency(), upper=False))

    def price_at_most(self, queryset, name, value):
        return queryset.alias(current=selectors.current_price()).filter(
            current__lte=minor_bounds(value, self._currency(), upper=True))
