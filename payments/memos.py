"""The ledger's memos as staff read them: the ones the services write are stored in English
(`ledger.move(..., memo)`) and shown in the reader's language; a memo a person wrote (a
transfer's note) is shown as written."""
import re
from collections.abc import Callable

from django.utils.translation import gettext as _

MEMOS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Order (\S+)"), lambda m: _("Order %(number)s") % {"number": m[1]}),
    (re.compile(r"Test order (\S+)"), lambda m: _("Test order %(number)s") % {"number": m[1]}),
    (re.compile(r"Commission on order (\S+)"), lambda m: _("Commission on order %(number)s") % {"number": m[1]}),
    (re.compile(r"Refund of order (\S+)"), lambda m: _("Refund of order %(number)s") % {"number": m[1]}),
    (re.compile(r"Dispute on order (\S+)"), lambda m: _("Dispute on order %(number)s") % {"number": m[1]}),
    (re.compile(r"Dispute on order (\S+) won"), lambda m: _("Dispute on order %(number)s won") % {"number": m[1]}),
    (re.compile(r"Dispute on order (\S+) lost"), lambda m: _("Dispute on order %(number)s lost") % {"number": m[1]}),
    (re.compile(r"Payout to (.+)"), lambda m: _("Payout to %(account)s") % {"account": m[1]}),
    (re.compile(r"Payout of settlement (\d+) failed"), lambda m: _("Payout of settlement %(number)s failed") % {
        "number": m[1]}),
    (re.compile(r"Wallet top-up"), lambda m: _("Wallet top-up")),
]


def shown_memo(memo: str) -> str:
    """A ledger transaction's memo in the active language (the services' own), else as written."""
    for pattern, shown in MEMOS:
        if match := pattern.fullmatch(memo):
            return shown(match)
    return memo
