"""Background catalog jobs: a feed import uploaded in the back office."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_import(job_id: int) -> None:
    """Import an uploaded feed. Safe to run twice: a finished job is skipped, and re-importing
    rows is an idempotent upsert."""
    services.run_import_job(job_id=job_id)


@shared_task
def purge_import_files() -> int:
    return services.purge_import_files()
