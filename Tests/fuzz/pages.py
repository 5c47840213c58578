"""Fuzzes every page route (issue 16): every GET and POST of `luotsi routes --kind pages`, signed
out and as each role, with broken bodies, encodings, headers, cookies, queries and path segments.

Usage: python3 Tests/fuzz/pages.py BASE_URL CREDENTIALS_FILE BINARY
  LUOTSI_FUZZ_SEED   the seed (default 16); every case is made from (seed, role, index) alone
  LUOTSI_FUZZ_CASES  cases per role (default and floor: MIN_CASES)
  LUOTSI_FUZZ_CASE   "role:index" runs that one case and prints its request and answer
  LUOTSI_FUZZ_ROLES  comma-separated subset of the roles (for development)
Fails (exit 1) on any 5xx, any lost connection or a dead server; see Tests/fuzz/README.md.
"""

import html.parser
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import demo_accounts  # noqa: E402

MIN_CASES = 2000
CONCURRENCY = 8
TIMEOUT = 30
LIVE_EVERY = 100
ROLES = ["signed-out", "staff", "lead", "management", "platform"]
# Fuzz traffic comes from these loopback addresses, sign-ins through the API from 127.0.0.1, so
# that the sign-in throttle (per address) the fuzzed /sign-in posts trip never locks the fuzzer's
# own re-sign-ins out.
FUZZ_SOURCES = [f"127.0.0.{n}" for n in range(2, 10)]

base_url, credentials_file, binary = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
parsed = urllib.parse.urlsplit(base_url)
HOST, PORT = parsed.hostname, parsed.port or 80
AUTHORITY = f"{HOST}:{PORT}".encode()
ORIGIN = f"http://{HOST}:{PORT}".encode()
SEED = int(os.environ.get("LUOTSI_FUZZ_SEED", "16"))
CASES = max(MIN_CASES, int(os.environ.get("LUOTSI_FUZZ_CASES", "0") or 0))
ONLY = os.environ.get("LUOTSI_FUZZ_CASE")


# ---------------------------------------------------------------------------------------------
# Raw HTTP


class Answer:
    def __init__(self, status=None, headers=(), body=b"", error=None):
        self.status, self.headers, self.body, self.error = status, list(headers), body, error

    def header(self, name):
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def read_answer(sock, head_only=False):
    """One HTTP/1.1 response from the socket (1xx skipped); raises on a short or garbled one."""
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed without an answer" if not data else f"closed inside the header: {data[:80]!r}")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
        if not match:
            raise ConnectionError(f"not an HTTP answer: {lines[0][:80]!r}")
        status = int(match.group(1))
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
        if 100 <= status < 200:
            data = rest
            continue
        answer = Answer(status, headers)
        length = answer.header("content-length")
        if head_only or status in (204, 304):
            answer.body = b""
        elif length is not None:
            need = int(length)
            while len(rest) < need:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed after {len(rest)} of {need} body bytes")
                rest += chunk
            answer.body = rest[:need]
        elif (answer.header("transfer-encoding") or "").lower() == "chunked":
            body = b""
            while True:
                while b"\r\n" not in rest:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed inside a chunked body")
                    rest += chunk
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed inside a chunk")
                    rest += chunk
                if size == 0:
                    break
                body += rest[:size]
                rest = rest[size + 2:]
            answer.body = body
        else:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
            answer.body = rest
        return answer


def exchange(raw, source=None, timeout=TIMEOUT, head_only=False):
    """Sends the bytes as they are on a new connection and reads one answer."""
    try:
        sock = socket.create_connection((HOST, PORT), timeout=timeout, source_address=(source, 0) if source else None)
    except OSError as error:
        if source:
            return exchange(raw, None, timeout, head_only)
        return Answer(error=f"connect: {error}")
    try:
        sent_error = None
        try:
            sock.sendall(raw)
        except OSError as error:  # the server may answer and close before reading everything
            sent_error = error
        try:
            return read_answer(sock, head_only)
        except (OSError, ConnectionError, ValueError) as error:
            kind = "timeout" if isinstance(error, socket.timeout) else type(error).__name__
            return Answer(error=f"{kind}: {error}" + (f" (sending: {sent_error})" if sent_error else ""))
    finally:
        sock.close()


def request_bytes(method, target, headers, body=b"", version=b"HTTP/1.1"):
    lines = [method + b" " + target + b" " + version]
    lines += [name + b": " + value for name, value in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def simple(method, target, cookie=None, body=None, content_type=b"application/x-www-form-urlencoded", token=None, extra=()):
    headers = [(b"Host", AUTHORITY), (b"User-Agent", b"luotsi-page-fuzz")]
    if cookie:
        headers.append((b"Cookie", cookie.encode()))
    if token:
        headers.append((b"Authorization", b"Bearer " + token.encode()))
    headers += list(extra)
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers += [(b"Content-Type", b"application/json" if not isinstance(body, bytes) else content_type),
                    (b"Content-Length", str(len(data)).encode())]
    return exchange(request_bytes(method.encode(), target.encode(), headers, data))


def alive():
    answer = exchange(b"GET /health/live HTTP/1.1\r\nHost: " + AUTHORITY + b"\r\n\r\n", timeout=20)
    return answer.status == 200


# ---------------------------------------------------------------------------------------------
# Accounts, sessions and real records


accounts = demo_accounts.read(credentials_file)
if set(accounts) != {"platform", "management", "lead", "staff"}:
    sys.exit(f"page fuzz: expected four demo sign-ins in {credentials_file}, found {sorted(accounts)}")
PASSWORDS = {password for _, password in accounts.values()}


def api(method, path, body=None, token=None, expect=(200, 201)):
    answer = simple(method, path, body=body, token=token)
    if answer.status not in expect:
        sys.exit(f"page fuzz: set-up call {method} {path} answered {answer.status or answer.error}: {answer.body[:300]!r}")
    return json.loads(answer.body or b"null")


def sign_in(role):
    """A fresh session token for the role, waiting out the sign-in throttle for up to 60 s."""
    email, password = accounts[role]
    body = {"email": email, "password": password}
    if role != "platform":
        body["organisation"] = "demo"
    deadline = time.time() + 60
    while True:
        answer = simple("POST", "/api/v1/auth/login", body=body)
        if answer.status == 200:
            return json.loads(answer.body)["token"]
        if answer.status in (429, 503) and time.time() < deadline:
            time.sleep(min(float(answer.header("retry-after") or 5), 10))
            continue
        sys.exit(f"page fuzz: signing in as {role} answered {answer.status or answer.error}: {answer.body[:200]!r}")


class Session:
    """A role's session: its token (also the page cookie) and its forms' CSRF token."""

    def __init__(self, role):
        self.role = role
        self.lock = threading.Lock()
        self.resignins = 0
        self.token = self.csrf = self.cookie_name = None
        self.refresh()

    def refresh(self):
        if self.role == "signed-out":
            answer = simple("GET", "/")
            cookie = next((v for k, v in answer.headers if k.lower() == "set-cookie" and "csrf=" in v), "")
            self.cookie_name, _, rest = cookie.partition("=")
            self.token = rest.split(";")[0]
            self.csrf = scrape_csrf(answer.body) or self.token
        else:
            self.token = sign_in(self.role)
            self.cookie_name = "luotsi_session"
            answer = simple("GET", "/profile", cookie=self.cookie())
            self.csrf = scrape_csrf(answer.body)
            if not self.csrf:
                sys.exit(f"page fuzz: no CSRF token on /profile as {self.role} ({answer.status})")

    def cookie(self):
        return f"{self.cookie_name}={self.token}"

    def check(self, token_seen):
        """Signs in again when the session behind `token_seen` has ended."""
        if self.role == "signed-out":
            return
        with self.lock:
            if token_seen != self.token:
                return
            if simple("GET", "/api/v1/me", token=self.token).status == 401:
                self.resignins += 1
                self.refresh()


def scrape_csrf(body):
    match = re.search(rb'name="csrf" value="([^"]+)"', body or b"")
    return match.group(1).decode() if match else None


# ---------------------------------------------------------------------------------------------
# The route table and what its forms look like


def load_routes():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    output = subprocess.run([binary, "routes", "--kind", "pages"], cwd=root, capture_output=True, text=True, check=True).stdout
    routes = []
    for line in output.splitlines():
        match = re.match(r"page (GET|POST) (\S+) (\S+)$", line.strip())
        if match:
            routes.append((match.group(1), match.group(2), match.group(3)))
    if len(routes) < 10:
        sys.exit(f"page fuzz: `{binary} routes --kind pages` listed only {len(routes)} page routes:\n{output[:2000]}")
    return routes


def route_regex(path):
    return re.compile("^" + "/".join(("[^/]+" if part.startswith(":") else re.escape(part)) for part in path.split("/")) + "$")


class FormScraper(html.parser.HTMLParser):
    """Every form's action, method, field names and the values the page offers for them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.select, self.links = [], None, None, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.add(attrs["href"])
        if tag == "form":
            self.current = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            values = self.current["fields"].setdefault(attrs["name"], set())
            if attrs.get("value") is not None:
                values.add(attrs["value"])
            if tag == "select":
                self.select = attrs["name"]
        elif tag == "option" and self.current is not None and self.select and attrs.get("value") is not None:
            self.current["fields"][self.select].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


GENERIC_FIELDS = [
    "title", "description", "level", "priority", "status", "attainment", "comment", "reason", "to", "ownerId", "start", "due",
    "email", "name", "role", "password", "currentPassword", "newPassword", "code", "organisation", "next", "phase", "version",
    "text", "support", "active", "slug", "note", "goalId", "assigneeId", "procurementId", "catalogueGoalId", "themeCode", "leadId",
    "memberIds", "reference", "category", "estimatedValue", "back", "managementEmail", "managementName", "managementPassword",
    "milestones-0-title", "milestones-0-due", "indicators-0-name", "indicators-0-target", "indicators-0-baseline",
    "indicators-0-unit", "indicators-0-direction", "impact-target-cost_savings", "impact-achieved-cost_savings", "name-fi",
    "description-sv", "milestones[0].title", "indicator", "indicatorValues[0].value",
]
QUERY_NAMES = [
    "lang", "next", "status", "cursor", "page", "year", "limit", "level", "procurementId", "notice", "phase", "checkinDueDays",
    "what", "entity", "entityId", "assignee", "q", "sort", "theme",
]
EVIL_NEXT = [
    "//evil.example", "/%09/evil.example", "/\t/evil.example", "\\\\evil", "/\\evil", "javascript:alert(1)", "https://evil.example",
    "/%2f%2fevil.example", "/api/v1/me", "/goals", "/%E2%80%AEevil", "/\u3000/evil", "/ok\r\nLocation: //evil", "", "/" * 3000,
    "%zz", "/%", "/goals?lang=sv#x",
]
LANGS = ["fi", "sv", "en", "FI", "xx", "", "fi-FI", "en;q=1", "%00", "fi%00", "\u00e4", "%E2%82", "e" * 3000, "sv\r\nX: y", "*"]
ACCEPT_LANGUAGES = [
    b"*;q=foo", b"fi-FI;q=0.5,sv;q=2", b"sv", b"en-GB,en;q=0.9", b"x" * 10_000, b"\xe4\xff\xfe", b",,,;;;", b"fi;q=-1",
    b"fi;q=1e400", b"fi;q=NaN", b"sv;q=0.5;q=0.4", b"*", b"en-" + b"a" * 500, b"zz, " * 2000, b"fi;q=", b";q=0.5", b"\xc3\xa4",
    b"fi;q=0.0000000000000000001", b"i-klingon", b"-", b"sv-SE-x-private-" + b"1" * 300,
]


def odd_values(ids):
    some = ids[0] if ids else str(uuid.uuid4())
    return [
        "", " ", "-1", "0", "-0", "1", "3", "4", "100", "101", "1e300", "-1e300", "1" + "0" * 21, "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "NaN", "nan", "Infinity", "-Infinity", "0x10", "1,5", "1.5", "1 000",
        "\u00a01", "\u0663", "\uff11\uff12", "1e-400", "0.0000000000000000000000000000000000000001", "99999999999999999999999999999.9",
        "2026-02-30", "99999-01-01", "0000-00-00", "2026-13-01", "2026-1-1", "1900-01-01", "-2026-01-01", "2024-02-29",
        "2026-02-29", "2026-12-31T00:00:00Z", "9999-12-31", "0001-01-01", "00000000-0000-0000-0000-000000000000",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "{" + some + "}", some.upper(), some.replace("-", ""), some + "x", some[:-1],
        "on", "off", "true", "null", "undefined", "[]", "{}", "<script>alert(1)</script>", "' OR 1=1 --", '"', "\\", "%", "%zz",
        "\u202e\u200f\u200e", "\U0001F600" * 50, "a\r\nSet-Cookie: x=1", "\r\nLocation: //evil.example", "\x00", "a\x00b",
        "\u00e4" * 5000, "x" * 100_000, "\ufeff", "\ud7ff\ue000\uffff", "\u0301" * 200, "demo", "fuzz-pages", "DEMO",
        "idea", "sifted", "shortlisted", "scheduled", "in_progress", "implemented", "done", "rejected", "closed", "todo", "doing",
        "management", "lead", "staff", "platform-admin", "admin", "active", "suspended", "increase", "decrease", "on_track",
        "at_risk", "off_track", "tendering_award", "market_engagement", "planning", "fi", "sv", "en",
    ] + EVIL_NEXT[:8]


# ---------------------------------------------------------------------------------------------
# Making one case


BROKEN = [b"%", b"%z", b"%zz", b"%E2%82", b"%C0%AF", b"%ED%A0%80", b"%FF", b"%F4%90%80%80", b" ", b"\xff", b"\x00", b'"',
          b"%00", b"\xe4", b"%%", b"%4", b"+", b"\xc3", b"%c3%28", b"\r\n", b"\x7f", b"%u00e4", b"&", b"="]


# Broken escapes a request line may still carry (a query's): raw spaces and non-ASCII bytes there
# are no HTTP request at all.
BROKEN_IN_TARGET = [b"%", b"%z", b"%zz", b"%E2%82", b"%C0%AF", b"%ED%A0%80", b"%FF", b"%F4%90%80%80", b"%00", b"%%", b"%4", b"+",
                    b"%c3%28", b"%u00e4", b"&", b"=", b"%0D%0A", b"%7F"]


def encode(rng, text, broken_rate, in_target=False):
    data = text.encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < broken_rate:
        encoded = bytearray(urllib.parse.quote_plus(data).encode())
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(encoded))
            encoded[at:at] = rng.choice(BROKEN_IN_TARGET if in_target else BROKEN)
        return bytes(encoded)
    if roll < broken_rate + 0.08 and not in_target:
        return data.replace(b"&", b"%26").replace(b"=", b"%3D")  # raw UTF-8, as curl -d sends it
    return urllib.parse.quote_plus(data).encode()


def random_text(rng):
    kind = rng.random()
    if kind < 0.3:
        return "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(0, 40)))
    if kind < 0.5:
        return "".join(chr(rng.choice([rng.randint(0xA0, 0x2FF), rng.randint(0x590, 0x6FF), rng.randint(0x1F300, 0x1F6FF),
                                       rng.randint(0x200B, 0x202F), rng.randint(0x4E00, 0x4FFF)])) for _ in range(rng.randint(1, 60)))
    if kind < 0.6:
        return "".join(chr(rng.randint(0, 0x1F)) for _ in range(rng.randint(1, 10)))
    return rng.choice(["x" * rng.randint(200, 3000), "\u00e4" * rng.randint(100, 600), str(rng.randint(-10**30, 10**30)),
                       repr(rng.uniform(-1e308, 1e308)), str(uuid.UUID(int=rng.getrandbits(128)))])


def random_segment(rng, wrong_kind):
    """A path segment (already percent-encoded) that is not a real record's id."""
    choice = rng.randrange(20)
    if choice == 0:
        return "".join(f"%{rng.randrange(256):02X}" for _ in range(rng.randint(1, 40)))
    if choice == 1:
        return rng.choice(["..%2f..%2fetc%2fpasswd", "..", ".", "%2e%2e", "%2e", "..%5c..%5c", "%2F", "a%2Fb"])
    if choice == 2:
        return rng.choice(["%00", "a%00b", str(uuid.uuid4()) + "%00"])
    if choice == 3:
        return "x" * rng.choice([300, 2000, 7000])
    if choice == 4:
        return rng.choice(["%zz", "%", "%E2%82", "%C0%AF", "%FF%FE", "%ED%A0%80", "%4", "%%"])
    if choice == 5:
        return urllib.parse.quote(rng.choice(["\u00e4\u20ac\U0001F600\u202e", "\u0000", "\u00a0", "\ufeff", "\U0010FFFF", "\u0301" * 30]))
    if choice == 6:
        return ""
    if choice == 7:
        some = str(uuid.UUID(int=rng.getrandbits(128)))
        return rng.choice([some.upper(), "{" + some + "}", some.replace("-", ""), some + ".json", some[:-1] + "g", some + "-",
                           "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", " " + some])
    if choice == 8 and wrong_kind:
        return rng.choice(wrong_kind)
    if choice == 9:
        return rng.choice(["%20", "+", "%09", "~", "!$&'()*+,;=:@", "%3F", "%23", "a;b=c", "%u0041"]).replace(" ", "%20")
    if choice == 10:
        return str(rng.randint(-10**20, 10**20))
    return urllib.parse.quote(random_text(rng)[:300], safe="")


class Fixtures:
    pass


def make_case(role, index, session, fx, routes, forms, get_queries):
    rng = random.Random(f"{SEED}/{role}/{index}")
    method, path, guard = routes[index % len(routes)]
    case = {"role": role, "index": index, "route": f"{method} {path}", "http_valid": True, "session_intact": False}
    signed_in = role != "signed-out"

    # The path: real ids mostly, garbage in a third of the cases with a parameter.
    parts = []
    for part in path.split("/"):
        if part.startswith(":"):
            real = fx.params(path, part[1:])
            if rng.random() < 0.35 or not real:
                wrong = [value for value in fx.all_ids if value not in real] + ["fuzz-pages"]
                segment = random_segment(rng, wrong)
            else:
                segment = urllib.parse.quote(rng.choice(real), safe="")
            parts.append(segment)
        else:
            parts.append(part)
    target = "/".join(parts) or "/"
    roll = rng.random()
    if roll < 0.04:
        target = rng.choice([target + "/", "/" + target, target + "%2F", target.upper(), target + ";x=1", target + "/..", target + "/x",
                             target.replace("/", "//"), target + "%00", target + "/%2e%2e/users"])

    # The query.
    query = []
    if rng.random() < (0.6 if method == "GET" else 0.3):
        offered = get_queries.get(path, {})
        for _ in range(rng.randint(1, 4)):
            name = rng.choice(QUERY_NAMES + list(offered) * 2)
            if name == "lang":
                value = rng.choice(LANGS)
            elif name == "next":
                value = rng.choice(EVIL_NEXT)
            elif name in offered and offered[name] and rng.random() < 0.5:
                value = rng.choice(sorted(offered[name]))
            elif name in ("cursor", "page", "year", "limit", "checkinDueDays"):
                value = rng.choice(["0", "-1", "1", "18", "200", "201", "9" * 18, "9" * 19, "1e3", "", "abc", "9223372036854775808",
                                    "00000000000000000001", "\u0663", "1.5", "+1", " 1"])
            else:
                value = rng.choice(odd_values(fx.all_ids)[:80] + [random_text(rng)])
            query.append(encode(rng, name, 0.05, in_target=True) + b"=" + encode(rng, value, 0.2, in_target=True))
        if rng.random() < 0.1:
            query.append(rng.choice([b"", b"=", b"&&", b"a", b"%", b"%zz=1", b"a=%E2%82", b"lang=fi&lang=xx", b"=x", b"a=b=c", b"?"]))
    target_bytes = target.encode("utf-8", "surrogatepass")
    if query:
        target_bytes += b"?" + b"&".join(query)
    elif rng.random() < 0.03:
        target_bytes += rng.choice([b"?", b"?&", b"?#", b"#frag"])
    if rng.random() < 0.02:  # bytes no request line may carry: the HTTP layer's 400 is the answer
        at = rng.randint(1, len(target_bytes))
        target_bytes = target_bytes[:at] + rng.choice([b"\xff", b"\xe4", b"\x00", b"\x7f", b"\x01", b"\xc3\xa4"]) + target_bytes[at:]
        case["http_valid"] = False

    # The method.
    method_bytes = method.encode()
    if rng.random() < 0.03:
        method_bytes = rng.choice([b"HEAD", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE", b"FOO", b"get", b"POST", b"GET"])
        if method_bytes in (b"get", b"FOO", b"TRACE"):
            case["http_valid"] = False

    # The body of a post: usually a form made of the fields the page offers.
    good = False
    body = b""
    content_type = b"application/x-www-form-urlencoded"
    if method_bytes == b"POST" or (method == "GET" and rng.random() < 0.04):
        good = method == "POST" and rng.random() < 0.5
        if path == "/sign-out" and signed_in:
            good = False  # never end the role's own session
        fields = forms.get(path) or {}
        names = list(fields) or rng.sample(GENERIC_FIELDS, rng.randint(1, 8))
        names = [name for name in names if name != "csrf"]
        # Most posts with the right token are well-formed, so that the handlers' own parsing runs.
        clean = good and rng.random() < 0.7
        broken = 0.0 if clean else 0.15
        kind = rng.random() if not good else rng.random() * 0.7
        pairs = []
        if kind < 0.7:
            for name in names:
                if rng.random() < 0.2:
                    continue  # a missing field
                offered = sorted(fields.get(name, ()))
                if offered and rng.random() < 0.55:
                    value = rng.choice(offered)
                elif name in ("password", "currentPassword", "newPassword", "managementPassword") and rng.random() < 0.5:
                    value = rng.choice(["fuzz-password-" + str(rng.randint(0, 99)), "short", "x" * 201, "\u00e4" * 80, ""])
                else:
                    value = rng.choice(odd_values(fx.all_ids) + [random_text(rng)] * 10)
                if value in PASSWORDS:
                    value = "not-" + value
                pairs.append((encode(rng, name, broken / 3), encode(rng, value, broken)))
            if rng.random() < 0.25 and pairs:  # repeated fields
                for _ in range(rng.randint(1, 3)):
                    name, _ = rng.choice(pairs)
                    pairs.insert(rng.randint(0, len(pairs)), (name, encode(rng, rng.choice(odd_values(fx.all_ids)), broken)))
            if rng.random() < 0.2:  # fields no form has
                for _ in range(rng.randint(1, 3)):
                    pairs.append((encode(rng, rng.choice(GENERIC_FIELDS + ["", "a[b]", "x" * 300, "\u00e4\U0001F600", "__proto__"]), broken),
                                  encode(rng, random_text(rng), broken)))
            if rng.random() < 0.05:  # many fields
                pairs += [(f"f{n}".encode(), b"v") for n in range(rng.choice([1000, 20000]))]
            if rng.random() < 0.05:  # one very long value
                pairs.append((encode(rng, rng.choice(names or ["title"]), 0), b"x" * rng.choice([100_000, 250_000])))
            rng.shuffle(pairs)
            body = b"&".join(name if rng.random() < 0.03 else name + b"=" + value for name, value in pairs)
            if rng.random() < 0.1 and not clean:
                body = rng.choice([b"&", b"&&", b"=", b"&=&"]) + body + rng.choice([b"", b"&", b"&&", b"%", b"=", b"\x00"])
        elif kind < 0.78:
            body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 7, 100, 4000])))
            content_type = rng.choice([content_type, b"application/octet-stream"])
        elif kind < 0.84:
            body = json.dumps({name: rng.choice(odd_values(fx.all_ids)[:60]) for name in names}).encode()
            content_type = b"application/json"
        elif kind < 0.9:
            boundary = rng.choice([b"xyz", b"", b"\"quoted\"", b"x" * 200])
            body = b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nvalue\r\n--" + boundary + b"--\r\n"
            content_type = b"multipart/form-data; boundary=" + rng.choice([b"bogus", boundary, b"", b"\xff"])
        elif kind < 0.95:
            body = b"title=" + b"x" * rng.choice([100_000, 262_144, 262_200, 300_000, 600_000])
        else:
            body = rng.choice([b"", b"\x00", b"\x00" * 1000, b"%", b"a", b"csrf", b"csrf=", b"=%", b"&&&&", b"\r\n\r\n"])
        if method == "POST":
            csrf_pair = b"csrf=" + session.csrf.encode()
            if good:
                if rng.random() < 0.1:  # the first value counts
                    csrf_pair += rng.choice([b"&csrf=", b"&csrf=x", b"&csrf=%00"])
                body = csrf_pair + (b"&" + body if body else b"") if rng.random() < 0.6 else body + b"&" + csrf_pair
            else:
                wrong = rng.choice([b"", b"csrf=", b"csrf=" + session.csrf[:-1].encode(), b"csrf=" + session.csrf.encode() + b"x",
                                    b"csrf=" + session.csrf.lower().encode(), b"csrf=%00", b"csrf=" + b"A" * 43, b"csrf=%zz",
                                    b"csrf=" + session.csrf.encode() + b"%00", b"csrf=x&csrf=" + session.csrf.encode()])
                if wrong:
                    body = wrong + b"&" + body if rng.random() < 0.5 else body + b"&" + wrong
    case["good_csrf"] = good

    # The headers.
    headers = [(b"Host", AUTHORITY), (b"User-Agent", b"luotsi-page-fuzz")]
    if rng.random() < 0.03:
        headers[0] = rng.choice([(b"Host", b"evil.example"), (b"Host", b""), (b"Host", b"127.0.0.1:1"), (b"Host", b"x" * 3000),
                                 (b"Host", b"[::1"), (b"Host", AUTHORITY + b"@evil"), (b"X-No-Host", b"1")])
        good = False
    cookies = []
    if signed_in or session.token:
        intact = rng.random() < (0.92 if good else 0.75)
        if intact:
            cookies.append(session.cookie().encode())
            case["session_intact"] = True
        else:
            cookies.append(rng.choice([
                session.cookie_name.encode() + b"=", session.cookie_name.encode() + b"=" + session.token[:-1].encode(),
                session.cookie_name.encode() + b"=" + bytes(rng.getrandbits(8) % 94 + 33 for _ in range(43)),
                session.cookie_name.encode(), b"luotsi_session=" + b"a" * 5000, b"luotsi_session=\"" + session.token.encode() + b"\"",
                b"__Host-" + session.cookie().encode(), b"luotsi_session=%zz", b"luotsi_session=\xff\xfe",
                session.cookie().encode() + b"; luotsi_session=garbage", b"luotsi_session=garbage; " + session.cookie().encode(),
                b"luotsi_csrf=" + session.csrf.encode(), b"=;=;;", b";;;", b"luotsi_session==" + session.token.encode()]))
    if rng.random() < 0.2:
        cookies.append(rng.choice([b"luotsi_lang=xx", b"luotsi_lang=sv", b"luotsi_lang=", b"luotsi_lang=\xe4", b"luotsi_lang=" + b"e" * 4000,
                                   b"luotsi_csrf=" + b"A" * 43, b"luotsi_csrf=short", b"a=b=c", b"x", b"\"=\"", b"luotsi_lang=en; luotsi_lang=fi",
                                   b"luotsi_csrf=" + b"\xff" * 43]))
        rng.shuffle(cookies)
    if cookies:
        if rng.random() < 0.08 and len(cookies) > 1:
            headers += [(b"Cookie", cookie) for cookie in cookies]  # duplicate Cookie headers
        else:
            headers.append((b"Cookie", rng.choice([b"; ", b";", b" ;  "]).join(cookies)))
    if rng.random() < 0.3:
        headers.append((b"Accept-Language", rng.choice(ACCEPT_LANGUAGES)))
    if method == "POST" and method_bytes == b"POST":
        if good:
            if rng.random() < 0.8:
                headers.append((b"Origin", ORIGIN))
            if rng.random() < 0.3:
                headers.append((b"Sec-Fetch-Site", rng.choice([b"same-origin", b"none"])))
        elif rng.random() < 0.5:
            headers.append((b"Origin", rng.choice([ORIGIN, b"null", b"http://evil.example", b"garbage", b"http://[", b"http://[::1",
                                                   ORIGIN + b".evil", b"http://127.0.0.1:99999", b"://", b"http://%zz", b"\xff",
                                                   b"http://" + b"a" * 3000, b"http://127.0.0.1:" + str(PORT).encode() + b"/path?q",
                                                   b"http://user@127.0.0.1:" + str(PORT).encode(), b"file:///etc/passwd", b""])))
            if rng.random() < 0.3:
                headers.append((b"Sec-Fetch-Site", rng.choice([b"cross-site", b"same-site", b"", b"\xe4", b"same-origin"])))
    if body or method_bytes == b"POST":
        if rng.random() < 0.12:
            content_type = rng.choice([None, b"text/plain", b"multipart/form-data; boundary=bogus", b"application/json",
                                       b"application/x-www-form-urlencoded; charset=ISO-8859-1", b"garbage", b";;;", b"\xff/\xfe",
                                       b"application/x-www-form-urlencoded; charset=" + b"x" * 500])
        if content_type is not None:
            headers.append((b"Content-Type", content_type))
            if rng.random() < 0.03:
                headers.append((b"Content-Type", b"text/plain"))
    if rng.random() < 0.1:
        headers.append(rng.choice([(b"X-Forwarded-Proto", b"https"), (b"X-Forwarded-Proto", b"\xe4"), (b"Accept", b"*/*;q=x"),
                                   (b"Accept", b"application/json"), (b"Authorization", b"Bearer garbage"),
                                   (b"Authorization", b"Bearer " + (session.token or "").encode()), (b"Referer", b"\xff"),
                                   (b"X-Request-Id", b"x" * 500), (b"X-Request-Id", b"\xe4"), (b"If-None-Match", b"\"x\""),
                                   (b"Expect", b"100-continue"), (b"Connection", b"close"), (b"Range", b"bytes=0-1"),
                                   (b"X-Injected", b"a\rb"), (b"Bad Header", b"x"), (b"X-Nul", b"a\x00b")]))
        if headers[-1][0] in (b"Bad Header",) or headers[-1][1] in (b"a\rb", b"a\x00b"):
            case["http_valid"] = False
    chunked = body and rng.random() < 0.04
    if chunked:
        headers.append((b"Transfer-Encoding", b"chunked"))
        pieces, at = [], 0
        while at < len(body):
            size = rng.randint(1, 70_000)
            pieces.append(b"%x\r\n" % len(body[at:at + size]) + body[at:at + size] + b"\r\n")
            at += size
        wire_body = b"".join(pieces) + b"0\r\n\r\n"
    else:
        if body or method_bytes in (b"POST", b"PUT", b"PATCH"):
            headers.append((b"Content-Length", str(len(body)).encode()))
        wire_body = body
    version = b"HTTP/1.0" if rng.random() < 0.02 else b"HTTP/1.1"
    case["request"] = request_bytes(method_bytes, target_bytes, headers, wire_body, version)
    case["method"], case["target"], case["headers"], case["body"] = method_bytes, target_bytes, headers, body
    case["head"] = method_bytes == b"HEAD"
    case["token"] = session.token
    return case


# ---------------------------------------------------------------------------------------------
# Set-up: records with real ids, and the forms of every page


def set_up(sessions, routes):
    fx = Fixtures()
    manager = sessions["management"].token
    org = "/api/v1/orgs/demo"
    staff_id = api("GET", "/api/v1/me", token=sessions["staff"].token)
    staff_id = staff_id.get("id") or staff_id.get("user", {}).get("id")
    procurement = api("POST", f"{org}/procurements", {"title": "Page fuzz procurement"}, manager)["id"]
    goal = api("POST", f"{org}/goals", {"title": "Page fuzz goal", "level": "organisation"}, manager)["id"]
    idea = api("POST", f"{org}/goals", {"title": "Page fuzz idea", "level": "procurement", "procurementId": procurement},
               sessions["lead"].token)["id"]
    task_body = {"title": "Page fuzz task", "goalId": goal}
    if staff_id:
        task_body["assigneeId"] = staff_id
    task = api("POST", f"{org}/procurements/{procurement}/tasks", task_body, manager)["id"]
    # (409: made by an earlier run against the same database.)
    user = api("POST", f"{org}/users", {"email": "page-fuzz@demo.example", "name": "Page Fuzz", "role": "staff",
                                          "password": "page-fuzz-password"}, manager, expect=(201, 409)).get("id")
    if user is None:
        listed = api("GET", f"{org}/users?limit=200", token=manager)
        user = next(item["id"] for item in listed["items"] if item["email"] == "page-fuzz@demo.example")
    api("POST", "/api/v1/platform/organisations", {"slug": "fuzz-pages", "name": "Page fuzz", "management": {
        "email": "m@fuzz-pages.example", "name": "M", "password": "page-fuzz-password"}}, sessions["platform"].token,
        expect=(201, 409))
    goals = api("GET", f"{org}/goals?limit=200", token=manager)
    procurements = api("GET", f"{org}/procurements?limit=200", token=manager)
    catalogue = api("GET", "/api/v1/catalogue?lang=en", token=manager)
    fx.goals = [goal, idea] + [item["id"] for item in goals.get("items", [])][:8]
    fx.procurements = [procurement] + [item["id"] for item in procurements.get("items", [])][:4]
    fx.tasks = [task]
    fx.users = [user]  # never the demo's own accounts: a role change or deactivation would end their sessions
    fx.codes = [entry["code"] for theme in catalogue.get("themes", []) for entry in theme.get("goals", [])][:6] or ["1.1"]
    fx.orgs = ["fuzz-pages"]  # never demo: suspending it would end every member role's run
    fx.files = ["goals.csv"]

    # Every GET page as every role, with real ids: the forms on them name the posts' fields.
    forms, get_queries = {}, {}
    post_routes = [(route_regex(path), path) for method, path, _ in routes if method == "POST"]
    get_routes = [(route_regex(path), path) for method, path, _ in routes if method == "GET"]
    links = set()
    for role, session in sessions.items():
        for method, path, _ in routes:
            if method != "GET":
                continue
            choices = [path]
            if ":" in path:
                choices = []
                for value in fx.params(path, re.search(r":(\w+)", path).group(1))[:4]:
                    choices.append(re.sub(r":\w+", value, path, count=1))
            for target in choices:
                answer = simple("GET", target, cookie=session.cookie() if session.token else None)
                scraper = FormScraper()
                scraper.feed(answer.body.decode("utf-8", "replace"))
                links |= scraper.links
                for form in scraper.forms:
                    action = urllib.parse.urlsplit(form["action"] or target).path
                    table = post_routes if form["method"] == "post" else get_routes
                    for regex, route in table:
                        if regex.match(action):
                            into = (forms if form["method"] == "post" else get_queries).setdefault(route, {})
                            for name, values in form["fields"].items():
                                into.setdefault(name, set()).update(values)
    fx.files = sorted({link.split("/")[-1].split("?")[0] for link in links if link.startswith("/exports/")}) or ["goals.csv"]
    fx.all_ids = fx.goals + fx.procurements + fx.tasks + fx.users + fx.codes + fx.files
    return fx, forms, get_queries


def params(fx, path, name):
    if name == "id":
        if path.startswith("/goals/"):
            return fx.goals
        if path.startswith("/procurements/"):
            return fx.procurements
        if path.startswith("/tasks/"):
            return fx.tasks
        if path.startswith("/users/"):
            return fx.users
        return fx.goals + fx.procurements
    return {"code": fx.codes, "org": fx.orgs, "file": fx.files}.get(name, [])


Fixtures.params = params


# ---------------------------------------------------------------------------------------------
# Running


def describe(case, answer=None, limit=300):
    lines = [f"  case {case['role']}:{case['index']} ({case['route']}), seed {SEED}",
             f"    {case['method'].decode('latin-1')} {case['target'][:400]!r}" + (" (not a valid HTTP request)" if not case["http_valid"] else "")]
    for name, value in case["headers"]:
        shown = value if len(value) <= 200 else value[:200] + b"...(%d bytes)" % len(value)
        lines.append(f"    {name.decode('latin-1')}: {shown!r}")
    lines.append(f"    body ({len(case['body'])} bytes): {case['body'][:limit]!r}")
    if answer is not None:
        lines.append(f"    answer: {answer.status or answer.error}" + (f", X-Request-Id {answer.header('x-request-id')}" if answer.status else ""))
    lines.append(f"    replay: LUOTSI_FUZZ_SEED={SEED} LUOTSI_FUZZ_CASE={case['role']}:{case['index']} Tests/fuzz/run BINARY")
    return "\n".join(lines)


def main():
    started = time.time()
    routes = load_routes()
    roles = [role for role in ROLES if role in (os.environ.get("LUOTSI_FUZZ_ROLES") or ",".join(ROLES)).split(",")]
    sessions = {role: Session(role) for role in ROLES}
    fx, forms, get_queries = set_up(sessions, routes)
    per_role = math.ceil(CASES / len(routes)) * len(routes)
    print(f"page fuzz: seed {SEED}, {len(routes)} page routes, {per_role} cases per role, {CONCURRENCY} at a time")

    if ONLY:
        role, index = ONLY.split(":")
        case = make_case(role, int(index), sessions[role], fx, routes, forms, get_queries)
        answer = exchange(case["request"], FUZZ_SOURCES[0], head_only=case["head"])
        print(describe(case, answer, limit=4000))
        print(f"    answer headers: {answer.headers}\n    answer body: {answer.body[:2000]!r}")
        print("page fuzz: server alive" if alive() else "page fuzz: the server is dead")
        return 0

    failures, dead = [], threading.Event()
    lock = threading.Lock()
    total_failed = 0
    for role in roles:
        session = sessions[role]
        statuses, counters = {}, {"done": 0, "server": 0, "lost": 0, "closed": 0}
        next_index = iter(range(per_role))
        by_route = {}
        in_flight = {}

        def record(case, answer, reason):
            nonlocal total_failed
            with lock:
                total_failed += 1
                if len(failures) < 20:
                    failures.append(f"{reason}\n{describe(case, answer)}")

        def worker(worker_id):
            while not dead.is_set():
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                case = make_case(role, index, session, fx, routes, forms, get_queries)
                with lock:
                    in_flight[worker_id] = case
                answer = exchange(case["request"], FUZZ_SOURCES[index % len(FUZZ_SOURCES)], head_only=case["head"])
                check_live = False
                with lock:
                    counters["done"] += 1
                    check_live = counters["done"] % LIVE_EVERY == 0
                    if answer.status is not None:
                        statuses[answer.status] = statuses.get(answer.status, 0) + 1
                        by_route.setdefault(case["route"], {}).setdefault(answer.status, 0)
                        by_route[case["route"]][answer.status] += 1
                if answer.status is not None and answer.status >= 500:
                    with lock:
                        counters["server"] += 1
                    record(case, answer, f"server error {answer.status}")
                elif answer.status is None:
                    if case["http_valid"]:
                        with lock:
                            counters["lost"] += 1
                        record(case, answer, f"lost connection: {answer.error}")
                        check_live = True
                    elif alive():
                        with lock:
                            counters["closed"] += 1
                    else:
                        with lock:
                            counters["lost"] += 1
                        record(case, answer, f"the server died after a malformed request: {answer.error}")
                        dead.set()
                if check_live and not dead.is_set() and not alive():
                    with lock:
                        suspects = list(in_flight.values())
                    record(case, None, "the server is dead; the cases in flight were:\n" + "\n".join(describe(c) for c in suspects))
                    dead.set()
                # A signed-in role sent back to the sign-in page may have lost its session.
                location = answer.header("location") or ""
                if (case["session_intact"] and role != "signed-out" and answer.status in (302, 303)
                        and (location == "/" or location.startswith("/?next="))) or index % LIVE_EVERY == 0:
                    session.check(case["token"])
                with lock:
                    in_flight.pop(worker_id, None)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(CONCURRENCY)]
        role_started = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not dead.is_set() and not alive():
            record({"role": role, "index": -1, "route": "after the role's run", "http_valid": True, "method": b"GET",
                    "target": b"/health/live", "headers": [], "body": b""}, None, "the server is dead after the role's run")
            dead.set()
        shown = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
        extra = f", {counters['closed']} malformed requests closed by the HTTP layer" if counters["closed"] else ""
        extra += f", {session.resignins} re-sign-ins" if session.resignins else ""
        print(f"page fuzz as {role}: {counters['done']} cases over {len(routes)} routes, statuses {{{shown}}}, "
              f"{counters['server']} server errors, {counters['lost']} lost connections{extra} ({time.time() - role_started:.0f} s)",
              flush=True)
        if os.environ.get("LUOTSI_FUZZ_VERBOSE"):
            for route, counts in sorted(by_route.items()):
                print(f"    {route}: {dict(sorted(counts.items()))}")
        if dead.is_set():
            break

    if not dead.is_set() and alive():
        print(f"page fuzz: server alive ({time.time() - started:.0f} s)")
    else:
        print("page fuzz: the server is DEAD")
    if failures or dead.is_set():
        print(f"page fuzz: {total_failed} failing cases (at most 20 shown):")
        for failure in failures:
            print(failure)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
