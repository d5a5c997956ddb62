"""The import page's live status speaks the staff member's language."""
import pytest
from django.utils import translation

from catalog.models import ImportJob


@pytest.mark.parametrize(("language", "status", "label"), [
    ("de", ImportJob.Status.PENDING, "Wartet"), ("de", ImportJob.Status.RUNNING, "Wird importiert"),
    ("it", ImportJob.Status.DONE, "Completato"), ("it", ImportJob.Status.FAILED, "Non riuscito"),
])
def test_the_import_status_is_translated(language, status, label):
    with translation.override(language):
        assert ImportJob(status=status).get_status_display() == label
