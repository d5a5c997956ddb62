"""Django's makemessages without msgmerge's fuzzy guesses: a new string starts untranslated
(and the catalog tests say so) instead of borrowing the translation of a similar one."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = ["-q", "--backup=none", "--update", "--no-fuzzy-matching"]
