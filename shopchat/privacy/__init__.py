"""Privacy by design (GDPR Art. 15, 17, 20; docs/PRIVACY.md): the registry every app with personal
data joins (`register`), and the services that export, erase and purge through it."""
from .registry import TOMBSTONE, Erasure, Handler, handlers, register

__all__ = ["TOMBSTONE", "Erasure", "Handler", "handlers", "register"]
