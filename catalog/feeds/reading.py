"""Reading a feed file as a stream: its format sniffed, its rows checked one by one."""
import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TypeVar

from .columns import COLUMN_ALIASES, COLUMNS, REQUIRED_COLUMNS, SNIFF_BYTES, CleanRow, FeedError, RowError
from .rules import clean_product, clean_retailer_id, feed_hash

# --- reading a file ------------------------------------------------------------------------

@dataclass
class FeedStats:
    estimated_rows: int
    delimiter: str


def inspect_file(binary: IO[bytes]) -> FeedStats:
    """Check, in one streamed pass, that `binary` is UTF-8 text; estimate its rows.

    Raises FeedError for a binary or non-UTF-8 file, so nothing is imported from it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, offset, first, last = 0, 0, b"", b""
    binary.seek(0)
    while True:
        chunk = binary.read(1024 * 1024)
        if not chunk:
            break
        if b"\x00" in chunk:
            raise FeedError("This is a binary file, not a CSV or TSV catalog feed.")
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise FeedError(f"The file is not UTF-8 text (bad byte at position {offset + exc.start}). "
                            "Save it as CSV UTF-8 and upload it again.") from None
        if len(first) < SNIFF_BYTES:
            first += chunk[:SNIFF_BYTES]
        lines += chunk.count(b"\n")
        offset += len(chunk)
        last = chunk
    if offset == 0:
        raise FeedError("The file is empty.")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FeedError("The file is not UTF-8 text (it ends in the middle of a character).") from None
    if not last.endswith(b"\n"):
        lines += 1
    header = first.split(b"\n", 1)[0]
    if b"\t" in header:
        delimiter = "\t"
    elif b";" in header and b"," not in header:
        delimiter = ";"  # spreadsheet exports in many European locales
    else:
        delimiter = ","
    binary.seek(0)
    return FeedStats(estimated_rows=max(lines - 1, 0), delimiter=delimiter)


def read_rows(binary: IO[bytes], *, currency: str, delimiter: str, errors: list[RowError],
              present_ids: set[str] | None = None) -> Iterator[CleanRow]:
    """Yield a CleanRow for each good data row of `binary` (bytes), appending RowErrors for the
    bad ones to `errors`. Checks the header first (FeedError if it is not a feed).
    `present_ids` collects every well-formed id in the file, rejected rows' too."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise FeedError("The file is empty.") from None
    except csv.Error as exc:
        raise FeedError(f"The header line cannot be read as CSV: {exc}.") from None
    names = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FeedError(
            "This is not a catalog feed: the first line must name the columns, and "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing. "
            f"Expected columns: {', '.join(COLUMNS)}."
        )
    index = {name: i for i, name in enumerate(names) if name in COLUMNS}
    width = len(names)
    seen: dict[str, int] = {}
    row_number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            errors.append(RowError(row_number, "", f"the line cannot be read as CSV: {exc}"))
            continue
        row_number += 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            row_number -= 1  # blank line: not a row
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(RowError(row_number, "", f"{len(cells)} cells but the header names {width} columns"))
            continue
        raw = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        row_errors: list[RowError] = []
        retailer_id: str | None
        try:
            retailer_id = clean_retailer_id(raw.get("id"))
        except ValueError as exc:
            retailer_id = None
            row_errors.append(RowError(row_number, "id", str(exc)))
        else:
            if present_ids is not None:
                present_ids.add(retailer_id)
        if retailer_id is not None and retailer_id in seen:
            row_errors.append(RowError(row_number, "id",
                                       f"duplicate id '{retailer_id}' (first at row {seen[retailer_id]})"))
        values, problems = clean_product(raw, currency=currency)
        row_errors.extend(RowError(row_number, column, reason) for column, reason in problems)
        if row_errors or retailer_id is None:  # a missing id is one of the row's errors
            errors.extend(row_errors)
            continue
        seen[retailer_id] = row_number
        yield CleanRow(row_number, retailer_id, values, feed_hash(values))
    text.detach()


T = TypeVar("T")


def batched(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
