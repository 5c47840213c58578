"""WCAG 2.1 A/AA checks with axe-core on every page of every role, in Finnish, Swedish and English,
and the error pages in each language."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import AXE_TALLY, LANGUAGES, SITE_PAGE_IDS, SITE_PAGES, html_lang, resolve_site_page, url, with_lang

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
axe = Axe()


def assert_no_axe_violations(page, what):
    """Runs axe on the page as it is now and fails with each violation's rule, targets and help."""
    results = axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    AXE_TALLY["scans"] += 1
    AXE_TALLY["violations"] += len(violations)
    if violations:
        lines = [f"{what}: {len(violations)} axe violation(s)"]
        for violation in violations:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
            lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role,name,finder", SITE_PAGES, ids=SITE_PAGE_IDS)
def test_every_page_passes_axe_in_every_language(open_page, role, name, finder, lang):
    page = open_page(role)
    path = resolve_site_page(page, finder)
    response = page.goto(url(with_lang(path, lang)))
    assert response.status == 200, f"{path}?lang={lang} answered {response.status}"
    assert html_lang(page) == lang, f"{path}?lang={lang}: <html lang> is {html_lang(page)!r}"
    assert_no_axe_violations(page, f"{role or 'signed out'} {path} ({lang})")


# Error pages: a 404 for an unknown goal and an unknown address, a 403 for staff on a management page.
ERROR_CASES = [
    ("404 goal", "/goals/00000000-0000-0000-0000-000000000000", 404),
    ("404 address", "/no-such-page", 404),
    ("403 users", "/users", 403),
]
# What must never reach a person: stack traces, source locations, driver errors and SQL (written in
# capitals on one line, so ordinary words like "select" in a sentence do not count).
LEAKS = re.compile(
    r"Traceback|\.swift:\d|Fatal error|PostgresError|SQLSTATE|stack ?trace|relation \"|"
    r"\bSELECT\b[^\n]*\bFROM\b|\bINSERT INTO\b|\bUPDATE\b[^\n]*\bSET\b|\bWHERE\b[^\n]*=\s*\$\d"
)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case,path,status", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_pages_are_html_in_the_chosen_language_without_internals(open_page, case, path, status, lang):
    page = open_page("staff")
    response = page.goto(url(with_lang(path, lang)))
    assert response.status == status, f"staff {path}?lang={lang} answered {response.status}, expected {status}"
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), f"{path}: content-type is {content_type!r}"
    assert html_lang(page) == lang, f"{path}?lang={lang}: <html lang> is {html_lang(page)!r}"
    body = page.locator("body").inner_text()
    leak = LEAKS.search(body)
    assert not leak, f"{path} ({lang}) shows internals: …{body[max(0, leak.start() - 60):leak.end() + 60]}…"
    assert_no_axe_violations(page, f"staff {path} ({status}, {lang})")


@pytest.mark.parametrize("case,path,status", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_pages_are_worded_differently_in_each_language(open_page, case, path, status):
    # <html lang> alone could be right while the words stay Finnish; the main text must differ.
    page = open_page("staff")
    texts = {}
    for lang in LANGUAGES:
        page.goto(url(with_lang(path, lang)))
        texts[lang] = page.locator("main").inner_text().strip()
        assert texts[lang], f"{path} ({lang}): <main> is empty"
    assert len(set(texts.values())) == len(LANGUAGES), f"{path}: the error text is the same in some languages: {texts}"
