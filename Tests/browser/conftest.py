"""Shared fixtures and helpers for the browser tests.

The suite runs against a real `luotsi serve` seeded with `luotsi demo` (see `run`). Everything
here goes through the pages the way a person would: the sign-in form, links and forms.

Environment (set by `Tests/browser/run`):
  LUOTSI_URL          base address of the running server, e.g. http://127.0.0.1:43123
  LUOTSI_CREDENTIALS  the file written by `luotsi demo --credentials-file`
  LUOTSI_SCREENSHOTS  where test_screenshots.py writes its pictures
"""

import functools
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

BASE_URL = os.environ.get("LUOTSI_URL", "http://127.0.0.1:8080").rstrip("/")
CHROMIUM = "/usr/lib/chromium/chromium"
LANGUAGES = ["fi", "sv", "en"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 800}
DEMO_ORGANISATION = "demo"
# Short timeouts: a missing element should fail in seconds, not after Playwright's 30 s default.
TIMEOUT_MS = 15_000

ROLES = ["staff", "lead", "management", "platform"]
HOME = {
    "staff": "/my-work",
    "lead": "/next-actions",
    "management": "/overview",
    "platform": "/platform/organisations",
}
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


# ---------------------------------------------------------------- credentials


@functools.cache
def credentials():
    """role -> (email, password), parsed from the demo credentials file.

    Lines look like `  management      johto@demo.example  PASSWORD`; the platform admin's line
    says `platform admin`. A line whose password part is not one token (the demo prints
    "(existed before; password unchanged)" then) is not usable and is left out.
    """
    path = os.environ.get("LUOTSI_CREDENTIALS")
    if not path or not Path(path).is_file():
        raise RuntimeError(f"LUOTSI_CREDENTIALS must name the demo credentials file (got {path!r})")
    found = {}
    line_re = re.compile(r"^\s+(platform admin|management|lead|staff)\s+(\S+@\S+)\s+(\S+)\s*$")
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = line_re.match(line)
        if match:
            role = "platform" if match.group(1) == "platform admin" else match.group(1)
            found[role] = (match.group(2), match.group(3))
    return found


def credentials_for(role):
    creds = credentials()
    if role not in creds:
        pytest.fail(f"the demo credentials file has no usable line for {role!r} (found: {sorted(creds)})")
    return creds[role]


# ---------------------------------------------------------------- small helpers


def url(path):
    return BASE_URL + path


def path_of(page):
    return urlparse(page.url).path


def with_lang(path, lang):
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def html_lang(page):
    return page.evaluate("document.documentElement.getAttribute('lang')")


def hrefs(page, selector):
    """The href attributes (as written, not resolved) of every element matching selector."""
    return page.locator(selector).evaluate_all("els => els.map(e => e.getAttribute('href'))")


def first_link(page, selector, pattern):
    """The first href under selector that fully matches the regex pattern, or None."""
    for href in hrefs(page, selector):
        if href and re.fullmatch(pattern, href):
            return href
    return None


def submit(page, form):
    """Clicks the form's submit button and waits for the page that the POST→303→GET leads to."""
    with page.expect_navigation():
        form.locator('button[type="submit"]').first.click()


def csrf_token(page, form_selector="form"):
    """The value of the hidden `csrf` input in the first form matching form_selector."""
    field = page.locator(f'{form_selector} input[name="csrf"]').first
    value = field.get_attribute("value")
    assert value, f"{page.url}: {form_selector} has no csrf value"
    return value


def choose_option(select, prefer=None):
    """Selects an option with a non-empty value and returns it.

    Keeps the current choice if it is non-empty; otherwise the first option whose label contains
    one of `prefer`; otherwise the first non-empty option.
    """
    options = select.locator("option").evaluate_all(
        "os => os.map(o => ({value: o.value, label: o.textContent.trim()}))"
    )
    usable = [o for o in options if o["value"]]
    assert usable, f"select[name={select.get_attribute('name')!r}] offers no non-empty option: {options}"
    current = select.input_value()
    chosen = None
    if current:
        chosen = current
    for word in prefer or []:
        if chosen:
            break
        chosen = next((o["value"] for o in usable if word.lower() in o["label"].lower()), None)
    chosen = chosen or usable[0]["value"]
    select.select_option(chosen)
    return chosen


def error_summary_text(page):
    summary = page.locator("div.error-summary")
    return summary.first.inner_text() if summary.count() else "(no div.error-summary)"


# ---------------------------------------------------------------- signing in


def sign_in_as(page, organisation, email, password):
    """Fills the real sign-in form at / and submits it; returns the response of the page reached."""
    page.goto(url("/"))
    form = page.locator('form[action="/sign-in"]')
    form.locator('[name="organisation"]').fill(organisation)
    form.locator('[name="email"]').fill(email)
    form.locator('[name="password"]').fill(password)
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').first.click()
    return navigation.value


def sign_in(page, role):
    """Signs in as one of the demo roles through the form and checks the role's home was reached."""
    email, password = credentials_for(role)
    organisation = "" if role == "platform" else DEMO_ORGANISATION
    sign_in_as(page, organisation, email, password)
    assert path_of(page) == HOME[role], (
        f"signing in as {role} ended on {page.url}, expected {HOME[role]}; page says: {error_summary_text(page)}"
    )


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        # Debian's Chromium; `--no-sandbox` because CI runs as root.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def signed_in_states(browser):
    """role -> Playwright storage state, each made once per session through the real sign-in form.

    Tests that only look at pages reuse these sessions; the role walks sign in themselves.
    """
    states = {}

    def state_for(role):
        if role not in states:
            context = browser.new_context(base_url=BASE_URL, locale="fi-FI")
            context.set_default_timeout(TIMEOUT_MS)
            sign_in(context.new_page(), role)
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state_for


@pytest.fixture
def open_page(browser, signed_in_states):
    """Factory: open_page(role=None, js=True, viewport=DESKTOP, locale="fi-FI") -> a new page in
    its own context, signed in as role (reusing the session's sign-in) or signed out.

    js=False gives a context with JavaScript disabled; viewport=PHONE gives 375×800.
    """
    contexts = []

    def open_(role=None, *, js=True, viewport=DESKTOP, locale="fi-FI"):
        context = browser.new_context(
            base_url=BASE_URL,
            java_script_enabled=js,
            viewport=viewport,
            locale=locale,
            storage_state=signed_in_states(role) if role else None,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- the pages of every role
#
# Each entry is (role, name, how to find its address). Fixed pages are paths; the rest are found
# by browsing the demo like a person would. A finder returns None when the demo has no such page
# right now (then the test is skipped); it fails when a page the demo always has is missing.

_found = {}


def _goal_page(page):
    if "goal" not in _found:
        page.goto(url("/goals"))
        _found["goal"] = first_link(page, "main a[href^='/goals/']", rf"/goals/{UUID}")
        assert _found["goal"], "/goals (as staff) links to no goal page /goals/UUID"
    return _found["goal"]


def _procurement_page(page):
    if "procurement" not in _found:
        page.goto(url("/procurements"))
        _found["procurement"] = first_link(page, "main a[href^='/procurements/']", rf"/procurements/{UUID}")
        assert _found["procurement"], "/procurements (as staff) links to no procurement page /procurements/UUID"
    return _found["procurement"]


def _schedule_page(page):
    # Not cached: the role walks shortlist and schedule goals, so what is shortlisted changes.
    page.goto(url("/funnel"))
    return first_link(page, "section#column-shortlisted a[href$='/schedule']", rf"/goals/{UUID}/schedule")


def _scheduled_goal_page(page):
    # As management: a scheduled goal's page shows the milestones' ticks and the reschedule link.
    # The demo's organisation goals with milestones come first in the funnel's column.
    page.goto(url("/funnel"))
    return first_link(page, "section#column-scheduled a[href^='/goals/']", rf"/goals/{UUID}")


def _reschedule_page(page):
    goal = _scheduled_goal_page(page)
    return goal and f"{goal}/reschedule"


def _indicators_page(page):
    goal = _scheduled_goal_page(page)
    return goal and f"{goal}/indicators"


def _task_edit_page(page):
    # A lead edits any task: the first procurement with a task offers its edit page.
    page.goto(url("/procurements"))
    for procurement in [h for h in hrefs(page, "main a[href^='/procurements/']") if re.fullmatch(rf"/procurements/{UUID}", h)]:
        page.goto(url(procurement))
        link = first_link(page, "a.task-edit", rf"/tasks/{UUID}/edit")
        if link:
            return link
    return None


def _draft_goal_page(page):
    # The draft's goal pages exist only while a draft does. Start one when there is none (the
    # platform walk copes with a draft left behind), so its edit page gets checked too.
    page.goto(url("/platform/catalogue"))
    start = page.locator('form[action="/platform/catalogue/draft"]')
    if start.count():
        submit(page, start)
        page.goto(url("/platform/catalogue"))
    return first_link(page, "a[href^='/platform/catalogue/draft/goals/']", r"/platform/catalogue/draft/goals/[^/?#]+")


def _draft_theme_page(page):
    return _draft_goal_page(page) and "/platform/catalogue/draft/themes/KM"


def _draft_new_goal_page(page):
    return _draft_goal_page(page) and "/platform/catalogue/draft/themes/KM/goals/new"


def _unsubscribe_page(page):
    """A digest's unsubscribe link for the demo's staff member, signed as the server signs it
    (HMAC-SHA256 under the platform's link key, read from the database like an operator would)."""
    import base64
    import hashlib
    import hmac
    import subprocess

    def sql(text):
        return subprocess.run(["psql", "-XAtc", text], check=True, capture_output=True, text=True).stdout.strip()

    key = base64.b64decode(sql("SELECT key FROM platform.mail_link_key"))
    schema = sql(f"SELECT schema_name FROM platform.organisations WHERE slug = '{DEMO_ORGANISATION}'")
    person = sql(f"SELECT id FROM {schema}.users WHERE role = 'staff' ORDER BY seq LIMIT 1")
    mac = hmac.new(key, f"unsubscribe\n{DEMO_ORGANISATION}\n{person}".encode(), hashlib.sha256).digest()[:16]
    signature = base64.urlsafe_b64encode(mac).decode().rstrip("=")
    return f"/unsubscribe/{DEMO_ORGANISATION}.{person}.{signature}"


def _workshop_board(page):
    """The demo's workshop under way, found on /workshops as a person finds it."""
    if "workshop" not in _found:
        page.goto(url("/workshops"))
        links = [href for href in hrefs(page, "ul.workshop-list a") if re.fullmatch(r"/w/[A-Z0-9]{6}", href)]
        assert links, "the demo has no workshop on /workshops"
        _found["workshop"] = links[0]
    return _found["workshop"]


def _workshop_screen(page):
    return _workshop_board(page) + "/screen"


def _workshop_summary(page):
    return _workshop_board(page) + "/summary"


def _signed_out_workshop(page):
    import subprocess

    def sql(text):
        return subprocess.run(["psql", "-XAtc", text], check=True, capture_output=True, text=True).stdout.strip()

    return "/w/" + sql("SELECT code FROM platform.workshop_codes ORDER BY created_at LIMIT 1")


SITE_PAGES = [
    ("staff", "/my-work", "/my-work"),
    ("staff", "/goals", "/goals"),
    ("staff", "/goals/new", "/goals/new"),
    ("staff", "goal page", _goal_page),
    ("staff", "/procurements", "/procurements"),
    ("staff", "procurement page", _procurement_page),
    ("staff", "/profile", "/profile"),
    ("staff", "/funnel (read only)", "/funnel"),
    ("staff", "/overview", "/overview"),
    ("staff", "/help", "/help"),
    ("lead", "/next-actions", "/next-actions"),
    ("lead", "/funnel", "/funnel"),
    ("lead", "schedule page", _schedule_page),
    ("lead", "/procurements/new", "/procurements/new"),
    ("lead", "/exports", "/exports"),
    ("lead", "task edit page", _task_edit_page),
    ("management", "/overview", "/overview"),
    ("management", "/catalogue", "/catalogue"),
    ("management", "/users", "/users"),
    ("management", "/audit", "/audit"),
    ("management", "/report", "/report"),
    # Lead sees schedule links only for procurement goals; management for organisation goals too.
    ("management", "schedule page", _schedule_page),
    ("management", "scheduled goal page", _scheduled_goal_page),
    ("management", "reschedule page", _reschedule_page),
    ("management", "indicators page", _indicators_page),
    ("management", "/settings", "/settings"),
    ("management", "/help/funnel", "/help/funnel"),
    ("management", "/exports", "/exports"),
    ("platform", "/platform/organisations", "/platform/organisations"),
    ("platform", "/platform/catalogue", "/platform/catalogue"),
    ("platform", "draft goal page", _draft_goal_page),
    ("platform", "draft intention page", _draft_theme_page),
    ("platform", "draft new goal page", _draft_new_goal_page),
    ("platform", "/platform/rollup", "/platform/rollup"),
    ("platform", "/platform/audit", "/platform/audit"),
    ("platform", "/platform/mail", "/platform/mail"),
    ("staff", "/notifications", "/notifications"),
    ("lead", "/notifications", "/notifications"),
    (None, "/ (signed out)", "/"),
    (None, "/set-password", "/set-password"),
    (None, "unsubscribe page", _unsubscribe_page),
    ("staff", "/workshops", "/workshops"),
    ("lead", "/workshops (with the form)", "/workshops"),
    ("staff", "workshop board", _workshop_board),
    ("management", "workshop board (facilitating)", _workshop_board),
    ("management", "workshop screen", _workshop_screen),
    ("management", "workshop summary", _workshop_summary),
    (None, "workshop join page", _signed_out_workshop),
    (None, "/join", "/join"),
]
SITE_PAGE_IDS = [f"{role or 'signed-out'}:{name}" for role, name, _ in SITE_PAGES]


def resolve_site_page(page, finder):
    """The path for one SITE_PAGES entry, browsing with `page` if needed; skips if there is none."""
    if isinstance(finder, str):
        return finder
    path = finder(page)
    if path is None:
        pytest.skip(f"the demo has no {finder.__name__.strip('_').replace('_', ' ')} right now")
    return path


# ---------------------------------------------------------------- axe tally, shown even with -q

AXE_TALLY = {"scans": 0, "violations": 0}


def pytest_terminal_summary(terminalreporter):
    if AXE_TALLY["scans"]:
        terminalreporter.write_line(
            f"axe: {AXE_TALLY['scans']} page × language scans, {AXE_TALLY['violations']} violations"
        )
