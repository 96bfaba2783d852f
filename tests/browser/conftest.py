"""Browser fixtures: Debian's chromium driven by Playwright, reports built once.

The browser is /usr/bin/chromium (``scripts/install-system-deps.sh`` installs
it; ``make test`` runs that script). A missing browser fails the tests with a
message rather than skipping them, so a missing install step cannot hide.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'sudo scripts/install-system-deps.sh' (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def report_files(demo_result, tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    from lisa.report import build_report, write_html

    folder = tmp_path_factory.mktemp("browser")
    return {
        "named": write_html(build_report(demo_result), folder / "report.html"),
        "pseudonymised": write_html(
            build_report(demo_result, pseudonymise=True), folder / "report-pseudo.html"
        ),
    }


class Opened:
    """A page with the report loaded and everything it logged or requested."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r: Any) -> None:
            self.requests.append(r.request.url)
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)

    def open(self, path: Path) -> Opened:
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.lisaMap && window.lisaMap.ready", timeout=30_000)
        self.page.wait_for_function("window.lisaMap.linksLoaded", timeout=30_000)
        return self

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)


@pytest.fixture
def opened(browser, report_files) -> Iterator[Opened]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, offline=True)
    page = context.new_page()
    yield Opened(page).open(report_files["named"])
    context.close()


@pytest.fixture
def open_page(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    contexts = []

    def make(path: Path, viewport: dict[str, int] = DESKTOP) -> Opened:
        context = browser.new_context(viewport=viewport, offline=True)
        contexts.append(context)
        return Opened(context.new_page()).open(path)

    yield make
    for c in contexts:
        c.close()


def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def has_chromium() -> bool:
    return shutil.which("chromium") is not None or Path(CHROMIUM).exists()
