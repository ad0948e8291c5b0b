"""Hypothesis profiles: `dev` (fast, the default), `ci` (thorough, `make test`),
`fuzz` (thousands of random graphs per property, `make fuzz`).

Choose one with the HYPOTHESIS_PROFILE environment variable. The `browser`
fixture is Debian's chromium under Playwright (tests/chromium.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from chromium import launch
from hypothesis import HealthCheck, settings
from playwright.sync_api import Browser, sync_playwright

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=30, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("ci", max_examples=200, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("fuzz", max_examples=2000, **_COMMON)  # type: ignore[arg-type]
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

# The PyTorch oracle runs only through `make oracle`, where torch is installed.
collect_ignore = [] if os.environ.get("AUTOGRAD_ORACLE") else ["oracle"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, one per test module (tests/chromium.py)."""
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
