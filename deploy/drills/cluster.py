#!/usr/bin/env python3
"""Checks a running cluster of Luotsi instances (deploy/cluster), printing figures.

  cluster.py NGINX_URL INSTANCE_A_URL INSTANCE_B_URL CREDENTIALS KILL_PID

1. Both instances serve, directly and through nginx.
2. A session made on one instance works on the other.
3. Sign-out, suspension of the organisation and a role change (which ends the person's
   sessions) made on one instance take effect on the other, each timed (the instances tell each
   other through LISTEN/NOTIFY).
4. The sign-in throttle counts failures made on both instances together.
5. Under a write load through nginx, KILL_PID (instance A) is killed with SIGKILL: the caller
   then counts that every acknowledged write is stored; this prints how nginx moved on.

Any failed expectation exits non-zero.
"""
import json
import os
import signal
import sys
import threading
import time

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


def main():
    through, a, b, path, kill_pid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
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

    # 5. A dies under a write load through nginx.
    token = drill.sign_in(through, path)  # staff: the throttle above counts the wrong password only
    goal = drill.followed_goal(through, token)
    tag = f"cluster-kill-{int(time.time())}"
    writers = drill.Writers(through, token, goal, tag)
    load = threading.Thread(target=writers.run, args=(10,))
    load.start()
    time.sleep(3)
    killed = time.monotonic()
    os.kill(kill_pid, signal.SIGKILL)
    load.join()
    after = sorted((entry for entry in writers.log if entry[0] >= killed), key=lambda entry: entry[0])
    failed_after = [entry for entry in after if entry[2] != 201]
    last_failure = max((entry[1] for entry in failed_after), default=killed)
    print(f"tag {tag}")
    print(f"kill -9 of instance A under load through nginx, after 3 s of 10: check-ins sent {writers.sent}, "
          f"acknowledged (201) {writers.acknowledged}")
    print(f"answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    print(f"sent after the kill: {len(after)}, not acknowledged {len(failed_after)}; all acknowledged again "
          f"{last_failure - killed:.2f} s after the kill (nginx moved on to B)")
    print(f"acknowledged {writers.acknowledged}")


if __name__ == "__main__":
    main()
