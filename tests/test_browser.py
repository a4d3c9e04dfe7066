"""A steward's view, in a real browser: Debian's Chromium driven by Playwright (never its download).

The known mistake: 禁毒专项经费 (银川市兴庆区, line 140) writes 自评得分 97 while its 合计 is 100.
"""

import os
import shutil

import pytest

from conftest import ARTIFACTS, XINGQING

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

if not os.path.exists(CHROMIUM):
    if os.environ.get("JIXIAO_REQUIRE_BROWSER"):
        raise RuntimeError("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    pytest.skip("no chromium here; `make test` installs it", allow_module_level=True)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_dagster_ui_shows_the_failed_check_with_file_and_row(page, ui_port):
    page.goto(f"http://127.0.0.1:{ui_port}/assets/forms?view=checks")
    skip = page.get_by_role("button", name="Skip")  # Dagster's first-visit newsletter dialog
    skip.wait_for()
    skip.click()
    page.get_by_text("self_score_matches_total", exact=True).first.click()
    page.get_by_text("Latest execution").wait_for()
    assert "Failed" in page.inner_text("body")
    page.get_by_text("[Show Markdown]").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("禁毒专项经费").first.wait_for()
    text = dialog.inner_text()
    page.wait_for_timeout(500)  # let the dialog finish fading in before the picture
    page.screenshot(path=str(ARTIFACTS / "dagster_failed_check.png"))
    assert XINGQING in text and "140" in text and "自评得分填写97分,总分行为100分" in text


def test_stewards_report_shows_the_same_finding(page, run_output):
    root, _, _ = run_output
    report = root / "reports" / "2024" / "stewards_report.html"
    page.goto(report.as_uri())
    row = page.locator("tr[data-check='self_score_matches_total'][data-line='140']")
    row.scroll_into_view_if_needed()
    text = row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "stewards_report.png"), full_page=True)
    assert XINGQING in text and "第140行" in text and "自评得分 │ 97" in text
    assert page.locator("h2", has_text="银川市政法委").count() == 1
    assert page.locator("svg.chart").count() == 3
