"""Build the .mo files from the committed .po catalogs in `locale/`, the ones that are missing or
older than their catalog.

Babel's pure-Python compiler, so a fresh machine needs no GNU gettext (Django's `compilemessages`
calls `msgfmt`). Fuzzy entries are left out, as msgfmt does: a guess is never shown to a customer.
`make` runs this before serving and testing; the test suite runs it too (tests/conftest.py).
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


def compile_stale(locale_dirs: list[Path] | None = None) -> list[Path]:
    """Compile every `<dir>/<lang>/LC_MESSAGES/*.po` whose .mo is missing or older; the .mo written."""
    written = []
    for locale_dir in locale_dirs if locale_dirs is not None else [Path(p) for p in settings.LOCALE_PATHS]:
        for po in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=False)
            tmp.replace(mo)  # a process reading the catalog meanwhile never sees half a file
            written.append(mo)
    return written


class Command(BaseCommand):
    help = "Compile the translation catalogs (locale/*/LC_MESSAGES/django.po) that changed."

    def handle(self, *args, **options):
        for mo in compile_stale():
            self.stdout.write(f"compiled {mo}")
