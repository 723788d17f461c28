"""Drive Label Studio's front end in a real Chromium, the way an annotator does.

Playwright comes from the package index and the browser from Debian's `chromium` package
(Playwright's own browser download is not used). Without either, browser tests skip.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
NO_CHROMIUM = "browser tests need Debian's chromium (scripts/test.sh installs it as root)"
NO_PLAYWRIGHT = "browser tests need the playwright package (a dev dependency: uv sync)"
SENTENCE_TEXT = ".nd-sentence .lsf-richtext__container"
RELATION_ARROWS = 'svg.relations-overlay g[class^="relationItem"]'  # one per relation drawn


def chromium_executable() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


@contextmanager
def launched_browser() -> Iterator[Any]:
    """A headless Chromium, or a skip that says what is missing."""
    executable = chromium_executable()
    if executable is None:
        pytest.skip(NO_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(NO_PLAYWRIGHT)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def screenshot_on_failure(page: Any, folder: Path, name: str) -> Iterator[None]:
    """Save a full-page screenshot when the block fails, and say where it is."""
    try:
        yield
    except BaseException:
        path = folder / f"{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"browser screenshot: {path}")
        except Exception as error:  # the page may be gone; the original failure matters
            print(f"no browser screenshot ({error})")
        raise


class Annotator:
    """One logged-in annotator's page in the labeling stream."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url.rstrip("/")

    def log_in(self, email: str, password: str) -> None:
        page = self.page
        page.goto(f"{self.url}/user/login/")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button.login-button")
        page.wait_for_url(lambda url: "/user/login" not in url)

    def open_stream(self, project_id: int) -> None:
        """The project's data manager, then "Label All Tasks"; instructions closed."""
        page = self.page
        page.goto(f"{self.url}/projects/{project_id}/data")
        page.get_by_role("button", name="Label All Tasks").click()
        self.wait_for_task()
        # newsdesk projects show their instructions when the stream opens: read, then closed
        close = page.get_by_role("button", name="Close modal")
        close.wait_for(state="visible")
        close.click()
        close.wait_for(state="hidden")

    def wait_for_task(self) -> None:
        self.page.locator(SENTENCE_TEXT).first.wait_for(state="visible")

    def sentence(self) -> str:
        """The sentence as the DOM holds it."""
        return self.page.locator(SENTENCE_TEXT).first.evaluate("e => e.textContent")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def drag_select(self, first: str, last: str | None = None) -> None:
        """Drag the mouse from the first character of `first` to the last one of `last` (by
        default `first` again), as a person selects words; their first occurrences count."""
        line = self.page.locator(SENTENCE_TEXT).first
        start = line.evaluate(_WORD_BOX_JS, first)
        end = line.evaluate(_WORD_BOX_JS, last or first)
        assert start and end, f"{first!r} or {last!r} is not in the displayed sentence"
        mouse = self.page.mouse
        mouse.move(start["x0"], start["y0"])
        mouse.down()
        mouse.move(end["x1"], end["y1"], steps=8)
        mouse.up()

    def highlighted(self) -> list[str]:
        """The text under each region drawn on the sentence, in reading order (the DOM text:
        line breaks are <br> elements and have none)."""
        return self.page.locator(SENTENCE_TEXT).first.evaluate(_REGIONS_JS)

    def expect_regions(self, texts: list[str]) -> None:
        """Wait until the regions drawn are over exactly `texts`; fail saying what is drawn."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with suppress(PlaywrightTimeout):  # the assertion below says what is drawn instead
            self.page.wait_for_function(
                f"([selector, texts]) => JSON.stringify(({_REGIONS_JS})"
                "(document.querySelector(selector))) === JSON.stringify(texts)",
                arg=[SENTENCE_TEXT, texts],
                timeout=10_000,
            )
        drawn = self.highlighted()
        assert drawn == texts, f"regions drawn over {drawn!r}, not over {texts!r}"

    def wait_for_region(self, text: str) -> None:
        """Until a region is drawn over exactly `text` (as `highlighted` gives it)."""
        self.page.wait_for_function(
            f"([selector, text]) => ({_REGIONS_JS})(document.querySelector(selector))"
            ".includes(text)",
            arg=[SENTENCE_TEXT, text],
        )

    def click_region(self, text: str) -> None:
        """Click the middle of the region drawn over exactly `text` (its first part)."""
        box = self.page.locator(SENTENCE_TEXT).first.evaluate(_REGION_BOX_JS, text)
        assert box, f"no region is drawn over {text!r}; regions: {self.highlighted()!r}"
        self.page.mouse.click(box["x"], box["y"])

    def link(self, argument: str, trigger: str) -> None:
        """Draw a relation as the instructions say: click the argument span, press Alt+R
        (Label Studio's "region:relation" hotkey), then click the trigger span."""
        drawn = self.relations_drawn()
        self.click_region(argument)
        self.press("Alt+r")
        self.click_region(trigger)
        self.page.wait_for_function(
            "([selector, drawn]) => document.querySelectorAll(selector).length > drawn",
            arg=[RELATION_ARROWS, drawn],
        )

    def relations_drawn(self) -> int:
        """How many relation arrows are drawn over the task."""
        return self.page.locator(RELATION_ARROWS).count()

    def chosen_stances(self) -> int:
        """How many stance choices are checked on the task shown."""
        return self.page.locator("input[type=radio]:checked").count()

    def skip(self) -> None:
        """Skip the task shown and wait for the next one."""
        before = self.sentence()
        self.page.get_by_role("button", name="Skip").click()
        self._wait_for_other_than(before)

    def submit(self, last: bool = False) -> None:
        """Submit; unless it was the last task, wait for the stream to show the next one."""
        before = self.sentence()
        self.page.get_by_test_id("bottombar-submit-button").click()
        if not last:
            self._wait_for_other_than(before)

    def _wait_for_other_than(self, before: str) -> None:
        self.page.wait_for_function(
            "([selector, before]) => {"
            " const e = document.querySelector(selector);"
            " return e && e.textContent && e.textContent !== before; }",
            arg=[SENTENCE_TEXT, before],
        )


# A region split over several elements (across a line break) has one class naming it.
_REGIONS_JS = """(line) => {
  const regions = new Map();
  for (const span of line.querySelectorAll(".htx-highlight")) {
    const name = [...span.classList].find(c => /^htx-highlight-./.test(c)) || span;
    regions.set(name, (regions.get(name) || "") + span.textContent);
  }
  return [...regions.values()];
}"""

# The middle of the first element of the region whose text is exactly `text`.
_REGION_BOX_JS = """(line, text) => {
  const regions = new Map();
  for (const span of line.querySelectorAll(".htx-highlight")) {
    const name = [...span.classList].find(c => /^htx-highlight-./.test(c)) || span;
    const region = regions.get(name) || {text: "", first: span};
    region.text += span.textContent;
    regions.set(name, region);
  }
  for (const region of regions.values()) {
    if (region.text === text) {
      const box = region.first.getBoundingClientRect();
      return {x: box.left + box.width / 2, y: box.top + box.height / 2};
    }
  }
  return null;
}"""

# Screen points just inside the first and the last character of a word's first occurrence.
_WORD_BOX_JS = """(line, word) => {
  const at = line.textContent.indexOf(word);
  if (at < 0) return null;
  const rect = (index) => {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (index < seen + node.length) {
        const range = document.createRange();
        range.setStart(node, index - seen);
        range.setEnd(node, index - seen + 1);
        return range.getBoundingClientRect();
      }
      seen += node.length;
    }
    return null;
  };
  const first = rect(at), last = rect(at + word.length - 1);
  return {
    x0: first.left + 0.25 * first.width, y0: first.top + first.height / 2,
    x1: last.right - 0.25 * last.width, y1: last.top + last.height / 2,
  };
}"""
