"""Feed imports: upload, a live progress bar, and the rejected rows as a CSV."""
import csv
import io

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from shopchat.spreadsheets import SpreadsheetWriter
from shopchat.tenancy import TenantAdmin

from .. import services
from ..models import ImportJob

LOW_STOCK = 5
ESTIMATE_ABOVE = 20_000
# An import's page: these fields under the live progress box (which alone shows the status and
# the counters, so nothing on the page stays at "Waiting" while the box moves on).
SHOWN_OF_A_JOB = ("business", "filename", "create_collections", "deactivate_missing", "created_at", "started_at",
                  "finished_at")


class ImportUploadForm(forms.ModelForm):
    class Meta:
        model = ImportJob
        fields = ["business", "file", "create_collections", "deactivate_missing"]
        help_texts = {"file": _("CSV or TSV in the data-feed columns: id, title, description, availability, "
                                "condition, price (\"12.50 INR\"), sale_price, link, image_link, brand, "
                                "product_type, inventory.")}


@admin.register(ImportJob)
class ImportJobAdmin(TenantAdmin):
    tenant_area = "catalog"
    form = ImportUploadForm
    list_display = ("__str__", "status", "progress", "created_count", "updated_count", "unchanged_count",
                    "rejected_count", "created_at")
    list_filter = ("status",)
    list_select_related = ("business",)
    change_form_template = "admin/catalog/importjob/change_form.html"
    readonly_fields = ("business", "filename", "create_collections", "status", "total_rows", "processed_rows",
                       "created_count", "updated_count", "unchanged_count", "rejected_count", "deactivate_missing",
                       "deactivated_count", "message", "created_at", "started_at", "finished_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["business", "file", "create_collections", "deactivate_missing"]
        return list(SHOWN_OF_A_JOB)  # status and counters: the live box above the fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False  # an import is a record: read it, never edit it

    @admin.display(description=_("Progress"))
    def progress(self, obj):
        return f"{obj.processed_rows}/{obj.total_rows or '?'} rows"

    def save_model(self, request, obj, form, change):
        job = services.start_import(business=obj.business, upload=form.cleaned_data["file"], user=request.user,
                                    create_collections=obj.create_collections,
                                    deactivate_missing=obj.deactivate_missing)
        obj.pk = obj.id = job.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, "The feed is being imported; this page shows its progress.")
        return redirect("admin:catalog_importjob_change", obj.pk)

    def get_urls(self):
        return [
            path("<int:pk>/status/", self.admin_site.admin_view(self.status_view), name="catalog_importjob_status"),
            path("<int:pk>/errors.csv", self.admin_site.admin_view(self.errors_view),
                 name="catalog_importjob_errors"),
        ] + super().get_urls()

    def _job(self, request, pk):
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job

    def status_view(self, request, pk):
        job = self._job(request, pk)
        return JsonResponse({
            "status": job.status, "status_display": job.get_status_display(), "percent": job.percent,
            "processed": job.processed_rows, "total": job.total_rows, "created": job.created_count,
            "updated": job.updated_count, "unchanged": job.unchanged_count, "rejected": job.rejected_count,
            "deactivated": job.deactivated_count, "message": job.message,
        })

    def errors_view(self, request, pk):
        job = self._job(request, pk)
        out = io.StringIO()
        writer = SpreadsheetWriter(csv.writer(out, lineterminator="\n"))  # reasons quote the cells
        writer.writerow(["row", "column", "reason"])
        writer.writerows(job.errors)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, object_id) if str(object_id).isdigit() else None
        extra = {"job": job, "error_preview": (job.errors or [])[:100] if job else [],
                 "status_url": reverse("admin:catalog_importjob_status", args=[object_id]) if job else "",
                 "errors_url": reverse("admin:catalog_importjob_errors", args=[object_id]) if job else ""}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})
