#!/usr/bin/env python3
"""Fault drills against a running Luotsi (loopback only), printing figures.

  drill.py postgres-restart URL CREDENTIALS PGDATA MODE   (MODE: fast or immediate)
  drill.py sigterm URL CREDENTIALS SERVER_PID
  drill.py slow-database URL CREDENTIALS LOCK_COMMAND...
  drill.py signs-in URL CREDENTIALS        (every demo person signs in and reads a page of theirs)
  drill.py failover URL CREDENTIALS FAILOVER_COMMAND...   (the command kills the primary and promotes)

Writers sign in as the demo's staff member and record check-ins (each with a unique comment) on
a goal they follow up, counting what was acknowledged; afterwards the caller counts what was
stored. Every loop is bounded in time and count.
"""
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

WRITERS = 8
SECONDS = 12
MAX_REQUESTS = 20_000


def call(url, method="GET", token=None, body=None, timeout=30, headers=None):
    headers = dict(headers or {})
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def sign_in(base, credentials):
    lines = open(credentials).read().splitlines()
    staff = next(line.split() for line in lines if line.strip().startswith("staff"))
    status, _, body = call(f"{base}/api/v1/auth/login", "POST", body={"organisation": "demo", "email": staff[1], "password": staff[2]})
    assert status == 200, f"sign-in failed: {status} {body[:200]}"
    return json.loads(body)["token"]


def followed_goal(base, token):
    """A scheduled goal the staff member may check in on."""
    _, _, body = call(f"{base}/api/v1/orgs/demo/goals?status=scheduled&level=procurement&limit=200", token=token)
    for goal in json.loads(body)["items"]:
        status, _, _ = call(f"{base}/api/v1/orgs/demo/goals/{goal['id']}/checkins", "POST", token,
                            {"status": "on_track", "attainment": 1, "comment": "drill-probe"})
        if status == 201:
            return goal["id"]
    raise SystemExit("no goal the staff member follows up")


class Writers:
    def __init__(self, base, token, goal, tag):
        self.base, self.token, self.goal, self.tag = base, token, goal, tag
        self.lock = threading.Lock()
        self.sent = self.acknowledged = self.answered = 0
        self.statuses = {}
        self.retry_after_missing = 0
        self.slowest = 0.0
        self.stop = threading.Event()
        self.log = []  # (started, finished, status) of every request
        self.acknowledged_comments = []  # the unique comment of every write answered 201

    @classmethod
    def signed_in(cls, base, credentials, drill):
        """Writers as the staff member, on a goal they follow up, tagged with the drill's name."""
        token = sign_in(base, credentials)
        return cls(base, token, followed_goal(base, token), f"drill-{drill}-{int(time.time())}")

    def run(self, seconds=SECONDS):
        threads = [threading.Thread(target=self.loop, args=(index,)) for index in range(WRITERS)]
        for thread in threads:
            thread.start()
        self.stop.wait(seconds)
        self.stop.set()
        for thread in threads:
            thread.join()

    def loop(self, index):
        number = 0
        while not self.stop.is_set() and self.sent < MAX_REQUESTS:
            number += 1
            with self.lock:
                self.sent += 1
            started = time.monotonic()
            comment = f"{self.tag}-{index}-{number}"
            try:
                status, headers, _ = call(
                    f"{self.base}/api/v1/orgs/demo/goals/{self.goal}/checkins", "POST", self.token,
                    {"status": "on_track", "attainment": 50, "comment": comment}, timeout=40)
            except Exception:  # refused or reset connection: no answer
                status, headers = None, {}
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            with self.lock:
                self.log.append((started, started + elapsed, status))
                self.slowest = max(self.slowest, elapsed)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status is not None:
                    self.answered += 1
                if status == 201:
                    self.acknowledged += 1
                    self.acknowledged_comments.append(comment)
                if status in (429, 503) and "Retry-After" not in headers:
                    self.retry_after_missing += 1


def watch_ready(base, stop, samples):
    while not stop.is_set():
        try:
            status, _, _ = call(f"{base}/health/ready", timeout=2)
        except Exception:
            status = None
        samples.append((time.monotonic(), status))
        time.sleep(0.02)


def postgres_restart(base, credentials, pgdata, mode):
    writers = Writers.signed_in(base, credentials, f"restart-{mode}")
    tag = writers.tag
    samples, stop_watch = [], threading.Event()
    watcher = threading.Thread(target=watch_ready, args=(base, stop_watch, samples))
    watcher.start()
    load = threading.Thread(target=writers.run)
    load.start()
    time.sleep(3)
    restart_started = time.monotonic()
    subprocess.run(["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", pgdata, "-m", mode, "-w", "-t", "60",
                    "restart"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    back = time.monotonic()
    load.join()
    stop_watch.set()
    watcher.join()
    down = [t for t, s in samples if t >= restart_started and s != 200]
    first_ok_after = next((t for t, s in samples if t >= back and s == 200), None)
    print(f"tag {tag}")
    print(f"restart -m {mode}: PostgreSQL back after {back - restart_started:.2f} s")
    print(f"/health/ready: {len(down)} samples not 200 during the outage; 200 again {first_ok_after - back if first_ok_after else float('nan'):.2f} s after PostgreSQL was back")
    print(f"check-ins sent {writers.sent}, answered {writers.answered}, acknowledged (201) {writers.acknowledged}")
    print(f"answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    print(f"429/503 without Retry-After: {writers.retry_after_missing}")


def sigterm(base, credentials, pid):
    writers = Writers.signed_in(base, credentials, "sigterm")
    tag = writers.tag
    load = threading.Thread(target=writers.run, args=(6,))
    load.start()
    time.sleep(3)
    killed = time.monotonic()
    subprocess.run(["kill", "-TERM", str(pid)], check=True)
    time.sleep(0.3)
    try:
        ready_while_draining, _, _ = call(f"{base}/health/ready", timeout=2)
    except Exception:
        ready_while_draining = None
    load.join()
    before = [entry for entry in writers.log if entry[0] < killed]
    in_flight = [entry for entry in before if entry[1] >= killed]
    after = [entry for entry in writers.log if entry[0] >= killed]
    print(f"tag {tag}")
    print(f"check-ins sent before SIGTERM {len(before)}, of them in flight at SIGTERM {len(in_flight)}")
    print(f"in-flight requests that got no answer: {sum(1 for entry in in_flight if entry[2] is None)}; "
          f"all sent before SIGTERM and not answered: {sum(1 for entry in before if entry[2] is None)}")
    print(f"sent after SIGTERM: {len(after)}: answered during the grace period {sum(1 for entry in after if entry[2] is not None)}, "
          f"refused once the port closed (as expected) {sum(1 for entry in after if entry[2] is None)}")
    print(f"/health/ready while draining: {ready_while_draining}")
    print(f"acknowledged (201) {writers.acknowledged}; answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")


def failover(base, credentials, command):
    """Writes under load while `command` kills the primary and promotes the standby."""
    writers = Writers.signed_in(base, credentials, "failover")
    tag = writers.tag
    load = threading.Thread(target=writers.run, args=(20,))
    load.start()
    time.sleep(4)
    killed = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    promoted = time.monotonic()
    load.join()
    after = sorted((entry for entry in writers.log if entry[0] >= killed), key=lambda entry: entry[0])
    first_ok = next((entry[1] for entry in after if entry[2] == 201), None)
    failed = [entry for entry in after if entry[2] != 201]
    last_failed = max((entry[1] for entry in failed), default=killed)
    print(f"tag {tag}")
    print(f"primary killed (immediate) and standby promoted: the command took {promoted - killed:.2f} s")
    print(f"first write acknowledged again {first_ok - killed if first_ok else float('nan'):.2f} s after the kill; "
          f"the last refused one ended {last_failed - killed:.2f} s after it")
    print(f"check-ins sent {writers.sent}, acknowledged (201) {writers.acknowledged}")
    print(f"answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    print(f"429/503 without Retry-After: {writers.retry_after_missing}")
    print(f"acknowledged {writers.acknowledged}")


def signs_in(base, credentials):
    """After a restore: each person of the demo signs in with their password and reads."""
    people = []
    for line in open(credentials).read().splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] in ("management", "lead", "staff"):
            people.append((parts[0], parts[1], parts[2], None))
        elif len(parts) >= 4 and parts[:2] == ["platform", "admin"] and not parts[3].startswith("("):
            people.append(("platform admin", parts[2], parts[3], None))
    assert people, "no sign-ins in the credentials file"
    for role, email, password, _ in people:
        body = {"email": email, "password": password}
        if role != "platform admin":
            body["organisation"] = "demo"
        status, _, answer = call(f"{base}/api/v1/auth/login", "POST", body=body)
        assert status == 200, f"{role} could not sign in: {status} {answer[:200]}"
        token = json.loads(answer)["token"]
        page = f"{base}/api/v1/platform/organisations" if role == "platform admin" else f"{base}/api/v1/orgs/demo/goals"
        status, _, answer = call(page, token=token)
        assert status == 200, f"{role} signed in but could not read {page}: {status}"
        print(f"signed in and read: {role} ({email}): {len(json.loads(answer).get('items', []))} items")


def slow_database(base, credentials, lock_command):
    writers = Writers.signed_in(base, credentials, "slow")
    tag = writers.tag
    locker = subprocess.Popen(lock_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    writers.run(25)
    locker.wait()
    print(f"tag {tag}")
    print(f"check-ins sent {writers.sent}, answered {writers.answered}, slowest answer {writers.slowest:.1f} s")
    print(f"answers by status: {dict(sorted((str(k), v) for k, v in writers.statuses.items()))}")
    print(f"429/503 without Retry-After: {writers.retry_after_missing}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "postgres-restart":
        postgres_restart(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif command == "sigterm":
        sigterm(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif command == "slow-database":
        slow_database(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "signs-in":
        signs_in(sys.argv[2], sys.argv[3])
    elif command == "failover":
        failover(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        raise SystemExit(__doc__)
