"""CSV meant for spreadsheets: cells that a spreadsheet would run as a formula are escaped.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`, `-2+3`):
whoever exports a merchant's catalog or statement and opens it would run what a customer or a
feed typed. `escape_cell` puts a `'` before such text (what the spreadsheets themselves show as
"text"), leaving numbers alone (a refund of -100.00 stays a number); `unescape_cell` undoes it
when such a file is imported again. Machine-read feeds (Meta's catalog feed) are not escaped:
their titles are refused at import instead (`catalog.feeds`).
"""
import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def starts_like_a_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _NUMBER.match(text)


def escape_cell(value: Any) -> Any:
    """`value` as a spreadsheet should show it: text that would run as a formula gets a leading `'`."""
    if isinstance(value, str) and starts_like_a_formula(value):
        return "'" + value
    return value


def escape_row(values: Any) -> list[Any]:
    return [escape_cell(v) for v in values]


def unescape_cell(text: str) -> str:
    """The text `escape_cell` escaped, as it was (an exported file imported again is unchanged)."""
    if text.startswith("'") and starts_like_a_formula(text[1:]):
        return text[1:]
    return text


class SpreadsheetWriter:
    """A csv writer whose rows are escaped: `SpreadsheetWriter(csv.writer(out))`."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: Any) -> Any:
        return self.writer.writerow(escape_row(row))

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)
