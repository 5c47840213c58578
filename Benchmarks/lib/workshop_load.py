#!/usr/bin/env python3
"""One workshop, N participants voting at once (issue 20's load figure).

Usage: workshop_load.py BASE_URL CREDENTIALS_FILE [PARTICIPANTS=200] [VOTES_EACH=3]

The demo's lead starts a workshop that lets N guests in, adds as many ideas as votes each, and
opens voting. N guests join through the pages (/w/<code>/guest, each with its own cookies), each
opens the board's WebSocket (/w/<code>/live), and then every guest places all their votes at
once (form posts, as the pages send them). Through deploy/cluster's nginx the sockets and the
posts are spread over both instances, so a vote served by one instance must reach the viewers
of the other through PostgreSQL's LISTEN/NOTIFY.

Prints: how long after the last vote was acknowledged each board showed the final count (p50,
p99, max), how many boards reached it, and the count stored (every vote once, none lost).
Exits 1 if a board never shows the final count within 10 s or the stored count is wrong; it
asserts nothing about speed (the figure is for BENCHMARKS.md).
"""
import asyncio
import json
import re
import statistics
import sys
import time

import aiohttp

BASE = sys.argv[1].rstrip("/")
CREDENTIALS = sys.argv[2]
PARTICIPANTS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
VOTES_EACH = int(sys.argv[4]) if len(sys.argv) > 4 else 3
TOTAL_RE = re.compile(r'data-votes="(\d+)"')


def lead_credentials():
    for line in open(CREDENTIALS, encoding="utf-8"):
        match = re.match(r"^\s+lead\s+(\S+@\S+)\s+(\S+)\s*$", line)
        if match:
            return match.group(1), match.group(2)
    raise SystemExit(f"no lead in {CREDENTIALS}")


async def api(session, method, path, token, body=None):
    async with session.request(method, BASE + path, json=body, headers={"Authorization": f"Bearer {token}"}) as response:
        text = await response.text()
        if response.status >= 300:
            raise SystemExit(f"{method} {path}: {response.status} {text[:300]}")
        return json.loads(text) if text else {}


class Guest:
    def __init__(self, index, code):
        self.index = index
        self.code = code
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = None
        self.messages = []  # (monotonic time, total votes shown)
        self.socket = None

    async def join(self):
        async with self.session.get(f"{BASE}/w/{self.code}") as response:
            page = await response.text()
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = {"csrf": self.csrf, "name": f"Guest {self.index}"}
        async with self.session.post(f"{BASE}/w/{self.code}/guest", data=form, allow_redirects=False) as response:
            if response.status != 303:
                raise SystemExit(f"guest {self.index} was not let in: {response.status} {(await response.text())[:300]}")

    async def watch(self):
        self.socket = await self.session.ws_connect(f"{BASE}/w/{self.code}/live", headers={"Origin": BASE})
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            html = json.loads(message.data).get("html") or ""
            total = TOTAL_RE.search(html)
            if total:
                self.messages.append((time.monotonic(), int(total.group(1))))

    async def vote(self, idea):
        form = {"csrf": self.csrf, "change": "add"}
        async with self.session.post(f"{BASE}/w/{self.code}/ideas/{idea}/vote", data=form, allow_redirects=False) as response:
            return response.status == 303, time.monotonic()


async def main():
    email, password = lead_credentials()
    async with aiohttp.ClientSession() as session:
        async with session.post(BASE + "/api/v1/auth/login", json={"organisation": "demo", "email": email, "password": password}) as r:
            token = (await r.json())["token"]
        created = await api(
            session, "POST", "/api/v1/orgs/demo/workshops", token,
            {"title": f"Load {int(time.time())}", "guests": True, "guestLimit": min(500, PARTICIPANTS), "votesPerPerson": VOTES_EACH},
        )
        workshop, code = created["id"], created["joinCode"]
        ideas = []
        for n in range(VOTES_EACH):
            board = await api(session, "POST", f"/api/v1/orgs/demo/workshops/{workshop}/ideas", token, {"text": f"Idea {n + 1}"})
        ideas = [idea["id"] for idea in board["ideas"]]

        guests = [Guest(i, code) for i in range(PARTICIPANTS)]
        started = time.monotonic()
        for batch in range(0, PARTICIPANTS, 50):
            await asyncio.gather(*(guest.join() for guest in guests[batch:batch + 50]))
        joined = time.monotonic() - started
        watchers = [asyncio.create_task(guest.watch()) for guest in guests]
        await asyncio.sleep(1.0)
        await api(session, "POST", f"/api/v1/orgs/demo/workshops/{workshop}/phase", token, {"phase": "voting"})
        await asyncio.sleep(1.5)
        opened = sum(1 for guest in guests if guest.socket is not None and not guest.socket.closed)

        # Everyone votes at once: each guest's votes one after another, all guests together.
        async def all_votes(guest):
            results = []
            for idea in ideas:
                results.append(await guest.vote(idea))
            return results

        voting_started = time.monotonic()
        outcomes = [result for results in await asyncio.gather(*(all_votes(g) for g in guests)) for result in results]
        accepted = sum(1 for ok, _ in outcomes if ok)
        last_ack = max(at for _, at in outcomes)
        expected = accepted
        await asyncio.sleep(10)

        lags = []
        reached = 0
        for guest in guests:
            final = next((at for at, total in guest.messages if total == expected), None)
            if final is not None:
                reached += 1
                lags.append(max(0.0, final - last_ack))
        stored = await api(session, "GET", f"/api/v1/orgs/demo/workshops/{workshop}", token)
        stored_total = sum(idea["votes"] for idea in stored["ideas"])
        for task in watchers:
            task.cancel()
        for guest in guests:
            await guest.session.close()

    print(f"participants: {PARTICIPANTS} guests, joined in {joined:.1f} s; sockets open: {opened}")
    print(f"votes: {len(outcomes)} sent at once, {accepted} acknowledged in {last_ack - voting_started:.2f} s; stored: {stored_total}")
    if lags:
        lags.sort()
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
        print(
            f"boards showing the final count: {reached} of {PARTICIPANTS}; after the last acknowledgement: "
            f"p50 {statistics.median(lags) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms")
    lost = accepted - stored_total
    print(f"votes lost: {max(0, lost)}; counted twice: {max(0, -lost)}")
    if reached < PARTICIPANTS or stored_total != accepted or accepted != PARTICIPANTS * VOTES_EACH:
        print("FAILED: a board did not converge, or the stored count differs from the acknowledged votes", file=sys.stderr)
        sys.exit(1)


asyncio.run(main())
