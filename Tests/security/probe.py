"""The attacker's findings of issue 7, tried again from outside against a running server.

Usage: python3 Tests/security/probe.py BASE_URL CREDENTIALS_FILE
  (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE: the server's database, for the findings that
   are about what PostgreSQL allows the application's own role.)
Prints one line per finding, HELD (the hole is closed) or OPEN, and exits 1 if any is open. It
only uses the HTTP API and `psql`, so it runs unchanged against any build: the same script is run
against commit f7f6181 (where the findings were made) to show each of them open there.
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

base, credentials_file = sys.argv[1].rstrip("/"), sys.argv[2]
results = []


def call(method, path, body=None, token=None, headers=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(base + path, method=method, data=data)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def finding(name, held, detail):
    results.append(held)
    print(f"{'HELD' if held else 'OPEN'}  {name}: {detail}")


def psql(sql):
    done = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    return done.returncode, (done.stdout + done.stderr).strip()


accounts = {}
for line in open(credentials_file, encoding="utf-8"):
    match = re.match(r"\s*(platform admin|management|lead|staff)\s+(\S+@\S+)\s+(\S+)\s*$", line)
    if match:
        accounts[match.group(1).split()[0]] = (match.group(2), match.group(3))


def login(role, email=None, password=None, organisation="demo"):
    account_email, account_password = accounts[role]
    body = {"email": email if email is not None else account_email, "password": password if password is not None else account_password}
    if role != "platform":
        body["organisation"] = organisation
    return call("POST", "/api/v1/auth/login", body)


def token(role):
    status, _, text = login(role)
    assert status == 200, f"{role} cannot sign in: {status} {text[:200]}"
    return json.loads(text)["token"]


manager = token("management")
staff = token("staff")
admin = token("platform")

# 4. No way to change one's own password; a NUL password passed the length rule.
status, _, _ = call("POST", "/api/v1/me/password", {"currentPassword": "x" * 12, "newPassword": "y" * 12}, staff)
finding("4a a person can change their own password", status in (403, 422), f"POST /me/password answered {status}")
status, _, _ = call(
    "POST", "/api/v1/orgs/demo/users", {"email": "nul@demo.example", "name": "Nul", "role": "staff", "password": "\u0000" + "a" * 11}, manager
)
finding("4b a password starting with NUL is refused", status == 422, f"answered {status}")

# 5. The session cookie with text/plain from another site changed data.
status, _, _ = call(
    "PATCH", "/api/v1/me", raw=b'{"language":"en"}',
    headers={"Cookie": f"luotsi_session={staff}", "Content-Type": "text/plain", "Origin": "https://evil.example"},
)
finding("5 cross-site write with the session cookie", status == 403, f"PATCH /me answered {status}")

# 7. A goal titled x;=1+1;x was exported unchanged, so a spreadsheet read a formula.
call("POST", "/api/v1/orgs/demo/goals", {"title": "x;=1+1;x", "level": "organisation"}, manager)
status, _, body = call("GET", "/api/v1/orgs/demo/export?what=goals", None, manager)
text = body.decode("utf-8", "replace")
# Held when the cell is quoted, so that a spreadsheet splitting on ";" keeps it one text cell.
quoted = '"x;=1+1;x"' in text
finding("7 CSV formula injection", status == 200 and quoted, "exported quoted as one cell" if quoted else "exported bare: x;=1+1;x")

# 8. The platform administrator's actions were audited nowhere.
status, _, _ = call("GET", "/api/v1/platform/audit", None, admin)
finding("8a a platform audit trail exists", status == 200, f"GET /platform/audit answered {status}")

# 8. The organisation's own database role could rewrite its audit trail.
code, schema = psql("SELECT schema_name FROM platform.organisations WHERE slug = 'demo'")
code, output = psql(f"BEGIN; SET LOCAL ROLE {schema}; SET LOCAL search_path = {schema}; UPDATE audit_log SET action = action; ROLLBACK;")
finding("8b the organisation role cannot UPDATE its audit_log", code != 0, output.splitlines()[-1] if output else f"psql exit {code}")

# 9. No Content-Security-Policy, X-Content-Type-Options or no-store on the token's response.
status, headers, _ = call("GET", "/api/v1/me", None, staff)
lower = {k.lower(): v for k, v in headers.items()}
finding(
    "9a security headers", "content-security-policy" in lower and lower.get("x-content-type-options") == "nosniff",
    f"CSP {'present' if 'content-security-policy' in lower else 'missing'}, X-Content-Type-Options {lower.get('x-content-type-options')}",
)
status, headers, _ = login("management")
cache = {k.lower(): v for k, v in headers.items()}.get("cache-control", "")
finding("9b the sign-in response is not cached", "no-store" in cache, f"Cache-Control: {cache or 'missing'}")

# 10. statement_timeout and idle_in_transaction_session_timeout were 0.
code, output = psql("SHOW statement_timeout")
finding("10 statement_timeout is set for the application's role", code == 0 and output not in ("0", ""), f"statement_timeout = {output}")

# 13. Undeclared methods answered 404; an out-of-enum lang was accepted.
status, headers, _ = call("TRACE", "/api/v1/catalogue", None, staff)
finding("13a an undeclared method is 405 with Allow", status == 405 and any(k.lower() == "allow" for k in headers), f"TRACE /catalogue answered {status}")
status, _, _ = call("GET", "/api/v1/catalogue?lang=", None, staff)
finding("13b an out-of-enum lang is refused", status == 422, f"GET /catalogue?lang= (empty) answered {status}")

# Last: these wrong sign-ins also count against this address in the throttle.
# 1. A NUL in the e-mail or the organisation made a new throttle key on every try and still found the account.
status, _, _ = login("staff", email=accounts["staff"][0] + "\u0000x")
finding("1a sign-in with NUL after the e-mail", status != 200, f"answered {status}")
status, _, _ = login("staff", organisation="demo\u0000zz")
finding("1b sign-in with NUL after the organisation", status != 200, f"answered {status}")

# 1. Parallel wrong passwords for one account all got 401: the check ran before the count.
with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
    statuses = list(pool.map(lambda _: login("lead", password="wrong password " + "x" * 5)[0], range(40)))
# Only the throttle's 5 free failures (account at this address) may reach the password check.
finding("1c 40 parallel wrong passwords", statuses.count(401) <= 5, f"{statuses.count(401)} × 401, {statuses.count(429)} × 429")

print(f"security probe: {results.count(True)} held, {results.count(False)} open")
sys.exit(0 if all(results) else 1)
