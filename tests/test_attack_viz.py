"""Regression tests for bugs found by attacking `autograd.viz`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from autograd import Value
from autograd.viz import to_html

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium`")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
        )
        yield b
        b.close()


def boxes(page: object) -> dict[str, list[str]]:
    """Each value box's texts, by node id."""
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        """() => Object.fromEntries([...document.querySelectorAll("svg g.node")].map(
             g => [g.querySelector("title").textContent,
                   [...g.querySelectorAll("text")].map(t => t.textContent)]))"""
    )


def test_stepper_cells_are_found_when_a_label_reads_data_or_grad(
    browser: Browser,
) -> None:
    """Labels 'data' and 'grad' sit above the rows of the same names: the page
    wrote the numbers over the row names (and showed data before the forward pass)."""
    a, b = Value(2.0, label="data"), Value(3.0, label="grad")
    y = a * b
    y.label = "y"
    page = browser.new_page()
    page.set_content(to_html(y))
    assert boxes(page)["v0"] == ["data", "data", "?", "grad", ""]
    assert boxes(page)["v1"] == ["grad", "data", "?", "grad", ""]
    page.keyboard.press("End")
    y.backward()
    assert boxes(page)["v0"] == ["data", "data", "2", "grad", "3"]
    assert boxes(page)["v1"] == ["grad", "data", "3", "grad", "2"]
    page.close()
