"""Each role's main job, done through the pages, and the result seen on a page afterwards.

Every walk runs twice: with JavaScript (js) and without (no-js), since every form must work as a
plain POST → 303 → GET. Walks make their own data with unique names so reruns do not collide;
they rely on nothing but the seeded demo.
"""

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from conftest import (
    HOME,
    UUID,
    choose_option,
    error_summary_text,
    hrefs,
    path_of,
    sign_in,
    sign_in_as,
    submit,
    url,
)

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def unique():
    return uuid.uuid4().hex[:8]


class Notices:
    """Collects successful posts that showed no `div.notice`; checked at the end of a walk so a
    missing notice does not hide what comes after it."""

    def __init__(self):
        self.missing = []

    def expect(self, page, after):
        if page.locator("div.notice").count() == 0:
            self.missing.append(f"{after} → {page.url}")

    def assert_all_shown(self):
        assert not self.missing, "no div.notice after: " + "; ".join(self.missing)


def assert_on(page, pattern, after):
    """The POST led to a page whose path fully matches pattern; else say what the page showed."""
    assert re.fullmatch(pattern, path_of(page)), (
        f"{after}: ended on {page.url}, expected {pattern}; page says: {error_summary_text(page)}"
    )


def follow(page, link):
    """Clicks a link and waits for the page it leads to."""
    with page.expect_navigation():
        link.click()


def goal_status(page):
    """The status class of the goal page's status badge (the first span.status in <main>)."""
    badge = page.locator("main span.status").first
    expect(badge).to_be_visible()
    classes = badge.get_attribute("class").split()
    return next((c.removeprefix("status-") for c in classes if c.startswith("status-")), None)


def schedule_goal(page, goal, tag, notices):
    """Fills the schedule page of goal (which page must be showing) and checks the goal is scheduled."""
    assert path_of(page) == f"{goal}/schedule", f"expected the schedule page, got {page.url}"
    form = page.locator(f'form[action="{goal}/transitions"]')
    expect(form.locator('input[name="to"]')).to_have_value("scheduled")
    choose_option(form.locator('select[name="ownerId"]'))
    today = date.today()
    form.locator('input[name="start"]').fill(today.isoformat())
    form.locator('input[name="due"]').fill((today + timedelta(days=180)).isoformat())
    form.locator('[name="reason"]').fill(f"Aikataulutettu testissä {tag}")
    indicator = f"Mittari {tag}"
    form.locator('[name="indicators-0-name"]').fill(indicator)
    form.locator('[name="indicators-0-unit"]').fill("%")
    form.locator('[name="indicators-0-baseline"]').fill("10")
    form.locator('[name="indicators-0-target"]').fill("60")
    form.locator('select[name="indicators-0-direction"]').select_option("increase")
    form.locator('[name="milestones-0-title"]').fill(f"Välitavoite {tag}")
    form.locator('[name="milestones-0-due"]').fill((today + timedelta(days=90)).isoformat())
    submit(page, form)
    assert_on(page, goal, "scheduling")
    notices.expect(page, "scheduling")
    assert goal_status(page) == "scheduled"
    expect(page.locator("main")).to_contain_text(indicator)
    # A scheduled goal takes check-ins, one number per indicator.
    expect(page.locator(f'form[action="{goal}/checkins"] input[name^="indicator-"]')).to_have_count(1)


def task_shows(row, status):
    """The task row shows status: its status select says so, or a span.status-STATUS badge."""
    select = row.locator('select[name="status"]')
    return (select.count() > 0 and select.first.input_value() == status) or row.locator(f".status-{status}").count() > 0


def set_task_status(page, task, status, notices):
    """Posts /my-work's status form of task; the page comes back to /my-work."""
    form = page.locator(f'tr[data-task-id="{task}"] form[action="/tasks/{task}"]')
    form.locator('select[name="status"]').select_option(status)
    submit(page, form)
    assert_on(page, "/my-work", f"setting a task to {status}")  # back to the referring page
    notices.expect(page, f"setting a task to {status}")


# ------------------------------------------------------------------ staff


def test_staff_read_the_funnel_and_the_overall_picture_and_are_told_who_acts(open_page):
    page = open_page("staff")
    page.goto(url(HOME["staff"]))
    nav = page.locator("nav.service-nav")
    expect(nav.locator('a[href="/funnel"]')).to_have_count(1)
    expect(nav.locator('a[href="/overview"]')).to_have_count(1)
    page.goto(url("/funnel"))
    assert page.locator("section#column-scheduled li").count() > 0, "the demo's scheduled goals are not on staff's funnel"
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main p.hint")).to_have_count(1)
    page.goto(url("/overview"))
    expect(page.locator("p.headline")).to_have_count(1)


def goal_with_check_in_form(page):
    """The first goal linked from /my-work whose page offers a check-in."""
    page.goto(url("/my-work"))
    goals = list(dict.fromkeys(h for h in hrefs(page, "main a[href^='/goals/']") if re.fullmatch(rf"/goals/{UUID}", h)))
    assert goals, "/my-work links to no goal page"
    for goal in goals:
        page.goto(url(goal))
        if page.locator(f'form[action="{goal}/checkins"]').count():
            return goal
    pytest.fail(f"none of the {len(goals)} goals linked from /my-work offers form[action=/goals/UUID/checkins]")


@JS
def test_staff_records_a_check_in_and_marks_a_task_done(open_page, js):
    page = open_page(js=js)
    sign_in(page, "staff")
    notices = Notices()
    tag = unique()

    goal = goal_with_check_in_form(page)
    form = page.locator(f'form[action="{goal}/checkins"]')
    form.locator("#status-at_risk").check()
    form.locator('[name="attainment"]').fill("40")
    indicators = form.locator('input[name^="indicator-"]')
    for index in range(indicators.count()):
        indicators.nth(index).fill(str(12 + index))
    comment = f"Toimittajan aikataulu venyy {tag}"
    form.locator('[name="comment"]').fill(comment)
    submit(page, form)
    assert_on(page, goal, "the check-in")
    notices.expect(page, "the check-in")
    expect(page.locator("table.checkins")).to_contain_text(comment)

    page.goto(url("/my-work"))
    rows = page.locator("tr[data-task-id]")
    assert rows.count(), "/my-work lists no task for staff (the demo assigns some)"
    row = next((r for r in rows.all() if not task_shows(r, "done")), rows.first)
    task = row.get_attribute("data-task-id")
    title = row.locator("th, td").first.inner_text().strip()
    procurement = next(iter(hrefs(row, "a[href^='/procurements/']")), None)
    if task_shows(row, "done"):
        # Every task is done already (the other walk may have finished the last): reopen one.
        set_task_status(page, task, "doing", notices)
        assert task_shows(page.locator(f'tr[data-task-id="{task}"]'), "doing"), f"task {title!r} was not reopened"
    set_task_status(page, task, "done", notices)
    after = page.locator(f'tr[data-task-id="{task}"]')
    if after.count():
        assert task_shows(after, "done"), f"task {task} ({title!r}) does not show done on /my-work"
    else:
        # Done tasks may leave "My tasks"; then the procurement's task table must show it done.
        assert procurement, f"task {task} left /my-work and its row linked no procurement to check"
        page.goto(url(procurement))
        done_row = page.locator("table.tasks tr", has_text=title)
        expect(done_row.first).to_be_visible()
        assert task_shows(done_row.first, "done"), f"{procurement}: task {title!r} does not show done"
    notices.assert_all_shown()


# ------------------------------------------------------------------ lead


@JS
def test_lead_creates_a_procurement_sifts_and_schedules_its_idea_and_adds_a_task(open_page, js):
    page = open_page(js=js)
    sign_in(page, "lead")
    notices = Notices()
    tag = unique()

    # A procurement of the lead's own.
    page.goto(url("/procurements/new"))
    form = page.locator('form[action="/procurements"]')
    procurement_title = f"Testihankinta {tag}"
    form.locator('[name="title"]').fill(procurement_title)
    form.locator('[name="reference"]').fill(f"HEL-{tag}")
    form.locator('[name="category"]').fill("Palvelut")
    form.locator('[name="estimatedValue"]').fill("125000")
    choose_option(form.locator('select[name="phase"]'))
    choose_option(form.locator('select[name="leadId"]'), prefer=["Lauri"])
    members = form.locator('input[type="checkbox"][name="memberIds"]')
    assert members.count(), "/procurements/new offers no memberIds checkbox"
    members.first.check()
    submit(page, form)
    assert_on(page, rf"/procurements/{UUID}", "creating a procurement")
    notices.expect(page, "creating a procurement")
    procurement = path_of(page)
    procurement_id = procurement.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_contain_text(procurement_title)

    # A colleague joins later, and the title is sharpened: the details form (closed until opened).
    details = page.locator("details#details")
    if not js:
        expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    form = details.locator(f'form[action="{procurement}/details"]')
    expect(form.locator('[name="details-title"]')).to_have_value(procurement_title)
    unchecked = form.locator('input[type="checkbox"][name="details-memberIds"]:not(:checked)')
    assert unchecked.count(), "the details form offers nobody who is not a member yet"
    joiner = unchecked.first.evaluate("box => box.parentElement.textContent.trim()")
    unchecked.first.check()
    # A value the form refuses keeps what was typed and names the field.
    form.locator('[name="details-estimatedValue"]').fill("paljon")
    procurement_title = f"Testihankinta {tag} (tarkennettu)"
    form.locator('[name="details-title"]').fill(procurement_title)
    submit(page, form)
    assert path_of(page) == f"{procurement}/details", f"a bad value was not refused: {page.url}"
    expect(page.locator("div.error-summary a[href='#details-estimatedValue']")).to_have_count(1)
    form = page.locator(f'form[action="{procurement}/details"]')
    expect(form.locator('[name="details-title"]')).to_have_value(procurement_title)
    form.locator('[name="details-estimatedValue"]').fill("130000")
    submit(page, form)
    assert_on(page, procurement, "editing the procurement's details")
    notices.expect(page, "editing the procurement's details")
    expect(page.locator("h1")).to_contain_text(procurement_title)
    expect(page.locator("main")).to_contain_text(joiner)

    # An idea on it, through the procurement page's "add a goal" link.
    follow(page, page.locator(f'a[href="/goals/new?procurementId={procurement_id}"]'))
    form = page.locator('form[action="/goals"]')
    expect(form.locator('select[name="procurementId"]')).to_have_value(procurement_id)
    idea_title = f"Hankintatavoite {tag}"
    form.locator('[name="title"]').fill(idea_title)
    form.locator('[name="description"]').fill("Vähennetään kuljetusten päästöjä.")
    form.locator('input[name="level"][value="procurement"]').check()
    form.locator('select[name="priority"]').select_option("2")
    submit(page, form)
    assert_on(page, rf"/goals/{UUID}", "proposing a goal")
    notices.expect(page, "proposing a goal")
    goal = path_of(page)
    goal_id = goal.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_contain_text(idea_title)
    assert goal_status(page) == "idea"

    # Sift it on the funnel board: shortlist with a reason.
    page.goto(url("/funnel"))
    card = page.locator(f'section#column-idea li[data-goal-id="{goal_id}"]')
    expect(card).to_have_count(1)
    form = card.locator(f'form[action="{goal}/transitions"]')
    form.locator('select[name="to"]').select_option("shortlisted")
    form.locator('[name="reason"]').fill(f"Hyvä vaikuttavuus {tag}")
    submit(page, form)
    notices.expect(page, "shortlisting on /funnel")
    page.goto(url("/funnel"))
    card = page.locator(f'section#column-shortlisted li[data-goal-id="{goal_id}"]')
    expect(card).to_have_count(1)

    # Schedule it from the board's link.
    follow(page, card.locator(f'a[href="{goal}/schedule"]'))
    schedule_goal(page, goal, tag, notices)

    # A task on the procurement, tied to that goal.
    page.goto(url(procurement))
    form = page.locator(f'form[action="{procurement}/tasks"]')
    goal_select = form.locator('select[name="goalId"]')
    expect(goal_select.locator(f'option[value="{goal_id}"]')).to_have_count(1)
    goal_select.select_option(goal_id)
    task_title = f"Markkinakartoitus {tag}"
    form.locator('[name="title"]').fill(task_title)
    choose_option(form.locator('select[name="assigneeId"]'))
    form.locator('input[name="due"]').fill((date.today() + timedelta(days=30)).isoformat())
    choose_option(form.locator('select[name="phase"]'))
    submit(page, form)
    assert_on(page, procurement, "adding a task")
    notices.expect(page, "adding a task")
    expect(page.locator("table.tasks")).to_contain_text(task_title)

    # Later the task's title changes, on its own page, and the procurement shows it.
    follow(page, page.locator("table.tasks tr").filter(has_text=task_title).locator("a.task-edit"))
    form = page.locator('form[action^="/tasks/"]')
    expect(form.locator('select[name="goalId"]')).to_have_value(goal_id)
    task_title = f"Markkinakartoitus ja RFI {tag}"
    form.locator('[name="title"]').fill(task_title)
    submit(page, form)
    assert_on(page, procurement, "editing a task")
    notices.expect(page, "editing a task")
    expect(page.locator("table.tasks")).to_contain_text(task_title)
    notices.assert_all_shown()


# ------------------------------------------------------------------ management


@JS
def test_management_adopts_and_schedules_a_catalogue_goal_reads_the_overview_adds_a_user_and_sees_the_audit(
    open_page, js
):
    page = open_page(js=js)
    sign_in(page, "management")
    notices = Notices()
    tag = unique()

    # Adopt, for the whole organisation, the first national goal it does not have in play yet
    # (once it has, the form offers only procurements).
    page.goto(url("/catalogue"))
    adoptable = page.locator("section.theme li[data-code]").filter(
        has=page.locator('form[action="/catalogue/adopt"] select[name="procurementId"] option[value=""]')
    )
    assert adoptable.count(), "/catalogue has no li[data-code] with form[action=/catalogue/adopt]"
    code = adoptable.first.get_attribute("data-code")
    submit(page, adoptable.first.locator('form[action="/catalogue/adopt"]'))
    assert_on(page, rf"/goals/{UUID}", f"adopting {code}")
    notices.expect(page, f"adopting {code}")
    goal = path_of(page)
    goal_title = page.locator("h1").inner_text().strip()
    assert goal_status(page) == "idea"

    # Shortlist on the goal page, then schedule through its link.
    form = page.locator(f'form[action="{goal}/transitions"]')
    form.locator('select[name="to"]').select_option("shortlisted")
    form.locator('[name="reason"]').fill(f"Strategian painopiste {tag}")
    submit(page, form)
    notices.expect(page, "shortlisting on the goal page")
    page.goto(url(goal))
    assert goal_status(page) == "shortlisted"
    follow(page, page.locator(f'a[href="{goal}/schedule"]'))
    schedule_goal(page, goal, tag, notices)

    # Keeping it current: the milestone ticked done shows when and by whom, and can be undone.
    def milestone():
        return page.locator("ul.milestones li").filter(has_text=f"Välitavoite {tag}")

    expect(milestone().locator(".status-done")).to_have_count(0)
    submit(page, milestone().locator(f'form[action^="{goal}/milestones/"]'))
    assert_on(page, goal, "ticking a milestone done")
    notices.expect(page, "ticking a milestone done")
    expect(milestone().locator(".status-done")).to_have_count(1)
    expect(milestone().locator(".meta")).not_to_be_empty()
    submit(page, milestone().locator(f'form[action^="{goal}/milestones/"]'))
    assert_on(page, goal, "undoing a milestone")
    expect(milestone().locator(".status-done")).to_have_count(0)
    # Rescheduling: a later due date, and why; without a reason it is refused and the form kept.
    follow(page, page.locator(f'a[href="{goal}/reschedule"]'))
    form = page.locator(f'form[action="{goal}/reschedule"]')
    later = (date.today() + timedelta(days=365)).isoformat()
    form.locator('input[name="due"]').fill(later)
    submit(page, form)
    assert path_of(page) == f"{goal}/reschedule", f"a reschedule without a reason was not refused: {page.url}"
    expect(page.locator("div.error-summary")).to_have_count(1)
    expect(page.locator('input[name="due"]')).to_have_value(later)
    form = page.locator(f'form[action="{goal}/reschedule"]')
    form.locator('[name="reason"]').fill(f"Toimitus viivästyi {tag}")
    submit(page, form)
    assert_on(page, goal, "rescheduling")
    notices.expect(page, "rescheduling")
    # The funnel's history: every move with its reason, the reschedule included.
    history = page.locator("ol.history")
    expect(history).to_contain_text(f"Strategian painopiste {tag}")
    expect(history).to_contain_text(f"Aikataulutettu testissä {tag}")
    expect(history).to_contain_text(f"Toimitus viivästyi {tag}")

    # The overall picture: a headline sentence and charts with an accessible SVG.
    page.goto(url("/overview"))
    headline = page.locator("p.headline")
    expect(headline).to_have_count(1)
    assert headline.inner_text().strip(), "p.headline is empty"
    charts = page.locator("figure svg[role='img']")
    assert charts.count() >= 1, "/overview has no figure with svg[role=img]"
    for index in range(charts.count()):
        assert charts.nth(index).locator("title").count() == 1, f"chart {index + 1} on /overview has no <title>"

    # A new colleague.
    page.goto(url("/users"))
    form = page.locator('form[action="/users"]')
    email = f"uusi-{tag}@demo.example"
    form.locator('[name="email"]').fill(email)
    form.locator('[name="name"]').fill(f"Uusi Työntekijä {tag}")
    form.locator('select[name="role"]').select_option("staff")
    form.locator('[name="password"]').fill(f"Testi-salasana-{tag}-9")
    submit(page, form)
    assert_on(page, "/users", "adding a user")
    notices.expect(page, "adding a user")
    page.goto(url("/users"))
    expect(page.locator("main table")).to_contain_text(email)

    # The adoption is in the audit trail (newest first, so on the first page).
    page.goto(url("/audit"))
    audit = page.locator("table.audit")
    expect(audit).to_be_visible()
    goal_id = goal.rsplit("/", 1)[1]
    shown = audit.inner_text() + " " + " ".join(hrefs(page, "table.audit a"))
    assert goal_id in shown or goal_title in shown or code in shown, (
        f"/audit does not mention the adopted goal ({goal_id}, {goal_title!r}, {code})"
    )
    notices.assert_all_shown()


# ------------------------------------------------------------------ platform admin


def version_rows(page):
    page.goto(url("/platform/catalogue"))
    return page.locator("table.versions tbody tr")


@JS
def test_platform_admin_creates_an_organisation_and_publishes_an_edited_catalogue_version(open_page, js):
    page = open_page(js=js)
    sign_in(page, "platform")
    notices = Notices()
    tag = unique()

    # A new organisation whose first manager can then sign in.
    slug = f"testi-{tag}"
    email, password = f"johto@{slug}.example", f"Johdon-salasana-{tag}-7"
    form = page.locator('form[action="/platform/organisations"]')
    form.locator('[name="slug"]').fill(slug)
    form.locator('[name="name"]').fill(f"Testikunta {tag}")
    form.locator('[name="managementEmail"]').fill(email)
    form.locator('[name="managementName"]').fill(f"Testi Johtaja {tag}")
    form.locator('[name="managementPassword"]').fill(password)
    submit(page, form)
    assert_on(page, "/platform/organisations", "creating an organisation")
    notices.expect(page, "creating an organisation")
    expect(page.locator("main table")).to_contain_text(slug)
    manager = open_page(js=js)
    sign_in_as(manager, slug, email, password)
    assert path_of(manager) == HOME["management"], (
        f"the new organisation's manager ended on {manager.url}; page says: {error_summary_text(manager)}"
    )

    # A fresh draft (one left by another test is discarded first, so starting one is exercised).
    page.goto(url("/platform/catalogue"))
    discard = page.locator('form[action="/platform/catalogue/draft/discard"]')
    if discard.count():
        submit(page, discard)
    rows_before = set(version_rows(page).all_inner_texts())
    start = page.locator('form[action="/platform/catalogue/draft"]')
    expect(start).to_have_count(1)
    submit(page, start)
    notices.expect(page, "starting a draft")

    # Rename one goal in all three languages.
    page.goto(url("/platform/catalogue"))
    goal_link = page.locator("a[href^='/platform/catalogue/draft/goals/']").first
    expect(goal_link).to_be_visible()
    draft_goal = goal_link.get_attribute("href")
    follow(page, goal_link)
    assert path_of(page) == draft_goal
    names = {"fi": f"Tavoite {tag}", "sv": f"Mål {tag}", "en": f"Goal {tag}"}
    form = page.locator(f'form[action="{draft_goal}"]')
    for lang, name in names.items():
        form.locator(f'[name="name-{lang}"]').fill(name)
    submit(page, form)
    notices.expect(page, "editing a draft goal")
    page.goto(url(draft_goal))
    for lang, name in names.items():
        expect(page.locator(f'form[action="{draft_goal}"] [name="name-{lang}"]')).to_have_value(name)

    # Publish with a note; the versions table then has a new row, published.
    page.goto(url("/platform/catalogue"))
    form = page.locator('form[action="/platform/catalogue/draft/publish"]')
    note = f"Testijulkaisu {tag}"
    form.locator('[name="note"]').fill(note)
    submit(page, form)
    notices.expect(page, "publishing")
    rows = version_rows(page)
    new_rows = [rows.nth(i) for i in range(rows.count()) if rows.nth(i).inner_text() not in rows_before]
    assert new_rows, "the versions table gained no row"
    assert any(r.locator(".status-published").count() for r in new_rows), (
        f"no new version row shows .status-published: {[r.inner_text() for r in new_rows]}"
    )
    expect(page.locator('form[action="/platform/catalogue/draft/publish"]')).to_have_count(0)
    notices.assert_all_shown()
