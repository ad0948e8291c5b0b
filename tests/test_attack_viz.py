"""Regression tests for bugs found by attacking `autograd.viz`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from autograd import Value, explain
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


@pytest.mark.parametrize("label", ["nul\x00x", "lone \ud800 surrogate"])
def test_the_page_title_carries_no_undrawable_character(
    label: str, tmp_path: Path
) -> None:
    """The <title> took the root's label raw: NUL in the page, and a lone
    surrogate made render(root, 'graph.html') a UnicodeEncodeError."""
    x = Value(1.0, label=label)
    y = x * 2.0
    y.label = label
    page = to_html(y)
    assert "\x00" not in page
    assert "\ud800" not in page
    page.encode("utf-8")  # what a file write needs


def test_the_page_shows_negative_zero_as_the_picture_does(browser: Browser) -> None:
    """The picture prints -0.0 as 0 (`_text.number`); the steps wrote '-0' over it."""
    x = Value(-0.0, label="x")
    y = x * 2.0
    page = browser.new_page()
    page.set_content(to_html(y))
    page.keyboard.press("End")
    assert boxes(page)["v0"] == ["x", "data", "0", "grad", "2"]
    assert boxes(page)["v1"] == ["data", "0", "grad", "1"]  # an unlabelled output
    page.close()


def test_explain_html_of_a_label_with_a_lone_surrogate_can_be_encoded() -> None:
    """Jupyter sends the HTML as UTF-8: a lone surrogate made it fail to encode."""
    x = Value(1.0, label="x\ud800<b>")
    html = explain(x * 2.0)._repr_html_()
    html.encode("utf-8")
    assert "x?&lt;b&gt;" in html
