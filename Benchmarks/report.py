#!/usr/bin/env python3
"""Makes Benchmarks/run's results table.

Usage: report.py FIGURES.jsonl OUT.md

FIGURES.jsonl has one {"path": "a.b.c", "value": …} per line, as the bash stages write them
(`figure` in Benchmarks/run). They are folded into one nested object, saved beside OUT.md as
.json, and rendered as markdown into OUT.md and onto standard output. Figures that a run did
not produce (no baseline, no scale stage) are shown as –.
"""
import json
import sys

KINDS = [
    ("dashboard", "dashboard"),
    ("goals", "goal list"),
    ("goals_filtered", "goal list ?status="),
    ("goal", "goal detail"),
    ("tasks", "my tasks"),
    ("checkin", "new check-in (POST)"),
    ("procurements", "procurement list"),
]


def load(path):
    figures = {}
    with open(path) as lines:
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            node = figures
            *parents, leaf = entry["path"].split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = entry["value"]
    return figures


def get(figures, path):
    node = figures
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def number(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return f"{value:,.{digits}f}".replace(",", " ")


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.{digits}f}×"


def errors(result):
    if result is None:
        return "–"
    text = str(result.get("non2xx", 0))
    by_status = result.get("non2xx_by_status") or {}
    if by_status:
        text += " (" + ", ".join(f"{status}: {count}" for status, count in sorted(by_status.items())) + ")"
    if result.get("socket_errors"):
        text += f", {result['socket_errors']} socket errors"
    return text


def render(f):
    meta = f.get("meta", {})
    has_baseline = get(f, "targets.baseline") is not None
    out = []
    add = out.append
    add(f"# Luotsi benchmark, {meta.get('date', '?')}")
    add("")
    add(f"- machine: {meta.get('nproc')} cores, {meta.get('cpu')}, {meta.get('memory_gib')} GiB; {meta.get('postgres')}")
    add(f"- under test: commit {meta.get('commit')} (`{meta.get('binary')}`)")
    baseline = meta.get("baseline")
    add(f"- baseline: {baseline}" + (f" (`{meta.get('baseline_binary')}`)" if has_baseline else " (not measured)"))
    add(
        f"- {number(meta.get('orgs'))} organisations; wrk/pgbench {meta.get('duration')} runs after a {meta.get('warmup')} warm-up, "
        f"{meta.get('connections')} connections, {meta.get('threads')} threads; server pool {meta.get('pool')}; "
        f"all on loopback; total {number(meta.get('total_s'))} s"
    )
    add("")

    add("## Requests (wrk, random user of a random organisation)")
    add("")
    add("| figure | under test | baseline | under test ÷ baseline |")
    add("|---|---:|---:|---:|")

    def row(label, path, key, digits=1, higher_is_better=True):
        new = get(f, f"targets.new.{path}")
        old = get(f, f"targets.baseline.{path}")
        new_value = new.get(key) if isinstance(new, dict) else new
        old_value = old.get(key) if isinstance(old, dict) else old
        add(f"| {label} | {number(new_value, digits)} | {number(old_value, digits)} | {ratio(new_value, old_value)} |")

    row("mix req/s", "mix", "rps")
    row("mix p50 ms", "mix", "p50_ms", 2)
    row("mix p90 ms", "mix", "p90_ms", 2)
    row("mix p99 ms", "mix", "p99_ms", 2)
    add(f"| mix non-2xx | {errors(get(f, 'targets.new.mix'))} | {errors(get(f, 'targets.baseline.mix'))} | |")
    row("dashboard alone req/s", "dashboard", "rps")
    row("dashboard alone p50 ms", "dashboard", "p50_ms", 2)
    row("dashboard alone p99 ms", "dashboard", "p99_ms", 2)
    add(f"| dashboard non-2xx | {errors(get(f, 'targets.new.dashboard'))} | {errors(get(f, 'targets.baseline.dashboard'))} | |")
    row("server peak RSS MiB (VmHWM)", "server_peak_rss_mib", None)
    for label, key in [
        ("PostgreSQL backends of the server", "backends"),
        ("  largest backend RSS MiB", "max_rss_mib"),
        ("  sum of backend RSS MiB", "sum_rss_mib"),
        ("  sum of private (RssAnon) MiB", "sum_private_mib"),
    ]:
        row(label, "pg_backends", key)
    add("")

    add("## The pages against the same reads through the API (under test, same data, same run)")
    add("")
    add("40 % the role's home, 30 % the goal list, 15 % one goal, 15 % the procurements; as pages with the")
    add("session cookie, and as the API's reads with the bearer token.")
    add("")
    add("| figure | pages | API reads | pages ÷ API |")
    add("|---|---:|---:|---:|")
    pages = get(f, "targets.new.pages") or {}
    reads = get(f, "targets.new.api_reads") or {}
    for label, key, digits in [("req/s", "rps", 1), ("p50 ms", "p50_ms", 2), ("p90 ms", "p90_ms", 2), ("p99 ms", "p99_ms", 2)]:
        add(f"| {label} | {number(pages.get(key), digits)} | {number(reads.get(key), digits)} | {ratio(pages.get(key), reads.get(key))} |")
    add(f"| non-2xx | {errors(pages)} | {errors(reads)} | |")
    add("")

    # The read-model cache over each run (warm-up included): counters are cumulative, so each
    # run's share is the difference from the reading before it.
    cache = get(f, "targets.new.read_cache") or {}
    if cache.get("mix"):
        add("Read-model cache of the server under test over each run (its warm-up included), from `/metrics`:")
        add("")
        add("| run | lookups | served from the cache | estimated bytes held after | entries after | evicted |")
        add("|---|---:|---:|---:|---:|---:|")
        before = cache.get("start") or {}
        for run in ["mix", "dashboard", "pages", "api_reads"]:
            now = cache.get(run)
            if not now:
                continue
            delta = {k: (now.get(k) or 0) - (before.get(k) or 0) for k in ("hit", "miss", "bypassed", "evictions")}
            lookups = delta["hit"] + delta["miss"] + delta["bypassed"]
            share = f"{100.0 * delta['hit'] / lookups:.1f} %" if lookups else "–"
            add(f"| {run} | {lookups} | {share} | {number(now.get('bytes'))} | {number(now.get('entries'))} | {delta['evictions']} |")
            before = now
        add("")

    add("## The same SQL without the server (pgbench, under test's statements and database)")
    add("")
    add("| figure | mix (40/30/15/5/10) | dashboard alone |")
    add("|---|---:|---:|")
    mix = get(f, "targets.new.pgbench.mix") or {}
    dash = get(f, "targets.new.pgbench.dashboard") or {}
    add(f"| pgbench tps | {number(mix.get('tps'))} | {number(dash.get('tps'))} |")
    add(f"| pgbench p50 ms | {number(mix.get('p50_ms'), 2)} | {number(dash.get('p50_ms'), 2)} |")
    add(f"| pgbench p99 ms | {number(mix.get('p99_ms'), 2)} | {number(dash.get('p99_ms'), 2)} |")
    add(f"| pgbench failed transactions | {number(mix.get('failed'))} | {number(dash.get('failed'))} |")
    wrk_mix = get(f, "targets.new.mix") or {}
    wrk_dash = get(f, "targets.new.dashboard") or {}
    add(f"| server req/s ÷ pgbench tps | {ratio(wrk_mix.get('rps'), mix.get('tps'))} | {ratio(wrk_dash.get('rps'), dash.get('tps'))} |")
    mix_backends = get(f, "targets.new.pgbench.mix_backends") or {}
    dash_backends = get(f, "targets.new.pgbench.dashboard_backends") or {}
    add(f"| pgbench's {number(mix_backends.get('backends'))} backends: largest RSS MiB | {number(mix_backends.get('max_rss_mib'))} | {number(dash_backends.get('max_rss_mib'))} |")
    add(f"| pgbench's backends: sum of private (RssAnon) MiB | {number(mix_backends.get('sum_private_mib'))} | {number(dash_backends.get('sum_private_mib'))} |")
    add("")

    add(f"## Database work per request ({meta.get('round_trip_requests')} requests of each kind, one after another, hot caches)")
    add("")
    add("Round trips: the server's TCP sends to PostgreSQL per request. Statements: what pg_stat_statements")
    add("recorded per request (BEGIN, COMMIT and the tenant switch count; pipelined statements share a round trip).")
    add("")
    add("| request | round trips: under test | baseline | change | statements: under test | baseline | change |")
    add("|---|---:|---:|---:|---:|---:|---:|")

    def change(new, old):
        return "–" if new is None or old is None else f"{new - old:+.2f}"

    for kind, label in KINDS:
        trips_new = get(f, f"targets.new.round_trips.{kind}")
        trips_old = get(f, f"targets.baseline.round_trips.{kind}")
        statements_new = get(f, f"targets.new.statements.{kind}")
        statements_old = get(f, f"targets.baseline.statements.{kind}")
        add(
            f"| {label} | {number(trips_new, 2)} | {number(trips_old, 2)} | {change(trips_new, trips_old)} "
            f"| {number(statements_new, 2)} | {number(statements_old, 2)} | {change(statements_new, statements_old)} |"
        )
    add("")

    scale = f.get("scale")
    if scale:
        n = scale.get("orgs")
        create = scale.get("create") or {}
        mix_all = scale.get("mix_all") or {}
        mix_10 = scale.get("mix_10") or {}
        pg = scale.get("pg_backends") or {}
        add(f"## Tenant scale: {number(n)} organisations (binary under test)")
        add("")
        add("| figure | value |")
        add("|---|---:|")
        jobs = scale.get("create_jobs")
        how = f"`luotsi org create-many --jobs {jobs}`" if jobs else "`luotsi org create` one after another"
        add(f"| {how}, all {number(n)}, s | {number(scale.get('create_total_s'))} |")
        add(f"| one organisation's creation, median of the first {number(create.get('first_1000'))}, ms | {number(create.get('median_first_1000_ms'))} |")
        add(f"| one organisation's creation, median of the last {number(create.get('last_1000'))}, ms | {number(create.get('median_last_1000_ms'))} |")
        if scale.get("create_single_median_ms") is not None:
            add(f"| `luotsi org create`, one process each (start and connection included), median of 20 more, ms | {number(scale.get('create_single_median_ms'))} |")
        add(f"| `luotsi migrate` with nothing to do, s | {number(scale.get('migrate_noop_s'), 2)} |")
        add(f"| `luotsi migrate` with one new tenant migration (a column added to goals), s | {number(scale.get('migrate_new_s'), 2)} |")
        add(f"| `luotsi serve` start until /health/ready answers, s | {number(scale.get('serve_ready_s'), 2)} |")
        add(f"| filling them by SQL, s | {number(scale.get('fill_s'))} |")
        add(f"| mix over all {number(n)}: req/s, p50 ms, p99 ms | {number(mix_all.get('rps'))}, {number(mix_all.get('p50_ms'), 2)}, {number(mix_all.get('p99_ms'), 2)} |")
        add(f"| mix over 10 of them: req/s, p50 ms, p99 ms | {number(mix_10.get('rps'))}, {number(mix_10.get('p50_ms'), 2)}, {number(mix_10.get('p99_ms'), 2)} |")
        add(f"| p50 all ÷ p50 10 | {ratio(mix_all.get('p50_ms'), mix_10.get('p50_ms'))} |")
        add(f"| non-2xx (all / 10) | {errors(mix_all)} / {errors(mix_10)} |")
        add(f"| PostgreSQL backend RSS at the end: largest, sum of private MiB | {number(pg.get('max_rss_mib'))}, {number(pg.get('sum_private_mib'))} |")
        add(f"| server peak RSS MiB | {number(scale.get('server_peak_rss_mib'))} |")
        add(f"| the whole stage, s | {number(scale.get('time_total_s'))} |")
        add("")

    passes = [(label, d) for label, d in [
        (f"{number(meta.get('orgs'))} organisations", get(f, "targets.new.digest")),
        (f"{number((scale or {}).get('orgs'))} organisations (tenant scale)", (scale or {}).get("digest")),
    ] if d]
    if passes:
        add("## The reminder pass (digests to the outbox, no delivery)")
        add("")
        add("| figure | " + " | ".join(label for label, _ in passes) + " |")
        add("|---|" + "---:|" * len(passes))

        def cells(fn):
            return " | ".join(fn(d) for _, d in passes)

        add(f"| what it printed | {cells(lambda d: str(d.get('report', '')))} |")
        add(f"| the pass alone, s | {cells(lambda d: number(d.get('pass_s'), 2))} |")
        add(f"| per organisation, ms | {cells(lambda d: number(1000 * d['pass_s'] / d['organisations'], 2) if d.get('organisations') else '–')} |")
        add(f"| the mix alone: req/s, p50 ms, p99 ms | {cells(lambda d: ', '.join([number((d.get('mix_alone') or {}).get('rps')), number((d.get('mix_alone') or {}).get('p50_ms'), 2), number((d.get('mix_alone') or {}).get('p99_ms'), 2)]))} |")
        add(f"| the mix beside a pass: req/s, p50 ms, p99 ms | {cells(lambda d: ', '.join([number((d.get('mix_during') or {}).get('rps')), number((d.get('mix_during') or {}).get('p50_ms'), 2), number((d.get('mix_during') or {}).get('p99_ms'), 2)]))} |")
        add(f"| p99 beside ÷ p99 alone | {cells(lambda d: ratio((d.get('mix_during') or {}).get('p99_ms'), (d.get('mix_alone') or {}).get('p99_ms')))} |")
        add(f"| the pass beside the mix, s | {cells(lambda d: number(d.get('pass_during_mix_s'), 2))} |")
        add("")

    add("## How long the stages took (s)")
    add("")
    add("| stage | under test | baseline |")
    add("|---|---:|---:|")
    for label, key in [
        ("migrate (empty database)", "migrate_s"),
        ("org create (CLI, parallel)", "org_create_s"),
        ("fill by SQL (and analyse)", "fill_s"),
        ("wrk runs (with warm-ups)", "wrk_s"),
        ("round trips", "round_trips_s"),
        ("pgbench runs", "pgbench_s"),
        ("all of it", "total_s"),
    ]:
        add(f"| {label} | {number(get(f, f'targets.new.time.{key}'))} | {number(get(f, f'targets.baseline.time.{key}'))} |")
    add(f"| server start until ready | {number(get(f, 'targets.new.serve_ready_s'), 2)} | {number(get(f, 'targets.baseline.serve_ready_s'), 2)} |")
    add("")

    for key, who in [("new", "under test"), ("baseline", "baseline")]:
        lists = get(f, f"targets.{key}.statement_list")
        if not lists:
            continue
        add(f"## Appendix: the statements each request runs ({who}; calls per request)")
        add("")
        for kind, label in KINDS:
            rows = lists.get(kind)
            if not rows:
                continue
            trips = number(get(f, f"targets.{key}.round_trips.{kind}"), 2)
            add(f"<details><summary>{label}: {number(get(f, f'targets.{key}.statements.{kind}'), 2)} statements, {trips} round trips</summary>")
            add("")
            add("| per request | statement |")
            add("|---:|---|")
            for per, query in rows:
                text = query if len(query) <= 160 else query[:157] + "..."
                add(f"| {per:.2f} | `{text.replace('|', '¦')}` |")
            add("")
            add("</details>")
            add("")
    return "\n".join(out) + "\n"


def main(figures_path, out_path):
    figures = load(figures_path)
    base = out_path[:-3] if out_path.endswith(".md") else out_path
    with open(base + ".json", "w") as saved:
        json.dump(figures, saved, indent=2, ensure_ascii=False)
        saved.write("\n")
    text = render(figures)
    with open(out_path, "w") as report:
        report.write(text)
    # The appendix is for the file; the terminal gets the tables.
    print(text.split("## Appendix")[0], end="")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
