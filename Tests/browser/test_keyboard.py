"""Keyboard only: Tab, typing, Enter and Space — no mouse, no filling of fields not reached by Tab —
and at every stop the focus can be seen."""

import uuid

import pytest
from playwright.sync_api import expect

from conftest import DEMO_ORGANISATION, HOME, UUID, credentials_for, first_link, path_of, url

# What the focused element is and whether its focus indicator shows: an outline of at least 2 px
# (not "none"), or a box-shadow; and it must be on screen.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'), type: e.getAttribute('type'),
    cls: typeof e.className === 'string' ? e.className : '', href: e.getAttribute('href'),
    text: (e.innerText || e.value || '').trim().slice(0, 40),
    form: e.form ? e.form.getAttribute('action') : null,
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0, boxShadow: s.boxShadow,
    onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
  };
}"""


def describe(info):
    what = info["tag"] + (f"#{info['id']}" if info["id"] else "") + (f"[name={info['name']}]" if info["name"] else "")
    if info["href"]:
        what += f"[href={info['href']}]"
    return f"{what} {info['text']!r}"


def focus_problem(info):
    """Why the focus on this element cannot be seen, or None when it can."""
    outline = info["outlineStyle"] != "none" and info["outlineWidth"] >= 2
    shadow = info["boxShadow"] not in ("", "none")
    if not (outline or shadow):
        return f"no visible focus (outline {info['outlineStyle']} {info['outlineWidth']}px, box-shadow {info['boxShadow']})"
    if not info["onScreen"]:
        return "focused element is off screen"
    return None


class Keyboard:
    """Moves through a page with Tab only and remembers every stop whose focus is not visible."""

    def __init__(self, page):
        self.page = page
        self.invisible = []

    def focused(self):
        return self.page.evaluate(FOCUSED)

    def tab(self):
        self.page.keyboard.press("Tab")
        info = self.focused()
        assert info is not None, f"{self.page.url}: Tab left the focus on the page body"
        problem = focus_problem(info)
        if problem:
            self.invisible.append(f"{path_of(self.page)} {describe(info)}: {problem}")
        return info

    def tab_to(self, wanted, what, limit=150):
        """Presses Tab until wanted(info) holds; fails if it is not reached within limit stops."""
        seen = []
        for _ in range(limit):
            info = self.tab()
            if wanted(info):
                return info
            seen.append(describe(info))
        pytest.fail(f"{self.page.url}: {what} not reached in {limit} Tab presses; stops: {seen[:40]}")

    def assert_focus_was_always_visible(self):
        assert not self.invisible, "focus not visible at:\n  " + "\n  ".join(dict.fromkeys(self.invisible))


def field(name):
    return lambda info: info["name"] == name and info["tag"] in ("input", "textarea", "select")


def sign_in_by_keyboard(keys, organisation, email, password):
    keys.tab_to(field("organisation"), "the organisation field")
    keys.page.keyboard.type(organisation)
    keys.tab_to(field("email"), "the email field")
    keys.page.keyboard.type(email)
    keys.tab_to(field("password"), "the password field")
    keys.page.keyboard.type(password)
    with keys.page.expect_navigation() as navigation:
        keys.page.keyboard.press("Enter")
    return navigation.value


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(open_page):
    for role in (None, "staff"):
        page = open_page(role)
        path = HOME[role] if role else "/"
        page.goto(url(path))
        keys = Keyboard(page)
        first = keys.tab()
        assert first["tag"] == "a" and "skip-link" in first["cls"].split() and first["href"] == "#main", (
            f"{path}: the first Tab stop is {describe(first)}, not a.skip-link[href='#main']"
        )
        keys.assert_focus_was_always_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", f"{path}: Enter on the skip link did not focus <main id=main>"


def test_signing_in_and_posting_a_comment_work_by_keyboard_alone(open_page):
    page = open_page()
    page.goto(url("/"))
    keys = Keyboard(page)
    email, password = credentials_for("staff")
    sign_in_by_keyboard(keys, DEMO_ORGANISATION, email, password)
    assert path_of(page) == HOME["staff"], f"keyboard sign-in ended on {page.url}"

    # A goal of one of staff's procurements; reaching it by address is not a mouse click.
    goal = first_link(page, "main a[href^='/goals/']", rf"/goals/{UUID}")
    assert goal, "/my-work links to no goal page"
    page.goto(url(goal))
    action = f"{goal}/comments"
    keys.tab_to(lambda i: i["tag"] == "textarea" and i["name"] == "text" and i["form"] == action, "the comment field")
    text = f"Näppäimistöllä kirjoitettu {uuid.uuid4().hex[:8]}"
    page.keyboard.type(text)
    keys.tab_to(lambda i: i["tag"] == "button" and i["form"] == action, "the comment form's button", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert path_of(page) == goal, f"posting the comment ended on {page.url}"
    expect(page.locator("ol.comments")).to_contain_text(text)
    keys.assert_focus_was_always_visible()


def test_a_failed_sign_in_focuses_the_error_summary_and_keeps_the_email(open_page):
    page = open_page()
    page.goto(url("/"))
    keys = Keyboard(page)
    email, _ = credentials_for("staff")
    response = sign_in_by_keyboard(keys, DEMO_ORGANISATION, email, "not-the-password")
    assert response.status == 401, f"a wrong password answered {response.status}, expected 401"
    summary = page.locator("div.error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), (
        f"the error summary is not focused; focus is on {describe(keys.focused()) if keys.focused() else 'body'}"
    )
    assert summary.locator("a[href^='#']").count() >= 1, "the error summary links to no field"
    assert page.locator('form[action="/sign-in"] [name="email"]').input_value() == email
    keys.assert_focus_was_always_visible()
