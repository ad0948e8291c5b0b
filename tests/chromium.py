"""Debian's chromium under Playwright, for the tests that need a real browser.

``make chromium`` installs it; no browser is downloaded. tests/conftest.py
turns `launch` into the `browser` fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    """Debian's chromium under Playwright, or a failure saying how to install it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make chromium` "
            "(or apt-get install -y chromium); these tests need a real browser"
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
