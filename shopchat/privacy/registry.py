"""The privacy registry: each app that keeps personal data says, in its `AppConfig.ready()`,
what it exports for a customer, what stops an erasure, what the customer wrote, how it erases
(tombstones) and what it purges by age. The kernel's services (`shopchat.privacy.services`)
call every registered app in `position` order and import none of them.

Positions follow the lock order of DESIGN.md ("Locks"): orders (20) lock the customer's orders,
payments (30) the wallet, then support (40), chat (50) and the kernel's own rows (90).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopchat.models import Business, Customer

TOMBSTONE = "[erased]"
PREFIX = 12  # a text the customer wrote is looked for inside other strings from this length on


@dataclass
class Erasure:
    """What an erase handler gets: the customer (still with its name and number), what identifies
    them and every text they wrote (collected from all apps before anything is erased), and the
    tombstone number the customer row will carry."""

    business: Business
    customer: Customer
    wa_id: str
    name: str
    tombstone_wa_id: str
    texts: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    _compiled: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _by_prefix: dict[str, list[str]] | None = field(default=None, init=False, repr=False)

    @property
    def identities(self) -> list[str]:
        """What identifies the customer wherever it appears: the number (with and without +),
        the name and each word of it of three letters or more."""
        found = [self.wa_id, f"+{self.wa_id}"]
        name = self.name.strip()
        if name:
            found.append(name)
            found.extend(word for word in re.split(r"\W+", name) if len(word) >= 3)
        return found

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            names = sorted({re.escape(p) for p in self.identities[2:]}, key=len, reverse=True)
            parts = [re.escape(self.wa_id)] + ([r"\b(?:" + "|".join(names) + r")\b"] if names else [])
            self._compiled = re.compile("|".join(parts), re.IGNORECASE)
        return self._compiled

    def _long_texts(self) -> dict[str, list[str]]:
        """The texts of PREFIX characters or more, by their first PREFIX characters."""
        if self._by_prefix is None:
            self._by_prefix = {}
            for text in self.texts:
                if len(text) >= PREFIX:
                    self._by_prefix.setdefault(text[:PREFIX], []).append(text)
        return self._by_prefix

    def mentions(self, value: str) -> bool:
        """True when `value` names the customer or is (or holds) a text they wrote. Linear in
        `value`, whatever the number of texts (one lookup per position, not one scan per text)."""
        if not value:
            return False
        if value in self.texts or self._pattern().search(value):
            return True
        by_prefix = self._long_texts()
        if not by_prefix or len(value) < PREFIX:
            return False
        for start in range(len(value) - PREFIX + 1):
            candidates = by_prefix.get(value[start:start + PREFIX])
            if candidates and any(value.startswith(t, start) for t in candidates):
                return True
        return False

    def scrub(self, value: str) -> str:
        """`value`, or the tombstone when it names the customer or repeats what they wrote."""
        return TOMBSTONE if self.mentions(value) else value

    def scrub_json(self, value: Any) -> Any:
        """A JSON value with every string that mentions the customer replaced by the tombstone
        (keys too: a payload keyed by number)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub(str(k)): self.scrub_json(v) for k, v in value.items()}
        return value

    def count(self, what: str, rows: int) -> None:
        if rows:
            self.counts[what] = self.counts.get(what, 0) + rows


Exporter = Callable[["Customer"], dict[str, Any]]
Checker = Callable[["Customer"], list[str]]
Collector = Callable[["Customer"], Iterable[str]]
Eraser = Callable[[Erasure], None]
Purger = Callable[["Business", datetime, int], dict[str, int]]


@dataclass(frozen=True)
class Handler:
    """One app's part of export, erasure and retention (see `register`)."""

    name: str
    position: int
    export: Exporter | None = None
    check: Checker | None = None
    collect: Collector | None = None
    erase: Eraser | None = None
    purge: Purger | None = None


_handlers: dict[str, Handler] = {}


def register(name: str, *, position: int, export: Exporter | None = None, check: Checker | None = None,
             collect: Collector | None = None, erase: Eraser | None = None, purge: Purger | None = None) -> Handler:
    """Register an app's privacy handlers; call it from `AppConfig.ready()`.

    - `export(customer) -> {section: data}`: the app's sections of the export document, in a
      constant number of queries (not one per row);
    - `check(customer) -> [reasons]`: why the customer cannot be erased now (empty: nothing);
      runs inside the erasure's transaction and takes the app's locks, in `position` order;
    - `collect(customer) -> texts`: what the customer wrote, so every app can scrub copies of it;
    - `erase(erasure)`: replace the app's personal data of the customer with tombstones
      (money records keep their amounts); counts what it changed with `erasure.count`;
    - `purge(business, now, batch) -> {what: rows}`: delete or empty, at most `batch` rows per
      kind, what is older than the business's retention (never money records).
    """
    handler = Handler(name=name, position=position, export=export, check=check, collect=collect, erase=erase,
                      purge=purge)
    existing = _handlers.get(name)
    if existing is not None and existing != handler:
        raise ValueError(f"privacy handler {name!r} is already registered")
    _handlers[name] = handler
    return handler


def handlers() -> list[Handler]:
    return sorted(_handlers.values(), key=lambda h: (h.position, h.name))
