"""The translation catalogs in locale/: complete for the chat, within WhatsApp's limits, in step
with the code, and compiled on a fresh machine."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from django.conf import settings

from chat import messages as wa
from shopchat.languages import CHAT_SOURCES, STAFF_LANGUAGES
from shopchat.management.commands.compile_translations import compile_stale

ROOT = Path(settings.BASE_DIR)
CHAT_CATALOGS = ("de", "it", "es", "pt_BR", "hi")  # en is the source language
STAFF_CATALOGS = tuple(code for code in STAFF_LANGUAGES if code != "en")
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None, "pgettext": ((1, "c"), 2),
            "pgettext_lazy": ((1, "c"), 2), "ngettext": (1, 2), "ngettext_lazy": (1, 2),
            "npgettext": ((1, "c"), 2, 3)}
# A msgctxt names the WhatsApp field a string goes into, and so its limit.
LIMITS = {"button": wa.MAX_BUTTON_TITLE, "list button": wa.MAX_LIST_BUTTON, "list row": wa.MAX_ROW_TITLE,
          "section title": wa.MAX_SECTION_TITLE, "header": wa.MAX_HEADER, "row description": wa.MAX_ROW_DESCRIPTION}


def catalog(language: str):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po, locale=language)


def is_chat(message) -> bool:
    return any(path in CHAT_SOURCES for path, _ in message.locations)


def chat_messages(language: str) -> dict:
    return {(m.context, m.id): m for m in catalog(language) if m.id and is_chat(m)}


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]


def test_chat_sources_are_real_files():
    assert all((ROOT / path).is_file() or path == "chat/language.py" for path in CHAT_SOURCES)


def test_every_chat_string_of_the_code_is_in_the_catalogs():
    """A string marked in a customer-facing module but missing from locale/ means `make messages`
    was not run: the customer would read English."""
    in_code = set()
    for path in CHAT_SOURCES:
        if not (ROOT / path).is_file():
            continue
        for _, msgid, _, context in extract_from_file("python", ROOT / path, keywords=KEYWORDS):
            in_code.add((context, msgid if isinstance(msgid, str) else tuple(msgid)[0]))
    catalogued = {(context, msgid if isinstance(msgid, str) else msgid[0]) for context, msgid in chat_messages("de")}
    assert in_code - catalogued == set()


@pytest.mark.parametrize("language", CHAT_CATALOGS)
def test_every_chat_message_is_translated(language):
    untranslated = [m.id for m in chat_messages(language).values() if not all(strings(m)) or m.fuzzy]
    assert untranslated == []


def test_the_chat_catalogs_hold_the_same_message_ids():
    ids = {language: set(chat_messages(language)) for language in CHAT_CATALOGS}
    for language in CHAT_CATALOGS:
        assert ids[language] == ids["de"], language


@pytest.mark.parametrize("language", CHAT_CATALOGS)
def test_translated_buttons_and_titles_fit_whatsapps_limits(language):
    too_long = [(m.context, s, len(s)) for m in catalog(language) if m.id and m.context in LIMITS
                for s in strings(m) + [m.id if isinstance(m.id, str) else m.id[0]] if len(s) > LIMITS[m.context]]
    assert too_long == []


@pytest.mark.parametrize("language", CHAT_CATALOGS)
def test_translations_keep_the_placeholders(language):
    """A placeholder lost or misspelt in a translation would raise (or drop the amount) at run time."""
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    wrong = []
    for message in catalog(language):
        if not message.id:
            continue
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        for text in strings(message):
            if text and set(placeholder.findall(text)) - set(placeholder.findall(source)):
                wrong.append(text)
            if text and not isinstance(message.id, tuple) and set(placeholder.findall(text)) != set(
                    placeholder.findall(source)):
                wrong.append(text)
    assert wrong == []


@pytest.mark.parametrize("language", STAFF_CATALOGS)
def test_every_back_office_message_is_translated_in_the_staff_languages(language):
    untranslated = [m.id for m in catalog(language) if m.id and (not all(strings(m)) or m.fuzzy)]
    assert untranslated == []


def test_the_catalogs_compile_without_gnu_gettext(tmp_path):
    """A fresh clone has only the .po files: Babel builds the .mo (make and the test suite do)."""
    for language in CHAT_CATALOGS:
        target = tmp_path / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        (target / "django.po").write_bytes((ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_bytes())
    written = compile_stale([tmp_path])
    assert sorted(p.parent.parent.name for p in written) == sorted(CHAT_CATALOGS)
    assert compile_stale([tmp_path]) == []  # nothing changed: nothing compiled again
