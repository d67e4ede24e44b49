"""Query forms in headless Chromium: names with autocomplete, keyboard only, evidence in every row, offline."""

from __future__ import annotations

import os

import pytest

from support import start_server, stop_server

PROGRAM = "https://w3id.org/policykg/id/bj-gai-partnership-program-2023"


@pytest.fixture(scope="module")
def server():
    proc, base = start_server()
    yield base
    stop_server(proc)


def _assert_rows_carry_evidence(p, count: int):
    rows = p.locator("#results tbody tr")
    assert rows.count() == count
    for i in range(count):
        row = rows.nth(i)
        phrase = row.locator("td.row-evidence q").first
        assert phrase.inner_text().strip()
        assert phrase.get_attribute("lang") == "ja"
        assert row.locator("td.row-evidence p.source cite").first.inner_text().strip()


def test_typing_a_chinese_name_and_picking_it_runs_members_by_role(server, page, screenshots_dir):
    p = page.page
    p.goto(server + "/queries/members-by-role")
    field = p.locator("#param-program")
    assert field.get_attribute("role") == "combobox"
    field.fill("")
    field.press_sequentially("通用人工智能", delay=20)
    option = p.locator(f"#param-program-listbox [role=option][data-iri='{PROGRAM}']")
    option.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    assert option.locator(".combo-type").inner_text().strip()  # each suggestion says what it is
    option.click()
    assert field.get_attribute("aria-expanded") == "false"
    assert field.input_value() != PROGRAM and "Partnership" in field.input_value()  # shows the label
    assert p.locator("input[type=hidden][name=program]").input_value() == PROGRAM  # sends the IRI
    p.screenshot(path=os.path.join(screenshots_dir, "forms-autocomplete.png"))
    p.click("#query-form button[type=submit]")
    p.wait_for_selector("#results tbody tr")
    assert "program=" + PROGRAM.replace(":", "%3A").replace("/", "%2F") in p.url
    _assert_rows_carry_evidence(p, 10)
    assert "10 named of 39 stated" in p.inner_text("p.member-counts")
    page.assert_offline()
    assert not page.errors


def test_the_form_works_from_the_keyboard_alone(server, page):
    p = page.page
    p.goto(server + "/queries/members-by-role")
    field = p.locator("#param-program")
    field.focus()
    p.keyboard.press("Control+A")
    p.keyboard.press("Backspace")
    p.keyboard.type("通用人工智能", delay=20)
    p.locator("#param-program-listbox [role=option]").first.wait_for()
    p.keyboard.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert active and p.locator(f"#{active}").get_attribute("aria-selected") == "true"
    p.keyboard.press("Escape")
    assert field.get_attribute("aria-expanded") == "false"
    p.keyboard.press("ArrowDown")  # opens the list again
    p.locator(f"#param-program-listbox [data-iri='{PROGRAM}']").wait_for()
    options = p.locator("#param-program-listbox [role=option]")
    target = [options.nth(i).get_attribute("data-iri") for i in range(options.count())].index(PROGRAM)
    for _ in range(target + 1):
        p.keyboard.press("ArrowDown")
    p.keyboard.press("Enter")  # picks
    assert p.locator("input[type=hidden][name=program]").input_value() == PROGRAM
    p.keyboard.press("Enter")  # submits
    p.wait_for_selector("#results tbody tr")
    _assert_rows_carry_evidence(p, 10)
    page.assert_offline()
    assert not page.errors


def test_a_typed_name_without_picking_still_works(server, page):
    p = page.page
    p.goto(server + "/queries/city-indicators")
    field = p.locator("#param-city")
    field.fill("北京")
    p.keyboard.press("Escape")
    p.click("#query-form button[type=submit]")
    p.wait_for_selector("#results tbody tr")
    assert p.locator("#param-city-help a[href='/id/beijing']").count() == 1
    page.assert_offline()
