"""Workshops through the pages (issue 20): a facilitator at 1280 px and two participants at
375 px, one of them a guest, each in a browser context of their own, and one more member with
JavaScript off. Ideas and votes reach the others' boards within a second; the facilitator moves
the phases, merges nothing, decides with reasons and closes; the result is in the funnel with its
support. axe on every phase, in Finnish, Swedish and English."""

import re

import pytest
from playwright.sync_api import expect

from conftest import DESKTOP, PHONE, submit, url, with_lang
from test_accessibility import assert_no_axe_violations
from test_daily_use import no_horizontal_scroll, open_signed_in
from test_roles_end_to_end import unique

# What another screen may take to show a change, from the press that made it.
LIVE_MS = 1_000
LIVE = {"fi": "Ajantasainen", "sv": "Live", "en": "Live"}


def board_text(page):
    return page.locator("#board")


def live(page, lang):
    """Waits until the page's socket is open (the status line says so)."""
    expect(page.locator(".live-status")).to_contain_text(LIVE[lang])


def add_idea(page, text):
    page.locator("#idea-text").fill(text)
    page.locator("#idea-form button[type=submit]").click()


def phase(page, value):
    """The facilitator moves the workshop on; the form posts and the page comes back."""
    submit(page, page.locator(f'.facilitator-controls form:has(input[name="phase"][value="{value}"])'))
    expect(page.locator("#board")).to_have_attribute("data-phase", value)


def idea(page, text):
    """The idea's card, by its own text (a facilitator's card also names the others, to merge into)."""
    return page.locator("li.idea").filter(has=page.locator(".idea-text", has_text=text))


def checked(page, what, lang, phone=False):
    if phone:
        no_horizontal_scroll(page, what)
    assert_no_axe_violations(page, f"{what} ({lang})")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_workshop_live_on_three_screens_lands_in_the_funnel(open_page, lang):
    tag = unique()
    facilitator = open_signed_in(open_page, "lead", True, DESKTOP, lang)
    facilitator.goto(url("/workshops"))
    checked(facilitator, "lead /workshops", lang)
    form = facilitator.locator('form[action="/workshops"]')
    form.locator("#workshop-title").fill(f"Tavoitetyöpaja {tag}")
    form.locator("#workshop-guests").check()
    form.locator("#workshop-minutes").fill("10")
    submit(facilitator, form)
    facilitator.wait_for_url(re.compile(r"/w/[A-Z0-9]{6}$"))
    code = facilitator.url.rsplit("/", 1)[1]
    live(facilitator, lang)
    expect(facilitator.locator(".timer")).to_be_visible()
    expect(facilitator.locator(".countdown")).not_to_be_empty()

    staff = open_signed_in(open_page, "staff", True, PHONE, lang)
    staff.goto(url(f"/w/{code}"))
    live(staff, lang)

    # The guest types the code as it was read out, and gives a name.
    guest = open_page(viewport=PHONE)
    guest.goto(url(with_lang("/join", lang)))
    checked(guest, "/join", lang, phone=True)
    guest.locator("#join-code").fill(f"{code[:3].lower()}-{code[3:]}")
    with guest.expect_navigation():
        guest.locator("form.code-form button[type=submit]").click()
    guest.wait_for_url(re.compile(rf"/w/{code}$"))
    checked(guest, "the join page", lang, phone=True)
    guest.locator("#guest-name").fill(f"Vieras {tag}")
    submit(guest, guest.locator("form.guest-form"))
    live(guest, lang)

    # One more member, without JavaScript: takes part by posting and reloading.
    plain = open_signed_in(open_page, "management", False, PHONE, lang)
    plain.goto(url(f"/w/{code}"))

    # Gathering: each idea reaches the other screens within a second.
    add_idea(staff, f"Kierrätyskalusteet {tag}")
    for page in (facilitator, guest):
        expect(board_text(page)).to_contain_text(f"Kierrätyskalusteet {tag}", timeout=LIVE_MS)
    add_idea(guest, f"Päästötön kuljetus {tag}")
    for page in (facilitator, staff):
        expect(board_text(page)).to_contain_text(f"Päästötön kuljetus {tag}", timeout=LIVE_MS)
    plain.locator("#idea-text").fill(f"Lähiruoka {tag}")
    submit(plain, plain.locator("#idea-form"))
    expect(board_text(plain)).to_contain_text(f"Kierrätyskalusteet {tag}")
    for page in (facilitator, staff, guest):
        expect(board_text(page)).to_contain_text(f"Lähiruoka {tag}", timeout=LIVE_MS)
    checked(facilitator, "facilitator's board, gathering", lang)
    checked(staff, "member's board at 375 px, gathering", lang, phone=True)
    checked(guest, "guest's board at 375 px, gathering", lang, phone=True)

    # Voting: the participants' pages follow the facilitator into the new phase by themselves.
    phase(facilitator, "voting")
    for page in (staff, guest):
        expect(page.locator("#board")).to_have_attribute("data-phase", "voting", timeout=5_000)
        live(page, lang)
    idea(staff, f"Kierrätyskalusteet {tag}").locator("form.vote-form button").click()
    expect(idea(guest, f"Kierrätyskalusteet {tag}").locator(".votes")).to_contain_text("1", timeout=LIVE_MS)
    expect(idea(facilitator, f"Kierrätyskalusteet {tag}").locator(".votes")).to_contain_text("1", timeout=LIVE_MS)
    idea(guest, f"Kierrätyskalusteet {tag}").locator("form.vote-form button").click()
    expect(idea(staff, f"Kierrätyskalusteet {tag}").locator(".votes")).to_contain_text("2", timeout=LIVE_MS)
    plain.goto(url(f"/w/{code}"))
    submit(plain, idea(plain, f"Kierrätyskalusteet {tag}").locator("form.vote-form").first)
    expect(idea(plain, f"Kierrätyskalusteet {tag}").locator(".votes")).to_contain_text("3")
    expect(idea(facilitator, f"Kierrätyskalusteet {tag}").locator(".votes")).to_contain_text("3", timeout=LIVE_MS)
    checked(facilitator, "facilitator's board, voting", lang)
    checked(guest, "guest's board at 375 px, voting", lang, phone=True)

    # Deciding, with reasons; then closing lands the ideas in the funnel.
    phase(facilitator, "deciding")
    checked(facilitator, "facilitator's board, deciding", lang)
    decide = idea(facilitator, f"Kierrätyskalusteet {tag}").locator("form.decide-form")
    decide.locator("textarea").fill(f"Eniten ääniä {tag}")
    decide.locator('button[value="shortlisted"]').click()
    expect(idea(guest, f"Kierrätyskalusteet {tag}").locator(".decision")).to_contain_text(f"Eniten ääniä {tag}", timeout=LIVE_MS)
    decide = idea(facilitator, f"Päästötön kuljetus {tag}").locator("form.decide-form")
    decide.locator("textarea").fill(f"Ei omaa kalustoa {tag}")
    decide.locator('button[value="rejected"]').click()
    expect(idea(staff, f"Päästötön kuljetus {tag}").locator(".decision")).to_contain_text(f"Ei omaa kalustoa {tag}", timeout=LIVE_MS)
    checked(staff, "member's board at 375 px, deciding", lang, phone=True)

    phase(facilitator, "closed")
    checked(facilitator, "facilitator's board, closed", lang)
    # The guest's pass ends with the workshop: their page turns into the closed notice.
    expect(guest.locator("#board")).to_have_count(0, timeout=5_000)
    expect(guest.locator("main")).not_to_contain_text(f"Kierrätyskalusteet {tag}")

    # In the funnel: shortlisted with three supporters (two members and the guest).
    link = idea(facilitator, f"Kierrätyskalusteet {tag}").locator('a[href^="/goals/"]')
    goal = link.get_attribute("href")
    facilitator.goto(url("/funnel"))
    card = facilitator.locator("li").filter(has_text=f"Kierrätyskalusteet {tag}")
    expect(card.first).to_contain_text("3")
    facilitator.goto(url(goal))
    expect(facilitator.locator("main")).to_contain_text(f"Eniten ääniä {tag}")
    expect(facilitator.locator("p.from-workshop a")).to_have_attribute("href", f"/w/{code}")

    # The printable summary names who took part, the guest by name.
    facilitator.goto(url(f"/w/{code}/summary"))
    expect(facilitator.locator("main")).to_contain_text(f"Vieras {tag}")
    checked(facilitator, "the workshop's summary", lang)


def test_the_big_screen_shows_the_code_and_follows_the_board(open_page):
    tag = unique()
    lead = open_signed_in(open_page, "lead", True, DESKTOP, "en")
    lead.goto(url("/workshops"))
    form = lead.locator('form[action="/workshops"]')
    form.locator("#workshop-title").fill(f"Screen {tag}")
    submit(lead, form)
    code = lead.url.rsplit("/", 1)[1]
    screen = open_signed_in(open_page, "lead", True, {"width": 1920, "height": 1080}, "en")
    screen.goto(url(f"/w/{code}/screen"))
    expect(screen.locator(".screen-code")).to_have_text(code)
    live(screen, "en")
    add_idea(lead, f"On the wall {tag}")
    expect(screen.locator("#board")).to_contain_text(f"On the wall {tag}", timeout=LIVE_MS)
    # The projector shows no buttons and no one's own votes.
    expect(screen.locator("#board form")).to_have_count(0)
    assert_no_axe_violations(screen, "the big screen (en)")


def test_a_phone_that_drops_its_connection_loses_nothing(open_page):
    """Offline, an idea cannot be sent: it stays in its form (and in the browser, across a
    reload) with a message; back online, the board catches up by itself and the idea goes."""
    tag = unique()
    lead = open_signed_in(open_page, "lead", True, DESKTOP, "en")
    lead.goto(url("/workshops"))
    form = lead.locator('form[action="/workshops"]')
    form.locator("#workshop-title").fill(f"Patchy network {tag}")
    submit(lead, form)
    code = lead.url.rsplit("/", 1)[1]
    phone = open_signed_in(open_page, "staff", True, PHONE, "en")
    phone.goto(url(f"/w/{code}"))
    live(phone, "en")

    phone.context.set_offline(True)
    add_idea(phone, f"Typed in a tunnel {tag}")
    expect(phone.locator(".live-status")).to_contain_text("Not sent")
    expect(phone.locator("#idea-text")).to_have_value(f"Typed in a tunnel {tag}")
    # Meanwhile someone else adds one; the phone hears of it once it is back.
    add_idea(lead, f"Said in the room {tag}")
    phone.context.set_offline(False)
    expect(board_text(phone)).to_contain_text(f"Said in the room {tag}", timeout=15_000)
    # The typed idea survives a reload too, and is sent when the person presses again.
    phone.reload()
    live(phone, "en")
    expect(phone.locator("#idea-text")).to_have_value(f"Typed in a tunnel {tag}")
    phone.locator("#idea-form button[type=submit]").click()
    expect(board_text(lead)).to_contain_text(f"Typed in a tunnel {tag}", timeout=LIVE_MS)
    expect(phone.locator("#idea-text")).to_have_value("")
