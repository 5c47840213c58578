#!/usr/bin/env python3
"""Latency percentiles from pgbench's per-transaction logs (pgbench -l).

Usage: latency.py LOG... -> one JSON object: transactions, p50_ms, p90_ms, p99_ms, max_ms.
Each log line is `client_id transaction_no time script_no time_epoch time_us`, where `time` is
the transaction's latency in microseconds (pgbench prints averages only, not percentiles).
"""
import json
import sys


def percentile(ordered, share):
    # Nearest rank, as wrk reports it.
    if not ordered:
        return None
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main(paths):
    latencies = []
    for path in paths:
        with open(path) as log:
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]))
    latencies.sort()

    def ms(value):
        return None if value is None else round(value / 1000, 3)

    print(json.dumps({
        "transactions": len(latencies),
        "p50_ms": ms(percentile(latencies, 0.50)),
        "p90_ms": ms(percentile(latencies, 0.90)),
        "p99_ms": ms(percentile(latencies, 0.99)),
        "max_ms": ms(latencies[-1] if latencies else None),
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
