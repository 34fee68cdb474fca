"""Playwright fixtures for the browser journeys (tests/test_browser_journeys.py).

A journey drives Debian's Chromium against pytest-django's `live_server`, which runs the
real URLconf, middleware and static files in a thread of this process. Tests using these
fixtures are marked `@pytest.mark.browser`; tests/conftest.py skips them when Chromium is
missing (and refuses to run without it when CI=true).

    def test_it_shows_the_roster(new_page, screenshot):
        page = new_page(viewport="tablet")
        log_in(page, "hr", "secret")
        ...
        screenshot(page)
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    # The judges score on tablets in the interview room.
    "tablet": {"width": 1024, "height": 768},
}
LOCALE = "zh-CN"
# Long enough for a cold live server on a slow CI runner, short enough that a missing
# element fails the test in seconds rather than minutes.
TIMEOUT_MS = 15_000

_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep the outcome of the test body so the page fixture can tell whether it failed."""
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator["Playwright"]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop marked as running in this thread
    # from start() to stop(). Django's async-safety guard sees that loop and raises
    # SynchronousOnlyOperation on every ORM call the test makes (building data, checking
    # what a page wrote), although nothing runs concurrently: the loop only turns while
    # the test blocks inside a Playwright call. So the guard is lifted for exactly as long
    # as Playwright is alive, and restored after. The live server answers in its own
    # thread, which has no loop and stays guarded.
    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        patch.undo()


@pytest.fixture(scope="session")
def browser(playwright: "Playwright") -> Iterator["Browser"]:
    # `playwright install` cannot download browsers here; Debian's Chromium speaks the same protocol.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_site(live_server, transactional_db, django_db_serialized_rollback) -> str:
    """The live server's base URL, with a database its thread can read.

    Transactional, because the server thread has its own connection and sees only
    committed rows. Serialized rollback, because a transactional test empties every table
    when it ends, including the role groups the data migrations created; the next test
    gets them back from the copy taken when the test database was built.
    """
    return live_server.url


@pytest.fixture
def new_page(browser: "Browser", live_site: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., "Page"]]:
    """A factory of pages, each in its own browser context (own cookies, so own login).

    `new_page()` gives a desktop page; `new_page(viewport="tablet")` a 1024x768 one.
    Relative URLs (`page.goto("/staffing/roster/")`) go to the live server. If the test
    fails, each open page is saved as `<test name>-failed-<n>.png` next to the screenshots.
    """
    contexts = []

    def factory(viewport: str = "desktop", locale: str = LOCALE) -> "Page":
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale, base_url=live_site)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield factory

    report = request.node.stash.get(_call_report, None)
    if report is not None and report.failed:
        pages = [page for context in contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            page.screenshot(path=screenshot_path(request, suffix=f"-failed-{number}"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., "Page"]) -> "Page":
    """A desktop page in Chinese (zh-CN), for tests that need only one."""
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[["Page"], Path]:
    """`screenshot(page)` saves the whole page as test-artifacts/screenshots/<test name>.png."""

    def save(page: "Page") -> Path:
        path = screenshot_path(request)
        page.screenshot(path=path, full_page=True)
        return path

    return save


def screenshot_path(request: pytest.FixtureRequest, suffix: str = "") -> Path:
    folder = request.config.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    # test_x[tablet] -> test_x-tablet: brackets and slashes make awkward file names.
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    return folder / f"{name}{suffix}.png"


def log_in(page: "Page", username: str, password: str) -> None:
    """Log in through the login page and wait for the dashboard."""
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if page.url.rstrip("/").endswith("/accounts/login"):
        raise AssertionError(f"login as {username!r} failed: still on the login page")
