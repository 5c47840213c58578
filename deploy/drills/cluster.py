#!/usr/bin/env python3
"""Checks a running cluster of Luotsi instances (deploy/cluster), printing figures.

  cluster.py NGINX_URL INSTANCE_A_URL INSTANCE_B_URL CREDENTIALS A_PID_FILE ACKNOWLEDGED_FILE NGINX_ACCESS_LOG

1. Both instances serve, directly and through nginx.
2. A session made on one instance works on the other.
3. Sign-out, suspension of the organisation and a role change (which ends the person's
   sessions) made on one instance take effect on the other, each timed (the instances tell each
   other through LISTEN/NOTIFY).
4. The sign-in throttle counts failures made on both instances together.
5. Through nginx everyone is one address (127.0.0.1, as behind one office NAT): after 50 failed
   sign-ins with made-up e-mails there, the staff member, who signed in from there before, still
   gets in (200). Printed, with what is expected: someone who never signed in from there is
   refused (429), forged X-Forwarded-For or not; a browser with the device cookie the account got
   at an earlier sign-in elsewhere gets in.
6. Under a write load through nginx, instance A (its pid read from A_PID_FILE, which its
   supervisor keeps current) is killed with SIGKILL once; this prints how nginx moved on.
7. The same for 20 s with A killed every 3 s, its supervisor starting it again each time; A must
   serve again afterwards.
The unique comments of the writes acknowledged in 6 and 7 go to ACKNOWLEDGED_FILE, one a line,
for the caller to look each one up in PostgreSQL. NGINX_ACCESS_LOG (method, path, status, the
instances tried) tells which instance answered and what nginx passed on.

Any failed expectation exits non-zero.
"""
import http.client
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drill  # noqa: E402  (the shared HTTP helpers and write load)

call = drill.call


def credentials(path):
    people = {}
    for line in open(path).read().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("management", "lead", "staff"):
            people[parts[0]] = (parts[1], parts[2])
        elif len(parts) >= 4 and parts[:2] == ["platform", "admin"]:
            people["admin"] = (parts[2], parts[3])
    return people


def sign_in(base, who, organisation="demo"):
    email, password = who
    body = {"email": email, "password": password}
    if organisation:
        body["organisation"] = organisation
    status, _, answer = call(f"{base}/api/v1/auth/login", "POST", body=body)
    expect(status == 200, f"sign-in of {email} on {base}: {status} {answer[:200]!r}")
    return json.loads(answer)["token"]


def expect(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def until(check, limit=5.0):
    """Seconds until `check()` holds, polled every 10 ms; None if it never did within `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if check():
            return time.monotonic() - started
        time.sleep(0.01)
    return None


def login(base, email, password, headers=None):
    """`POST /api/v1/auth/login` for the demo organisation with extra request headers; the status."""
    body = json.dumps({"organisation": "demo", "email": email, "password": password}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Browser:
    """A browser's cookie jar on the sign-in page, connecting from a chosen loopback address (nginx
    sees that address and passes it on as X-Forwarded-For). Redirects are not followed."""

    def __init__(self, base, source):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.source = url.hostname, url.port, source
        self.cookies = {}

    def request(self, method, path, form=None):
        origin = f"http://{self.host}:{self.port}"
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html", "Sec-Fetch-Site": "same-origin"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                if "Max-Age=0" in cookie:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, page, response.headers.get("Location")
        finally:
            connection.close()

    def form_token(self, path):
        status, page, _ = self.request("GET", path)
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        expect(status == 200 and match, f"{path}: {status}, csrf field {'found' if match else 'missing'}")
        return match.group(1)

    def sign_in(self, email, password):
        """The sign-in form as a person fills it in (CSRF field and cookie from the page); the status."""
        status, _, _ = self.request("POST", "/sign-in", {"csrf": self.form_token("/"), "next": "", "organisation": "demo",
                                                         "email": email, "password": password, "code": ""})
        return status

    def sign_out(self):
        """The sign-out button on the home page: the session ends, the device cookie stays."""
        status, _, home = self.request("GET", "/")
        expect(status == 303 and home, f"signed in, / answers {status} {home}")
        status, _, _ = self.request("POST", "/sign-out", {"csrf": self.form_token(home)})
        expect(status == 303 and "luotsi_session" not in self.cookies, f"sign-out: {status}, cookies {sorted(self.cookies)}")


def proxy_lockout(through, people):
    """Through nginx every request comes from 127.0.0.1 (X-Forwarded-For is what nginx saw), so
    for the instances everyone is one address: an office behind one NAT, the worst case."""
    management = sign_in(through, people["management"])
    stamp = int(time.time())
    newcomer = (f"newcomer-{stamp}@demo.example", secrets.token_urlsafe(16))
    traveller = (f"traveller-{stamp}@demo.example", secrets.token_urlsafe(16))
    for (email, password), name in ((newcomer, "Noora Uusi"), (traveller, "Tuomas Matkalla")):
        status, _, answer = call(f"{through}/api/v1/orgs/demo/users", "POST", management,
                                 {"email": email, "name": name, "role": "staff", "password": password})
        expect(status == 201, f"creating {email} as management: {status} {answer[:200]!r}")
    print(f"proxy: management created two staff members through nginx ({newcomer[0]}, {traveller[0]}); creating signs no one in")
    # The traveller signs in once from elsewhere (127.0.0.2: a home connection) with a browser,
    # which keeps the device cookie it is given.
    laptop = Browser(through, "127.0.0.2")
    status = laptop.sign_in(*traveller)
    expect(status == 303 and "luotsi_device" in laptop.cookies,
           f"page sign-in of {traveller[0]} from 127.0.0.2: {status}, cookies {sorted(laptop.cookies)}")
    laptop.sign_out()
    print(f"proxy: {traveller[0]} signed in on the sign-in page from 127.0.0.2 through nginx: {status}, and signed out; "
          "the browser keeps its luotsi_device cookie")

    staff_email, staff_password = people["staff"]
    status = login(through, staff_email, staff_password)
    expect(status == 200, f"staff sign-in through nginx before the failures: {status}")
    print(f"proxy: staff ({staff_email}) signs in through nginx: {status} (127.0.0.1 is now known for that account)")

    statuses = []
    for attempt in range(50):
        statuses.append(login(through, f"made-up-{stamp}-{attempt}@demo.example", "not-the-password-1"))
    counts = {str(status): statuses.count(status) for status in sorted(set(statuses))}
    expect(429 in statuses, f"50 failures from one address and it was never throttled: {counts} (the drill would show nothing)")
    print(f"proxy: 50 failed sign-ins with made-up e-mails through nginx: {counts}; the address is throttled "
          f"from attempt {statuses.index(429) + 1} on (30 failures free per address, counted with the earlier ones)")

    status = login(through, staff_email, staff_password)
    expect(status == 200, f"staff's correct password through nginx after 50 failures from the same address: {status}, expected 200")
    print(f"proxy: staff's correct password through nginx right after: {status} (signed in from this address before: "
          "not shut out by the others' failures)")

    def shown(label, status, expected, why):
        verdict = "as expected" if status == expected else f"NOT as expected ({expected})"
        print(f"proxy: {label}: {status}, {verdict}: {why}")

    shown(f"{newcomer[0]}, never signed in, correct password through nginx", login(through, *newcomer), 429,
          "an account new to an address under attack waits")
    shown("the same with a forged X-Forwarded-For: 203.0.113.7", login(through, *newcomer, {"X-Forwarded-For": "203.0.113.7"}),
          429, "nginx overwrites the header with the address it saw")
    shown(f"{traveller[0]} on a fresh browser at 127.0.0.1 (no device cookie), sign-in page",
          Browser(through, "127.0.0.1").sign_in(*traveller), 429, "the account never signed in from this address")
    laptop.source = "127.0.0.1"  # the same laptop, now at the office
    shown(f"{traveller[0]} on the browser with the luotsi_device cookie from the earlier sign-in, now at 127.0.0.1, sign-in page",
          laptop.sign_in(*traveller), 303, "signed in (redirected home): the device counts on its own, not the address")


def read_your_writes(a, b, people, rounds=100):
    """A write on A, then a read on B, as the API client and as the browser: every read shows the
    write. B reads the goal first each round, so that its cache holds the version before it."""
    lead = sign_in(a, people["lead"])
    goal = json.loads(call(f"{a}/api/v1/orgs/demo/goals?status=scheduled&limit=1", token=lead)[2])["items"][0]
    api_a, api_b = (f"{base}/api/v1/orgs/demo/goals/{goal['id']}" for base in (a, b))
    page_b = f"{b}/goals/{goal['id']}"
    session = {"Cookie": f"luotsi_session={lead}"}
    tag = f"ryw-{int(time.time())}"
    stale_without = 0
    for round in range(rounds):
        status, headers, _ = call(api_b, token=lead)
        expect(status == 200, f"read-your-writes: B reads the goal: {status}")
        call(page_b, headers=session)
        title = f"Read your writes {tag} {round}"
        status, answer_headers, answer = call(api_a, "PATCH", lead, {"title": title}, headers={"If-Match": headers["ETag"]})
        seen = answer_headers.get("Luotsi-Data-Version")
        expect(status == 200 and seen, f"read-your-writes: the write on A: {status} {answer[:200]!r}, token {seen!r}")
        # Without the token B may be a notification behind: counted, and the next reads show why it is carried.
        if json.loads(call(api_b, token=lead)[2])["title"] != title:
            stale_without += 1
        shown = json.loads(call(api_b, token=lead, headers={"Luotsi-Data-Version": seen})[2])["title"]
        expect(shown == title, f"read-your-writes round {round}: B's API answered {shown!r} after the write of {title!r}")
        status, _, html = call(page_b, headers={"Cookie": f"luotsi_session={lead}; luotsi_seen={seen}"})
        expect(status == 200 and title.encode() in html, f"read-your-writes round {round}: B's goal page ({status}) lacks {title!r}")
    status, headers, _ = call(api_a, token=lead)
    call(api_a, "PATCH", lead, {"title": goal["title"]}, headers={"If-Match": headers["ETag"]})
    print(f"read-your-writes: {rounds} rounds of a title changed on A, then read on B: the API with the answered token "
          f"and the goal page with the cookie showed the write {rounds} of {rounds} times; without the token B was "
          f"still a notification behind in {stale_without}")


def read_pid(pid_file, other_than=None, limit=10.0):
    """The instance's pid as its supervisor last wrote it; waits (up to `limit`) for one other than `other_than`."""
    deadline = time.monotonic() + limit
    while True:
        try:
            pid = int(open(pid_file).read().strip())
        except (OSError, ValueError):
            pid = None
        if pid and pid != other_than:
            return pid
        expect(time.monotonic() < deadline, f"no new pid in {pid_file} within {limit} s (is the supervisor running?)")
        time.sleep(0.05)


def ready(base):
    try:
        return call(f"{base}/health/ready", timeout=1)[0] == 200
    except Exception:
        return False


def kills_under_load(through, a, token, goal, tag, seconds, kill_times, pid_file, access_log):
    """Writers through nginx for `seconds` while instance A, its pid read from `pid_file` each time,
    is killed with SIGKILL at each of `kill_times` (seconds from the start); then waits (up to 20 s)
    for A to be ready again. Returns the writers, the kills (time, pid, whether A was ready just
    before, seconds until it was ready again or None) and nginx's log lines of the check-ins."""
    log_start = os.path.getsize(access_log)
    writers = drill.Writers(through, token, goal, tag)
    samples, stop_watch = [], threading.Event()
    watcher = threading.Thread(target=drill.watch_ready, args=(a, stop_watch, samples))
    load = threading.Thread(target=writers.run, args=(seconds,))
    watcher.start()
    started = time.monotonic()
    load.start()
    kills = []
    for at in kill_times:
        time.sleep(max(0.0, started + at - time.monotonic()))
        pid = read_pid(pid_file, other_than=kills[-1][1] if kills else None)
        was_ready = ready(a)
        os.kill(pid, signal.SIGKILL)
        kills.append((time.monotonic(), pid, was_ready))
    load.join()
    until(lambda: any(t > kills[-1][0] and status == 200 for t, status in list(samples)), limit=20.0)
    stop_watch.set()
    watcher.join()
    kills = [(t, pid, was_ready, next((seen - t for seen, status in samples if seen > t and status == 200), None))
             for t, pid, was_ready in kills]
    with open(access_log) as log:
        log.seek(log_start)
        lines = [line for line in log.read().splitlines() if line.startswith("POST ") and line.split(" ")[1].endswith("/checkins")]
    return writers, kills, lines


def upstreams(lines, a, b):
    """From nginx's log: check-ins answered by A, by B, and passed on to another instance after one failed."""
    port_a, port_b = (f":{urllib.parse.urlsplit(base).port}" for base in (a, b))
    tried = [line.split(" upstream=", 1)[1].split(" statuses=", 1)[0].split(", ") for line in lines]
    by_a = sum(1 for hops in tried if hops[-1].endswith(port_a))
    by_b = sum(1 for hops in tried if hops[-1].endswith(port_b))
    passed_on = sum(1 for hops in tried if len(hops) > 1)
    return by_a, by_b, passed_on


def main():
    through, a, b, path, pid_file, acknowledged_file, access_log = sys.argv[1:8]
    people = credentials(path)

    # 1. Both instances and nginx answer.
    for name, base in (("instance A", a), ("instance B", b), ("nginx", through)):
        status, _, _ = call(f"{base}/health/ready")
        expect(status == 200, f"{name} not ready: {status}")
    print("instances: A and B ready; nginx in front of both")

    # 2. One session, both instances.
    token = sign_in(a, people["lead"])
    status_a, _, me_a = call(f"{a}/api/v1/me", token=token)
    status_b, _, me_b = call(f"{b}/api/v1/me", token=token)
    expect(status_a == 200 and status_b == 200, f"session made on A: A says {status_a}, B says {status_b}")
    print(f"a session made on A works on B: /api/v1/me is {status_b} there, as {json.loads(me_b)['email']}")

    # 3. Changes made on A, seen on B (whose cache holds the session, warmed just above).
    status, _, _ = call(f"{a}/api/v1/auth/logout", "POST", token=token)
    expect(status in (200, 204), f"sign-out on A: {status}")
    delay = until(lambda: call(f"{b}/api/v1/me", token=token)[0] == 401)
    expect(delay is not None and delay < 1.0, f"sign-out on A not seen on B within 1 s ({delay})")
    print(f"sign-out on A: B refuses the session after {delay * 1000:.0f} ms")

    staff = sign_in(b, people["staff"])
    expect(call(f"{b}/api/v1/orgs/demo/dashboard", token=staff)[0] == 200, "staff cannot read on B")
    admin = sign_in(a, people["admin"], organisation=None)
    status, _, _ = call(f"{a}/api/v1/platform/organisations/demo", "PATCH", admin, {"status": "suspended"})
    expect(status == 200, f"suspending on A: {status}")
    delay = until(lambda: call(f"{b}/api/v1/orgs/demo/dashboard", token=staff)[0] in (401, 403))
    status, _, _ = call(f"{a}/api/v1/platform/organisations/demo", "PATCH", admin, {"status": "active"})
    expect(status == 200, f"reactivating on A: {status}")
    expect(delay is not None and delay < 1.0, f"suspension on A not seen on B within 1 s ({delay})")
    print(f"organisation suspended on A: B refuses its people after {delay * 1000:.0f} ms (reactivated afterwards)")

    lead = sign_in(b, people["lead"])
    _, _, me = call(f"{b}/api/v1/me", token=lead)
    lead_id = json.loads(me)["id"]
    management = sign_in(a, people["management"])
    status, _, answer = call(f"{a}/api/v1/orgs/demo/users/{lead_id}", "PATCH", management, {"role": "staff"})
    expect(status == 200, f"role change on A: {status} {answer[:200]!r}")
    # A role change ends the person's sessions (they sign in again under the new role).
    delay = until(lambda: call(f"{b}/api/v1/me", token=lead)[0] == 401)
    again = sign_in(b, people["lead"])
    role_after = json.loads(call(f"{b}/api/v1/me", token=again)[2])["role"]
    call(f"{a}/api/v1/orgs/demo/users/{lead_id}", "PATCH", management, {"role": "lead"})
    expect(delay is not None and delay < 1.0, f"role change on A not seen on B within 1 s ({delay})")
    expect(role_after == "staff", f"signed in again on B, the role is {role_after}")
    print(f"role changed on A (lead → staff): B ends the old session after {delay * 1000:.0f} ms; signed in again there, the role is {role_after} (changed back afterwards)")

    # 3b. Read models: B's cache never hides a write made on A from the one who made it.
    read_your_writes(a, b, people)

    # 4. The throttle counts across instances: the same account and address, alternating A and B.
    email = "nobody-throttle@demo.example"  # an unknown account: counted like any other, locks no one out
    statuses = []
    for attempt in range(7):
        base = a if attempt % 2 == 0 else b
        status, _, _ = call(f"{base}/api/v1/auth/login", "POST", body={"organisation": "demo", "email": email, "password": "wrong"})
        statuses.append(status)
    expect(429 in statuses, f"no 429 after 7 failures spread over A and B: {statuses}")
    first = statuses.index(429)
    print(f"sign-in throttle: failures alternating A, B, A, …: {statuses}; throttled from attempt {first + 1} (5 free per account and address, counted together)")

    # 5. One address for everyone through nginx, under attack.
    proxy_lockout(through, people)

    # 6. A dies under a write load through nginx.
    token = drill.sign_in(through, path)  # staff: known at 127.0.0.1, so the failures above do not stop them
    goal = drill.followed_goal(through, token)
    tag = f"cluster-kill-{int(time.time())}"
    print(f"tag {tag}")
    writers, kills, _ = kills_under_load(through, a, token, goal, f"{tag}-once", 10, [3], pid_file, access_log)
    killed = kills[0][0]
    after = sorted((entry for entry in writers.log if entry[0] >= killed), key=lambda entry: entry[0])
    failed_after = [entry for entry in after if entry[2] != 201]
    last_failure = max((entry[1] for entry in failed_after), default=killed)
    print(f"kill -9 of instance A under load through nginx, after 3 s of 10: check-ins sent {writers.sent}, "
          f"acknowledged (201) {writers.acknowledged}")
    print(f"answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    in_flight = [entry for entry in writers.log if entry[0] < killed <= entry[1]]
    print(f"in flight at the kill: {len(in_flight)}, not acknowledged {sum(1 for entry in in_flight if entry[2] != 201)} "
          f"(nginx answers 502: a write A may have had is not sent again)")
    print(f"sent after the kill: {len(after)}, not acknowledged {len(failed_after)}; all acknowledged again "
          f"{last_failure - killed:.2f} s after the kill (nginx moved on to B)")
    acknowledged = list(writers.acknowledged_comments)

    # 7. A killed again and again under a write load, its supervisor starting it each time.
    seconds, every = 20, 3
    writers, kills, lines = kills_under_load(through, a, token, goal, f"{tag}-repeated", seconds,
                                             list(range(every, seconds, every)), pid_file, access_log)
    pids = [kill[1] for kill in kills]
    expect(len(kills) >= 4 and len(set(pids)) == len(pids), f"kills: {pids}")
    by_a, by_b, passed_on = upstreams(lines, a, b)
    print(f"repeated kills: kill -9 of instance A every {every} s under load through nginx for {seconds} s: {len(kills)} kills "
          f"(pids {', '.join(map(str, pids))}: each a new process its supervisor started; A was ready at "
          f"{sum(1 for kill in kills if kill[2])} of them)")
    print("repeated kills: A ready again after each kill (supervisor waits 1 s, then the start): "
          + ", ".join("never" if kill[3] is None else f"{kill[3]:.1f} s" for kill in kills))
    cut_off = [sum(1 for started, finished, status in writers.log if started < kill[0] <= finished and status != 201) for kill in kills]
    print(f"repeated kills: writes in flight on A cut off by each kill (502, not acknowledged): {', '.join(map(str, cut_off))} "
          "(none when the kill comes while nginx still skips A after an earlier one: fail_timeout=10s)")
    print(f"repeated kills: check-ins sent {writers.sent}, acknowledged (201) {writers.acknowledged}, "
          f"not acknowledged {writers.sent - writers.acknowledged}; answers by status: "
          f"{dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    print(f"repeated kills: nginx answered {by_a} from A and {by_b} from B; {passed_on} passed on to B after A failed "
          "(only requests A never got: a write A dropped mid-way is answered 502, not acknowledged, never retried)")
    expect(kills[-1][3] is not None and ready(a), "instance A is not ready again 20 s after the last kill")
    print(f"repeated kills: instance A serving again {kills[-1][3]:.1f} s after the last kill: /health/ready on its own port is 200")
    acknowledged += writers.acknowledged_comments
    with open(acknowledged_file, "w") as out:
        out.writelines(f"{comment}\n" for comment in acknowledged)
    print(f"acknowledged {len(acknowledged)}")


if __name__ == "__main__":
    main()
