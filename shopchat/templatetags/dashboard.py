from django import template

from ..dashboard import tiles_for

register = template.Library()


@register.inclusion_tag("admin/dashboard_tiles.html", takes_context=True)
def dashboard_tiles(context):
    return {"tiles": tiles_for(context["request"].user)}
