"""Strings of django-unfold's templates that its installed release ships no German or Italian
catalog for (and Django's admin catalog does not have): listed here so that `make messages`
extracts them into the project's catalogs, which take precedence (LOCALE_PATHS). Nothing imports
this module; a string of unfold that Django's admin already translates is not repeated here."""
from django.utils.translation import gettext_noop

UNFOLD_STRINGS = [
    # header: theme switch, search, user menu
    gettext_noop("Light"),
    gettext_noop("Dark"),
    gettext_noop("Type to search"),
    gettext_noop("Recent searches"),
    gettext_noop("No recent searches"),
    gettext_noop("No results found"),
    gettext_noop("No results matching your query"),
    gettext_noop("Loading more results..."),
    gettext_noop("All applications"),
    gettext_noop("You have been successfully logged out from the administration"),
    gettext_noop("Toggle password visibility"),
    # lists: actions, rows, filters, paging
    gettext_noop("Select action"),
    gettext_noop("Select action to run"),
    gettext_noop("Run"),
    gettext_noop("More actions"),
    gettext_noop("Select all rows"),
    gettext_noop("Expand row"),
    gettext_noop("Apply Filters"),
    gettext_noop("Reset filters"),
    gettext_noop("Date from"),
    gettext_noop("Date to"),
    gettext_noop("From"),
    gettext_noop("To"),
    gettext_noop("Select value"),
    gettext_noop("Select record"),
    gettext_noop("Previous"),
    gettext_noop("Next"),
    gettext_noop("No data"),
    gettext_noop("This page yielded into no results. Create a new item or reset your filters."),
    gettext_noop("True"),
    gettext_noop("False"),
    # forms
    gettext_noop("General"),
    gettext_noop("Go back"),
    gettext_noop("Cancel"),
    gettext_noop("Edit"),
    gettext_noop("Add row"),
    gettext_noop("Add new item"),
    gettext_noop("This item will be deleted."),
    gettext_noop("Click to cancel"),
    gettext_noop("Click to download"),
    gettext_noop("Collapse"),
    gettext_noop("Default"),
    gettext_noop("Value"),
    gettext_noop("Export"),
]
