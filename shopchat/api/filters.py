"""django-filter pieces every API shares."""
from datetime import UTC

import django_filters
from rest_framework.exceptions import ValidationError


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time compared in UTC: any valid offset works (PostgreSQL itself
    refuses offsets beyond +-15:59), and naive values are read as UTC. `param_name` names
    the query parameter in errors."""

    def __init__(self, *args, param_name: str = "", **kwargs):
        self.param_name = param_name
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
            except OverflowError:
                raise ValidationError({self.param_name: ["This date-time is out of range."]}) from None
        return super().filter(qs, value)
