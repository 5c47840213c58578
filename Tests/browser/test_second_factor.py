"""The optional second factor through the pages: a person turns it on at /profile with a code from
the key shown there, and from then on the sign-in form needs the authenticator app's code."""

import base64
import hashlib
import hmac
import json
import struct
import time
import urllib.request
import uuid

from conftest import BASE_URL, DEMO_ORGANISATION, HOME, credentials_for, error_summary_text, path_of, sign_in_as, submit, url


def totp(secret, at=None):
    """RFC 6238 with the parameters Luotsi shows (6 digits, 30 s, SHA-1), as an authenticator app computes it."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def api(method, path, body=None, token=None):
    request = urllib.request.Request(BASE_URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def test_a_person_turns_on_the_second_factor_and_then_signs_in_with_the_apps_code(open_page):
    # A colleague of their own, so the demo roles other tests use keep signing in with a password.
    email, password = credentials_for("management")
    manager = api("POST", "/api/v1/auth/login", {"organisation": DEMO_ORGANISATION, "email": email, "password": password})["token"]
    person = f"two-step-{uuid.uuid4().hex[:8]}@demo.example"
    api("POST", f"/api/v1/orgs/{DEMO_ORGANISATION}/users",
        {"email": person, "name": "Kaksi Vaihetta", "role": "staff", "password": "two steps are better"}, manager)

    page = open_page()
    sign_in_as(page, DEMO_ORGANISATION, person, "two steps are better")
    assert path_of(page) == HOME["staff"], error_summary_text(page)
    page.goto(url("/profile"))
    submit(page, page.locator('form[action="/profile/second-factor"]'))
    secret = page.locator("code.secret").first.inner_text().strip()
    assert len(secret) >= 32, secret
    form = page.locator('form[action="/profile/second-factor/confirm"]')
    form.locator('[name="code"]').fill(totp(secret))
    submit(page, form)
    assert "notice=second_factor_on" in page.url, error_summary_text(page)
    submit(page, page.locator('form[action="/sign-out"]'))

    # The password alone now stops at the form, which asks for the code.
    sign_in_as(page, DEMO_ORGANISATION, person, "two steps are better")
    assert path_of(page) != HOME["staff"]
    assert page.locator('#code[aria-invalid="true"]').count() == 1, error_summary_text(page)

    # With the app's code (the next one: the confirmation used the current one) it signs in.
    page.goto(url("/"))
    form = page.locator('form[action="/sign-in"]')
    form.locator('[name="organisation"]').fill(DEMO_ORGANISATION)
    form.locator('[name="email"]').fill(person)
    form.locator('[name="password"]').fill("two steps are better")
    form.locator('[name="code"]').fill(totp(secret, time.time() + 30))
    submit(page, form)
    assert path_of(page) == HOME["staff"], error_summary_text(page)
