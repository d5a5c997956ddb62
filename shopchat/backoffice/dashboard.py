"""Unfold's DASHBOARD_CALLBACK: the home page's figures from the registered providers
(shopchat.dashboard), laid out as the sales row, the charts and what needs attention."""
import json

from django.utils.translation import gettext as _

from .. import dashboard


def dashboard_callback(request, context: dict) -> dict:
    period = dashboard.period_for(request.user)
    items = dashboard.tiles_for(request.user, period)
    tiles = [item for item in items if isinstance(item, dashboard.Tile)]
    charts = [item for item in items if isinstance(item, dashboard.Chart)]
    context.update({
        "title": _("Dashboard"),
        "sales_tiles": [tile for tile in tiles if tile.group == dashboard.SALES],
        "attention_tiles": [tile for tile in tiles if tile.group == dashboard.ATTENTION],
        "charts": [{"chart": chart, "data": json.dumps({"labels": chart.labels, "datasets": chart.datasets},
                                                       default=str)} for chart in charts],
        "today": period.today,
    })
    return context
