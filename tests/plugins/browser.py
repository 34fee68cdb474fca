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

Every page a journey opens is also checked against the Content-Security-Policy: a message in the
browser's console saying the policy refused something (an inline script or style, a handler, a
foreign source) fails the test when its pages close.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright

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
# Chromium reports each refusal in the console, e.g. "Applying inline style violates the following
# Content Security Policy directive 'style-src 'self''" (older versions: "Refused to apply ...").
CSP_VIOLATION = "Content Security Policy"

_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests after all others (keeping pytest-django's order otherwise):
    from its first use to the end of the session Playwright keeps an event loop marked as
    running in the main thread (see `playwright` below), and no other test should run under it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep the outcome of the test body so the page fixture can tell whether it failed."""
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="session")
def playwright(django_db_setup, django_db_blocker) -> Iterator["Playwright"]:
    """Playwright, started once the test database exists.

    Playwright's sync API keeps an asyncio event loop marked as running in this thread
    from start() to stop(), although the loop only turns while the test blocks inside a
    Playwright call, so nothing ever runs concurrently with the test's own code. Django
    reacts to that loop in two ways, both undone here for as long as Playwright is alive:

    - Its async-safety guard raises SynchronousOnlyOperation on every ORM call the test
      makes (building data, checking what a page wrote). DJANGO_ALLOW_ASYNC_UNSAFE lifts
      the guard; the live server answers in its own thread, which has no loop and stays
      guarded.
    - Database connections are kept per thread, but per context while a loop runs, so
      the test would silently get a second connection: not the one pytest-django prepared
      (serialized rollback finds nothing to restore) and, on PostgreSQL, one left open
      when the test database is dropped. The thread's own connections are handed over.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock():
        thread_connections = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as instance:
            for alias, connection in thread_connections.items():
                connections[alias] = connection
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
    If the browser reported a Content-Security-Policy violation, the test fails at teardown.
    """
    contexts = []
    violations: list[str] = []

    def note_violation(message: "ConsoleMessage") -> None:
        if CSP_VIOLATION in message.text:
            violations.append(f"{message.location.get('url', '')}: {message.text}")

    def factory(viewport: str = "desktop", locale: str = LOCALE) -> "Page":
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale=locale, base_url=live_site)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", note_violation)
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
    if violations:
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., "Page"]) -> "Page":
    """A desktop page in Chinese (zh-CN), for tests that need only one."""
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """`screenshot(page)` saves what the screen shows as test-artifacts/screenshots/<test name>.png;
    `screenshot(page, full_page=True)` the whole scrolled page."""

    def save(page: "Page", *, full_page: bool = False) -> Path:
        path = screenshot_path(request)
        page.screenshot(path=path, full_page=full_page)
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


def rendering_fonts(page: "Page", selector: str) -> set[str]:
    """The installed font families Chromium actually drew the text of `selector` with.

    Asked through the DevTools protocol: `document.fonts.check()` cannot tell, as it
    answers true for a family that is not installed at all.
    """
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {font["familyName"] for font in fonts}
