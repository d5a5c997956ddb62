"""Every response carries a Content-Security-Policy (django-csp) and a Permissions-Policy: scripts
only from our origin; `'unsafe-eval'` (the back office theme's
Alpine.js) only under /admin/; no page of ours relies on an inline script or event handler."""
import re

import pytest

from catalog.models import ImportJob
from payments import services as payment_services
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ") if part}


def test_a_public_shop_page_runs_no_eval_and_no_foreign_script(client, business):
    policy = directives(client.get(f"/shop/{business.slug}/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_pay_page_runs_no_eval(client, business):
    order = OrderFactory(business=business, customer=CustomerFactory(business=business), subtotal_minor=5_000)
    path = "/" + payment_services.card_payment_link(order=order).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 200
    assert "'unsafe-eval'" not in directives(response)["script-src"]


def test_the_back_office_allows_eval_for_its_theme_only(owner_client):
    policy = directives(owner_client.get("/admin/"))
    assert policy["script-src"] == ["'self'", "'unsafe-eval'"]


def test_the_api_and_its_documentation_carry_the_policy(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "'unsafe-eval'" not in directives(docs)["script-src"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", docs.content.decode())
    assert "Content-Security-Policy" in client.get("/api/schema/")


def test_the_import_page_polls_without_an_inline_script(owner_client, business):
    job = ImportJob.objects.create(business=business, file="x.csv", filename="big.csv", total_rows=10)
    html = owner_client.get(f"/admin/catalog/importjob/{job.pk}/change/").content.decode()
    assert "data-status-url=" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_back_office_pages_have_no_inline_event_handlers(owner_client):
    html = owner_client.get("/admin/catalog/product/feed/").content.decode()
    assert "data-confirm=" in html
    assert not re.search(r"\son(click|submit|change|load)=", html)


def test_every_response_carries_a_permissions_policy(client, business):
    header = client.get(f"/shop/{business.slug}/")["Permissions-Policy"]
    assert "camera=()" in header and "geolocation=()" in header and "microphone=()" in header
