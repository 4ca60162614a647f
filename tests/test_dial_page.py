"""dial.html in a real headless Chromium: load the page, move the slider, read what it shows.

The browser is the system's Chromium (Debian's `chromium`, from .ci/system-packages),
driven by Playwright without any browser download. Where either is missing the test
is skipped with the reason; CI installs both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.course import PROJECT_ROOT, get_assignment
from autograder.figures.declared import load_figures
from autograder.figures.images import STARTER_IMAGE, load_image
from autograder.figures.tools import draw_each
from autograder.grade import isolated_submission
from autograder.locate import locate_submission

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "build" / "dial-screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.slow


def draw_page(submission: Path, out: Path) -> Path:
    """dial.html of a submission on the starter image, as `autograder figures` draws it, without the other figures.

    The page's own builder from the figures file, with the submission in its isolated
    worker: what the command runs for this figure (test_figures.py runs the command whole).
    """
    forward = get_assignment("ch01_forward")
    located = locate_submission(submission, forward.filename)
    with isolated_submission(forward, located) as student:
        builders = dict(load_figures(forward).figures(student, load_image(STARTER_IMAGE)))
        outcomes = draw_each([("dial_page", builders["dial_page"])], out)
    assert [(o.name, o.skipped) for o in outcomes] == [("dial_page", None)]
    assert (out / "dial.html").is_file()
    return out / "dial.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"no system Chromium at {CHROMIUM} (`make system-packages` installs it as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the dev extra has it)")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # a fresh --user-data-dir
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": 1000, "height": 760},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def reference_page(ch01, tmp_path_factory):
    return draw_page(ch01.solution, tmp_path_factory.mktemp("reference-figures"))


def open_page(browser, path: Path):
    page = browser.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    return page, requests


def shown(page, element: str) -> str:
    return page.locator(f"#{element}").inner_text()


def test_the_slider_walks_the_reference_up_to_static_and_back(browser, reference_page):
    """the slider starts at t = 0 and moves to T and back; level, weights and both verdicts follow it."""
    page, requests = open_page(browser, reference_page)
    slider = page.locator("#t")
    assert shown(page, "t-value") == "0"
    assert shown(page, "level") == "1.000"
    assert (shown(page, "image-weight"), shown(page, "noise-weight")) == ("1.000", "0.000")
    clean = page.locator("#up").get_attribute("src")
    assert clean.startswith("data:image/png;base64,")
    slider.focus()
    page.keyboard.press("End")
    assert shown(page, "t-value") == "1000"
    assert shown(page, "level") == "3.7e-33"
    assert (shown(page, "image-weight"), shown(page, "noise-weight")) == ("0.000", "1.000")
    assert "your pixels have standard deviation 1.00; pure static has 1: right" in shown(page, "up-yours")
    assert page.locator("#up").get_attribute("src") != clean
    page.keyboard.press("Home")
    for _ in range(25):  # 25 notches of 20: t = 500
        page.keyboard.press("ArrowRight")
    assert shown(page, "t-value") == "500"
    assert shown(page, "level") == "0.500"
    assert shown(page, "image-weight") == shown(page, "noise-weight") == "0.707"
    assert "mirror of the way up" in page.locator("figure.back h2").inner_text()
    assert "right" in shown(page, "back-yours")
    assert page.locator("#back-yours").get_attribute("class") == "ok"
    assert "51 of 51" in shown(page, "summary")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reference-t500.png"), full_page=True)
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    page.close()


def test_a_wrong_remove_noise_is_shown_not_to_mirror_the_way_up(browser, ch01, tmp_path):
    """remove_noise multiplying instead of dividing: the way back is no mirror, in red, and far from every level."""
    wrong = PROJECT_ROOT / "tests" / "submissions" / "ch01_forward" / "wrong" / "remove_noise_multiplied.py"
    page, _ = open_page(browser, draw_page(wrong, tmp_path))
    page.locator("#t").focus()
    for _ in range(30):  # t = 600
        page.keyboard.press("ArrowRight")
    assert shown(page, "t-value") == "600"
    assert "right" in shown(page, "up-yours")
    back = shown(page, "back-yours")
    # At t = 600 the way back is 0.14 (RMS per pixel) from its nearest level, t = 720: more than any
    # two neighbouring notches differ (0.031), so it looks like no level of the way up.
    assert "not a mirror" in back
    assert re.search(r"far from every level of the way up: the nearest, t = \d+, is [0-9.]+ away", back)
    assert page.locator("#back-yours").get_attribute("class") == "bad"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "remove-noise-multiplied-t600.png"), full_page=True)
    page.close()


def test_page_is_self_contained(reference_page):
    """the page names no address outside itself: every image is a data URI, no script or style is fetched."""
    text = reference_page.read_text(encoding="utf-8")
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?!data:)[^"']+""", text) == []
    assert "http://" not in text and "https://" not in text
