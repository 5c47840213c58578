"""Fuzzes `luotsi org import` (issue 16): the demo's export, mutated, must be imported or refused
with a clear message, never trap; and the pages and API reads of every organisation that was
imported must not fail either (the data came from a file).

Usage: python3 Tests/fuzz/imports.py BINARY CREDENTIALS_FILE [BASE_URL]
  PG* (or DATABASE_URL): the database of the server at BASE_URL (or LUOTSI_URL); without a URL only
  the command is fuzzed. LUOTSI_FUZZ_SEED: the seed (default 16). LUOTSI_FUZZ_IMPORT=N runs case N
  alone and keeps its file. LUOTSI_FUZZ_SKIP=name,name leaves those mutations out (to look past a
  known trap). Failing files are kept under /tmp/luotsi-fuzz-failures/.
"""

import concurrent.futures
import copy
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import demo_accounts  # noqa: E402

CASES = 200
WORKERS = 3
TIMEOUT = 60
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEEP = "/tmp/luotsi-fuzz-failures"

binary, credentials_file = os.path.abspath(sys.argv[1]), sys.argv[2]
base_url = (sys.argv[3] if len(sys.argv) > 3 else os.environ.get("LUOTSI_URL", "")).rstrip("/")
SEED = int(os.environ.get("LUOTSI_FUZZ_SEED", "16"))
ONLY = os.environ.get("LUOTSI_FUZZ_IMPORT")

# What a trap or an internal leaking into a message looks like.
TRAP = re.compile(r"Fatal error|Illegal instruction|Segmentation fault|Trace/breakpoint|Bus error|Aborted|Current stack trace|"
                  r"Program crashed|Backtrace|Thread \d+ crashed|Precondition failed|Assertion failed|Stack overflow")
INTERNALS = re.compile(r"PostgresError\(|PSQLError|Error Domain=|NSCocoaErrorDomain|DecodingError|Swift\.|"
                       r"\b(SELECT|INSERT INTO|json_populate_recordset|OVERRIDING SYSTEM VALUE)\b|/Sources/|\.swift:\d+")


def run(arguments, stdin=None, env=None):
    """(returncode, stdout, stderr, timed out) of the binary, run from the repository root."""
    try:
        done = subprocess.run([binary] + arguments, cwd=ROOT, input=stdin, capture_output=True, timeout=TIMEOUT,
                              env={**os.environ, **(env or {})})
        return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired as expired:
        return None, (expired.stdout or b"").decode("utf-8", "replace"), (expired.stderr or b"").decode("utf-8", "replace"), True


def judge(returncode, stderr, timed_out):
    """None when the command ended well (done, or refused with a clear message), else why not."""
    if timed_out:
        return f"no answer within {TIMEOUT} s"
    if returncode < 0 or returncode >= 128:
        return f"killed by signal {-returncode if returncode < 0 else returncode - 128}"
    if TRAP.search(stderr):
        return "trapped: " + TRAP.search(stderr).group(0)
    if returncode == 0:
        return None
    if returncode not in (1, 2, 64):  # 64: the argument parser's usage error
        return f"exit code {returncode}"
    message = stderr.strip()
    if not message:
        return "refused without a message"
    if INTERNALS.search(message):
        return "the message shows internals: " + INTERNALS.search(message).group(0)
    return None


# ---------------------------------------------------------------------------------------------
# HTTP (for the pages of imported organisations)


def http(method, path, token=None, body=None, timeout=30, source=None):
    """(status or None, headers dict, body bytes, error); `source`: the loopback address to send from."""
    parsed = urllib.parse.urlsplit(base_url)
    data = json.dumps(body).encode() if body is not None else b""
    head = [f"{method} {path} HTTP/1.1", f"Host: {parsed.hostname}:{parsed.port}", "Connection: close"]
    if token:
        head.append(f"Cookie: luotsi_session={token}")
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + data
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout,
                                      source_address=(source, 0) if source else None) as sock:
            sock.sendall(raw)
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
    except OSError as error:
        return None, {}, b"", f"{type(error).__name__}: {error}"
    answer = b"".join(chunks)
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    if not match:
        return None, {}, b"", "closed without an answer" if not answer else f"not HTTP: {answer[:80]!r}"
    head, _, rest = answer.partition(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return int(match.group(1)), headers, rest, None


def alive():
    return bool(base_url) and http("GET", "/health/live", timeout=20)[0] == 200


def sign_in(body, source=None):
    """A token, None when refused; waits out the sign-in throttle for up to 60 s."""
    deadline = time.time() + 60
    while True:
        status, headers, answer, error = http("POST", "/api/v1/auth/login", body=body, source=source)
        if status == 200:
            return json.loads(answer)["token"], None
        if status in (429, 503) and time.time() < deadline:
            time.sleep(min(float(headers.get("retry-after") or 5), 10))
            continue
        return None, status if status is not None else error


# ---------------------------------------------------------------------------------------------
# Mutations: each takes (rng, document, secrets document) and returns bytes, a document, or
# (document, import arguments).

NUMBERS = [1e300, -1e300, 10**30, -(10**30), 2**63, 2**63 - 1, -(2**63), 2**64, -1, 0, 1.5, 1e-300, "NaN", "Infinity", "1", "", None,
           True, [], {}, 2147483648, 32768, -32769]
STRINGS = ["", " ", "\u0000", "a\u0000b", "x" * 100_000, "\u00e4" * 5000, "\u202e\u200f", "\U0001F600" * 300, "\ud800", "\\",
           "not-a-uuid", "00000000-0000-0000-0000-000000000000", "{" + str(uuid.UUID(int=1)) + "}", "null", "'; DROP TABLE users; --",
           "<script>", "\r\n", "\u0301" * 500, 42, None, True, [], {}]
DATES = ["infinity", "-infinity", "294276-12-31", "5874897-12-31", "4713-01-01 BC", "0001-01-01", "9999-12-31", "2026-02-30",
         "0000-00-00", "99999-01-01", "1970-01-01", "epoch", "2026-02-29", "today", "allballs"]
TIMESTAMPS = ["infinity", "-infinity", "294276-12-31T23:59:59Z", "4713-01-01T00:00:00Z BC", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
              "1970-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "epoch", "now", "2026-12-02T25:00:00Z", "2026-12-02 12:00:00+14:59",
              "12:00", ""]
# Columns an earlier release left unchecked in the database: the file decides what they hold.
FREE_TEXT = [("goal_transitions", "from_status"), ("goal_transitions", "to_status"), ("goal_transitions", "reason"),
             ("procurement_phase_changes", "from_phase"), ("procurement_phase_changes", "to_phase"), ("checkins", "phase"),
             ("audit_log", "action"), ("audit_log", "entity"), ("audit_log", "actor_email"), ("goals", "theme_code"),
             ("goals", "evaluation")]
ODD_TEXT = ["bogus", "", " ", "IDEA", "idea ", "x" * 20_000, "\u00e4\u202e\U0001F600", "scheduled\u0301", "null", "%s%n", "{{x}}",
            "audit_", "status_", "<b>x</b>"]
FREE_IDS = [("goals", "catalogue_goal_id"), ("goal_alignments", "aligns_to_catalogue_id"), ("goal_indicators", "catalogue_indicator_id"),
            ("audit_log", "actor_id"), ("audit_log", "entity_id")]
NUMERIC = [("goal_indicators", "target"), ("goal_indicators", "baseline"), ("checkin_indicator_values", "value"),
           ("procurements", "estimated_value")]
ODD_NUMERIC = [1e300, -1e300, 1e-300, 0, -0.0, "1e1000", int("9" * 1000), 10**30, 0.1, -1, 99999999999999.99, 1e17, "NaN", "Infinity"]
SEQUENCES = [("users", "seq"), ("goals", "seq"), ("procurements", "seq"), ("goal_transitions", "seq"), ("goal_comments", "seq"),
             ("tasks", "seq"), ("checkins", "seq"), ("audit_log", "seq"), ("goals", "version"), ("procurements", "version"),
             ("goal_milestones", "position"), ("goal_indicators", "position"), ("settings", "checkin_due_days"),
             ("checkins", "attainment"), ("goals", "priority"), ("procurement_impacts", "target_score"), ("users", "totp_last_step")]
ODD_SEQ = [2**63 - 1, 2**63 - 2, 2**63, -(2**63), -1, 0, 1e300, 10**30, 1.5, "1", "NaN", 2147483647, -2147483648, 32767, 100, 365, 1]
DATE_COLUMNS = [("goals", "start_date"), ("goals", "due_date"), ("goal_milestones", "due"), ("tasks", "due")]
TIME_COLUMNS = [("checkins", "created_at"), ("audit_log", "at"), ("goal_transitions", "at"), ("goals", "created_at"), ("goals", "updated_at"),
                ("users", "created_at"), ("goal_comments", "created_at"), ("procurement_phase_changes", "at"), ("tasks", "updated_at"),
                ("password_codes", "expires_at")]


def deep(depth, leaf=1):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def rows(document, table):
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict):
        return []
    found = tables.setdefault(table, [])
    return found if isinstance(found, list) else []


def set_column(rng, document, table, column, values, every=False):
    targets = rows(document, table)
    if not targets:
        return f"{table} is empty"
    chosen = targets if every else [rng.choice(targets)]
    value = rng.choice(values)
    for row in chosen:
        row[column] = value
    return f"{table}.{column} = {short(value)}" + (" in every row" if every else "")


def short(value):
    text = json.dumps(value, ensure_ascii=True) if not isinstance(value, (bytes,)) else repr(value)
    return text if len(text) <= 60 else text[:50] + f"... ({len(text)} chars)"


def mutations():
    """(name, function) pairs; a function returns (what it did, bytes | document, extra arguments)."""
    out = []

    def add(name, weight=1):
        def wrap(function):
            out.extend([(name, function)] * weight)
            return function
        return wrap

    @add("truncated", 6)
    def _(rng, doc, secrets):
        raw = json.dumps(doc).encode()
        at = rng.choice([0, 1, 2, 10, len(raw) // 2, len(raw) - 3, len(raw) - 1, rng.randrange(len(raw))])
        return f"cut at byte {at} of {len(raw)}", raw[:at], []

    @add("random bytes", 3)
    def _(rng, doc, secrets):
        size = rng.choice([1, 100, 10_000, 1_000_000])
        return f"{size} random bytes", rng.getrandbits(8 * size).to_bytes(size, "little"), []

    @add("not an export", 4)
    def _(rng, doc, secrets):
        raw = rng.choice([b"", b"null", b"[]", b"42", b'"text"', b"true", b"{}", b"NaN", b'{"format": NaN}', b"\xef\xbb\xbf{}",
                          b'{"format":"luotsi.organisation"}', b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                          b"\x00" * 100, b"{\"format\":\"luotsi.organisation\",\"formatVersion\":1" + b" " * 1000])
        return f"not an export: {raw[:40]!r}", raw, []

    @add("encoding", 4)
    def _(rng, doc, secrets):
        text = json.dumps(doc, ensure_ascii=False)
        choice = rng.randrange(6)
        if choice == 0:
            return "UTF-8 with a byte order mark", b"\xef\xbb\xbf" + text.encode(), []
        if choice == 1:
            return "UTF-16", text.encode("utf-16"), []
        if choice == 2:
            return "UTF-32 big-endian", text.encode("utf-32-be"), []
        if choice == 3:
            raw = text.encode()
            at = raw.index(b'"name"')
            return "invalid UTF-8 in a string", raw[:at + 9] + b"\xff\xfe\xc0\xaf" + raw[at + 9:], []
        if choice == 4:
            return "a lone surrogate escape", text.replace('"name": "', '"name": "\\ud800', 1).encode(), []
        return "duplicate keys", text.replace('{"format": "luotsi.organisation"', '{"format": "x", "format": "luotsi.organisation"', 1).encode(), []

    @add("drop a key", 10)
    def _(rng, doc, secrets):
        where = rng.random()
        if where < 0.4:
            key = rng.choice(list(doc))
            del doc[key]
            return f"no {key}", doc, []
        if where < 0.6:
            key = rng.choice(list(doc["organisation"]))
            del doc["organisation"][key]
            return f"no organisation.{key}", doc, ["--no-slug"] if key == "slug" and rng.random() < 0.5 else []
        table = rng.choice(list(doc["tables"]))
        if rng.random() < 0.5 or not doc["tables"][table]:
            del doc["tables"][table]
            return f"no tables.{table}", doc, []
        row = rng.choice(doc["tables"][table])
        column = rng.choice(list(row))
        del row[column]
        return f"a row of {table} without {column}", doc, []

    @add("wrong type", 14)
    def _(rng, doc, secrets):
        value = rng.choice(["text", 1, 1.5, [], [1, 2], {}, None, True, [[]], ["x"], [None], {"a": 1}])
        where = rng.random()
        if where < 0.35:
            key = rng.choice(list(doc))
            doc[key] = value
            return f"{key} = {short(value)}", doc, []
        if where < 0.5:
            key = rng.choice(list(doc["organisation"]))
            doc["organisation"][key] = value
            return f"organisation.{key} = {short(value)}", doc, ["--no-slug"] if key == "slug" else []
        table = rng.choice(list(doc["tables"]))
        if where < 0.75 or not doc["tables"][table]:
            doc["tables"][table] = rng.choice([value, [value], [value, value], {"0": {}}])
            return f"tables.{table} = {short(doc['tables'][table])}", doc, []
        row = rng.choice(doc["tables"][table])
        column = rng.choice(list(row))
        row[column] = value
        return f"{table}.{column} = {short(value)}", doc, []

    @add("versions", 8)
    def _(rng, doc, secrets):
        key = rng.choice(["formatVersion", "schemaVersion"])
        current = doc[key]
        value = rng.choice(NUMBERS + [float(current), str(current), current + 1, current - 1, current + 1e-9, [current], {"v": current}])
        doc[key] = value
        return f"{key} = {short(value)}", doc, []

    @add("format", 2)
    def _(rng, doc, secrets):
        doc["format"] = rng.choice(["LUOTSI.organisation", "luotsi.organisation ", "luotsi.catalogue", "", "luotsi.organisation\u0000"])
        return f"format = {short(doc['format'])}", doc, []

    @add("unknown table or column", 5)
    def _(rng, doc, secrets):
        if rng.random() < 0.4:
            name = rng.choice(["schema_migrations", "pg_class", "bogus", "", "users ", "USERS", "../users", "platform.organisations"])
            doc["tables"][name] = [{"id": str(uuid.uuid4())}]
            return f"a table {name!r}", doc, []
        table = rng.choice([t for t in doc["tables"] if doc["tables"][t]] or ["users"])
        for row in rows(doc, table):
            row[rng.choice(["bogus", "", "ID", "id ", "tableoid", "ctid", "xmin", "oid", "seq\u0000"])] = rng.choice(["x", 1, None])
        return f"an unknown column in {table}", doc, []

    @add("duplicate rows", 5)
    def _(rng, doc, secrets):
        table = rng.choice([t for t in doc["tables"] if doc["tables"][t]])
        row = rng.choice(doc["tables"][table])
        doc["tables"][table].append(copy.deepcopy(row))
        return f"a {table} row twice", doc, []

    @add("bad ids", 6)
    def _(rng, doc, secrets):
        table = rng.choice(["users", "goals", "procurements", "tasks", "checkins", "goal_comments", "audit_log"])
        column = rng.choice(["id"] + [c for c in (rows(doc, table)[0] if rows(doc, table) else {}) if c.endswith("_id")])
        return set_column(rng, doc, table, column, ["not-a-uuid", "", "00000000-0000-0000-0000-000000000000", str(uuid.uuid4()),
                                                    "{" + str(uuid.uuid4()) + "}", str(uuid.uuid4()).replace("-", ""), 1, None,
                                                    str(uuid.uuid4()).upper() + "0"]), doc, []

    @add("NUL and long strings", 6)
    def _(rng, doc, secrets):
        table = rng.choice(["goals", "procurements", "users", "goal_comments", "audit_log", "checkins", "tasks"])
        texts = [c for c, v in (rows(doc, table)[0] if rows(doc, table) else {"title": ""}).items() if isinstance(v, str) and not c.endswith("id")]
        return set_column(rng, doc, table, rng.choice(texts or ["title"]), STRINGS), doc, []

    @add("free text columns", 16)
    def _(rng, doc, secrets):
        table, column = rng.choice(FREE_TEXT)
        return set_column(rng, doc, table, column, ODD_TEXT, every=rng.random() < 0.5), doc, []

    @add("ids of nothing", 8)
    def _(rng, doc, secrets):
        table, column = rng.choice(FREE_IDS)
        return set_column(rng, doc, table, column, [str(uuid.uuid4()), "00000000-0000-0000-0000-000000000000", None],
                          every=rng.random() < 0.5), doc, []

    @add("numbers", 12)
    def _(rng, doc, secrets):
        table, column = rng.choice(NUMERIC)
        what = set_column(rng, doc, table, column, ODD_NUMERIC, every=rng.random() < 0.3)
        if rng.random() < 0.3 and rows(doc, "goal_indicators"):  # target = baseline: nothing to progress over
            for row in rows(doc, "goal_indicators"):
                row["baseline"] = row["target"]
            what += ", baseline = target"
        return what, doc, []

    @add("row numbers", 16)
    def _(rng, doc, secrets):
        table, column = rng.choice(SEQUENCES)
        return set_column(rng, doc, table, column, ODD_SEQ, every=rng.random() < 0.3), doc, []

    @add("dates", 12)
    def _(rng, doc, secrets):
        if rng.random() < 0.5:
            table, column = rng.choice(DATE_COLUMNS)
            return set_column(rng, doc, table, column, DATES, every=rng.random() < 0.3), doc, []
        table, column = rng.choice(TIME_COLUMNS)
        return set_column(rng, doc, table, column, TIMESTAMPS, every=rng.random() < 0.3), doc, []

    @add("audit documents", 8)
    def _(rng, doc, secrets):
        value = rng.choice([deep(rng.choice([100, 1000, 5000])), "text", 1e300, [], {"": None}, {"title": {"x": [1, {"y": None}]}},
                            {"k" * 1000: "v" * 100_000}, {str(n): n for n in range(5000)}, {"status": "bogus", "version": 1e300},
                            {"\u0000": 1}, None, True])
        return set_column(rng, doc, "audit_log", rng.choice(["before", "after"]), [value], every=rng.random() < 0.3), doc, []

    @add("settings", 6)
    def _(rng, doc, secrets):
        choice = rng.randrange(4)
        if choice == 0:
            doc["tables"]["settings"] = []
            return "no settings row", doc, []
        if choice == 1:
            doc["tables"]["settings"] = [{"singleton": True, "checkin_due_days": 30}, {"singleton": True, "checkin_due_days": 7}]
            return "two settings rows", doc, []
        if choice == 2:
            doc["tables"]["settings"] = [{"singleton": False, "checkin_due_days": 30}]
            return "settings.singleton = false", doc, []
        doc["tables"]["settings"] = [{}]
        return "a settings row without columns", doc, []

    @add("empty tables", 4)
    def _(rng, doc, secrets):
        keep = rng.choice([[], ["users"], ["users", "settings"], ["users", "settings", "procurements"], ["users", "settings", "goals"]])
        for table in doc["tables"]:
            if table not in keep:
                doc["tables"][table] = []
        return f"every table empty but {keep}", doc, []

    @add("with secrets", 14)
    def _(rng, doc, secrets):
        doc = secrets
        choice = rng.randrange(8)
        users = rows(doc, "users")
        if choice == 0:
            doc["tables"].pop("password_codes", None)
            return "withSecrets without password_codes", doc, []
        if choice == 1:
            column = rng.choice(["totp_secret", "totp_pending"])
            value = rng.choice(["!!!", "", "A" * 1000, "JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", "========", "\u00e4", "0189",
                                "JBSWY3DPEHPK3PX", "sealed:v1:garbage", None])
            for row in users:
                row[column] = value
            return f"users.{column} = {short(value)} for everyone", doc, []
        if choice == 2:
            value = rng.choice(ODD_SEQ)
            for row in users:
                row["totp_last_step"] = value
                row["totp_secret"] = "JBSWY3DPEHPK3PXP"
            return f"users.totp_last_step = {short(value)} with a key", doc, []
        if choice == 3:
            value = rng.choice(["", "x", "$2b$12$" + "a" * 53, "$2b$99$" + "a" * 53, "$2y$04$" + "." * 53, "$argon2id$v=19$x", "\u00e4" * 60,
                                "$2b$12$", "$" * 60, "$2b$1$abc"])
            for row in users:
                row["password_hash"] = value
            return f"users.password_hash = {short(value)} for everyone", doc, []
        if choice == 4 and users:
            user = users[0]["id"]
            doc["tables"]["password_codes"] = [{
                "id": str(uuid.uuid4()), "user_id": user, "issued_by": user, "code_hash": rng.choice(["", "x", "a" * 10_000]),
                "created_at": rng.choice(TIMESTAMPS[:6]), "expires_at": rng.choice(TIMESTAMPS[:6]), "used_at": rng.choice([None, "infinity"])}]
            return "a password code with odd times", doc, []
        if choice == 5:
            doc["withSecrets"] = rng.choice([False, "true", 1, None])
            return f"the secrets with withSecrets = {short(doc['withSecrets'])}", doc, []
        if choice == 6:
            doc["tables"]["password_codes"] = [{"id": "x"}]
            return "a password code without columns", doc, []
        return "the secrets as exported", doc, []

    @add("slug", 8)
    def _(rng, doc, secrets):
        slug = rng.choice(["demo", "fuzz-pages", "Bad Slug!", "", "x" * 100, "-x", "x-", "p\u00e4iv\u00e4", "org_x", "a", "a" * 63,
                           "fz-file-%d" % rng.randrange(10**9), "../x", "x\u0000", "api", "platform", "public", "pg_catalog"])
        if rng.random() < 0.5:
            doc["organisation"]["slug"] = slug
            return f"organisation.slug = {short(slug)} (no --slug)", doc, ["--no-slug"]
        slug = slug.replace("\u0000", "\u0001")  # no NUL in a command's arguments
        return f"--slug {short(slug)}", doc, ["--slug=" + slug]

    @add("organisation name", 4)
    def _(rng, doc, secrets):
        doc["organisation"]["name"] = rng.choice(["", " ", "x" * 10_000, "a\u0000b", "\u202e" * 10, "<script>alert(1)</script>", "{{name}}"])
        return f"organisation.name = {short(doc['organisation']['name'])}", doc, []

    @add("random edit", 12)
    def _(rng, doc, secrets):
        what = []
        for _ in range(rng.randint(1, 4)):
            table = rng.choice([t for t in doc["tables"] if doc["tables"][t]])
            row = rng.choice(doc["tables"][table])
            column = rng.choice(list(row))
            row[column] = rng.choice(NUMBERS + STRINGS[:14] + DATES[:4] + [deep(50)])
            what.append(f"{table}.{column} = {short(row[column])}")
        return "; ".join(what), doc, []

    @add("unchanged", 2)
    def _(rng, doc, secrets):
        return "the export as it is", doc, []

    return out


# ---------------------------------------------------------------------------------------------
# Pages and reads of an imported organisation


def page_targets(routes, slug, document, with_ids):
    goals = [row["id"] for row in rows(document, "goals") if isinstance(row, dict) and isinstance(row.get("id"), str)][:4]
    procurements = [row["id"] for row in rows(document, "procurements") if isinstance(row, dict) and isinstance(row.get("id"), str)][:3]
    targets = []
    for method, path, guard in routes:
        if method != "GET" or not (guard.startswith("member:") or guard == "signed-in" or (path.startswith("/api/v1/orgs/:org"))):
            continue
        path = path.replace(":org", slug)
        if ":id" in path:
            ids = goals if "/goals/" in path else procurements if "/procurements/" in path else []
            targets += [path.replace(":id", urllib.parse.quote(i, safe="")) for i in ids[:with_ids]]
        elif ":file" in path:
            targets += [path.replace(":file", f"{kind}.csv") for kind in ("goals", "procurements", "tasks", "checkins")]
        elif ":" not in path:
            targets.append(path)
    targets += [f"/api/v1/orgs/{slug}/tasks?assignee=me", f"/api/v1/orgs/{slug}/export?what=goals",
                f"/api/v1/orgs/{slug}/export?what=checkins", "/overview?lang=sv", "/report?lang=en", "/goals?status=scheduled"]
    return targets


def check_organisation(slug, document, routes, platform_token, number):
    """Problems found reading an imported organisation (5xx, lost connections, a trapped command)."""
    problems = []
    # Each organisation signs in from a loopback address of its own: the sign-in throttle counts
    # per address, and the wrong codes tried below would otherwise slow every later case down.
    source = f"127.0.{1 + number // 250}.{1 + number % 250}"
    email = f"import-fuzz-{number}@fuzz.example"
    password = f"import-fuzz-password-{number}"
    code, out, err, timed_out = run(["user", "create", "--org", slug, "--role", "management", "--email", email, "--name", "Import Fuzz"],
                                    env={"LUOTSI_PASSWORD": password})
    verdict = judge(code, err, timed_out)
    if verdict:
        return [f"`user create --org {slug}`: {verdict}: {err.strip()[-300:]}"]
    tokens = []
    if code == 0:
        token, refused = sign_in({"organisation": slug, "email": email, "password": password}, source)
        if token:
            tokens.append(("management", token))
        elif isinstance(refused, str) or (refused or 0) >= 500 or refused == 429:
            # (429: still throttled after 60 s, so the pages would go unread: a failure too.)
            problems.append(f"POST /api/v1/auth/login as management of {slug}: {refused}")
    # With secrets, the demo's own people keep their passwords: sign in as them too (their keys
    # and codes came from the file).
    if document.get("withSecrets") is True:
        for role, (demo_email, demo_password) in accounts.items():
            if role == "platform" or not any(isinstance(r, dict) and r.get("email") == demo_email for r in rows(document, "users")):
                continue
            for body in ({"organisation": slug, "email": demo_email, "password": demo_password},
                         {"organisation": slug, "email": demo_email, "password": demo_password, "code": "123456"}):
                token, refused = sign_in(body, source)
                if token:
                    tokens.append((role, token))
                    break
                if isinstance(refused, str) or (refused or 0) >= 500:
                    problems.append(f"POST /api/v1/auth/login as {demo_email} of {slug} ({sorted(body)}): {refused}")
    for role, token in tokens[:2]:
        for target in page_targets(routes, slug, document, 4 if role == "management" else 1):
            status, _, body, error = http("GET", target, token=token)
            if status is None or status >= 500:
                problems.append(f"GET {target} as {role} of {slug}: {status or error}")
    for target in ["/platform/organisations", "/platform/rollup", "/platform/audit", "/api/v1/platform/organisations",
                   "/api/v1/platform/rollup", "/api/v1/platform/audit"]:
        status, _, body, error = http("GET", target, token=platform_token)
        if status is None or status >= 500:
            problems.append(f"GET {target} as the platform admin after importing {slug}: {status or error}")
    return problems


# ---------------------------------------------------------------------------------------------


accounts = demo_accounts.read(credentials_file)


def main():
    sys.setrecursionlimit(50_000)  # deeply nested documents
    started = time.time()
    work = tempfile.mkdtemp(prefix="luotsi-import-fuzz.")
    try:
        code, base_text, err, _ = run(["org", "export", "demo"])
        if code != 0:
            sys.exit(f"import fuzz: `org export demo` failed ({code}): {err[-500:]}")
        code, secrets_text, err, _ = run(["org", "export", "demo", "--with-secrets"])
        if code != 0:
            sys.exit(f"import fuzz: `org export demo --with-secrets` failed ({code}): {err[-500:]}")
        base, base_secrets = json.loads(base_text), json.loads(secrets_text)
        routes = []
        for line in subprocess.run([binary, "routes"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines():
            match = re.match(r"(?:page|api) (GET|POST|PUT|PATCH|DELETE) (\S+) (\S+)$", line.strip())
            if match:
                routes.append(match.groups())
        platform_token = None
        if base_url:
            email, password = accounts["platform"]
            platform_token, refused = sign_in({"email": email, "password": password})
            if not platform_token:
                sys.exit(f"import fuzz: the platform admin cannot sign in: {refused}")
        skip = set(filter(None, os.environ.get("LUOTSI_FUZZ_SKIP", "").split(",")))  # mutation names, to look past a known trap
        catalogue = [(name, function) for name, function in mutations() if name not in skip]
        tag = f"{int(time.time()) % 100000:05d}"  # slugs of this run: several runs may share a database
        lock = threading.Lock()
        results = {"imported": 0, "refused": 0, "traps": 0, "page failures": 0}
        failures = []
        dead = threading.Event()
        reading = set()

        def one(number):
            try:
                attempt(number)
            except Exception as error:  # a fault of this script: report it, keep going
                with lock:
                    failures.append(f"  case {number}: the fuzzer itself failed: {type(error).__name__}: {error}")

        def attempt(number):
            if dead.is_set():
                return
            rng = random.Random(f"{SEED}/import/{number}")
            name, mutate = rng.choice(catalogue)
            what, result, extra = mutate(rng, copy.deepcopy(base), copy.deepcopy(base_secrets))
            if isinstance(result, bytes):
                data, document = result, None
            else:
                data, document = json.dumps(result, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass"), result
            path = os.path.join(work, f"import-{number}.json")
            with open(path, "wb") as file:
                file.write(data)
            slug = f"fz-{tag}-{number}"
            arguments = ["org", "import", path]
            if "--no-slug" in extra:
                pass  # the file's own slug
            elif any(a.startswith("--slug") for a in extra):
                arguments += extra
            else:
                arguments += ["--slug", slug]
            code, out, err, timed_out = run(arguments)
            verdict = judge(code, err, timed_out)
            with lock:
                reading.add(number)
            label = f"case {number} ({name}: {what})"
            problems = []
            if verdict:
                problems.append(f"`luotsi {' '.join(a if len(a) < 80 else a[:60] + '...' for a in arguments)}`: {verdict}\n      stderr: {err.strip()[-600:]!r}")
            imported = code == 0
            if imported and base_url and not verdict and not dead.is_set():
                match = re.search(r"imported organisation (\S+)", out)
                slug_done = match.group(1) if match else slug
                found = check_organisation(slug_done, document or {}, routes, platform_token, number)
                if found and not alive():
                    # What failed before the server went away; the rest is its consequence.
                    first = [p for p in found if "ConnectionRefused" not in p][:3]
                    with lock:
                        in_flight = sorted(n for n in reading if n != number)
                    problems += first + ["the server died while this organisation was read"
                                         + (f" (cases {in_flight} were being read too)" if in_flight else "")]
                    dead.set()
                else:
                    problems += found
            with lock:
                reading.discard(number)
                results["imported" if imported else "refused"] += 1
                if verdict:
                    results["traps"] += 1
                elif problems:
                    results["page failures"] += 1
                if problems:
                    os.makedirs(KEEP, exist_ok=True)
                    kept = os.path.join(KEEP, f"import-{SEED}-{number}.json")
                    shutil.copyfile(path, kept)
                    failures.append(f"  {label}, file kept as {kept}\n" + "\n".join(f"    {p}" for p in problems[:10]))
            if ONLY:
                os.makedirs(KEEP, exist_ok=True)
                shutil.copyfile(path, os.path.join(KEEP, f"import-{SEED}-{number}.json"))
                print(f"{label}\n  luotsi {' '.join(arguments)}\n  exit {code}, stdout {out.strip()[-300:]!r}\n  stderr {err.strip()[-1000:]!r}\n"
                      f"  file kept as {KEEP}/import-{SEED}-{number}.json")
            os.remove(path)

        numbers = [int(ONLY)] if ONLY else range(CASES)
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for future in [pool.submit(one, n) for n in numbers]:
                future.result()
        refused_text = f"{results['refused']} refused with a message"
        print(f"import fuzz: {len(numbers)} files (seed {SEED}), {results['imported']} imported, {refused_text}, {results['traps']} traps"
              + (f", pages of {results['imported']} imported organisations read: {results['page failures']} with failures" if base_url else "")
              + f" ({time.time() - started:.0f} s)")
        if base_url:
            print("import fuzz: server alive" if alive() else "import fuzz: the server is DEAD")
        if failures or dead.is_set():
            print(f"import fuzz: {len(failures)} failing files:")
            for failure in sorted(failures)[:20]:
                print(failure)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
