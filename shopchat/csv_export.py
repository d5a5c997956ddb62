"""CSV for people's spreadsheets: every cell a spreadsheet would run as a formula ('=', '+', '-',
'@', tab, carriage return at the start) is prefixed with a quote, so a customer's name such as
'=HYPERLINK(...)' stays text (OWASP "CSV injection"). Rows stream, so a long export never sits
whole in memory."""
import csv
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse

from .spreadsheets import FORMULA_START, escape_cell  # noqa: F401 (FORMULA_START: re-exported)

# The one escaping rule of the project (shopchat.spreadsheets), under the name this module gave it.
safe_cell = escape_cell


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
