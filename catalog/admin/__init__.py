"""Back office for the catalog: products (fast at 50,000 rows: no per-row queries, no exact
COUNT when it is expensive, price and stock editable in the list), collections with ordered
products, feed uploads with a live progress page, and the secret feed URL for Meta."""
from . import collections, imports, products  # noqa: F401  (each registers its admin)
