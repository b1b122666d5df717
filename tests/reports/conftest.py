"""Shared pieces of the report tests: the hostile full bundle and a headless Chromium page."""
from __future__ import annotations

from pathlib import Path

import pytest

from privascope.model import Bundle, from_json

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAYLOAD_MARKERS = ('alert("x1")', 'onerror=alert("x2")')


@pytest.fixture(scope="session")
def report_catalog(catalog):
    return catalog


@pytest.fixture(scope="session")
def hostile_bundle(report_catalog) -> Bundle:
    from privascope.rules import evaluate

    raw = (FIXTURES / "hostile_full_bundle.json").read_text(encoding="utf-8")
    return evaluate(from_json(Bundle, raw), catalog=report_catalog)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make setup installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, path: Path):
    """Open a report file; collect console errors, dialogs and any network request."""
    page = browser.new_page()
    seen = {"console_errors": [], "dialogs": [], "requests": [], "page_errors": []}
    page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
    page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))

    def on_dialog(d):
        seen["dialogs"].append(d.message)
        d.dismiss()
    page.on("dialog", on_dialog)
    page.on("request", lambda r: not r.url.startswith(("file:", "data:"))
            and seen["requests"].append(r.url))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, seen
