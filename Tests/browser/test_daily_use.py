"""A year of daily use, through the pages (issue 18's acceptance walks).

Each walk runs with JavaScript on and off, at 1280 and 375 px, in Finnish, Swedish and English,
and its last page is checked with axe. Walks make their own data with unique names; they rely on
nothing but the seeded demo.
"""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from conftest import DESKTOP, PHONE, UUID, choose_option, error_summary_text, path_of, sign_in, submit, url, with_lang
from test_accessibility import assert_no_axe_violations
from test_roles_end_to_end import assert_on, goal_status, unique

MATRIX = pytest.mark.parametrize(
    "js,viewport,lang",
    [(js, viewport, lang) for js in (True, False) for viewport in (DESKTOP, PHONE) for lang in ("fi", "sv", "en")],
    ids=lambda value: {True: "js", False: "no-js"}.get(value) if isinstance(value, bool) else (
        f"{value['width']}px" if isinstance(value, dict) else value
    ),
)


def open_signed_in(open_page, role, js, viewport, lang):
    page = open_page(js=js, viewport=viewport)
    sign_in(page, role)
    page.goto(url(with_lang("/profile", lang)))  # choosing the language while signed in keeps it
    return page


def check_the_page(page, js, viewport, what):
    """At 375 px nothing may make the page wider than the screen (tables scroll in their own box),
    and axe finds nothing. Both run scripts in the page, which a context without JavaScript cannot
    (axe would wait forever): the no-js walks check that the forms work, the js walks the pages,
    which the server renders the same either way."""
    if not js:
        return
    if viewport == PHONE:
        no_horizontal_scroll(page, what)
    assert_no_axe_violations(page, what)


def no_horizontal_scroll(page, what):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{what}: the page is {overflow}px wider than the viewport"


def propose(page, title, level="organisation", procurement=None, supports=None):
    page.goto(url("/goals/new"))
    form = page.locator('form[action="/goals"]')
    form.locator('[name="title"]').fill(title)
    form.locator('[name="description"]').fill("Perustelu: " + title)
    form.locator(f'input[name="level"][value="{level}"]').check()
    if procurement:
        form.locator('select[name="procurementId"]').select_option(procurement)
    if supports:
        form.locator("select#alignsToGoal").select_option(supports)
    submit(page, form)
    assert_on(page, rf"/goals/{UUID}", f"proposing {title}")
    return path_of(page)


def move(page, goal, to, reason):
    page.goto(url(goal))
    form = page.locator(f'form[action="{goal}/transitions"]')
    form.locator('select[name="to"]').select_option(to)
    form.locator('[name="reason"]').fill(reason)
    submit(page, form)
    assert_on(page, goal, f"moving {goal} to {to}")


def schedule(page, goal, tag, milestone=None, keep_indicators=False):
    page.goto(url(f"{goal}/schedule"))
    form = page.locator(f'form[action="{goal}/transitions"]')
    choose_option(form.locator('select[name="ownerId"]'))
    today = date.today()
    form.locator('input[name="start"]').fill(today.isoformat())
    form.locator('input[name="due"]').fill((today + timedelta(days=200)).isoformat())
    form.locator('[name="reason"]').fill(f"Aikataulu {tag}")
    if milestone:
        form.locator('[name="milestones-0-title"]').fill(milestone)
        form.locator('[name="milestones-0-due"]').fill((today + timedelta(days=60)).isoformat())
    if not keep_indicators:
        form.locator('[name="indicators-0-name"]').fill(f"Mittari {tag}")
        form.locator('[name="indicators-0-target"]').fill("50")
    submit(page, form)
    assert_on(page, goal, "scheduling")
    assert goal_status(page) == "scheduled", error_summary_text(page)


# ------------------------------------------------------------------ management keeps a goal current


@MATRIX
def test_management_reschedules_ticks_a_milestone_and_rolls_a_goal_over(open_page, js, viewport, lang):
    page = open_signed_in(open_page, "management", js, viewport, lang)
    tag = unique()
    goal = propose(page, f"Vuositavoite {tag}")
    move(page, goal, "shortlisted", f"Valittu {tag}")
    schedule(page, goal, tag, milestone=f"Välitavoite {tag}")

    # Tick the milestone done: who and when show beside it.
    milestone = page.locator("ul.milestones li").filter(has_text=f"Välitavoite {tag}")
    submit(page, milestone.locator(f'form[action^="{goal}/milestones/"]'))
    assert_on(page, goal, "ticking a milestone")
    expect(page.locator("ul.milestones li").filter(has_text=f"Välitavoite {tag}").locator(".status-done")).to_have_count(1)

    # Reschedule with a reason: the reason shows in the history.
    page.goto(url(f"{goal}/reschedule"))
    form = page.locator(f'form[action="{goal}/reschedule"]')
    form.locator('input[name="due"]').fill((date.today() + timedelta(days=400)).isoformat())
    form.locator('[name="reason"]').fill(f"Kilpailutus viivästyi {tag}")
    submit(page, form)
    assert_on(page, goal, "rescheduling")
    expect(page.locator("ol.history")).to_contain_text(f"Kilpailutus viivästyi {tag}")

    # Roll it over to next year, with a reason kept in the history.
    year = date.today().year  # scheduled to start today: planned for this year
    details = page.locator("details#plan-year")
    details.locator("summary").click()
    form = details.locator(f'form[action="{goal}/plan-year"]')
    form.locator('select[name="planYear"]').select_option(str(year + 1))
    form.locator('[name="reason"]').fill(f"Jatkuu ensi vuonna {tag}")
    submit(page, form)
    assert_on(page, goal, "rolling over")
    expect(page.locator("ol.history")).to_contain_text(f"Jatkuu ensi vuonna {tag}")
    expect(page.locator("ol.history")).to_contain_text(str(year + 1))
    expect(page.locator("main dl.facts")).to_contain_text(str(year + 1))
    check_the_page(page, js, viewport, f"management {goal} after the roll-over ({lang})")


# ------------------------------------------------------------------ two levels


@MATRIX
def test_lead_links_a_procurement_goal_and_management_sees_the_contribution(open_page, js, viewport, lang):
    tag = unique()
    management = open_signed_in(open_page, "management", js, viewport, lang)
    organisation_goal = propose(management, f"Organisaation tavoite {tag}")
    move(management, organisation_goal, "shortlisted", f"Tärkeä {tag}")
    organisation_id = organisation_goal.rsplit("/", 1)[1]

    lead = open_signed_in(open_page, "lead", js, viewport, lang)
    lead.goto(url("/procurements"))
    procurement = lead.locator("main a[href^='/procurements/']").evaluate_all(
        "links => links.map(l => l.getAttribute('href')).filter(h => /^\\/procurements\\/[0-9a-f-]{36}$/i.test(h))"
    )[0]
    goal = propose(lead, f"Hankinnan tavoite {tag}", level="procurement", procurement=procurement.rsplit("/", 1)[1], supports=organisation_id)
    expect(lead.locator("main dl.facts")).to_contain_text(f"Organisaation tavoite {tag}")

    # Management sees it as a contribution, on the organisation goal and in the overall picture.
    management.goto(url(organisation_goal))
    expect(management.locator("#contributions")).to_contain_text(f"Hankinnan tavoite {tag}")
    management.goto(url("/overview?year=all"))
    contribution = management.locator("#two-levels ~ ul.two-levels > li").filter(has_text=f"Organisaation tavoite {tag}")
    expect(contribution.locator("ul.contributions")).to_contain_text(f"Hankinnan tavoite {tag}")
    assert goal.startswith("/goals/")
    check_the_page(management, js, viewport, f"management /overview with contributions ({lang})")


# ------------------------------------------------------------------ the catalogue completed


@MATRIX
def test_admin_adds_a_km_goal_management_adopts_it_for_a_procurement_and_scheduling_offers_its_indicator(
    open_page, js, viewport, lang
):
    tag = unique()
    admin = open_signed_in(open_page, "platform", js, viewport, lang)
    admin.goto(url("/platform/catalogue"))
    start = admin.locator('form[action="/platform/catalogue/draft"]')
    if start.count():
        submit(admin, start)
    admin.goto(url("/platform/catalogue/draft/themes/KM/goals/new"))
    form = admin.locator('form[action="/platform/catalogue/draft/themes/KM/goals"]')
    for code, name in (("fi", f"Tietopohjainen johtaminen {tag}"), ("sv", f"Kunskapsbaserad ledning {tag}"), ("en", f"Data-led management {tag}")):
        form.locator(f'[name="name-{code}"]').fill(name)
        form.locator(f'[name="description-{code}"]').fill(f"{name}: kuvaus")
        form.locator(f'[name="indicators-0-name-{code}"]').fill(f"Indikaattori {tag} {code}")
        form.locator(f'[name="indicators-0-description-{code}"]').fill(f"Kuvaus {tag} {code}")
    form.locator('[name="indicators-0-unit"]').fill("%")
    form.locator('[name="indicators-0-target"]').fill("75")
    form.locator('[name="indicators-0-targetYear"]').fill("2030")
    submit(admin, form)
    assert_on(admin, r"/platform/catalogue/draft/goals/KM-\d+", "adding a KM goal")
    code = path_of(admin).rsplit("/", 1)[1]
    admin.goto(url("/platform/catalogue"))
    form = admin.locator('form[action="/platform/catalogue/draft/publish"]')
    form.locator('[name="note"]').fill(f"KM {tag}")
    submit(admin, form)
    assert_on(admin, "/platform/catalogue", "publishing")

    management = open_signed_in(open_page, "management", js, viewport, lang)
    management.goto(url("/catalogue"))
    card = management.locator(f'li[data-code="{code}"]')
    expect(card).to_contain_text({"fi": "Tietopohjainen johtaminen", "sv": "Kunskapsbaserad ledning", "en": "Data-led management"}[lang])
    form = card.locator('form[action="/catalogue/adopt"]')
    choose_option(form.locator('select[name="procurementId"]'))  # a procurement, not the whole organisation
    submit(management, form)
    assert_on(management, rf"/goals/{UUID}", "adopting for a procurement")
    goal = path_of(management)
    move(management, goal, "shortlisted", f"Otetaan {tag}")
    management.goto(url(f"{goal}/schedule"))
    expect(management.locator('[name="indicators-0-name"]')).to_have_value(f"Indikaattori {tag} {lang}")
    expect(management.locator('[name="indicators-0-target"]')).to_have_value("75")
    schedule(management, goal, tag, keep_indicators=True)
    expect(management.locator("table.indicators")).to_contain_text(f"Indikaattori {tag} {lang}")
    check_the_page(management, js, viewport, f"management {goal} scheduled from the catalogue ({lang})")


# ------------------------------------------------------------------ the reason reaches the proposer


@MATRIX
def test_staff_member_sees_why_their_idea_was_rejected(open_page, js, viewport, lang):
    tag = unique()
    staff = open_signed_in(open_page, "staff", js, viewport, lang)
    goal = propose(staff, f"Henkilöstön idea {tag}")
    lead = open_signed_in(open_page, "lead", js, viewport, lang)
    move(lead, goal, "rejected", f"Päällekkäinen toisen tavoitteen kanssa {tag}")
    staff.goto(url(goal))
    assert goal_status(staff) == "rejected"
    expect(staff.locator("ol.history")).to_contain_text(f"Päällekkäinen toisen tavoitteen kanssa {tag}")
    check_the_page(staff, js, viewport, f"staff {goal} rejected ({lang})")
