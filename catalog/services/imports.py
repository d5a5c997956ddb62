"""Feed import: a CSV/TSV file streamed, validated row by row, and upserted in batches; as a
back-office job with a live progress bar."""
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shopchat.models import Business

from .. import feeds, queries
from ..feeds import CleanRow, FeedError, RowError
from ..models import Collection, CollectionProduct, ImportJob, Product
from ..queries import ProductUpsert
from ..versions import bump_catalog_version
from .upsert import ANALYZE_AFTER_ROWS, BATCH_SIZE, stock_problem, upsert

log = logging.getLogger("shopchat.catalog")



@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        return (f"{self.rows} rows: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.rejected} rejected" + (f", {self.deactivated} deactivated" if self.deactivated else ""))


def import_feed(*, business: Business, source: IO[bytes], create_collections: bool = False,
                deactivate_missing: bool = False, progress: Callable[[ImportResult], object] | None = None,
                on_estimate: Callable[[int], object] | None = None, batch_size: int = BATCH_SIZE) -> ImportResult:
    """Import a CSV or TSV feed (a binary file object) into the business's catalog.

    Upserts by `id`; each broken row is left out and reported (row, column, reason); every
    other row is imported. A file that is not a feed raises FeedError before anything is
    written. Rows are streamed and written in batches of `batch_size`, one transaction each,
    so a 50,000-row file neither holds the file in memory nor locks the catalog for long;
    `progress(result)` is called after each batch. Running it again is harmless: unchanged
    rows are skipped, so an import is idempotent. With `deactivate_missing` the file is the
    whole catalog: active products whose id is not in it are taken off sale (a rejected row
    still counts as present, so a typo never takes a product down).
    """
    stats = feeds.inspect_file(source)
    if on_estimate:
        on_estimate(stats.estimated_rows)
    result = ImportResult()
    collection_ids: dict[str, int | None] = {}
    present_ids: set[str] | None = set() if deactivate_missing else None
    rows = feeds.read_rows(source, currency=business.currency, delimiter=stats.delimiter, errors=result.errors,
                           present_ids=present_ids)
    for batch in feeds.batched(rows, batch_size):
        with transaction.atomic():
            _import_batch(business, batch, result, create_collections, collection_ids)
        result.rows = batch[-1].row
        if progress:
            progress(result)
    if present_ids:
        result.deactivated = _deactivate_missing(business, present_ids)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        result.rows = max(result.rows, result.errors[-1].row)
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        queries.refresh_search_statistics()
    return result


def _deactivate_missing(business: Business, present_ids: set[str]) -> int:
    """Deactivate the business's active products whose id is not in `present_ids`, in batches."""
    active = Product.objects.filter(business=business, is_active=True).values_list("pk", "retailer_id")
    missing = [pk for pk, rid in active.iterator(chunk_size=BATCH_SIZE) if rid not in present_ids]
    for start in range(0, len(missing), BATCH_SIZE):
        with transaction.atomic():
            Product.objects.filter(pk__in=missing[start:start + BATCH_SIZE]).update(
                is_active=False, feed_hash="", updated_at=timezone.now())
            bump_catalog_version(business.pk)
    return len(missing)


def _import_batch(business: Business, batch: Sequence[CleanRow], result: ImportResult, create_collections: bool,
                  collection_ids: dict[str, int | None]) -> None:
    states = queries.lock_import_states(business_id=business.pk, retailer_ids=[r.retailer_id for r in batch])
    existing = {state.retailer_id: state for state in states}
    to_write: list[CleanRow] = []
    ids: dict[str, int] = {}
    for row in batch:
        current = existing.get(row.retailer_id)
        reserved = stock_problem(row.values, current)
        if reserved is not None:
            result.errors.append(RowError(
                row.row, "inventory",
                f"inventory {row.values['stock_quantity']} is below the {reserved} units held by open orders"))
            continue
        if current is not None and current.is_active and current.feed_hash == row.feed_hash:
            result.unchanged += 1
            ids[row.retailer_id] = current.id
            continue
        to_write.append(row)
        if current is None:
            result.created += 1
        else:
            result.updated += 1
    # A feed row's digest was taken when it was read (`feeds.read_rows`): it is the one written.
    ids.update(upsert(business=business, rows=[ProductUpsert(r.retailer_id, r.values, True, r.feed_hash)
                                                for r in to_write]))
    if create_collections:
        _add_to_collections(business, [r for r in batch if r.retailer_id in ids], ids, collection_ids)


def _add_to_collections(business: Business, rows: Sequence[CleanRow], ids: Mapping[str, int],
                        collection_ids: dict[str, int | None]) -> None:
    """Put each row's product in the collection named after its product_type (set-based)."""
    wanted: set[str] = {ptype for r in rows if (ptype := r.values.get("product_type"))} - set(collection_ids)
    if wanted:
        slugs: dict[str, str] = {}
        for name in sorted(wanted):
            slug = (slugify(name) or "collection")[:200]
            slugs.setdefault(slug, name)
        Collection.objects.bulk_create(
            [Collection(business=business, name=name[:200], slug=slug) for slug, name in slugs.items()],
            ignore_conflicts=True,
        )
        by_slug = dict(Collection.objects.filter(business=business, slug__in=list(slugs)).values_list("slug", "pk"))
        for name in wanted:
            collection_ids[name] = by_slug.get((slugify(name) or "collection")[:200])
    entries = [
        CollectionProduct(collection_id=collection_id, product_id=ids[r.retailer_id])
        for r in rows if (collection_id := collection_ids.get(r.values.get("product_type") or ""))
    ]
    CollectionProduct.objects.bulk_create(entries, ignore_conflicts=True)


def start_import(*, business: Business, upload: File, user: User | None = None, create_collections: bool = False,
                 deactivate_missing: bool = False) -> ImportJob:
    """Store an uploaded feed and queue its import (the Celery task runs after the commit)."""
    from ..tasks import run_import

    with transaction.atomic():
        job = ImportJob(business=business, created_by=user, create_collections=create_collections,
                        deactivate_missing=deactivate_missing, filename=getattr(upload, "name", "")[:255])
        job.file.save(f"{business.slug}.csv", upload, save=False)
        job.save()
        transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def run_import_job(*, job_id: int) -> ImportJob:
    """Run a queued import once (a finished job is left alone, so a repeated task is harmless;
    a job interrupted half-way runs again from the start, which the upsert makes safe)."""
    job = ImportJob.objects.select_related("business").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    jobs = ImportJob.objects.filter(pk=job.pk)
    jobs.update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0)

    def progress(result: ImportResult) -> None:
        jobs.update(processed_rows=result.rows, created_count=result.created, updated_count=result.updated,
                    unchanged_count=result.unchanged, rejected_count=result.rejected)

    try:
        with job.file.open("rb") as source:
            result = import_feed(business=job.business, source=source, create_collections=job.create_collections,
                                 deactivate_missing=job.deactivate_missing, progress=progress,
                                 on_estimate=lambda n: jobs.update(total_rows=n))
    except FeedError as exc:
        jobs.update(status=ImportJob.Status.FAILED, message=str(exc), finished_at=timezone.now())
    except Exception:
        log.exception("catalog import %s failed", job.pk)
        jobs.update(status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                    message="The import stopped on an unexpected error; it has been logged. Rows already "
                            "imported stay; upload the file again to finish.")
    else:
        jobs.update(
            status=ImportJob.Status.DONE, finished_at=timezone.now(), total_rows=result.rows,
            processed_rows=result.rows, created_count=result.created, updated_count=result.updated,
            unchanged_count=result.unchanged, rejected_count=result.rejected, deactivated_count=result.deactivated,
            errors=[e.as_list() for e in result.errors],
        )
    job.refresh_from_db()
    return job


def purge_import_files(*, older_than_days: int = 30) -> int:
    """Delete the uploaded files of imports finished more than `older_than_days` ago (the job,
    its counts and its row errors stay). Returns how many files were removed."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(days=older_than_days)
    jobs = list(ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file="").values_list("pk", "file"))
    storage = ImportJob._meta.get_field("file").storage
    for _, name in jobs:
        storage.delete(name)
    ImportJob.objects.filter(pk__in=[pk for pk, _ in jobs]).update(file="")
    return len(jobs)
