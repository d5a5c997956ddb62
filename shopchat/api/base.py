"""What every gateway API view shares: the business of the API key, cursor pagination, and
the rule that every queryset starts from that business (another business's row is a 404)."""
from django.shortcuts import get_object_or_404
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering: str | list[str] | tuple[str, ...] = "-created_at"


class BusinessScopedMixin:
    """Mixin for APIViews: `self.business`, and `scoped()` / `get_scoped_or_404()`."""

    @property
    def business(self):
        return self.request.auth.business

    def scoped(self, queryset):
        from ..tenancy import tenant_path

        path = tenant_path(queryset.model)
        return queryset.filter(**{path: self.business})

    def get_scoped_or_404(self, queryset, **lookup):
        """The business's row (404 for any other's). A row that points at the business directly
        gets the key's business object, so the services reading `row.business` ask nothing more."""
        row = get_object_or_404(self.scoped(queryset), **lookup)
        if getattr(row, "business_id", None) == self.business.pk:
            row.business = self.business
        return row
