"""CSV for people's spreadsheets: every cell a spreadsheet would run as a formula ('=', '+', '-',
'@', tab, carriage return at the start) is prefixed with a quote, so a customer's name such as
'=HYPERLINK(...)' stays text (OWASP "CSV injection"). Rows stream, so a long export never sits
whole in memory."""
import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet shows it without running it (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download named `filename`: the header, then each row's cells made safe."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
