"""Browser tests: the pages as their users use them, in Debian's Chromium driven by Playwright.

`make test-browser` runs them (marker `browser`; `make test` leaves them out). Chromium is the
system's (`/usr/bin/chromium`, installed by `.ci/run` when missing): Playwright's own browser
download cannot work on a machine without internet. Each test gets a live server on 127.0.0.1
and a fresh browser context: `page` at 1366 x 800 (a laptop), `phone` at 390 x 844 (a phone).
With SCREENSHOTS=1, `screenshot(page, name)` writes docs/screenshots/<name>.png.
"""
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls are
# still synchronous, so Django's async-safety check does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Flags for a root session on a machine with a closed network: no sandbox, no background fetches.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _context(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    return context


def _watched(context):
    """A page whose Content-Security-Policy refusals are collected: every browser test also proves
    the pages it visits work under the policy (Chromium reports each refusal on the console)."""
    new_page = context.new_page()
    new_page.csp_refusals = []
    new_page.on("console", lambda message: new_page.csp_refusals.append(message.text)
                if "Content Security Policy" in message.text else None)
    return new_page


@pytest.fixture
def page(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 1366, "height": 800})
    watched = _watched(context)
    yield watched
    context.close()
    assert watched.csp_refusals == [], "refused by the Content-Security-Policy"


@pytest.fixture
def phone(browser, live_server):
    context = _context(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                       has_touch=True, device_scale_factor=2)
    watched = _watched(context)
    yield watched
    context.close()
    assert watched.csp_refusals == [], "refused by the Content-Security-Policy"


def login(page, username: str, password: str) -> None:
    """Log in to the back office as a staff user."""
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> None:
    """docs/screenshots/<name>.png, when SCREENSHOTS=1 (kept small: the visible viewport)."""
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def scrolls_sideways(page) -> bool:
    """Whether the page is wider than the screen (a list that makes a phone scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1")
