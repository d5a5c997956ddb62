"""Showing stored payloads safely: whatever a webhook or a gateway sent (any shape, any depth)
is rendered by the back office without raising.

- `dig(value, *path)`: the value at a path of keys/indexes, or None when any step is missing or
  of another shape (`dig(body, "order", "product_items")`);
- `text_of(value, limit)`: a one-line string for any value (a dict, a number, None...);
- `pretty_json(value, limit)`: indented JSON for a detail page, nesting beyond MAX_DEPTH and text
  beyond `limit` cut off with a marker (no RecursionError on a body 900 levels deep);
- `nesting_depth(text)`: how deep a JSON text nests, without parsing it;
- `SafeJSONDecoder`: the decoder of the JSON columns that keep what others sent (inbound payloads,
  outbound bodies, outbox payloads): a stored value nested deeper than LOAD_DEPTH loads as a
  short note instead of raising RecursionError wherever it is read (a page, a task).
"""
import json
import re
from typing import Any

MAX_DEPTH = 30
LOAD_DEPTH = 100
CUT = "…"
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def nesting_depth(text: str | bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings skipped, nothing parsed)."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    depth = deepest = 0
    for char in _STRINGS.sub(b"", raw).translate(None, _NOT_BRACKETS):
        if char in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class SafeJSONDecoder(json.JSONDecoder):
    """json.JSONDecoder that answers a note for a text nested deeper than LOAD_DEPTH."""

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        if len(s) > 2 * LOAD_DEPTH and nesting_depth(s) > LOAD_DEPTH:
            return {"unreadable": f"nested deeper than {LOAD_DEPTH} levels", "start": s[:500]}
        return super().decode(s, *args, **kwargs)


def dig(value: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        elif isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        else:
            return None
    return value


def text_of(value: Any, limit: int = 500) -> str:
    """`value` as one line of text of at most `limit` characters."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float, bool)):
        text = str(value)
    else:
        text = json.dumps(_clipped(value, 0, 3), ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + CUT


def _clipped(value: Any, depth: int, max_depth: int) -> Any:
    if isinstance(value, dict):
        if depth >= max_depth:
            return CUT
        return {str(k): _clipped(v, depth + 1, max_depth) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= max_depth:
            return [CUT]
        return [_clipped(v, depth + 1, max_depth) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return str(value)


def pretty_json(value: Any, limit: int = 20_000) -> str:
    """Indented JSON of `value`, nested at most MAX_DEPTH deep and `limit` characters long."""
    text = json.dumps(_clipped(value, 0, MAX_DEPTH), indent=2, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "\n" + CUT
