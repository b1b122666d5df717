"""Fixtures shared by every test package."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The third-party corpus lives beside the repository (../shared/corpus), read-only.
CORPUS = Path(os.environ.get("PRIVASCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
SAMPLES_BUILD = REPO / "samples" / "build"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def catalog():
    from privascope.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"third-party corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def samples_build() -> Path:
    """Sample APKs and the JVM host app, built by `make samples` (part of `make test`)."""
    if not SAMPLES_BUILD.is_dir():
        pytest.fail("samples/build is missing: run `make samples` (make test does it)")
    return SAMPLES_BUILD


# One headless Chromium for the whole session: Playwright's sync API runs an event loop of its
# own, and a second sync_playwright() started while the first is open fails ("Sync API inside
# the asyncio loop"), so every test that opens a page takes this fixture.
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
