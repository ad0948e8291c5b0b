"""The step-through page (`autograd.viz.stepper`) in a real headless browser.

Debian's chromium, driven by Playwright (``make chromium`` installs it; no
browser is downloaded). The tests press Next and the arrow keys and read what
the page shows against `backward()`'s numbers.

``python tests/test_interactive.py docs/interactive.png`` takes the README's
screenshot.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromium import launch
from playwright.sync_api import Browser, Page, sync_playwright

from autograd import Value, explain, topological_order
from autograd.viz import interactive, render, to_html
from autograd.viz.stepper import MAX_VALUES

EVIL = "</script><script>window.pwned = 1</script><img src=x onerror=pwned=1>"


def neuron() -> Value:
    """micrograd's neuron and a loss that uses d twice (as demos/chain_rule.py)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    d = o - 0.5
    d.label = "d"
    loss = d * d
    loss.label = "L"
    return loss


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that fails the test on any script error or network request."""
    p = browser.new_page()
    problems: list[str] = []
    p.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    p.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    p.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "about:", "data:"))
            else problems.append(f"network: {r.url}")
        ),
    )
    yield p
    p.close()
    assert problems == []


def shown(page: Page, key: str) -> str:
    return page.inner_text(f"[data-ag={key}]")


def cells(page: Page, row: str, box: int = 0) -> dict[str, str]:
    """What each value's box in the picture shows in row 'data' or 'grad'."""
    return page.evaluate(  # type: ignore[no-any-return]
        """([row, box]) => {
          const found = {};
          const svg = document.querySelectorAll(".ag-stepper svg")[box];
          svg.querySelectorAll("g.node").forEach(g => {
            const texts = [...g.querySelectorAll("text")];
            const k = texts.findIndex(t => t.textContent === row);
            const id = g.querySelector("title").textContent;
            if (k >= 0) found[id] = texts[k + 1].textContent;
          });
          return found;
        }""",
        [row, box],
    )


def test_stepping_shows_forward_values_then_backwards_sums(
    page: Page, tmp_path: Path
) -> None:
    loss = neuron()
    path = render(loss, tmp_path / "graph.html")
    steps = explain(loss)
    order = topological_order(loss)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    total = len(order) + 1 + len(steps)
    page.goto(path.as_uri())
    assert shown(page, "counter") == f"step 0 of {total}"
    assert set(cells(page, "data").values()) == {"?"}

    for k, v in enumerate(order, start=1):
        page.click("[data-ag=next]")
        assert shown(page, "counter") == f"step {k} of {total}"
        assert shown(page, "phase") == "forward pass"
        assert cells(page, "data")[ids[v]] == format(v.data, ".4g")
        assert f"= {format(v.data, '.4g')}" in shown(page, "what")
    assert set(cells(page, "grad").values()) == {""}

    page.keyboard.press("ArrowRight")  # the seed
    assert cells(page, "grad")[ids[loss]] == "1"
    assert "L.grad = 1.0" in shown(page, "what")

    loss.backward()
    for k, step in enumerate(steps):
        # Alternate the button and the arrow key.
        if k % 2:
            page.keyboard.press("ArrowRight")
        else:
            page.click("[data-ag=next]")
        assert shown(page, "phase") == "backward pass"
        assert shown(page, "node") == steps.names[step.node]
        assert shown(page, "parent") == steps.names[step.parent]
        upstream, local = float(shown(page, "upstream")), float(shown(page, "local"))
        product, running = float(shown(page, "product")), float(shown(page, "sum"))
        assert upstream == step.node.grad
        assert local == step.node.local_grads[step.slot]
        assert product == upstream * local
        assert page.text_content(".ag-edge text") == (
            f"{upstream:.4g} \N{MULTIPLICATION SIGN} {local:.4g} = {product:.4g}"
        )
        assert cells(page, "grad")[ids[step.parent]] == format(running, ".4g")
        if step is steps[-1] or all(
            s.parent is not step.parent for s in steps[k + 1 :]
        ):
            assert running == step.parent.grad  # complete: backward's own number
    assert shown(page, "counter") == f"step {total} of {total}"
    assert page.is_disabled("[data-ag=next]")
    assert cells(page, "grad") == {ids[v]: format(v.grad, ".4g") for v in order}


def test_prev_and_the_left_arrow_step_back(page: Page, tmp_path: Path) -> None:
    loss = neuron()
    page.goto(render(loss, tmp_path / "graph.html").as_uri())
    assert page.is_disabled("[data-ag=prev]")
    page.keyboard.press("End")
    after = cells(page, "grad")
    page.click("[data-ag=prev]")
    page.keyboard.press("ArrowLeft")
    before = cells(page, "grad")
    last = explain(loss)[-3]  # End shows the last step; two steps back
    assert before != after
    assert shown(page, "parent") == explain(loss).names[last.parent]
    page.keyboard.press("Home")
    assert shown(page, "counter").startswith("step 0 of")
    assert set(cells(page, "grad").values()) == {""}


def test_each_edge_of_a_value_used_twice_lights_up_in_turn(page: Page) -> None:
    x = Value(3.0, label="x")
    y = x * x
    page.set_content(interactive(y)._repr_html_())
    lit = """() => {
      const edge = document.querySelector(".ag-edge");
      const title = edge.querySelector("title").textContent;
      return [...document.querySelectorAll("g.edge")]
        .filter(g => g.querySelector("title").textContent === title)
        .indexOf(edge);
    }"""
    for _ in range(2 + 1 + 1):  # x, y, the seed, y -> x (slot 0)
        page.click("[data-ag=next]")
    assert page.evaluate(lit) == 0
    page.click("[data-ag=next]")  # y -> x (slot 1)
    assert page.evaluate(lit) == 1
    assert cells(page, "grad")["v0"] == "6"


def test_labels_stay_text(page: Page, tmp_path: Path) -> None:
    x = Value(2.0, label=EVIL)
    y = (x * x).tanh()
    y.label = "<b>y</b> & co"
    page.goto(render(y, tmp_path / "evil.html").as_uri())
    page.keyboard.press("End")
    page.keyboard.press("Home")
    for _ in range(6):  # 3 values, the seed, tanh -> mul, mul -> x
        page.click("[data-ag=next]")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 2  # the model and the code
    assert EVIL in shown(page, "parent")
    texts = page.locator(".ag-stepper svg text").all_text_contents()
    assert "<b>y</b> & co" in texts


def test_two_inline_views_step_independently(page: Page) -> None:
    a, b = neuron(), neuron()
    page.set_content(interactive(a)._repr_html_() + interactive(b)._repr_html_())
    counters = page.locator("[data-ag=counter]")
    page.locator("[data-ag=next]").nth(1).click()
    page.locator("[data-ag=next]").nth(1).click()
    assert counters.nth(0).inner_text().startswith("step 0 of")
    assert counters.nth(1).inner_text().startswith("step 2 of")
    # Inline, arrow keys move the view that has focus, not every view.
    page.locator(".ag-stepper").nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert counters.nth(0).inner_text().startswith("step 1 of")
    assert counters.nth(1).inner_text().startswith("step 2 of")
    assert cells(page, "data", box=1)["v0"] == "2"


def test_views_start_when_a_notebook_inserts_them_dynamically(page: Page) -> None:
    view = interactive(neuron())._repr_html_()
    page.set_content("<div id=out1></div><div id=out2></div>")
    # JupyterLab: markup via innerHTML, then each script replaced by a copy.
    page.evaluate(
        """html => {
          const out = document.getElementById("out1");
          out.innerHTML = html;
          out.querySelectorAll("script:not([type])").forEach(old => {
            const copy = document.createElement("script");
            copy.textContent = old.textContent;
            old.replaceWith(copy);
          });
        }""",
        view,
    )
    # The classic notebook: innerHTML, then the script's text evaluated.
    page.evaluate(
        """html => {
          const out = document.getElementById("out2");
          out.innerHTML = html;
          (0, eval)(out.querySelector("script:not([type])").textContent);
        }""",
        view,
    )
    counters = page.locator("[data-ag=counter]")
    assert counters.nth(0).inner_text().startswith("step 0 of")
    assert counters.nth(1).inner_text().startswith("step 0 of")
    page.locator("[data-ag=next]").nth(1).click()
    assert counters.nth(0).inner_text().startswith("step 0 of")
    assert counters.nth(1).inner_text().startswith("step 1 of")


def test_the_page_is_one_self_contained_file() -> None:
    page = to_html(neuron())
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page and " src=" not in page


def test_a_label_cannot_end_the_script_element() -> None:
    x = Value(1.0, label=EVIL)
    page = to_html(x * 2.0)
    assert page.count("<script") == 2
    assert page.count("</script>") == 2


def test_a_big_graph_needs_max_values_none() -> None:
    x = Value(1.0)
    y = x
    for _ in range(MAX_VALUES):
        y = y + 1.0
    with pytest.raises(ValueError, match="max_values=None"):
        to_html(y)


def test_one_root_value_is_needed() -> None:
    with pytest.raises(TypeError, match=r"interactive: .*one Value"):
        to_html([Value(1.0)])


def screenshot(browser: Browser, path: Path) -> None:
    """The README's picture: the neuron's page in the middle of backward."""
    html_path = render(neuron(), path.with_suffix(".html"), legend=False)
    page = browser.new_page(viewport={"width": 1300, "height": 300})
    page.goto(html_path.resolve().as_uri())
    page.keyboard.press("End")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.screenshot(path=str(path), full_page=True)
    page.close()
    html_path.unlink()


def test_the_screenshot_helper_writes_a_png(browser: Browser, tmp_path: Path) -> None:
    screenshot(browser, tmp_path / "shot.png")
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


if __name__ == "__main__":
    with sync_playwright() as playwright:
        screenshot(launch(playwright), Path(sys.argv[1]))
