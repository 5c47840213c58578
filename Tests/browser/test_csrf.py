"""A form post without the page's csrf token is refused (403) and changes nothing; with it, it works."""

import uuid

from playwright.sync_api import expect

from conftest import UUID, csrf_token, first_link, url


def test_a_comment_is_refused_without_or_with_a_wrong_csrf_token_and_accepted_with_the_right_one(open_page):
    page = open_page("staff")
    page.goto(url("/my-work"))
    goal = first_link(page, "main a[href^='/goals/']", rf"/goals/{UUID}")
    assert goal, "/my-work links to no goal page"
    action = f"{goal}/comments"
    tag = uuid.uuid4().hex[:8]

    # page.request shares the signed-in context's cookies, so only the token is missing or wrong.
    missing = page.request.post(url(action), form={"text": f"ilman tokenia {tag}"}, max_redirects=0)
    assert missing.status == 403, f"POST {action} without csrf answered {missing.status}"
    wrong = page.request.post(url(action), form={"text": f"väärä token {tag}", "csrf": "wrong-" + tag}, max_redirects=0)
    assert wrong.status == 403, f"POST {action} with a wrong csrf answered {wrong.status}"

    page.goto(url(goal))
    comments = page.locator("ol.comments")
    expect(page.locator(f'form[action="{action}"]')).to_have_count(1)
    assert tag not in page.locator("main").inner_text(), "a refused comment appears on the goal page"

    token = csrf_token(page, f'form[action="{action}"]')
    right = page.request.post(url(action), form={"text": f"oikea token {tag}", "csrf": token}, max_redirects=0)
    assert right.status == 303, f"POST {action} with the page's csrf answered {right.status}"
    page.goto(url(goal))
    expect(comments).to_contain_text(f"oikea token {tag}")
    assert f"ilman tokenia {tag}" not in comments.inner_text()
    assert f"väärä token {tag}" not in comments.inner_text()
