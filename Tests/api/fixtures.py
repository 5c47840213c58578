"""Signs in every demo role and makes the records schemathesis needs real ids of.

Usage: python3 Tests/api/fixtures.py BASE_URL CREDENTIALS_FILE > fixtures.env
Prints `NAME=value` lines (tokens and ids) for Tests/api/run to export; the config file
Tests/api/schemathesis.toml reads them as ${NAME}.
"""

import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import demo_accounts  # noqa: E402

base, credentials_file = sys.argv[1].rstrip("/"), sys.argv[2]


def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        sys.exit(f"fixtures: {method} {path} answered {error.code}: {error.read().decode()[:300]}")


# `luotsi demo --credentials-file` lines: "  <role words>  <email>  <password>".
accounts = demo_accounts.read(credentials_file)
if set(accounts) != {"platform", "management", "lead", "staff"}:
    sys.exit(f"fixtures: expected four demo sign-ins in {credentials_file}, found {sorted(accounts)}")

tokens = {}
for role, (email, password) in accounts.items():
    body = {"email": email, "password": password}
    if role != "platform":
        body["organisation"] = "demo"
    tokens[role] = call("POST", "/api/v1/auth/login", body)["token"]

org = "/api/v1/orgs/demo"
manager = tokens["management"]
procurement = call("POST", f"{org}/procurements", {"title": "Schemathesis procurement"}, manager)["id"]
goal = call("POST", f"{org}/goals", {"title": "Schemathesis goal", "level": "organisation"}, manager)["id"]
task = call("POST", f"{org}/procurements/{procurement}/tasks", {"title": "Schemathesis task", "goalId": goal}, manager)["id"]
user = call(
    "POST", f"{org}/users",
    {"email": "fuzz-target@demo.example", "name": "Fuzz Target", "role": "staff", "password": "fuzz-target-password"}, manager,
)["id"]
# An organisation of its own for the platform administrator's run to suspend and rename.
call(
    "POST", "/api/v1/platform/organisations",
    {"slug": "fuzz-target", "name": "Fuzz target", "management": {"email": "m@fuzz.example", "name": "M", "password": "fuzz-target-password"}},
    tokens["platform"],
)
catalogue = call("GET", "/api/v1/catalogue?lang=en", None, manager)
theme = catalogue["themes"][0]
values = {
    "LUOTSI_TOKEN_STAFF": tokens["staff"],
    "LUOTSI_TOKEN_LEAD": tokens["lead"],
    "LUOTSI_TOKEN_MANAGEMENT": manager,
    "LUOTSI_TOKEN_PLATFORM": tokens["platform"],
    "LUOTSI_PROCUREMENT": procurement,
    "LUOTSI_GOAL": goal,
    "LUOTSI_TASK": task,
    "LUOTSI_USER": user,
    "LUOTSI_THEME_CODE": theme["code"],
    "LUOTSI_GOAL_CODE": theme["goals"][0]["code"],
}
for name, value in values.items():
    print(f"{name}={value}")
