"""Choosing the language: the menu, the cookie before sign-in, Accept-Language, the profile after
sign-in, and Finnish date formatting."""

import re

from playwright.sync_api import expect

from conftest import HOME, html_lang, path_of, sign_in, url, with_lang


def sign_in_button_text(page):
    return page.locator('form[action="/sign-in"] button[type="submit"]').first.inner_text().strip()


def test_the_language_menu_switches_the_sign_in_page_to_swedish_and_the_cookie_keeps_it(open_page):
    finnish = open_page(locale="fi-FI")
    finnish.goto(url(with_lang("/", "fi")))
    finnish_button = sign_in_button_text(finnish)

    page = open_page(locale="fi-FI")
    page.goto(url("/"))
    swedish_link = page.locator('nav.language-menu a[hreflang="sv"]')
    assert swedish_link.get_attribute("href") == "/?lang=sv"
    assert swedish_link.get_attribute("lang") == "sv"
    with page.expect_navigation():
        swedish_link.click()
    assert path_of(page) == "/", f"choosing Swedish left the page for {page.url}"
    assert html_lang(page) == "sv"
    assert sign_in_button_text(page) != finnish_button, "the sign-in button did not change language"

    # The choice sticks on the next plain request, through the luotsi_lang cookie.
    page.goto(url("/"))
    assert html_lang(page) == "sv", "the next plain GET / fell back from Swedish"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("luotsi_lang") == "sv", f"no luotsi_lang=sv cookie: {cookies}"


def test_a_browser_asking_for_english_gets_english_when_nothing_was_chosen(open_page):
    page = open_page(locale="en-GB")  # sends Accept-Language: en-GB
    page.goto(url("/"))
    assert html_lang(page) == "en"


def test_a_language_chosen_after_sign_in_is_kept_in_the_profile(open_page):
    # Two different choices in a row, each seen from a fresh browser that never chose: a profile
    # that already said one of them cannot make this pass by chance.
    chooser = open_page(locale="fi-FI")
    sign_in(chooser, "lead")
    try:
        for lang in ("sv", "en"):
            chooser.goto(url(with_lang(HOME["lead"], lang)))
            assert html_lang(chooser) == lang
            fresh = open_page(locale="fi-FI")
            sign_in(fresh, "lead")
            assert html_lang(fresh) == lang, f"after choosing {lang}, a new sign-in shows {html_lang(fresh)!r}"
    finally:
        chooser.goto(url(with_lang(HOME["lead"], "fi")))


def test_finnish_pages_write_dates_the_finnish_way(open_page):
    page = open_page("staff")
    page.goto(url(with_lang("/my-work", "fi")))
    tasks = page.locator("tr[data-task-id]")
    expect(tasks.first).to_be_visible()
    text = " ".join(tasks.all_inner_texts())
    assert re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", text), f"no d.m.yyyy date among the task rows: {text[:300]!r}"


def test_a_language_chosen_before_signing_in_carries_into_the_session_and_into_the_profile_when_confirmed(open_page):
    # The staff member's profile says Finnish (chosen while signed in, in another browser).
    elsewhere = open_page(locale="fi-FI")
    sign_in(elsewhere, "staff")
    elsewhere.goto(url(with_lang(HOME["staff"], "fi")))
    try:
        page = open_page(locale="fi-FI")
        page.goto(url("/"))
        with page.expect_navigation():
            page.locator('nav.language-menu a[hreflang="sv"]').click()
        sign_in(page, "staff")
        assert html_lang(page) == "sv", "the Swedish chosen on the sign-in page did not carry into the session"
        page.goto(url("/goals"))
        assert html_lang(page) == "sv", "the next page fell back to the profile's Finnish"
        # The page offers to keep Swedish in the profile; taking it up saves it there.
        offer = page.locator("div.language-offer a")
        expect(offer).to_have_count(1)
        with page.expect_navigation():
            offer.click()
        assert html_lang(page) == "sv"
        expect(page.locator("div.language-offer")).to_have_count(0)
        fresh = open_page(locale="fi-FI")
        sign_in(fresh, "staff")
        assert html_lang(fresh) == "sv", "confirming did not keep Swedish in the profile"
    finally:
        elsewhere.goto(url(with_lang(HOME["staff"], "fi")))
