"""E-mail end to end: real `luotsi serve` processes, a real SMTP server (deploy/mailcatcher, which
writes each message it accepts to a folder) and a real PostgreSQL.

Usage: python3 Tests/mail/test_mail.py BINARY TREE CREDENTIALS_FILE WORK MAILCATCHER
  BINARY            the build under test (serve, and `reminders send` for the passes);
  TREE              its source tree (the servers and commands run there: its sql/);
  CREDENTIALS_FILE  what `BINARY demo --credentials-file` wrote (the database holds the demo);
  WORK              a scratch folder (logs, the catcher's folders, `pids`: every process started);
  MAILCATCHER       deploy/mailcatcher;
  PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE: the database (PGUSER owns the platform schema).
Tests/mail/run prepares all that. Prints one line per check (PASS or FAIL, with its figures) and
exits 1 if any failed. The steps share the database, in this order:
  1. a staff member's weekly digest (their language set to Swedish first) arrives with the overdue
     task and the due check-in, as text and HTML, and every link in it opens the right page;
  2. its one-click unsubscribe stops the next week's digest, and only the staff member's;
  3. with the SMTP server down messages wait and are retried, then each is delivered once;
  4. a server killed (SIGKILL) mid-delivery loses nothing, and a repeat is the same message;
  5. two servers on one outbox never send a message twice;
  6. nor do they when the SMTP server is slow: a message's lease outlasts its attempt (a build
     without LUOTSI_MAIL_TIMEOUT_SECONDS skips this step).
Servers run with LUOTSI_REMINDERS_AT=off: each pass is `luotsi reminders send --at MOMENT`, as of
a week later for each step that needs fresh digests, so that each step has periods of its own.
"""

import concurrent.futures
import datetime
import email
import email.message
import email.policy
import html
import http.client
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import demo_accounts  # noqa: E402

if len(sys.argv) != 6:
    sys.exit(__doc__)
binary, tree, credentials_file, work, mailcatcher = sys.argv[1:]
work = pathlib.Path(work)
started_at = time.monotonic()
results = []

# What the digest looks like in Swedish (Sources/Luotsi/Web/Site/translations/sv.json).
SV_SUBJECT_WEEKLY = "Luotsi veckosammanfattning: "
SV_SECTION_DUE = "På tur nu"
SV_SECTION_NEW = "Nytt sedan din förra sammanfattning"
SV_PAGE_TITLES = {"/my-work": "Mitt arbete", "/notifications": "Aviseringar", "/profile": "Min profil"}
# How long one SMTP attempt may take: a taken message's lease is twice that and 10 s
# (MailSender.lease), which is how long a killed sender's messages wait before they come back. A
# build that predates the setting ignores it (its lease was 120 s): step 4 waits for up to this.
ATTEMPT_TIMEOUT_SECONDS = 10
LONGEST_LEASE = 130


def check(name, ok, detail):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
    return ok


def note(text):
    print(f"      {text}", flush=True)


def elapsed(since):
    return f"{time.monotonic() - since:.1f} s"


# ---------------------------------------------------------------------------------------------
# Processes: every one started is written to WORK/pids (Tests/mail/run stops what is left).

processes = []


def remember_pids():
    (work / "pids").write_text("".join(f"{p.pid}\n" for p in processes if p.poll() is None))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path, lines=40):
    try:
        return "\n".join(pathlib.Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(no log: {error})"


class Catcher:
    """deploy/mailcatcher on `port`, writing to a folder of its own."""

    def __init__(self, name, port, delay=0.0):
        self.name, self.port, self.delay = name, port, delay
        self.folder = work / name
        self.log = work / f"{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, mailcatcher, "--dir", str(self.folder), "--port", str(port), "--delay", str(delay)],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        processes.append(self.process)
        remember_pids()
        deadline = time.monotonic() + 20
        while "mail catcher:" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the mail catcher did not start; its log:\n{tail(self.log)}")
            time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                note(f"the mail catcher {self.name} ignored SIGTERM for 15 s and was killed")
        remember_pids()

    def messages(self):
        """[(file name, message)] in the order received (names start with time.time_ns())."""
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            raw = path.read_bytes()
            found.append((path.name, raw, email.message_from_bytes(raw, policy=email.policy.default)))
        return found


smtp_port = free_port()


def mail_environment(public_url, metrics_port=0):
    environment = dict(os.environ)
    environment.update({
        "LUOTSI_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LUOTSI_PUBLIC_URL": public_url,
        "LUOTSI_MAIL_FROM": "luotsi@mail-test.example",
        "LUOTSI_MAIL_RETRY_SECONDS": "1",
        "LUOTSI_MAIL_TIMEOUT_SECONDS": str(ATTEMPT_TIMEOUT_SECONDS),
        "LUOTSI_REMINDERS_AT": "off",
        "LUOTSI_METRICS_PORT": str(metrics_port),
    })
    return environment


class Server:
    """`luotsi serve` on `port`, its links pointing at itself."""

    def __init__(self, name, port, metrics_port=0, settings=None):
        self.name, self.port, self.metrics_port = name, port, metrics_port
        self.settings = settings or {}
        self.base = f"http://127.0.0.1:{port}"
        self.log = work / f"{name}.log"
        self.process = None
        self.start()

    def start(self):
        with open(self.log, "a") as log:
            log.write(f"---- started by the suite at {datetime.datetime.now(datetime.timezone.utc).isoformat()}\n")
        self.process = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port)], cwd=tree,
            env={**mail_environment(self.base, self.metrics_port), **self.settings}, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        processes.append(self.process)
        remember_pids()
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}) while starting; its log:\n{tail(self.log)}")
            if call("GET", "/health/ready", server=self.base, timeout=2).status == 200:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} was not ready within 60 s; its log:\n{tail(self.log)}")
            time.sleep(0.2)

    def alive(self):
        return self.process.poll() is None

    def kill9(self):
        self.process.kill()
        self.process.wait()
        remember_pids()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                note(f"{self.name} ignored SIGTERM for 30 s and was killed")
        remember_pids()

    def metric(self, name):
        answer = call("GET", "/metrics", server=f"http://127.0.0.1:{self.metrics_port}")
        match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", answer.text(), re.M)
        return int(float(match.group(1))) if match else 0


def require_alive(*servers):
    for server in servers:
        if not server.alive():
            check(f"{server.name} still running", False, f"it exited ({server.process.returncode}); its log:\n{tail(server.log)}")
            raise RuntimeError(f"{server.name} died")


# ---------------------------------------------------------------------------------------------
# HTTP and the database


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def text(self):
        return self.body.decode("utf-8", "replace")


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a link that redirects (to the sign-in page, say) is reported as it is


opener = urllib.request.build_opener(_KeepRedirects)


def call(method, path, body=None, token=None, cookie=None, raw=None, content_type=None, server=None, timeout=30):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    url = path if path.startswith("http") else (server or main.base) + path
    request = urllib.request.Request(url, method=method, data=data)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if content_type:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        try:
            with opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read())
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        return Answer(0, email.message.Message(), str(error).encode())


def psql(sql):
    done = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"psql failed: {done.stderr.strip()}\n{sql}")
    return [line.split("\x1f") for line in done.stdout.splitlines() if line]


def outbox_since(seq):
    """The outbox rows written after `seq`, as dicts."""
    columns = ["seq", "message_id", "kind", "recipient", "subject", "attempts", "last_error", "sent", "dead", "has_body",
               "sensitive", "leased"]
    rows = psql(f"""SELECT seq, message_id, kind, recipient, subject, attempts, coalesce(last_error, ''), sent_at IS NOT NULL,
                           dead_at IS NOT NULL, body IS NOT NULL, sensitive, next_attempt_at > now()
                    FROM platform.mail_outbox WHERE seq > {int(seq)} ORDER BY seq""")
    out = []
    for row in rows:
        item = dict(zip(columns, row))
        item["attempts"] = int(item["attempts"])
        for flag in ("sent", "dead", "has_body", "sensitive", "leased"):
            item[flag] = item[flag] == "t"
        out.append(item)
    return out


def baseline(step):
    """The outbox's last seq before a step; anything a previous step left unsent is marked sent."""
    left = psql("UPDATE platform.mail_outbox SET sent_at = now() WHERE sent_at IS NULL AND dead_at IS NULL RETURNING message_id")
    if left:
        note(f"before step {step}: {len(left)} message(s) a previous step left unsent were marked sent")
    return int(psql("SELECT coalesce(max(seq), 0) FROM platform.mail_outbox")[0][0])


def wait_until_sent(seq, timeout):
    """Waits until every message written after `seq` is sent or dead; returns (seconds, rows, finished)."""
    start = time.monotonic()
    while True:
        rows = outbox_since(seq)
        if rows and all(r["sent"] or r["dead"] for r in rows):
            return time.monotonic() - start, rows, True
        if time.monotonic() - start > timeout:
            return time.monotonic() - start, rows, False
        time.sleep(0.2)


def reminder_pass(moment, server, deliver=False):
    """`luotsi reminders send --at MOMENT`; returns (digests written, its output)."""
    command = [binary, "reminders", "send", "--at", moment.strftime("%Y-%m-%dT%H:%M:%SZ")] + ([] if deliver else ["--no-deliver"])
    done = subprocess.run(command, cwd=tree, env=mail_environment(server.base), capture_output=True, text=True, timeout=120)
    output = " / ".join(line for line in done.stdout.splitlines() if line.strip())
    if done.returncode != 0:
        raise RuntimeError(f"luotsi reminders send failed ({done.returncode}): {done.stdout}{done.stderr}")
    match = re.search(r"(\d+) digests written", done.stdout)
    return (int(match.group(1)) if match else -1), output


def period(moment):
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def message_id(message):
    return str(message.get("Message-ID", "")).strip()


def recipient(message):
    return str(message.get("To", "")).strip().strip("<>")


def by_recipient(received):
    counts = {}
    for _, _, message in received:
        counts[recipient(message)] = counts.get(recipient(message), 0) + 1
    return counts


# ---------------------------------------------------------------------------------------------
# The demo's people

accounts = demo_accounts.read(credentials_file)


def sign_in(role, email=None, password=None):
    account_email, account_password = accounts.get(role, ("", ""))
    answer = call("POST", "/api/v1/auth/login",
                  {"organisation": "demo", "email": email or account_email, "password": password or account_password})
    if answer.status != 200:
        raise RuntimeError(f"{role} cannot sign in: {answer.status} {answer.body[:300]!r}")
    data = answer.json()
    cookie = None
    for line in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        if name.strip() in ("luotsi_session", "__Host-luotsi_session"):
            cookie = f"{name.strip()}={rest.split(';', 1)[0]}"
    return {"token": data["token"], "cookie": cookie, "id": data["user"]["id"].lower(), "email": data["user"]["email"]}


# =============================================================================================
# 1. The staff member's digest, in Swedish, and every link in it


def quoted(text):
    """The names a digest line quotes (”…” in Swedish)."""
    return re.findall(r"[”“\"]([^”“\"]+)[”“\"]", text)


def page_title(body):
    match = re.search(r"<title>([^<]*)</title>", body)
    return html.unescape(match.group(1)).strip() if match else ""


def text_items(text):
    """The text part's sections: {title: [(line, link)]}; an item is "- …" with its link below it."""
    sections, current, item = {}, None, None
    for line in text.splitlines():
        if line in (SV_SECTION_DUE, SV_SECTION_NEW):
            current, item = line, None
            sections[current] = []
        elif current and line.startswith("- "):
            item = line[2:]
        elif current and item is not None and line.startswith("  ") and line.strip().startswith("http"):
            sections[current].append((item, line.strip()))
            item = None
        elif not line.strip():
            current = None
    return sections


def step_digest(staff, lead, management, now):
    seq = baseline(1)
    changed = call("PATCH", "/api/v1/me", {"language": "sv"}, token=staff["token"])
    check("the staff member's language", changed.status == 200 and changed.json().get("language") == "sv",
          f"PATCH /api/v1/me {{language: sv}} → {changed.status}, language {changed.json().get('language')!r}")
    reminders = call("GET", "/api/v1/me/reminders", token=staff["token"]).json()
    catcher = Catcher("mail1", smtp_port)
    try:
        written, output = reminder_pass(now, main)
        seconds, rows, finished = wait_until_sent(seq, 30)
        received = catcher.messages()
        check("the weekly pass is delivered", finished and len(rows) == written and len(received) == len(rows)
              and not any(r["dead"] for r in rows),
              f"pass as of {now:%Y-%m-%d} ({period(now)}): “{output}”; outbox {len(rows)} messages, "
              f"{sum(r['sent'] for r in rows)} sent, {sum(r['dead'] for r in rows)} dead, by serve in {seconds:.1f} s; "
              f"{len(received)} received by the SMTP server (staff's digest choice was {reminders.get('email')!r})")
        counts = by_recipient(received)
        check("one digest each", counts.get(staff["email"]) == 1 and counts.get(lead["email"]) == 1
              and counts.get(management["email"]) == 1,
              f"staff {counts.get(staff['email'], 0)}, lead {counts.get(lead['email'], 0)}, "
              f"management {counts.get(management['email'], 0)}")
        mine = [m for _, _, m in received if recipient(m) == staff["email"]]
        if not mine:
            check("the staff member's digest", False, "none arrived; the other checks of step 1 are skipped")
            return None
        message = mine[0]
        expected_id = f"<digest.{period(now)}.{staff['id']}@127.0.0.1>"
        unsubscribe = str(message.get("List-Unsubscribe", "")).strip()
        unsubscribe_url = unsubscribe.strip("<>")
        parts = [p for p in message.walk() if not p.is_multipart()]
        shapes = [f"{p.get_content_type()} {p.get('Content-Transfer-Encoding')} {p.get_content_charset()}" for p in parts]
        check("digest headers and shape",
              message_id(message) == expected_id and re.fullmatch(rf"<{re.escape(main.base)}/unsubscribe/[^>\s]+>", unsubscribe)
              and str(message.get("List-Unsubscribe-Post", "")) == "List-Unsubscribe=One-Click"
              and message.get_content_type() == "multipart/alternative"
              and shapes == ["text/plain base64 utf-8", "text/html base64 utf-8"],
              f"Message-ID {message_id(message)} (expected {expected_id}); List-Unsubscribe {unsubscribe}; "
              f"List-Unsubscribe-Post {message.get('List-Unsubscribe-Post')}; {message.get_content_type()} of "
              f"[{', '.join(shapes)}]")
        text = parts[0].get_content() if parts else ""
        markup = parts[1].get_content() if len(parts) > 1 else ""
        sections = text_items(text)
        subject = str(message.get("Subject", ""))
        swedish_html = 'lang="sv"' in markup
        check("in Swedish", subject.startswith(SV_SUBJECT_WEEKLY) and SV_SECTION_DUE in sections
              and SV_SECTION_NEW in sections and 'lang="sv"' in markup
              and f">{SV_SECTION_DUE}</h2>" in markup,
              f"subject “{subject}”; sections “{SV_SECTION_DUE}” ({len(sections.get(SV_SECTION_DUE, []))} items) and "
              f"“{SV_SECTION_NEW}” ({len(sections.get(SV_SECTION_NEW, []))} items); HTML lang=sv: {swedish_html}")

        # What is due, from the API: the staff member's open tasks past their due date.
        tasks = call("GET", "/api/v1/orgs/demo/tasks?assignee=me", token=staff["token"]).json().get("items", [])
        overdue = [t["title"] for t in tasks if t.get("status") != "done" and t.get("due") and t["due"] < now.date().isoformat()]
        due_items = sections.get(SV_SECTION_DUE, [])
        task_lines = [(line, link) for line, link in due_items if link == main.base + "/my-work"]
        checkin_lines = [(line, link) for line, link in due_items if re.fullmatch(rf"{re.escape(main.base)}/goals/[0-9a-f-]{{36}}#checkin", link)]
        named = [title for title in overdue if any(title in quoted(line) for line, _ in task_lines)]
        check("the overdue task and the due check-in",
              overdue and len(named) == len(overdue) and len(task_lines) == len(overdue) and checkin_lines,
              f"overdue per the API: {overdue}; in “{SV_SECTION_DUE}”: {len(task_lines)} task line(s) → /my-work naming "
              f"{named}, {len(checkin_lines)} check-in line(s) → "
              f"{', '.join(link.replace(main.base, '') for _, link in checkin_lines) or 'none'}")

        # Every link in the text part, opened as the staff member.
        links = re.findall(r"https?://[^\s<>\"]+", text)
        distinct = list(dict.fromkeys(links))
        hrefs = set(html.unescape(h) for h in re.findall(r'href="([^"]+)"', markup))
        foreign = [link for link in distinct if not link.startswith(main.base + "/")]
        check("the links", links and not foreign and all(link in hrefs for link in distinct) and unsubscribe_url in distinct,
              f"{len(links)} in the text part ({len(distinct)} distinct), all under {main.base}: {not foreign}; "
              f"all also in the HTML part: {all(link in hrefs for link in distinct)}; the unsubscribe link among them: "
              f"{unsubscribe_url in distinct}")
        lines_by_link = {}
        for section in sections.values():
            for line, link in section:
                lines_by_link.setdefault(link, []).append(line)
        for link in distinct:
            open_link(link, lines_by_link.get(link, []), staff, unsubscribe_url)
        return unsubscribe_url
    finally:
        catcher.stop()


def open_link(link, lines, staff, unsubscribe_url):
    """Opens one link of the digest as the staff member and says whether it is the page it should be."""
    path, _, fragment = link[len(main.base):].partition("#")
    answer = call("GET", path, cookie=staff["cookie"])
    body = html.unescape(answer.text())
    title = page_title(answer.text())
    names = sorted({name for line in lines for name in quoted(line)})
    found = [name for name in names if name in body]
    shown = f"GET {path}{'#' + fragment if fragment else ''} → {answer.status}, <title> “{title}”"
    anchor_ok = not fragment or f'id="{fragment}"' in answer.text()
    if fragment:
        shown += f", id=\"{fragment}\" on the page: {anchor_ok}"
    if link == unsubscribe_url:
        action = urllib.parse.urlparse(link).path
        form = re.search(rf'<form[^>]*method="post"[^>]*action="{re.escape(action)}"', answer.text()) is not None
        after = call("GET", "/api/v1/me/reminders", token=staff["token"]).json().get("email")
        check("link: unsubscribe (GET)", answer.status == 200 and form and after == "weekly",
              f"{shown}; a confirm form posting to it: {form}; digests still {after!r} after opening it")
    elif path in SV_PAGE_TITLES:
        expected = SV_PAGE_TITLES[path]
        ok = answer.status == 200 and title.startswith(expected) and anchor_ok and len(found) == len(names)
        extra = f"; names from its {len(lines)} digest line(s) on the page: {len(found)}/{len(names)}" if lines else ""
        check(f"link: {path}", ok, f"{shown} (expected “{expected} …”){extra}")
    elif re.fullmatch(r"/goals/[0-9a-f-]{36}", path):
        goal = call("GET", f"/api/v1/orgs/demo/goals/{path.rsplit('/', 1)[1]}", token=staff["token"]).json()
        ok = answer.status == 200 and goal.get("title") and title.startswith(goal["title"]) and anchor_ok \
            and len(found) == len(names)
        check(f"link: /goals/…{path[-6:]}{'#' + fragment if fragment else ''}", ok,
              f"{shown}; the goal's title per the API “{goal.get('title')}”; names from its {len(lines)} digest line(s) "
              f"on the page: {len(found)}/{len(names)}")
    else:
        check(f"link: {path}", False, f"{shown}: a link the suite does not know where it should lead")


# =============================================================================================
# 2. One-click unsubscribe


def step_unsubscribe(unsubscribe_url, staff, lead, management, now):
    seq = baseline(2)
    answer = call("POST", unsubscribe_url, raw=b"List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    after = call("GET", "/api/v1/me/reminders", token=staff["token"]).json().get("email")
    check("one-click unsubscribe", answer.status == 200 and "text/html" in (answer.headers.get("Content-Type") or "")
          and after == "off",
          f"POST {unsubscribe_url.replace(main.base, '')} (no session, no CSRF token) → {answer.status} "
          f"{answer.headers.get('Content-Type')}; GET /api/v1/me/reminders as the staff member → {after!r}")
    tasks = call("GET", "/api/v1/orgs/demo/tasks?assignee=me", token=staff["token"]).json().get("items", [])
    week = now + datetime.timedelta(days=7)
    still_due = [t["title"] for t in tasks if t.get("status") != "done" and t.get("due") and t["due"] < week.date().isoformat()]
    catcher = Catcher("mail2", smtp_port)
    try:
        written, output = reminder_pass(week, main, deliver=True)
        seconds, rows, finished = wait_until_sent(seq, 30)
        counts = by_recipient(catcher.messages())
        ids = {message_id(m) for _, _, m in catcher.messages()}
        theirs = all(f"<digest.{period(week)}.{person['id']}@127.0.0.1>" in ids for person in (lead, management))
        check("no digest after unsubscribing", finished and counts.get(staff["email"], 0) == 0
              and counts.get(lead["email"]) == 1 and counts.get(management["email"]) == 1 and theirs,
              f"pass as of {week:%Y-%m-%d} ({period(week)}), delivered by the command: “{output}”; received: staff "
              f"{counts.get(staff['email'], 0)} (with {len(still_due)} task(s) still overdue), lead "
              f"{counts.get(lead['email'], 0)}, management {counts.get(management['email'], 0)}; "
              f"{len(rows)} in the outbox, all sent: {finished}")
    finally:
        catcher.stop()


# =============================================================================================
# People for steps 3–5: each a staff member with an overdue task (so each gets a digest every week)


def make_people(management, count, now):
    start = time.monotonic()
    procurements = call("GET", "/api/v1/orgs/demo/procurements", token=management["token"]).json().get("items", [])
    procurement, goal = next(((p["id"], g["id"]) for p in procurements for g in p.get("goals", []) if g.get("status") == "scheduled"),
                             (None, None))
    if not procurement:
        raise RuntimeError("the demo has no procurement with a scheduled goal")
    due = (now - datetime.timedelta(days=20)).date().isoformat()
    tag = uuid.uuid4().hex[:6]

    def one(n):
        person = {"email": f"mail-{tag}-{n:03d}@demo.example", "name": f"Mail Test {n:03d}", "role": "staff",
                  "password": "Mail-test-" + uuid.uuid4().hex[:16]}
        created = call("POST", "/api/v1/orgs/demo/users", person, token=management["token"], timeout=60)
        if created.status != 201:
            return (created.status, 0, None)
        person_id = created.json()["id"]
        task = call("POST", f"/api/v1/orgs/demo/procurements/{procurement}/tasks",
                    {"title": f"Mail test task {n:03d}", "goalId": goal, "assigneeId": person_id, "due": due},
                    token=management["token"], timeout=60)
        return (created.status, task.status, person_id)

    made = parallel(one, range(1, count + 1))
    people = [person_id for user_status, task_status, person_id in made if user_status == 201 and task_status == 201]
    check("people for steps 3–6", len(people) == count,
          f"{len(people)}/{count} staff members created by management, each assigned a task due {due} "
          f"(statuses: {sorted({(u, t) for u, t, _ in made})}) in {elapsed(start)}")
    return people


def queue_codes(management, people, servers):
    """One password-code mail per person (202 each), through the servers in turn; returns the statuses."""
    def one(item):
        n, person = item
        server = servers[n % len(servers)]
        return call("POST", f"/api/v1/orgs/demo/users/{person}/password-code/email", token=management["token"],
                    server=server.base, timeout=60).status
    return parallel(one, list(enumerate(people)))


def parallel(work, items, threads=4):
    """list(map(work, items)) on a few threads; a signal (SIGTERM, Ctrl-C) drops what has not started."""
    pool = concurrent.futures.ThreadPoolExecutor(threads)
    try:
        return list(pool.map(work, items))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def received_ids(received):
    ids = {}
    for name, raw, message in received:
        ids.setdefault(message_id(message), []).append(raw)
    return ids


# =============================================================================================
# 3. The SMTP server down: messages wait and are retried


def step_retries(management, people):
    seq = baseline(3)
    statuses = queue_codes(management, people, [main])
    start = time.monotonic()
    while True:
        rows = outbox_since(seq)
        if len(rows) == len(people) and all(r["attempts"] >= 2 and r["last_error"] for r in rows):
            break
        if time.monotonic() - start > 30:
            break
        time.sleep(0.2)
    attempts = sorted(r["attempts"] for r in rows)
    errors = sorted({r["last_error"] for r in rows})
    folder = work / "mail3"
    check("while the SMTP server is down", statuses == [202] * len(people) and len(rows) == len(people)
          and all(r["attempts"] >= 2 and r["last_error"] and not r["sent"] and not r["dead"] for r in rows)
          and not folder.exists(),
          f"{len(people)} password-code mails queued (statuses {sorted(set(statuses))}); after {elapsed(start)}: attempts "
          f"{attempts}, last_error {errors}, sent {sum(r['sent'] for r in rows)}, dead {sum(r['dead'] for r in rows)}, "
          f"received 0")
    catcher = Catcher("mail3", smtp_port)
    try:
        seconds, rows, finished = wait_until_sent(seq, 60)
        received = catcher.messages()
        ids = received_ids(received)
        wanted = {r["message_id"] for r in rows}
        once = all(len(ids.get(m, [])) == 1 for m in wanted)
        check("delivered once the SMTP server is back", finished and seconds <= 15 and not any(r["dead"] for r in rows)
              and set(ids) == wanted and once and len(received) == len(rows),
              f"SMTP server started again on port {smtp_port}: all {len(rows)} sent {seconds:.1f} s later (at most 15) "
              f"(attempts {sorted(r['attempts'] for r in rows)}); received {len(received)} files, "
              f"{len(ids)} distinct Message-IDs, each exactly once: {once}; the one-time codes dropped from the outbox "
              f"once sent: {sum(not r['has_body'] for r in rows if r['sensitive'])}/{sum(r['sensitive'] for r in rows)}")
    finally:
        catcher.stop()


# =============================================================================================
# 4. The server killed mid-delivery


def step_crash(now):
    seq = baseline(4)
    moment = now + datetime.timedelta(days=14)
    catcher = Catcher("mail4", smtp_port, delay=0.2)
    try:
        written, output = reminder_pass(moment, main)
        start = time.monotonic()
        while len(list(catcher.folder.glob("*.eml"))) < 4 and time.monotonic() - start < 30:
            time.sleep(0.02)
        main.kill9()
        killed_at = time.monotonic()
        killed_db = float(psql("SELECT extract(epoch FROM now())")[0][0])
        before = len(list(catcher.folder.glob("*.eml")))
        time.sleep(0.5)  # a message the catcher was accepting when the server died
        at_kill = outbox_since(seq)
        leased = [r for r in at_kill if not r["sent"] and r["leased"]]
        untouched = [r for r in at_kill if not r["sent"] and not r["leased"]]
        check("a server killed mid-delivery", written == len(at_kill) and written >= 40 and 0 < before < written,
              f"pass as of {moment:%Y-%m-%d} ({period(moment)}): “{output}”; serve killed (SIGKILL) after {before} "
              f"received; at that moment {sum(r['sent'] for r in at_kill)} marked sent, {len(leased)} taken by the "
              f"killed sender (leased, attempts {sorted(r['attempts'] for r in leased)}), {len(untouched)} not yet taken")
        restarted = time.monotonic()
        main.start()
        seconds, rows, finished = wait_until_sent(seq, LONGEST_LEASE + 40)
        received = catcher.messages()
        ids = received_ids(received)
        wanted = {r["message_id"] for r in rows}
        missing = wanted - set(ids)
        unknown = set(ids) - wanted
        repeats = {m: copies for m, copies in ids.items() if len(copies) > 1}
        identical = all(all(copy == copies[0] for copy in copies) for copies in repeats.values())
        held = ", ".join("'" + r["message_id"].replace("'", "''") + "'" for r in leased) or "NULL"
        came_back = float(psql(f"""SELECT coalesce(max(extract(epoch FROM sent_at)) - {killed_db}, 0) FROM platform.mail_outbox
                                    WHERE message_id IN ({held})""")[0][0])
        check("the restarted server finishes the outbox", finished and not any(r["dead"] for r in rows),
              f"restarted {restarted - killed_at:.1f} s after the kill; nothing unsent {seconds:.1f} s after it was ready "
              + (f"(the {len(leased)} the killed sender held were sent again {came_back:.0f} s after the kill, when "
                 f"their lease ran out)" if leased else "(the killed sender held none at that moment)")
              + f"; sent {sum(r['sent'] for r in rows)}/{len(rows)}, "
              f"dead {sum(r['dead'] for r in rows)}")
        check("nothing lost, a repeat is the same message", not missing and not unknown and identical,
              f"received {len(received)} files for {len(rows)} messages: {len(wanted) - len(missing)}/{len(wanted)} "
              f"at least once, {len(unknown)} unknown Message-IDs, {len(repeats)} received twice or more "
              f"({sum(len(c) - 1 for c in repeats.values())} repeat(s)"
              f"{': ' + ', '.join(sorted(repeats)) if repeats else ''}), each repeat byte-identical to its first copy "
              f"(same Message-ID): {identical}")
    finally:
        catcher.stop()


# =============================================================================================
# 5. Two instances, one outbox


def step_two_instances(management, people, now):
    global main
    seq = baseline(5)
    main.stop()
    first = Server("serve-1", main.port, metrics_port=free_port())
    second = Server("serve-2", free_port(), metrics_port=free_port())
    main = first
    catcher = Catcher("mail5", smtp_port, delay=0.02)
    try:
        moment = now + datetime.timedelta(days=21)
        start = time.monotonic()
        written, output = reminder_pass(moment, first)
        statuses = queue_codes(management, people + people, [first, second])
        queued = time.monotonic()
        seconds, rows, finished = wait_until_sent(seq, 90)
        received = catcher.messages()
        ids = received_ids(received)
        wanted = {r["message_id"] for r in rows}
        duplicates = sum(len(c) - 1 for c in ids.values())
        check("two instances send each message once",
              len(rows) >= 100 and finished and statuses == [202] * len(statuses) and set(ids) == wanted
              and duplicates == 0 and len(received) == len(rows) and not any(r["dead"] for r in rows),
              f"serve-1 (:{first.port}) and serve-2 (:{second.port}) on one database; queued {written} digests "
              f"(pass as of {moment:%Y-%m-%d}: “{output}”) + {len(statuses)} password-code mails through both "
              f"(statuses {sorted(set(statuses))}) = {len(rows)} in {queued - start:.1f} s; all sent "
              f"{seconds:.1f} s after the last was queued; received {len(received)} files, {len(ids)} distinct "
              f"Message-IDs ({len(wanted - set(ids))} missing), duplicates {duplicates}, dead "
              f"{sum(r['dead'] for r in rows)}")
        require_alive(first, second)
        sent = [first.metric("luotsi_mail_sent_total"), second.metric("luotsi_mail_sent_total")]
        failed = [first.metric("luotsi_mail_failed_attempts_total"), second.metric("luotsi_mail_failed_attempts_total")]
        check("both instances took part", sum(sent) == len(rows) and all(sent) and not any(failed),
              f"luotsi_mail_sent_total: serve-1 {sent[0]}, serve-2 {sent[1]} (sum {sum(sent)} for {len(rows)} "
              f"messages); failed attempts {failed[0]} + {failed[1]}")
    finally:
        catcher.stop()
        second.stop()


# =============================================================================================
# 6. A slow SMTP server: a message's lease must outlast its sender's attempt


def step_slow_server(management, people):
    global main
    if b"LUOTSI_MAIL_TIMEOUT_SECONDS" not in pathlib.Path(binary).read_bytes():
        note("skipped: this build has no LUOTSI_MAIL_TIMEOUT_SECONDS (its lease is fixed at 120 s)")
        return
    timeout, delay = 4, 2.5
    seq = baseline(6)
    main.stop()
    slow = {"LUOTSI_MAIL_TIMEOUT_SECONDS": str(timeout)}
    first = Server("slow-1", main.port, metrics_port=free_port(), settings=slow)
    main = first
    second = Server("slow-2", free_port(), metrics_port=free_port(), settings=slow)
    catcher = Catcher("mail6", smtp_port, delay=delay)
    try:
        statuses = queue_codes(management, people, [first, second])
        seconds, rows, finished = wait_until_sent(seq, 90)
        received = catcher.messages()
        ids = received_ids(received)
        wanted = {r["message_id"] for r in rows}
        duplicates = sum(len(c) - 1 for c in ids.values())
        attempts = sorted({r["attempts"] for r in rows})
        sent = [first.metric("luotsi_mail_sent_total"), second.metric("luotsi_mail_sent_total")]
        check("a slow SMTP server, two instances", finished and statuses == [202] * len(people) and set(ids) == wanted
              and duplicates == 0 and len(received) == len(rows) and attempts == [1] and all(sent),
              f"LUOTSI_MAIL_TIMEOUT_SECONDS={timeout} (a taken message is leased for {2 * timeout + 10} s), the SMTP server "
              f"taking {delay} s per message (ten in a row take {10 * delay:.0f} s, longer than a lease), {len(rows)} "
              f"password-code mails through both: all sent in {seconds:.1f} s; received {len(received)} files, "
              f"{len(ids)} distinct Message-IDs, duplicates {duplicates}; attempts per message {attempts}; sent by "
              f"slow-1 {sent[0]}, slow-2 {sent[1]}")
    finally:
        catcher.stop()
        second.stop()


# =============================================================================================


def main_program():
    global main
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    main = Server("serve", free_port())
    print(f"mail suite: serve on {main.base}, the SMTP server (deploy/mailcatcher) on port {smtp_port}, "
          f"{binary}", flush=True)
    staff, lead, management = sign_in("staff"), sign_in("lead"), sign_in("management")
    unsubscribe_url = None
    print("==> 1. the staff member's weekly digest, in Swedish, and its links", flush=True)
    try:
        unsubscribe_url = step_digest(staff, lead, management, now)
        require_alive(main)
    except Exception as error:  # noqa: BLE001 — one step's surprise is its failure; the next steps still run
        check("step 1", False, f"could not finish: {type(error).__name__}: {error}")
    print("==> 2. one-click unsubscribe stops the next digest", flush=True)
    try:
        if not unsubscribe_url:
            raise RuntimeError("step 1 found no unsubscribe link")
        step_unsubscribe(unsubscribe_url, staff, lead, management, now)
        require_alive(main)
    except Exception as error:  # noqa: BLE001
        check("step 2", False, f"could not finish: {type(error).__name__}: {error}")
    people = []
    for title, run in [
        ("3. with the SMTP server down, messages wait and are retried", lambda: step_retries(management, people[:5])),
        ("4. a server killed mid-delivery loses nothing", lambda: step_crash(now)),
        ("5. two instances never send a message twice", lambda: step_two_instances(management, people, now)),
        ("6. a slow SMTP server: two instances still send each message once",
         lambda: step_slow_server(management, people[:16])),
    ]:
        print(f"==> {title}", flush=True)
        try:
            if not people:
                people.extend(make_people(management, 40, now))
            run()
            require_alive(main)
        except Exception as error:  # noqa: BLE001
            check(f"step {title[0]}", False, f"could not finish: {type(error).__name__}: {error}")
            if not main.alive():
                try:
                    main.start()
                except Exception as again:  # noqa: BLE001
                    check("restarting serve", False, str(again))
                    break


def stop_everything(*_):
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    remember_pids()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main = None
    try:
        main_program()
    except Exception as error:  # noqa: BLE001
        check("the suite", False, f"stopped: {type(error).__name__}: {error}")
    except (KeyboardInterrupt, SystemExit):
        print("mail suite: stopped by a signal; stopping the servers and the mail catcher", flush=True)
        raise
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        stop_everything()
    failed = results.count(False)
    print(f"mail suite: {len(results) - failed}/{len(results)} checks passed in {elapsed(started_at)}", flush=True)
    sys.exit(1 if failed or not results else 0)
