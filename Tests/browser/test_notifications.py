"""Notifications through the pages (issue 19): a lead rejects an idea with a reason, and its
proposer is told: the header counts it, the notifications page says who decided what and why,
in Finnish, Swedish and English, at 375 px, with axe; and it can be marked read. Without
JavaScript the same forms work."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PHONE, UUID, submit, url
from test_accessibility import assert_no_axe_violations
from test_daily_use import move, no_horizontal_scroll, open_signed_in, propose
from test_roles_end_to_end import unique

REJECTED = {"fi": "hylätty", "sv": "avvisat", "en": "rejected"}
TITLE = {"fi": "Ilmoitukset", "sv": "Aviseringar", "en": "Notifications"}


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_proposer_is_told_why_their_idea_was_rejected(open_page, lang, js):
    tag = unique()
    staff = open_signed_in(open_page, "staff", js, PHONE, lang)
    goal = propose(staff, f"Ilmoitettava idea {tag}")
    lead = open_signed_in(open_page, "lead", js, PHONE, lang)
    reason = f"Päällekkäinen toisen tavoitteen kanssa {tag}"
    move(lead, goal, "rejected", reason)

    # The header counts what is new; the page says who decided, what, and why.
    staff.goto(url("/my-work"))
    header_link = staff.locator("a.notifications-link")
    expect(header_link).to_have_class(re.compile(r"has-unread"))
    expect(header_link).to_contain_text(TITLE[lang])
    header_link.click()
    staff.wait_for_url(re.compile(r"/notifications$"))
    item = staff.locator("li.notification").filter(has_text=f"Ilmoitettava idea {tag}")
    expect(item).to_have_count(1)
    expect(item).to_have_class(re.compile(r"unread"))
    expect(item).to_contain_text(REJECTED[lang])
    expect(item.locator(".reason")).to_contain_text(reason)
    if js:
        no_horizontal_scroll(staff, f"/notifications ({lang})")
        assert_no_axe_violations(staff, f"staff /notifications with a rejection ({lang})")

    # Its link leads to the goal, whose history has the same reason.
    goal_id = goal.rsplit("/", 1)[1].lower()
    expect(item.locator(f'a[href="/goals/{goal_id}"]')).to_have_count(1)

    # Marked read: no longer counted, still listed.
    submit(staff, item.locator('form[action="/notifications/read"]'))
    staff.wait_for_url(re.compile(r"/notifications$"))
    item = staff.locator("li.notification").filter(has_text=f"Ilmoitettava idea {tag}")
    expect(item).not_to_have_class(re.compile(r"unread"))
    expect(item.locator(".reason")).to_contain_text(reason)
    staff.goto(url(goal))
    expect(staff.locator("ol.history")).to_contain_text(reason)
    assert re.fullmatch(rf"/goals/{UUID}", goal)


def test_the_profile_offers_the_digest_choice_and_keeps_it(open_page):
    page = open_signed_in(open_page, "lead", True, PHONE, "en")
    page.goto(url("/profile"))
    form = page.locator('form[action="/profile/reminders"]')
    expect(form.locator('input[name="email"][value="weekly"]')).to_be_checked()
    form.locator('input[name="email"][value="daily"]').check()
    submit(page, form)
    expect(page.locator("div.notice")).to_contain_text("reminder")
    expect(page.locator('form[action="/profile/reminders"] input[value="daily"]')).to_be_checked()
    no_horizontal_scroll(page, "/profile at 375 px")
    assert_no_axe_violations(page, "lead /profile with the digest choice (en)")
