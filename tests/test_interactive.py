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

import nn
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


def drawn_name(v: Value) -> str:
    """What the neuron's drawing calls a node: its label, else its op's symbol."""
    return v.label or {"add": "+", "mul": "\N{MULTIPLICATION SIGN}"}[v.op]


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
        assert shown(page, "node") == drawn_name(step.node)
        assert shown(page, "parent") == drawn_name(step.parent)
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


def test_a_graph_past_max_values_needs_max_values_none() -> None:
    x = Value(1.0)
    y = x
    for _ in range(MAX_VALUES):
        y = y + 1.0
    with pytest.raises(ValueError, match="max_values=None"):
        to_html(y)


def test_one_root_value_is_needed() -> None:
    with pytest.raises(TypeError, match=r"interactive: .*one Value"):
        to_html([Value(1.0)])


def mlp_loss(widths: list[int], examples: int) -> tuple[Value, nn.MLP]:
    """A seeded MLP(2, widths)'s summed squared error on fixed inputs."""
    model = nn.MLP(2, widths, seed=0)
    loss = Value(0.0)
    for k in range(examples):
        loss = loss + (model([0.5 * (k + 1), -0.3 * (k + 1)]) - 1.0) ** 2
    return loss, model


def mlp300() -> tuple[Value, nn.MLP]:
    """An MLP graph of about 300 values (drawn whole, its sums folded)."""
    loss, model = mlp_loss([8, 8, 1], 1)
    assert 290 <= len(topological_order(loss)) <= 310
    return loss, model


def mlp700() -> tuple[Value, nn.MLP]:
    """A model of about 700 values (drawn with its layers collapsed)."""
    loss, model = mlp_loss([10, 10, 1], 2)
    assert 690 <= len(topological_order(loss)) <= 730
    return loss, model


def last_step(page: Page) -> int:
    return int(page.get_attribute("[data-ag=slider]", "max") or "0")


def jump(page: Page, step: int) -> None:
    """Type a step number into the page's step box."""
    page.fill("[data-ag=jump]", str(step))
    page.press("[data-ag=jump]", "Enter")


def in_sight(page: Page, selector: str) -> bool:
    """Whether every element matching `selector` lies inside the graph's viewport."""
    return page.evaluate(  # type: ignore[no-any-return]
        """selector => {
          const graph = document.querySelector("[data-ag=graph]");
          const view = graph.getBoundingClientRect();
          const found = [...document.querySelectorAll(selector)];
          return found.length > 0 && found.every(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.left >= view.left - 1 && r.right <= view.right + 1
              && r.top >= view.top - 1 && r.bottom <= view.bottom + 1;
          });
        }""",
        selector,
    )


def overlaps(page: Page) -> list[str]:
    """Edge labels whose box crosses a node's shape, in the view shown."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
          const view = [...document.querySelectorAll(".ag-view")].find(v => !v.hidden);
          const shapes = [...view.querySelectorAll("g.node")]
            .flatMap(g => [...g.querySelectorAll("rect, ellipse, polygon, path")])
            .map(el => el.getBBox());
          const bad = [];
          view.querySelectorAll("g.edge text").forEach(t => {
            if (!t.textContent) return;
            const b = t.getBBox();
            for (const s of shapes) {
              const w = Math.min(b.x + b.width, s.x + s.width) - Math.max(b.x, s.x);
              const h = Math.min(b.y + b.height, s.y + s.height) - Math.max(b.y, s.y);
              if (w > 0.5 && h > 0.5) { bad.push(t.textContent); break; }
            }
          });
          return bad;
        }"""
    )


def test_the_slider_the_step_box_and_shift_arrows_jump(page: Page) -> None:
    loss = neuron()
    page.set_content(to_html(loss))
    total = last_step(page)
    assert total == len(topological_order(loss)) + 1 + len(explain(loss))
    jump(page, 15)
    assert shown(page, "counter") == f"step 15 of {total}"
    page.eval_on_selector(
        "[data-ag=slider]",
        "s => { s.value = 7; s.dispatchEvent(new Event('input')); }",
    )
    assert shown(page, "counter") == f"step 7 of {total}"
    page.focus(".ag-stepper")
    page.keyboard.press("Shift+ArrowRight")
    assert shown(page, "counter") == f"step 17 of {total}"
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert shown(page, "counter") == f"step 6 of {total}"


def test_step_zero_shows_no_local_derivative_and_forward_reveals_them(
    page: Page,
) -> None:
    loss = neuron()
    page.set_content(to_html(loss))
    labels = (
        "() => [...document.querySelectorAll('g.edge text')].map(t => t.textContent)"
    )
    assert set(page.evaluate(labels)) == {""}
    order = topological_order(loss)
    n = order.index(next(v for v in order if v.label == "o"))  # o = tanh(n)
    jump(page, n + 1)
    assert "tanh" in shown(page, "what")
    assert shown(page, "rule").startswith("d tanh(x)/dx = 1 - tanh(x)^2 = 1 - ")
    revealed = [t for t in page.evaluate(labels) if t]
    computed = order[: n + 1]
    expected = [
        format(d, ".4g")
        for v in computed
        for p, d in zip(v.operands, v.local_grads, strict=True)
        if isinstance(p, Value)
    ]
    assert sorted(revealed) == sorted(expected)


def test_a_backward_step_shows_the_rule_of_its_local_derivative(page: Page) -> None:
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    page.set_content(to_html(y))
    page.focus(".ag-stepper")
    page.keyboard.press("End")
    assert shown(page, "rule") == "d tanh(x)/dx = 1 - tanh(x)^2 = 1 - 0.4621^2 = 0.7864"


def test_the_edge_table_prints_a_negative_zero_as_zero(page: Page) -> None:
    x = Value(3.0, label="x")
    page.set_content(to_html(x * -0.0))
    page.focus(".ag-stepper")
    page.keyboard.press("End")
    assert shown(page, "local") == "0"
    assert shown(page, "product") == "0"


def test_labels_never_overlap_shapes_at_any_step(page: Page) -> None:
    loss = neuron()
    page.set_content(to_html(loss))
    for k in range(last_step(page) + 1):
        jump(page, k)
        assert overlaps(page) == [], f"step {k}"


def test_a_300_value_mlp_at_a_middle_step_follows_and_names_as_drawn(
    page: Page,
) -> None:
    loss, model = mlp300()
    page.set_viewport_size({"width": 1200, "height": 800})
    page.set_content(to_html(loss, module=model))
    middle = last_step(page) // 2
    jump(page, middle)
    assert shown(page, "phase") == "backward pass"
    assert in_sight(page, ".ag-now")
    assert in_sight(page, ".ag-edge")
    assert "#" not in shown(page, "what") + shown(page, "node") + shown(page, "parent")
    # The edge named in the header is the one lit, with the product on it.
    assert page.text_content(".ag-edge text") == (
        f"{format(float(shown(page, 'upstream')), '.4g')} \N{MULTIPLICATION SIGN} "
        f"{format(float(shown(page, 'local')), '.4g')} = "
        f"{format(float(shown(page, 'product')), '.4g')}"
    )
    assert overlaps(page) == []
    for key in ("End", "Home"):
        page.keyboard.press(key)
        jump(page, middle + 41)
        assert in_sight(page, ".ag-now")


def test_a_700_value_model_steps_by_module_then_opens_one(page: Page) -> None:
    loss, model = mlp700()
    fine = len(topological_order(loss)) + 1 + len(explain(loss))
    page.set_viewport_size({"width": 1200, "height": 800})
    page.set_content(to_html(loss, module=model))  # no option needed
    coarse = last_step(page)
    assert coarse < fine / 4
    k = next(
        k
        for k in range(coarse)
        if not jump(page, k)
        and shown(page, "what").startswith("forward through layers.1")
    )
    assert in_sight(page, ".ag-now")
    page.focus(".ag-stepper")
    page.keyboard.press("o")
    assert shown(page, "where") == "inside layers.1"
    assert last_step(page) > coarse
    assert shown(page, "what").startswith("forward through layers.1.neurons.0:")
    assert in_sight(page, ".ag-now")
    # Its neurons are collapsed in turn: o opens the one being stepped through.
    page.keyboard.press("o")
    assert shown(page, "where") == "inside layers.1.neurons.0"
    assert "forward through" not in shown(page, "what")
    page.keyboard.press("ArrowRight")
    assert "#" not in shown(page, "what")
    assert in_sight(page, ".ag-now")
    page.keyboard.press("Escape")
    assert shown(page, "where") == "inside layers.1"
    page.keyboard.press("Escape")
    assert shown(page, "where") == ""
    assert last_step(page) == coarse
    assert k >= 0


def test_zoom_keys_and_fit(page: Page) -> None:
    loss, model = mlp300()
    page.set_viewport_size({"width": 1000, "height": 700})
    page.set_content(to_html(loss, module=model))
    width = (
        "() => document.querySelector('.ag-view:not([hidden]) svg')"
        ".getBoundingClientRect().width"
    )
    graph = "() => document.querySelector('[data-ag=graph]').clientWidth"
    start = page.evaluate(width)
    assert start > page.evaluate(graph)  # too big to fit legibly: drawn at full size
    page.focus(".ag-stepper")
    page.keyboard.press("-")
    assert page.evaluate(width) < start
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert page.evaluate(width) > start
    page.keyboard.press("0")
    assert page.evaluate(width) <= page.evaluate(graph) + 1


def test_a_click_on_a_modules_box_opens_it(page: Page) -> None:
    loss, model = mlp700()
    page.set_content(to_html(loss, module=model))
    boxes = page.locator(".ag-view:not([hidden]) g.node.ag-open")
    boxes.filter(has_text="layers.0").first.click()
    assert shown(page, "where") == "inside layers.0"
    page.click("[data-ag=close]")
    assert shown(page, "where") == ""


def screenshot(browser: Browser, path: Path) -> None:
    """The README's picture: the neuron's page in the middle of backward."""
    html_path = render(neuron(), path.with_suffix(".html"), legend=False)
    page = browser.new_page(viewport={"width": 1300, "height": 700})
    page.goto(html_path.resolve().as_uri())
    page.keyboard.press("End")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.screenshot(path=str(path), full_page=True)
    page.close()
    html_path.unlink()


def screenshots(browser: Browser, folder: Path) -> list[Path]:
    """The page on a 300-value MLP at a middle step, and on a 700-value model
    at module level and with a module opened, as PNGs in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for name, (loss, model), opened in (
        ("mlp300-middle-step", mlp300(), 0),
        ("mlp700-module-level", mlp700(), 0),
        ("mlp700-layer1-opened", mlp700(), 1),
        ("mlp700-neuron-opened", mlp700(), 2),
    ):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_content(to_html(loss, module=model))
        jump(page, last_step(page) // 2)
        if opened:
            for k in range(last_step(page) + 1):
                jump(page, k)
                if shown(page, "what").startswith("backward through layers.1"):
                    break
            page.focus(".ag-stepper")
            for _ in range(opened):
                page.keyboard.press("o")
            for _ in range(3):
                page.keyboard.press("ArrowRight")
        shots.append(folder / f"{name}.png")
        page.screenshot(path=str(shots[-1]))
        page.close()
    return shots


def test_the_screenshot_helpers_write_pngs(browser: Browser, tmp_path: Path) -> None:
    screenshot(browser, tmp_path / "shot.png")
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


if __name__ == "__main__":
    # python tests/test_interactive.py docs/interactive.png [folder for the rest]
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        screenshot(chromium, Path(sys.argv[1]))
        if len(sys.argv) > 2:
            print(*screenshots(chromium, Path(sys.argv[2])), sep="\n")


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
