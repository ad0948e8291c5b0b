"""The documentation site that `make docs` builds into site/, checked as a
reader would meet it: in Debian's chromium, driven by Playwright.

Every page loads without a console error, a script error or a request that
fails or leaves the site; every link inside the site leads to a page that
exists, and to an anchor on it that exists; the search finds
`register_hook`; the reference lists every public name; the tutorials show
what their notebooks printed and drew.

When site/ is missing or older than its sources, the first test to need it
builds it (as `make docs` does). ``python tests/test_site.py FOLDER`` takes
screenshots of the home page, a tutorial and a reference page.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from chromium import launch
from playwright.sync_api import Browser, Page, sync_playwright
from sphinx.util.inventory import InventoryFile

import autograd
import autograd.testing
import autograd.viz
import nn

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
SOURCES = ["docs", "autograd", "nn", "demos/notebooks"]
PACKAGES = [autograd, autograd.viz, autograd.testing, nn]


def _newest_source() -> float:
    return max(
        path.stat().st_mtime
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def build() -> None:
    """Build site/ as `make docs` does, unless it is newer than every source."""
    with (ROOT / ".site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (pytest-xdist)
        stamp = SITE / ".buildinfo"
        if stamp.exists() and stamp.stat().st_mtime > _newest_source():
            return
        shutil.rmtree(SITE, ignore_errors=True)  # no page of an older build stays
        done = subprocess.run(
            [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-W",
             "--keep-going", "-n", "-q", "docs", "site"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-5000:]


@pytest.fixture(scope="module")
def site() -> Path:
    build()
    return SITE


def pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to its root."""
    return sorted(
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_s")  # _static, _sources
    )


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on the loopback interface, as a reader's browser gets it."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test's output clean."""


def watched(browser: Browser, origin: str) -> tuple[Page, list[str]]:
    """A page that records console errors, script errors and bad requests."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((origin, "data:", "about:", "blob:"))
            else problems.append(f"left the site: {r.url}")
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
    )
    # Nothing outside the site is fetched, even if a page asks for it.
    page.route(lambda url: not url.startswith(origin), lambda route: route.abort())
    return page, problems


def test_the_site_has_a_dozen_pages_in_four_parts(site: Path) -> None:
    found = pages(site)
    for part in ("tutorials", "howto", "reference", "explanation"):
        assert sum(p.startswith(f"{part}/") for p in found) >= 3, part
    assert len([p for p in found if not p.startswith("_modules")]) >= 12
    assert (site / "searchindex.js").exists()


@pytest.mark.parametrize("package", PACKAGES, ids=lambda m: m.__name__)
def test_every_public_name_is_in_the_reference(site: Path, package: object) -> None:
    with (site / "objects.inv").open("rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {
        name for domain, entries in inventory.items() if domain.startswith("py:")
        for name in entries
    }  # fmt: skip
    prefix = package.__name__  # type: ignore[attr-defined]
    missing = [n for n in package.__all__ if f"{prefix}.{n}" not in documented]  # type: ignore[attr-defined]
    assert missing == []


def test_the_tutorials_show_what_the_notebooks_printed_and_drew(site: Path) -> None:
    backprop = (site / "tutorials/backprop-from-scratch.html").read_text()
    assert "explain == backward: True" in backprop
    assert "= 1 - 0.7071**2 = 0.500000" in backprop  # the local derivative of tanh
    assert 'class="ag-stepper"' in backprop  # the step-through view
    moons = (site / "tutorials/neuron-to-moons.html").read_text()
    assert "do/dw1 = +1.0000" in moons and "<img" in moons
    gpt = (site / "tutorials/names-gpt.html").read_text()
    assert "Names it invented:" in gpt and "<img" in gpt


def test_every_page_loads_cleanly_and_every_internal_link_resolves(
    site: Path, served: str, browser: Browser
) -> None:
    ids: dict[str, set[str]] = {}
    links: dict[str, set[str]] = {}
    for path in pages(site):
        page, problems = watched(browser, served)
        page.goto(served + path, wait_until="load")
        url = page.url
        ids[urldefrag(url).url] = set(
            page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
        )
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        links[url] = {h for h in hrefs if h.startswith(served)}
        page.close()
        assert problems == [], path
    for source, targets in links.items():
        for target in targets:
            address, anchor = urldefrag(target)
            address = address.split("?")[0]
            if address.endswith("/"):
                address += "index.html"
            file = site / urlsplit(address).path.lstrip("/")
            assert file.is_file(), f"{source} links to {target}"
            if anchor and address.endswith(".html"):
                assert anchor in ids[address], f"{source} links to {target}"


def test_the_step_through_view_steps_inside_the_tutorial(
    served: str, browser: Browser
) -> None:
    page, problems = watched(browser, served)
    page.goto(served + "tutorials/backprop-from-scratch.html")
    counter = page.locator(".ag-stepper [data-ag=counter]")
    total = counter.inner_text().split(" of ")[1]
    assert counter.inner_text() == f"step 0 of {total}"
    page.locator(".ag-stepper [data-ag=next]").click()
    assert counter.inner_text() == f"step 1 of {total}"
    page.close()
    assert problems == []


def test_search_finds_register_hook(served: str, browser: Browser) -> None:
    page, problems = watched(browser, served)
    page.goto(served + "search.html?q=register_hook")
    results = page.locator("#search-results li a", has_text="register_hook")
    results.first.wait_for(timeout=30_000)
    assert results.count() >= 1
    page.close()
    assert problems == []


def screenshots(folder: Path) -> None:
    """The home page, a tutorial and a reference page, as a reader sees them."""
    build()
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = launch(p)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        for name in (
            "index.html",
            "tutorials/backprop-from-scratch.html",
            "reference/autograd.html",
        ):
            page.goto((SITE / name).as_uri())
            page.screenshot(path=str(folder / (name.replace("/", "-")[:-5] + ".png")))
        b.close()


if __name__ == "__main__":
    screenshots(Path(sys.argv[1]))
